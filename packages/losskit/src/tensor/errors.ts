/**
 * The error every loss throws for bad input, at the boundary and never from inside a kernel.
 *
 * The message always reads `<loss>: <argument>: <problem>`, e.g.
 * `huber: target: shape [3, 1] does not match input shape [3]`.
 */
export class LossInputError extends Error {
  /** The loss (or function) that rejected the input, e.g. `'huber'`. */
  readonly loss: string;
  /** The argument or option that is wrong, e.g. `'target'` or `'options.delta'`. */
  readonly argument: string;
  /** What is wrong with it, in words. */
  readonly problem: string;

  constructor(loss: string, argument: string, problem: string) {
    super(`${loss}: ${argument}: ${problem}`);
    this.name = 'LossInputError';
    this.loss = loss;
    this.argument = argument;
    this.problem = problem;
  }
}

const TYPED_ARRAY_TAG = /^(?:Big)?(?:Int|Uint|Float)(?:8|16|32|64)(?:Clamped)?Array$/;

/**
 * A short description of any value for an error message: `null`, `-1`, `'1'`, `3n`, `true`,
 * `a BigInt64Array`, `a DataView`, `an array of 3`, `a function`, `an object`. It never throws,
 * whatever the value (`String()` does for `Object.create(null)` and some proxies; a template
 * literal does for symbols).
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'string':
      return value.length > 20 ? `the string '${value.slice(0, 20)}…'` : `the string '${value}'`;
    case 'bigint':
      return `the bigint ${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (value === null) return 'null';
  try {
    if (Array.isArray(value)) return `an array of ${value.length}`;
    const tag = Object.prototype.toString.call(value).slice(8, -1);
    if (
      TYPED_ARRAY_TAG.test(tag) ||
      tag === 'DataView' ||
      tag === 'ArrayBuffer' ||
      tag === 'SharedArrayBuffer'
    ) {
      return `a${/^[AEIOU]/.test(tag) ? 'n' : ''} ${tag}`;
    }
  } catch {
    // A revoked proxy or a throwing Symbol.toStringTag getter: nothing more to say.
  }
  return 'an object';
}
