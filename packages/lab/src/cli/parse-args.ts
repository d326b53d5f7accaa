import { InvalidArgumentError } from 'commander';
import type { OptionValue } from '../lab/index.js';

/** A whole number written in decimal digits (`12`, not `1.5`, `1e3`, `0x10` or `''`), if it is a safe integer. */
function decimalInteger(value: string): number | undefined {
  const text = value.trim();
  if (!/^\+?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Commander parser for a positive integer option (1, 2, …, up to `Number.MAX_SAFE_INTEGER`). */
export function positiveInteger(value: string): number {
  const n = decimalInteger(value);
  if (n === undefined || n < 1) throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/**
 * Commander parser for a non-negative integer option (0, 1, 2, …, up to `Number.MAX_SAFE_INTEGER`),
 * e.g. a seed: `--seed 0` is a seed like any other.
 */
export function nonNegativeInteger(value: string): number {
  const n = decimalInteger(value);
  if (n === undefined) throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** A Commander parser for a positive integer no greater than `max` (a count that must stay bounded). */
export function positiveIntegerUpTo(max: number): (value: string) => number {
  return (value) => {
    const n = positiveInteger(value);
    if (n > max) throw new InvalidArgumentError(`expected a positive integer up to ${max}, got '${value}'`);
    return n;
  };
}

/** A Commander parser for an integer from `min` to `max`, both included. */
export function integerBetween(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = decimalInteger(value);
    if (n === undefined || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got '${value}'`);
    return n;
  };
}

/** Commander parser for a comma-separated list of names. */
export function nameList(value: string, previous: string[] = []): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new InvalidArgumentError('expected one or more comma-separated names');
  return [...previous, ...names];
}

/** The largest magnitude `numberRange` accepts for either end (a loss plotted past it is not a plot). */
export const RANGE_LIMIT = 1e9;
const RANGE_LIMIT_TEXT = RANGE_LIMIT.toExponential().replace('e+', 'e');

/**
 * Commander parser for `lo,hi`: two finite numbers with lo < hi, each within ±`RANGE_LIMIT`.
 * The error quotes the offending end.
 */
export function numberRange(value: string): [number, number] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length !== 2) throw new InvalidArgumentError(`expected two numbers 'lo,hi', got '${value}'`);
  const ends = parts.map((part) => {
    const n = Number(part);
    if (part === '' || Number.isNaN(n)) throw new InvalidArgumentError(`'${part}' is not a number`);
    if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${part}' is not a finite number`);
    if (Math.abs(n) > RANGE_LIMIT)
      throw new InvalidArgumentError(`'${part}' is outside ±${RANGE_LIMIT_TEXT}`);
    return n;
  });
  const [lo, hi] = ends;
  if (lo >= hi) throw new InvalidArgumentError(`lo must be less than hi, got '${value}'`);
  return [lo, hi];
}

/** A command-line option value: numbers, `true`/`false`, `null`, otherwise the string itself. */
export function parseOptionValue(text: string): OptionValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

const camelCase = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * Free-form `--name value`, `--name=value` and bare `--flag` tokens (a loss's own options) as
 * name → list of values (`--delta 0.5,1,2` gives three). Names are converted to camelCase.
 */
export function parseLooseOptions(tokens: readonly string[]): Map<string, OptionValue[]> {
  const options = new Map<string, OptionValue[]>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token.startsWith('--') || token.length < 3) {
      throw new InvalidArgumentError(
        `unexpected argument '${token}' (loss options look like --delta 0.5,1,2)`,
      );
    }
    let name = token.slice(2);
    let raw: string;
    const eq = name.indexOf('=');
    if (eq !== -1) {
      raw = name.slice(eq + 1);
      name = name.slice(0, eq);
    } else if (i + 1 < tokens.length && !tokens[i + 1].startsWith('--')) {
      raw = tokens[++i];
    } else {
      raw = 'true';
    }
    const key = camelCase(name);
    if (options.has(key)) throw new InvalidArgumentError(`option --${name} is given twice`);
    options.set(
      key,
      raw.split(',').map((v) => parseOptionValue(v.trim())),
    );
  }
  return options;
}
