export { main, type CniIo } from './main.js';
export { installLauncher } from './install.js';
export { SUPPORTED_VERSIONS, CNI_CODES } from './spec.js';
