import {
  allocate,
  type DType,
  type FloatArray,
  formatShape,
  LossInputError,
  sameShape,
  shapeSize,
  Tensor,
} from '../tensor/index.js';
import { finiteMaxAbs } from '../tensor/tensor-like.js';
import { enumOption } from './options.js';

/**
 * The one home of reductions and their gradients.
 *
 * A reducible loss is a sum of per-unit terms ℓᵢ (one per element, per row, per token, …):
 * - `'none'`: the tensor of ℓᵢ; the gradient of Σ uᵢℓᵢ uses the upstream uᵢ unit by unit.
 * - `'sum'`: Σℓᵢ; every unit's gradient is scaled by the scalar upstream u.
 * - `'mean'`: Σℓᵢ / D where D is the loss's divisor (the unit count, the summed class weights
 *   of counted labels, or a user `normalizer`); gradients scaled by u / D. D = 0 (nothing
 *   counted) gives 0 with a zero gradient, never NaN.
 * - `'batchmean'`: Σℓᵢ / N with N the size of the first axis; gradients scaled by u / N.
 */
export type Reduction = 'mean' | 'sum' | 'none' | 'batchmean';

/** The `reduction` option of losses that take mean, sum and none. */
export const reductionOption = () => enumOption(['mean', 'sum', 'none'] as const, 'mean');
/** The `reduction` option of losses that also take `'batchmean'`. */
export const reductionWithBatchmeanOption = (defaultValue: Reduction = 'mean') =>
  enumOption(['mean', 'sum', 'none', 'batchmean'] as const, defaultValue);

/** How a kernel must weigh each unit's gradient, and what to do with its total. */
export interface ReductionPlan {
  readonly reduction: Reduction;
  /** Shape of the loss value: `[]` for reduced losses, the unit shape for `'none'`. */
  readonly valueShape: readonly number[];
  /** Factor applied to every unit's gradient. */
  readonly scale: number;
  /** Per-unit upstream for `'none'` (null means ones). Always null for reduced losses. */
  readonly upstream: FloatArray | null;
  /** Divisor of the total for the reduced value (1 for `'sum'`, 0 for an empty mean). */
  readonly divisor: number;
}

/**
 * Checks a caller's upstream against the value's shape and for NaN/±Infinity (one read), and
 * returns its largest magnitude (the boundary scans the gradients for an overflow when it
 * exceeds 1). Throws a `LossInputError` naming `upstream` and both shapes, or the bad index.
 */
export function checkUpstream(loss: string, upstream: Tensor, valueShape: readonly number[]): number {
  if (!sameShape(upstream.shape, valueShape)) {
    throw new LossInputError(
      loss,
      'upstream',
      `shape ${formatShape(upstream.shape)} does not match the value's shape ${formatShape(valueShape)}`,
    );
  }
  return finiteMaxAbs(upstream, loss, 'upstream');
}

/**
 * Plans a reduction. `divisor` is the mean's denominator (defaults to the unit count);
 * `batchSize` the batchmean's; `upstream` must have passed `checkUpstream` (the value's shape,
 * finite).
 */
export function planReduction(
  _loss: string,
  reduction: Reduction,
  unitShape: readonly number[],
  upstream: Tensor | null,
  divisors: { mean?: number; batch?: number } = {},
): ReductionPlan {
  const valueShape = reduction === 'none' ? unitShape : [];
  if (reduction === 'none')
    return { reduction, valueShape, scale: 1, upstream: upstream?.data ?? null, divisor: 1 };
  const u = upstream === null ? 1 : upstream.data[0];
  let divisor = 1;
  if (reduction === 'mean') divisor = divisors.mean ?? shapeSize(unitShape);
  else if (reduction === 'batchmean') divisor = divisors.batch ?? (unitShape.length > 0 ? unitShape[0] : 1);
  return { reduction, valueShape, scale: divisor === 0 ? 0 : u / divisor, upstream: null, divisor };
}

/** The loss value of a plan: the per-unit tensor for `'none'`, else total / divisor (0 if empty). */
export function reducedValue(
  plan: ReductionPlan,
  total: number,
  units: FloatArray | null,
  dtype: DType,
): Tensor {
  if (plan.reduction === 'none') {
    if (units === null) throw new Error('reducedValue: a none reduction needs its unit values');
    return new Tensor(units, plan.valueShape);
  }
  return scalarTensor(plan.divisor === 0 ? 0 : total / plan.divisor, dtype);
}

/** A 0-d tensor of `dtype` holding `value`, with −0 (e.g. a negated empty mean) stored as 0. */
export function scalarTensor(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value + 0;
  return new Tensor(data, []);
}

/** The upstream weight of unit `i` under a plan (for kernels that do not inline it). */
export function unitWeight(plan: ReductionPlan, i: number): number {
  return plan.upstream === null ? plan.scale : plan.scale * plan.upstream[i];
}
