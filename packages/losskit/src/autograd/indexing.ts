import { type DType, LossInputError, Tensor, allocate, formatShape, shapeSize } from '../tensor/index.js';
import { record } from './engine.js';
import { type Operand, asTensor, resultDtype } from './operand.js';
import { normalizeAxis, stridedMap, stridesOf } from './shape-math.js';

// Indexing. Two primitives, each the other's adjoint: `gatherFlat` reads positions of the
// input, `scatterAddFlat` adds into them. Transpose, slice, gather, takeAlongAxis, max,
// pooling and upsampling are index maps fed to `gatherFlat`, so their gradients (of every
// order) come from these two rules.

/** out[i] = a[index[i]], shaped `shape`. Backward: `scatterAddFlat` of the gradient. */
export function gatherFlat(a: Tensor, index: Int32Array, shape: readonly number[]): Tensor {
  const out = allocate(a.dtype, index.length);
  const src = a.data;
  for (let i = 0; i < index.length; i++) out[i] = src[index[i]];
  return record('gather', new Tensor(out, shape), [a], (g) => [scatterAddFlat(g, index, a.shape)]);
}

/** zeros(shape) with out[index[i]] += g[i]. Backward: `gatherFlat` of the gradient. */
export function scatterAddFlat(g: Tensor, index: Int32Array, shape: readonly number[]): Tensor {
  const acc = new Float64Array(shapeSize(shape));
  const src = g.data;
  for (let i = 0; i < index.length; i++) acc[index[i]] += src[i];
  const out = allocate(g.dtype, acc.length);
  out.set(acc);
  return record('scatterAdd', new Tensor(out, shape), [g], (gz) => [gatherFlat(gz, index, g.shape)]);
}

/**
 * Permutes the axes (`perm[k]` is the input axis that becomes axis k). Default: swaps the last
 * two axes (the matrix transpose).
 */
export function transpose(a: Operand, perm?: readonly number[]): Tensor {
  const x = asTensor(a, 'transpose', 'a');
  const rank = x.rank;
  const order = perm === undefined ? defaultPerm(rank) : perm.map((p) => normalizeAxis('transpose', p, rank));
  if (order.length !== rank || new Set(order).size !== rank) {
    throw new LossInputError(
      'transpose',
      'perm',
      `[${perm?.join(', ')}] is not a permutation of the ${rank} axes`,
    );
  }
  const inStrides = stridesOf(x.shape);
  const shape = order.map((p) => x.shape[p]);
  return gatherFlat(
    x,
    stridedMap(
      shape,
      order.map((p) => inStrides[p]),
    ),
    shape,
  );
}

function defaultPerm(rank: number): number[] {
  const order = Array.from({ length: rank }, (_, k) => k);
  if (rank >= 2) [order[rank - 2], order[rank - 1]] = [order[rank - 1], order[rank - 2]];
  return order;
}

/**
 * The block starting at `begin` with `size` elements per axis (-1: to the end), as in TF.js.
 * Axes beyond `begin.length` are taken whole.
 *
 * @example
 * slice(tensor([[1, 2, 3], [4, 5, 6]]), [0, 1], [2, 2]).toArray() // [[2, 3], [5, 6]]
 */
export function slice(a: Operand, begin: readonly number[], size?: readonly number[]): Tensor {
  const x = asTensor(a, 'slice', 'a');
  if (begin.length > x.rank)
    throw new LossInputError('slice', 'begin', `has ${begin.length} entries for a tensor of rank ${x.rank}`);
  const strides = stridesOf(x.shape);
  const shape: number[] = [];
  let offset = 0;
  for (let k = 0; k < x.rank; k++) {
    const start = begin[k] ?? 0;
    const requested = size?.[k] ?? -1;
    const length = requested === -1 ? x.shape[k] - start : requested;
    if (
      !Number.isInteger(start) ||
      !Number.isInteger(length) ||
      start < 0 ||
      length < 0 ||
      start + length > x.shape[k]
    ) {
      throw new LossInputError(
        'slice',
        'begin',
        `axis ${k}: [${start}, ${start + length}) is outside [0, ${x.shape[k]})`,
      );
    }
    shape.push(length);
    offset += start * strides[k];
  }
  return gatherFlat(x, stridedMap(shape, strides, offset), shape);
}

/**
 * Joins tensors along `axis` (all other axes equal). Backward: the matching slice of the
 * gradient for each input.
 */
export function concat(tensors: readonly Operand[], axis = 0): Tensor {
  if (tensors.length === 0) throw new LossInputError('concat', 'tensors', 'needs at least one tensor');
  const first = asTensor(tensors[0], 'concat', 'tensors[0]');
  const parts = tensors.map((t, i) => asTensor(t, 'concat', `tensors[${i}]`, first.dtype));
  const ax = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  let dtype: DType = first.dtype;
  for (const [i, p] of parts.entries()) {
    const fits = p.rank === first.rank && p.shape.every((d, k) => k === ax || d === first.shape[k]);
    if (!fits)
      throw new LossInputError(
        'concat',
        `tensors[${i}]`,
        `shape ${formatShape(p.shape)} does not match ${formatShape(first.shape)} outside axis ${ax}`,
      );
    total += p.shape[ax];
    dtype = resultDtype(dtype, p.dtype);
  }
  const shape = first.shape.map((d, k) => (k === ax ? total : d));
  const outer = shapeSize(first.shape.slice(0, ax));
  const inner = shapeSize(first.shape.slice(ax + 1));
  const out = allocate(dtype, shapeSize(shape));
  const rowOut = total * inner;
  let start = 0;
  for (const p of parts) {
    const row = p.shape[ax] * inner;
    const src = p.data;
    for (let o = 0; o < outer; o++) {
      const from = o * row;
      const to = o * rowOut + start * inner;
      for (let j = 0; j < row; j++) out[to + j] = src[from + j];
    }
    start += p.shape[ax];
  }
  const begins: number[] = [];
  start = 0;
  for (const p of parts) {
    begins.push(start);
    start += p.shape[ax];
  }
  return record('concat', new Tensor(out, shape), parts, (g, needs) =>
    parts.map((p, i) => {
      if (!needs[i]) return null;
      const begin = shape.map((_, k) => (k === ax ? begins[i] : 0));
      return slice(g, begin, p.shape);
    }),
  );
}

/** Integer indices as an Int32Array, checked to lie in [0, n). */
function indicesOf(op: string, indices: Operand, n: number): { index: Int32Array; shape: readonly number[] } {
  const t = asTensor(indices, op, 'indices');
  const index = new Int32Array(t.size);
  for (let i = 0; i < t.size; i++) {
    const v = t.data[i];
    if (!Number.isInteger(v) || v < 0 || v >= n) {
      throw new LossInputError(op, 'indices', `${v} at position ${i} is not an integer in [0, ${n})`);
    }
    index[i] = v;
  }
  return { index, shape: t.shape };
}

/**
 * Takes entries of `a` along `axis` at `indices` (tf.gather / numpy take): the result has shape
 * `a.shape[:axis] + indices.shape + a.shape[axis+1:]`. Embedding lookup is `gather(table, ids)`.
 * Backward: the gradient added back into the rows it came from.
 */
export function gather(a: Operand, indices: Operand, axis = 0): Tensor {
  const x = asTensor(a, 'gather', 'a');
  const ax = normalizeAxis('gather', axis, x.rank);
  const { index, shape: indexShape } = indicesOf('gather', indices, x.shape[ax]);
  const outer = shapeSize(x.shape.slice(0, ax));
  const inner = shapeSize(x.shape.slice(ax + 1));
  const n = x.shape[ax];
  const shape = [...x.shape.slice(0, ax), ...indexShape, ...x.shape.slice(ax + 1)];
  const map = new Int32Array(outer * index.length * inner);
  let p = 0;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < index.length; j++) {
      const base = (o * n + index[j]) * inner;
      for (let i = 0; i < inner; i++) map[p++] = base + i;
    }
  }
  return gatherFlat(x, map, shape);
}

/**
 * Picks one entry per position along `axis` (numpy take_along_axis): `indices` has `a`'s shape
 * with length k on `axis`. Used for log π(a|s) of chosen actions.
 */
export function takeAlongAxis(a: Operand, indices: Operand, axis = -1): Tensor {
  const x = asTensor(a, 'takeAlongAxis', 'a');
  const ax = normalizeAxis('takeAlongAxis', axis, x.rank);
  const { index, shape } = indicesOf('takeAlongAxis', indices, x.shape[ax]);
  const fits = shape.length === x.rank && shape.every((d, k) => k === ax || d === x.shape[k]);
  if (!fits)
    throw new LossInputError(
      'takeAlongAxis',
      'indices',
      `shape ${formatShape(shape)} must match ${formatShape(x.shape)} outside axis ${ax}`,
    );
  const k = shape[ax];
  const inner = shapeSize(x.shape.slice(ax + 1));
  const n = x.shape[ax];
  const map = new Int32Array(index.length);
  for (let p = 0; p < index.length; p++) {
    const i = p % inner;
    const o = Math.floor(p / (k * inner));
    map[p] = (o * n + index[p]) * inner + i;
  }
  return gatherFlat(x, map, shape);
}

/** One-hot rows: labels [...] to [..., depth] of 0/1 (a constant). */
export function oneHot(labels: Operand, depth: number, dtype: DType = 'float64'): Tensor {
  const { index, shape } = indicesOf('oneHot', labels, depth);
  const out = allocate(dtype, index.length * depth);
  for (let i = 0; i < index.length; i++) out[i * depth + index[i]] = 1;
  return new Tensor(out, [...shape, depth]);
}
