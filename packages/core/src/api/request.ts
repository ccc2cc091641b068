import { invalidArgument } from '../errors.js';
import { REQUEST_SCHEMAS, isApiMethod } from './schemas.js';
import type { ApiMethod, ApiRequest } from './types.js';

/**
 * Check a request against its method's schema. Throws INVALID_ARGUMENT with
 * one line naming the first bad field, what was expected, and the method.
 */
export function parseRequest<M extends ApiMethod>(method: M, body: unknown): ApiRequest<M> {
  const parsed = REQUEST_SCHEMAS[method].safeParse(body ?? {});
  if (parsed.success) return parsed.data as ApiRequest<M>;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : '(body)';
  const what = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}` : `${where}: ${issue.message}`;
  throw invalidArgument(`invalid ${method} request: ${what}; see the API reference in docs/api.md`);
}

/** Refuse an unknown method name with the list of valid ones. */
export function checkMethod(method: string): ApiMethod {
  if (isApiMethod(method)) return method;
  throw invalidArgument(`unknown API method ${JSON.stringify(method).slice(0, 80)}; see the API reference in docs/api.md`);
}
