import { LossInputError, formatShape, shapeSize } from '../tensor/index.js';

/** Row-major strides of `shape` (elements, not bytes). */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    strides[k] = s;
    s *= shape[k];
  }
  return strides;
}

/** The numpy broadcast of two shapes, or a `LossInputError` naming `op` when they do not broadcast. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let k = 0; k < rank; k++) {
    const da = a[a.length - rank + k] ?? 1;
    const db = b[b.length - rank + k] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new LossInputError(
        op,
        'shapes',
        `${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${k}: ${da} vs ${db})`,
      );
    }
    out[k] = da === 1 ? db : da;
  }
  return out;
}

/**
 * For every flat position of a tensor of `shape`, the flat position `offset + Σ idx[k]·strides[k]`
 * in some other storage. One walk (an odometer), no allocation inside it. Broadcasting (stride 0),
 * transposition (permuted strides), slicing (offset) and reduction maps are all this.
 */
export function stridedMap(shape: readonly number[], strides: readonly number[], offset = 0): Int32Array {
  const size = shapeSize(shape);
  const map = new Int32Array(size);
  const rank = shape.length;
  if (rank === 0 || size === 0) {
    if (size === 1) map[0] = offset;
    return map;
  }
  const last = shape[rank - 1];
  const step = strides[rank - 1];
  const rows = size / last;
  const idx = new Int32Array(rank);
  let pos = offset;
  let p = 0;
  for (let r = 0; r < rows; r++) {
    for (let t = 0, q = pos; t < last; t++, q += step) map[p++] = q;
    for (let k = rank - 2; k >= 0; k--) {
      idx[k]++;
      pos += strides[k];
      if (idx[k] < shape[k]) break;
      pos -= strides[k] * shape[k];
      idx[k] = 0;
    }
  }
  return map;
}

/** [0, 1, …, period−1] repeated to `size` entries (i mod period), built by doubling copies. */
function repeatedRange(size: number, period: number): Int32Array {
  const map = new Int32Array(size);
  const first = Math.min(size, period);
  for (let i = 0; i < first; i++) map[i] = i;
  if (first === 0) return map;
  for (let filled = first; filled < size; filled *= 2)
    map.copyWithin(filled, 0, Math.min(filled, size - filled));
  return map;
}

/** Whether `from` (ignoring leading 1s) equals the trailing axes of `out`. */
function isSuffix(out: readonly number[], from: readonly number[]): boolean {
  let start = 0;
  while (start < from.length && from[start] === 1) start++;
  const n = from.length - start;
  for (let k = 0; k < n; k++) if (from[start + k] !== out[out.length - n + k]) return false;
  return true;
}

/**
 * Whether a tensor of shape `from` broadcasts to `out` by repeating all of it over leading
 * axes (`from` without its leading 1s is a suffix of `out`): position i of `out` reads
 * position i mod size(from). A scalar or a bias row [N] against [B, N] are such rows.
 */
export function isTrailingRow(out: readonly number[], from: readonly number[]): boolean {
  return from.length <= out.length && isSuffix(out, from);
}

/** Map from positions of the broadcast shape `out` to positions of a tensor of shape `from`. */
export function broadcastMap(out: readonly number[], from: readonly number[]): Int32Array {
  if (isSuffix(out, from)) return repeatedRange(shapeSize(out), shapeSize(from));
  const offset = out.length - from.length;
  const strides = new Array<number>(out.length).fill(0);
  let s = 1;
  for (let k = from.length - 1; k >= 0; k--) {
    if (from[k] !== 1) strides[k + offset] = s;
    s *= from[k];
  }
  return stridedMap(out, strides);
}

/** Axes as non-negative, sorted, unique numbers; `undefined` means every axis. */
export function normalizeAxes(
  op: string,
  axis: number | readonly number[] | undefined,
  rank: number,
): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, k) => k);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = new Set<number>();
  for (const a of list) {
    if (!Number.isInteger(a) || a < -rank || a >= rank) {
      throw new LossInputError(op, 'axis', `${a} is out of range for a tensor of rank ${rank}`);
    }
    out.add(a < 0 ? a + rank : a);
  }
  return [...out].sort((x, y) => x - y);
}

/** One axis as a non-negative number. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  return normalizeAxes(op, axis, rank)[0];
}

/** The shape after reducing `axes`: kept as 1 with `keepDims`, dropped otherwise. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let k = 0; k < shape.length; k++) {
    if (!axes.includes(k)) out.push(shape[k]);
    else if (keepDims) out.push(1);
  }
  return out;
}

/**
 * Map from positions of a tensor of `shape` to positions of its reduction over `axes` (the
 * reduced axes get stride 0), so that `out[map[i]] ⊕= x[i]` reduces.
 */
export function reductionMap(shape: readonly number[], axes: readonly number[]): Int32Array {
  if (axes.every((a, k) => a === k))
    return repeatedRange(shapeSize(shape), shapeSize(shape.slice(axes.length)));
  const kept = shape.map((d, k) => (axes.includes(k) ? 1 : d));
  const keptStrides = stridesOf(kept);
  const strides = shape.map((_, k) => (axes.includes(k) ? 0 : keptStrides[k]));
  return stridedMap(shape, strides);
}
