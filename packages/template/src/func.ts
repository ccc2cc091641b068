// The signature of a template function. Go converts each argument to the
// function's parameter type before the call, and its error texts name those
// types ("expected string; found 5"), so every function declares them.

/**
 * - `value`: reflect.Value, the raw value as the interpreter holds it (builtins such as eq, index, len);
 * - `any`: interface{}, the value with its interface wrapper removed (null for nil);
 * - `string`, `int`, `strings` ([]string): converted, or an execution error.
 */
export type ParamType = 'value' | 'any' | 'string' | 'int' | 'strings';

export const PARAM_TYPE_NAMES: Record<ParamType, string> = {
  value: 'reflect.Value', any: 'interface {}', string: 'string', int: 'int', strings: '[]string',
};

export interface GoFunc {
  /** Fixed parameters. */
  readonly params: readonly ParamType[];
  /** Type of the trailing variadic parameter, if the function has one. */
  readonly variadic?: ParamType;
  /** Runs the function on converted arguments; throws FuncError for an error Go would return. */
  call(args: unknown[]): unknown;
}

export type FuncMap = Readonly<Record<string, GoFunc>>;

/** An error returned (or a panic raised) by a function; reported as "error calling NAME: …". */
export class FuncError extends Error {}

export function fn(params: readonly ParamType[], call: (args: unknown[]) => unknown, variadic?: ParamType): GoFunc {
  return { params, variadic, call };
}
