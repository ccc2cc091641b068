/**
 * `@ctrnet/core/api`: what a front-end needs without loading the runtime —
 * the API's types, errors, the parsers of user input, and where the config,
 * the state dir and the daemon's socket are. Nothing here loads SQLite, zod,
 * execa or a plugin, so a thin client starts fast.
 */
export type * from './types.js';
export { daemonSocketPath, DEFAULT_DAEMON_SOCKET } from './socket-path.js';
export { listening, listenPrivately, socketAnswers, type PrivateSocketOptions } from './socket-server.js';
export { configFingerprint, configPathOf, stateDirOf, DEFAULT_CONFIG_PATH, DEFAULT_STATE_DIR, type ConfigInputs } from '../config-location.js';
export { CtrnetError, ERROR_CODES, invalidArgument, isCtrnetError, type ErrorCode } from '../errors.js';
export { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '../events.js';
export { parseExposeSpec, parsePublishSpec } from '../ports/spec.js';
export { defaultRunSpec, type RunSpec } from '../runtime/run-spec.js';
export { checkMac, checkNameserver, ipamFlags, parseAddHost, parseBoolFlag, parseEnv, parseLink } from '../runtime/validate.js';
export type { ContainerStatus, ExposedPort, NetworkRequest, PortBinding, Protocol, PublishRequest } from '../types.js';
