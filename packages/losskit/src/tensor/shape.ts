import { describeValue } from './errors.js';

/** Number of elements of a tensor of this shape (1 for the 0-d shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[2, 3]` as written in error messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Whether two shapes are identical (no broadcasting). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The most axes a tensor may have (NumPy 2's limit): deeper nesting is a malformed input. */
export const MAX_RANK = 64;

/**
 * The most elements a tensor may have, 2^31 − 1 (the int32 index range; such a tensor already
 * takes 8 or 16 GiB). A larger shape is rejected before anything is allocated, and a shape with an
 * empty axis may not have other axes whose product exceeds it either, so that no per-row buffer a
 * loss derives from the shape can ask for more.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * The most positions the non-empty axes of an empty tensor (a shape with a 0) may span: nothing
 * backs them in memory, so a loss's per-row buffer over them must stay cheap (2^24 float64 are
 * 128 MiB).
 */
export const MAX_EMPTY_EXTENT = 2 ** 24;

/**
 * What is wrong with `shape` as a tensor shape, in words, or null when it is valid: a list of at
 * most `MAX_RANK` non-negative safe integers whose non-zero entries multiply to at most
 * `MAX_ELEMENTS` (`MAX_EMPTY_EXTENT` when one entry is 0). Never throws, whatever `shape` is.
 */
export function shapeProblem(shape: unknown): string | null {
  if (!Array.isArray(shape)) return `must be an array of non-negative integers, got ${describeValue(shape)}`;
  if (shape.length > MAX_RANK) return `has ${shape.length} axes (at most ${MAX_RANK})`;
  for (let k = 0; k < shape.length; k++) {
    const d: unknown = shape[k];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      return `entry ${k} is ${describeValue(d)}, not a non-negative integer`;
    }
  }
  let product = 1;
  let empty = false;
  for (const d of shape as number[]) {
    if (d === 0) empty = true;
    else product *= d;
  }
  if (product > MAX_ELEMENTS)
    return `${formatShape(shape)} has more than ${MAX_ELEMENTS} (2^31 - 1) elements`;
  if (empty && product > MAX_EMPTY_EXTENT) {
    return `${formatShape(shape)} is empty, but its other axes span ${product} positions (at most 2^24 for an empty tensor)`;
  }
  return null;
}

/** Whether `shape` is a valid tensor shape (see `shapeProblem`). */
export function isValidShape(shape: unknown): shape is number[] {
  return shapeProblem(shape) === null;
}

/** Row-major multi-index of flat position `flat` in `shape`, as written in error messages: `[1, 2]`. */
export function formatIndex(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return `[${flat}]`;
  const idx: number[] = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return `[${idx.join(', ')}]`;
}
