/**
 * The daemon's wire format, shared by client and server: `POST /v1/<method>`
 * with the request as JSON; 200 with the response as JSON, or an error
 * status with `{"error":{"code","message"}}`. Every request carries the
 * client's config fingerprint; a daemon configured otherwise answers 421.
 */

/** Header with the client's config fingerprint (see core's configFingerprint). */
export const FINGERPRINT_HEADER = 'x-ctrnet-config';

/** Route prefix of every API method. */
export const API_PREFIX = '/v1/';

/** Liveness check: 204 when the fingerprints match, 421 otherwise. */
export const PING_PATH = '/v1/_ping';

/** Event stream: NDJSON, one event per line, starting after `?after=SEQ`. */
export const EVENTS_PATH = '/v1/_events';

/** "This daemon is configured otherwise": the client should not use it. */
export const MISDIRECTED = 421;

/** The body of every error response. */
export interface WireError {
  error: { code: string; message: string };
}
