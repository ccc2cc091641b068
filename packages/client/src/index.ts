export { DaemonUnavailable, HttpApi } from './http-api.js';
export { locateDaemon, type DaemonLocation, type DaemonMode } from './locate.js';
export { openApi } from './open-api.js';
export { API_PREFIX, EVENTS_PATH, FINGERPRINT_HEADER, MISDIRECTED, PING_PATH, type WireError } from './wire.js';
