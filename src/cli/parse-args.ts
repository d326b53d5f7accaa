import { InvalidArgumentError } from 'commander';
import type { OptionValue } from '../lab/index.js';

/** Commander parser for a positive integer option. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
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

/** Commander parser for `lo,hi`. */
export function numberRange(value: string): [number, number] {
  const parts = value.split(',').map((s) => Number(s.trim()));
  if (parts.length !== 2 || parts.some((n) => !Number.isFinite(n)) || parts[0] >= parts[1]) {
    throw new InvalidArgumentError(`expected two increasing numbers 'lo,hi', got '${value}'`);
  }
  return [parts[0], parts[1]];
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
