export { main, hooksFor, HOOK_PATH_ENV, HOOK_TIMEOUT_S, type HookIo } from './main.js';
export { ANNOTATIONS, hookRequest, type HookRequest } from './annotations.js';
