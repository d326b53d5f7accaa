import {
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  formatShape,
  sameShape,
  shapeSize,
} from '../tensor/index.js';
import { record } from './engine.js';
import { type Operand, asTensor } from './operand.js';
import { reshape } from './reshape.js';
import {
  broadcastMap,
  broadcastShapes,
  isTrailingRow,
  normalizeAxes,
  reducedShape,
  reductionMap,
} from './shape-math.js';

/** Options of the reductions over axes. */
export interface AxisOptions {
  /** Axis or axes to reduce (negative counts from the end); default every axis. */
  readonly axis?: number | readonly number[];
  /** Keep reduced axes with length 1. Default false. */
  readonly keepDims?: boolean;
}

/**
 * Σ over `axis` (default all), accumulated in float64. Backward: the gradient broadcast back.
 *
 * @example
 * sum(tensor([[1, 2], [3, 4]]), { axis: -1 }).toArray() // [3, 7]
 */
export function sum(a: Operand, options: AxisOptions = {}): Tensor {
  const x = asTensor(a, 'sum', 'a');
  const axes = normalizeAxes('sum', options.axis, x.rank);
  const keepDims = options.keepDims ?? false;
  const shape = reducedShape(x.shape, axes, keepDims);
  const out = allocate(x.dtype, shapeSize(shape));
  const data = x.data;
  const block = axes.length > 0 && axes.length < x.rank && out.length > 0 ? keptBlock(x.shape, axes) : null;
  if (axes.length === x.rank) {
    let total = 0;
    for (let i = 0; i < data.length; i++) total += data[i];
    if (out.length > 0) out[0] = total;
  } else if (block !== null) {
    // The kept axes are one block, [outer, kept, inner] (a bias gradient summed over the batch,
    // a convolution's channel sums, a row sum as in logSumExp): each kept value's terms added in
    // data order, the float64 sums of the mapped loop below without its index map.
    const acc = new Float64Array(out.length);
    sumAroundBlock(data, block[0], block[1], acc);
    out.set(acc);
  } else if (axes.length > 0) {
    const acc = new Float64Array(out.length);
    const map = reductionMap(x.shape, axes);
    for (let i = 0; i < data.length; i++) acc[map[i]] += data[i];
    out.set(acc);
  } else {
    out.set(data);
  }
  const kept = reducedShape(x.shape, axes, true);
  return record('sum', new Tensor(out, shape), [x], (g) => [broadcastTo(reshape(g, kept), x.shape)]);
}

/**
 * [outer, inner]: the sizes before and after the kept axes of a reduction over `axes` (sorted,
 * not all), when the kept axes are contiguous; else null.
 */
function keptBlock(shape: readonly number[], axes: readonly number[]): [number, number] | null {
  const kept = shape.map((_, k) => k).filter((k) => !axes.includes(k));
  const first = kept[0];
  const last = kept[kept.length - 1];
  if (last - first + 1 !== kept.length) return null;
  return [shapeSize(shape.slice(0, first)), shapeSize(shape.slice(last + 1))];
}

/**
 * acc[c] += Σ_k data[(o·C + c)·inner + k] over o < outer, in data order (C = acc.length): the
 * loop in a function of its own (see autograd/unary.ts on long loops in V8). Four channels' sums
 * advance together, each still in data order (the same bits), so that four additions are in
 * flight instead of one chain of dependent ones (a convolution's bias gradient: 4× faster).
 */
function sumAroundBlock(data: FloatArray, outer: number, inner: number, acc: Float64Array): void {
  const kept = acc.length;
  for (let o = 0; o < outer; o++) {
    let c = 0;
    for (; c + 4 <= kept; c += 4) {
      const i = (o * kept + c) * inner;
      let t0 = acc[c];
      let t1 = acc[c + 1];
      let t2 = acc[c + 2];
      let t3 = acc[c + 3];
      for (let k = 0; k < inner; k++) {
        t0 += data[i + k];
        t1 += data[i + inner + k];
        t2 += data[i + 2 * inner + k];
        t3 += data[i + 3 * inner + k];
      }
      acc[c] = t0;
      acc[c + 1] = t1;
      acc[c + 2] = t2;
      acc[c + 3] = t3;
    }
    for (; c < kept; c++) {
      const i = (o * kept + c) * inner;
      let total = acc[c];
      for (let k = 0; k < inner; k++) total += data[i + k];
      acc[c] = total;
    }
  }
}

/**
 * `a` repeated along axes of length 1 (and new leading axes) to `shape`, numpy rules.
 * Backward: `sumTo` the input's shape.
 */
export function broadcastTo(a: Operand, shape: readonly number[]): Tensor {
  const x = asTensor(a, 'broadcastTo', 'a');
  if (sameShape(x.shape, shape)) return x;
  const full = broadcastShapes('broadcastTo', x.shape, shape);
  if (!sameShape(full, shape)) {
    throw new LossInputError(
      'broadcastTo',
      'shape',
      `${formatShape(x.shape)} cannot be broadcast to ${formatShape(shape)}`,
    );
  }
  const data = x.data;
  const size = shapeSize(shape);
  const out = allocate(x.dtype, size);
  if (isTrailingRow(shape, x.shape) && data.length > 0) {
    // The whole of `a` repeated over leading axes (a scalar or a row): copies, no index map.
    if (data.length === 1) out.fill(data[0]);
    else for (let r = 0; r < size; r += data.length) out.set(data, r);
  } else {
    const map = broadcastMap(shape, x.shape);
    for (let i = 0; i < map.length; i++) out[i] = data[map[i]];
  }
  return record('broadcastTo', new Tensor(out, shape), [x], (g) => [sumTo(g, x.shape)]);
}

/**
 * Sums `a` down to `shape`, the shape it was broadcast from: over leading extra axes and over
 * axes where `shape` has length 1. The adjoint of `broadcastTo`; every broadcasting op's
 * backward rule ends with it.
 */
export function sumTo(a: Operand, shape: readonly number[]): Tensor {
  const x = asTensor(a, 'sumTo', 'a');
  if (sameShape(x.shape, shape)) return x;
  const lead = x.rank - shape.length;
  if (lead < 0)
    throw new LossInputError(
      'sumTo',
      'shape',
      `${formatShape(shape)} has more axes than ${formatShape(x.shape)}`,
    );
  const axes: number[] = [];
  for (let k = 0; k < x.rank; k++) {
    if (k < lead) axes.push(k);
    else if (shape[k - lead] === 1 && x.shape[k] !== 1) axes.push(k);
    else if (shape[k - lead] !== x.shape[k]) {
      throw new LossInputError(
        'sumTo',
        'shape',
        `${formatShape(x.shape)} was not broadcast from ${formatShape(shape)}`,
      );
    }
  }
  return reshape(sum(x, { axis: axes, keepDims: true }), shape);
}
