import { Tensor, allocate, shapeSize } from '../tensor/index.js';
import { add, mul, sub } from './arithmetic.js';
import { type AxisOptions, sum } from './broadcast.js';
import { noGrad } from './engine.js';
import { gatherFlat } from './indexing.js';
import { type Operand, asTensor, detach } from './operand.js';
import { reshape } from './reshape.js';
import { normalizeAxes, reducedShape, reductionMap } from './shape-math.js';
import { exp, log } from './unary.js';

// Reductions derived from the primitives: mean is a scaled sum, max gathers its arg-max, and
// the log-sum-exp family subtracts a constant maximum before exponentiating.

/** Mean over `axis` (default all). An empty reduction gives NaN, as in numpy. */
export function mean(a: Operand, options: AxisOptions = {}): Tensor {
  const x = asTensor(a, 'mean', 'a');
  const axes = normalizeAxes('mean', options.axis, x.rank);
  const count = shapeSize(axes.map((k) => x.shape[k]));
  return mul(sum(x, options), 1 / count);
}

/** Flat positions of the maxima (`sign` 1) or minima (`sign` −1) over `axes`; first one at ties, NaN wins. */
function argExtreme(x: Tensor, axes: readonly number[], sign: 1 | -1): Int32Array {
  const outSize = shapeSize(reducedShape(x.shape, axes, false));
  const best = new Float64Array(outSize).fill(Number.NEGATIVE_INFINITY);
  const index = new Int32Array(outSize).fill(-1);
  const map = reductionMap(x.shape, axes);
  const data = x.data;
  for (let i = 0; i < data.length; i++) {
    const o = map[i];
    const v = sign * data[i];
    const b = best[o];
    if (index[o] === -1 || (!Number.isNaN(b) && (v > b || Number.isNaN(v)))) {
      best[o] = v;
      index[o] = i;
    }
  }
  return index;
}

/** Maximum over `axis` (default all). Backward: the gradient goes to the (first) arg-max. */
export function max(a: Operand, options: AxisOptions = {}): Tensor {
  const x = asTensor(a, 'max', 'a');
  const axes = normalizeAxes('max', options.axis, x.rank);
  return gatherFlat(x, argExtreme(x, axes, 1), reducedShape(x.shape, axes, options.keepDims ?? false));
}

/** Minimum over `axis` (default all). Backward: the gradient goes to the (first) arg-min. */
export function min(a: Operand, options: AxisOptions = {}): Tensor {
  const x = asTensor(a, 'min', 'a');
  const axes = normalizeAxes('min', options.axis, x.rank);
  return gatherFlat(x, argExtreme(x, axes, -1), reducedShape(x.shape, axes, options.keepDims ?? false));
}

/** Index of the maximum along `axis` (default last), as a float64 tensor of integers (a constant). */
export function argmax(a: Operand, axis = -1): Tensor {
  const x = asTensor(a, 'argmax', 'a');
  const [ax] = normalizeAxes('argmax', axis, x.rank);
  const flat = argExtreme(x, [ax], 1);
  const inner = shapeSize(x.shape.slice(ax + 1));
  const out = allocate('float64', flat.length);
  for (let i = 0; i < flat.length; i++) out[i] = Math.floor(flat[i] / inner) % x.shape[ax];
  return new Tensor(out, reducedShape(x.shape, [ax], false));
}

/**
 * log Σ exp over `axis` (default all), stable: the maximum m (a constant) is subtracted first,
 * log Σ exp(x − m) + m. Its gradient is softmax.
 */
export function logSumExp(a: Operand, options: AxisOptions = {}): Tensor {
  const x = asTensor(a, 'logSumExp', 'a');
  const m = noGrad(() => max(x, { axis: options.axis, keepDims: true }));
  const finite = detach(m);
  for (let i = 0; i < finite.data.length; i++) if (!Number.isFinite(finite.data[i])) finite.data[i] = 0;
  const shifted = log(sum(exp(sub(x, finite)), { axis: options.axis, keepDims: true }));
  const out = add(shifted, finite);
  if (options.keepDims) return out;
  return reshape(out, reducedShape(x.shape, normalizeAxes('logSumExp', options.axis, x.rank), false));
}

/** log softmax along `axis` (default last): x − logSumExp(x). */
export function logSoftmax(a: Operand, axis = -1): Tensor {
  const x = asTensor(a, 'logSoftmax', 'a');
  return sub(x, logSumExp(x, { axis, keepDims: true }));
}

/** softmax along `axis` (default last): exp(logSoftmax(x)). */
export function softmax(a: Operand, axis = -1): Tensor {
  return exp(logSoftmax(a, axis));
}
