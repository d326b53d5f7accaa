import {
  allocate,
  assertFinite,
  LossInputError,
  Tensor,
  type TensorLike,
  toTensor,
} from '../../tensor/index.js';
import { booleanOption, resolveOptions } from '../options.js';
import { requireRank } from '../validate.js';

/** Options of `groupAdvantages`. */
export interface GroupAdvantagesOptions {
  /** Divide by the group's standard deviation (+ 1e-4) after subtracting its mean; default true. */
  readonly scale?: boolean;
}

/** The constant GRPO adds to the standard deviation (DeepSeekMath; TRL's `1e-4`). */
const STD_FLOOR = 1e-4;

/**
 * GRPO's group-relative advantages (Shao et al. 2024, DeepSeekMath; TRL's `GRPOTrainer`): the
 * rewards of `groupSize` sampled completions of one prompt, normalised within their group.
 *
 * Aᵢ = (rᵢ − mean of its group) / (std of its group + 1e-4), over consecutive groups of
 * `rewards` [B] (B a multiple of `groupSize`), with the unbiased (n − 1) standard deviation; a
 * group of identical rewards gives 0. `{ scale: false }` subtracts the mean only (Dr. GRPO).
 * Returns a [B] tensor of the rewards' dtype, to pass to `grpo` as its `advantages`.
 *
 * @example
 * groupAdvantages([1, 0, 0, 0], 2).toArray() // [0.7070, -0.7070, 0, 0]
 */
export function groupAdvantages(
  rewards: TensorLike,
  groupSize: number,
  options?: GroupAdvantagesOptions,
): Tensor {
  const fn = 'groupAdvantages';
  if (rewards === undefined) throw new LossInputError(fn, 'rewards', 'is missing');
  const r = toTensor(rewards, fn, 'rewards');
  assertFinite(r, fn, 'rewards');
  requireRank(fn, 'rewards', r, 1, '[B] (consecutive groups of completions)');
  if (typeof groupSize !== 'number' || !Number.isInteger(groupSize) || groupSize < 2)
    throw new LossInputError(
      fn,
      'groupSize',
      `must be an integer >= 2 (a group of one has no baseline), got ${String(groupSize)}`,
    );
  const n = r.data.length;
  if (n % groupSize !== 0)
    throw new LossInputError(
      fn,
      'groupSize',
      `${groupSize} does not divide the ${n} rewards into whole groups`,
    );
  const { scale } = resolveOptions(fn, { scale: booleanOption(true) }, options, 'function');
  const out = allocate(r.dtype, n);
  const x = r.data;
  for (let start = 0; start < n; start += groupSize) {
    let mean = 0;
    for (let i = 0; i < groupSize; i++) mean += x[start + i];
    mean /= groupSize;
    let squares = 0;
    for (let i = 0; i < groupSize; i++) squares += (x[start + i] - mean) ** 2;
    const divisor = scale ? Math.sqrt(squares / (groupSize - 1)) + STD_FLOOR : 1;
    for (let i = 0; i < groupSize; i++) out[start + i] = (x[start + i] - mean) / divisor;
  }
  return new Tensor(out, [n]);
}
