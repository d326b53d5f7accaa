import {
  allocate,
  assertFinite,
  formatShape,
  LossInputError,
  sameShape,
  shapeSize,
  Tensor,
  type TensorLike,
  toTensor,
} from '../../tensor/index.js';
import { numberOption, resolveOptions, tensorOption } from '../options.js';
import { requireMinRank, requireSameShape, requireZeroOne } from '../validate.js';

/**
 * Return and advantage estimators for rollouts. Not registry losses (they produce targets,
 * not a loss), but they feed policyGradient, ppoClip and valueLoss.
 *
 * Layout: time on the first axis, `[T]` for one trajectory or `[T, E, ...]` for E parallel
 * environments (each column is its own sequence). `dones[t] = 1` marks step t as the last step
 * of its episode, so step t + 1 starts a new one: neither its value nor its return or advantage
 * flows back into step t. Time-limit truncations are not terminations; the usual fix is to add
 * γ·V(s_final) to that step's reward and mark it done.
 */

const gammaOption = numberOption(0.99, { min: 0, max: 1 });
const lambdaOption = numberOption(0.95, { min: 0, max: 1 });

/** Options of `discountedReturns`. */
export interface DiscountedReturnsOptions {
  /** Discount factor γ in [0, 1]; default 0.99. */
  readonly gamma?: number;
  /**
   * Value estimate V(s_T) of the state after the last step, bootstrapped only when the last
   * step is not done; a number for `[T]` rewards, shape `[E, ...]` otherwise. Default 0.
   */
  readonly lastValue?: TensorLike;
}

/** Options of `tdTargets`. */
export interface TdTargetsOptions {
  /** Discount factor γ in [0, 1]; default 0.99. */
  readonly gamma?: number;
}

/** Options of `gae`. */
export interface GaeOptions extends DiscountedReturnsOptions {
  /** GAE λ in [0, 1]: 0 gives one-step TD errors, 1 Monte-Carlo returns minus V; default 0.95. */
  readonly lambda?: number;
}

/** Advantage estimates and the matching value targets (advantages + values). */
export interface AdvantagesAndReturns {
  readonly advantages: Tensor;
  readonly returns: Tensor;
}

function trajectoryInput(fn: string, name: string, value: TensorLike): Tensor {
  if (value === undefined) throw new LossInputError(fn, name, 'is missing');
  const t = toTensor(value, fn, name);
  assertFinite(t, fn, name);
  requireMinRank(fn, name, t, 1, '[T] or [T, E, ...] (time first)');
  return t;
}

function doneFlags(fn: string, rewards: Tensor, value: TensorLike): Tensor {
  const dones = trajectoryInput(fn, 'dones', value);
  requireSameShape(fn, 'rewards', rewards, 'dones', dones);
  requireZeroOne(fn, 'dones', dones);
  return dones;
}

/** The bootstrap values per column (`lastValue`), zeros when absent. */
function bootstrapColumns(fn: string, rewards: Tensor, lastValue: Tensor | undefined): Float64Array {
  const columnShape = rewards.shape.slice(1);
  const columns = new Float64Array(shapeSize(columnShape));
  if (lastValue === undefined) return columns;
  if (!sameShape(lastValue.shape, columnShape)) {
    throw new LossInputError(
      fn,
      'options.lastValue',
      `shape ${formatShape(lastValue.shape)} does not match rewards shape ${formatShape(rewards.shape)} without its time axis (${formatShape(columnShape)})`,
    );
  }
  columns.set(lastValue.data);
  return columns;
}

/**
 * Discounted returns-to-go, reset at episode ends.
 *
 * G_t = r_t + γ·(1 − done_t)·G_{t+1}, with G_T = `lastValue` (default 0). Shapes `[T]` or
 * `[T, E, ...]`; the result has the rewards' shape and dtype.
 * Reference: Sutton & Barto (2018), Reinforcement Learning, eq. 3.9.
 *
 * @example
 * discountedReturns([1, 1, 1], [0, 1, 0], { gamma: 0.5 }).toArray() // [1.5, 1, 1]
 */
export function discountedReturns(
  rewards: TensorLike,
  dones: TensorLike,
  options?: DiscountedReturnsOptions,
): Tensor {
  const fn = 'discountedReturns';
  const r = trajectoryInput(fn, 'rewards', rewards);
  const d = doneFlags(fn, r, dones);
  const { gamma, lastValue } = resolveOptions(fn, { gamma: gammaOption, lastValue: tensorOption() }, options);
  const next = bootstrapColumns(fn, r, lastValue);
  const columns = next.length;
  const out = allocate(r.dtype, r.size);
  for (let i = r.size - 1; i >= 0; i--) {
    const c = i % columns;
    next[c] = r.data[i] + gamma * (1 - d.data[i]) * next[c];
    out[i] = next[c];
  }
  return new Tensor(out, r.shape);
}

/**
 * One-step temporal-difference targets.
 *
 * y_t = r_t + γ·(1 − done_t)·V(s_{t+1}), where `nextValues[t]` = V(s_{t+1}). All three inputs
 * have the same shape; the result has the rewards' shape and dtype.
 * Reference: Sutton & Barto (2018), Reinforcement Learning, eq. 6.2 (TD(0)).
 *
 * @example
 * tdTargets([1, 1], [2, 2], [0, 1], { gamma: 0.5 }).toArray() // [2, 1]
 */
export function tdTargets(
  rewards: TensorLike,
  nextValues: TensorLike,
  dones: TensorLike,
  options?: TdTargetsOptions,
): Tensor {
  const fn = 'tdTargets';
  const r = trajectoryInput(fn, 'rewards', rewards);
  const v = trajectoryInput(fn, 'nextValues', nextValues);
  requireSameShape(fn, 'rewards', r, 'nextValues', v);
  const d = doneFlags(fn, r, dones);
  const { gamma } = resolveOptions(fn, { gamma: gammaOption }, options);
  const out = allocate(r.dtype, r.size);
  for (let i = 0; i < r.size; i++) out[i] = r.data[i] + gamma * (1 - d.data[i]) * v.data[i];
  return new Tensor(out, r.shape);
}

/**
 * Generalised advantage estimation, reset at episode ends.
 *
 * δ_t = r_t + γ·(1 − done_t)·V_{t+1} − V_t, with V_T = `lastValue` (default 0);
 * A_t = δ_t + γλ·(1 − done_t)·A_{t+1}, A_T = 0; returns_t = A_t + V_t (the value targets).
 * `rewards`, `values` and `dones` have the same shape, `[T]` or `[T, E, ...]`; results take the
 * rewards' dtype. λ = 1 gives Monte-Carlo returns minus V, λ = 0 one-step TD errors.
 * Reference: Schulman et al. (2016), High-Dimensional Continuous Control Using GAE, eq. 16.
 *
 * @example
 * gae([1, 1], [0, 0], [0, 1], { gamma: 0.5, lambda: 1 }).advantages.toArray() // [1.5, 1]
 */
export function gae(
  rewards: TensorLike,
  values: TensorLike,
  dones: TensorLike,
  options?: GaeOptions,
): AdvantagesAndReturns {
  const fn = 'gae';
  const r = trajectoryInput(fn, 'rewards', rewards);
  const v = trajectoryInput(fn, 'values', values);
  requireSameShape(fn, 'rewards', r, 'values', v);
  const d = doneFlags(fn, r, dones);
  const { gamma, lambda, lastValue } = resolveOptions(
    fn,
    { gamma: gammaOption, lambda: lambdaOption, lastValue: tensorOption() },
    options,
  );
  const nextValue = bootstrapColumns(fn, r, lastValue);
  const columns = nextValue.length;
  const nextAdvantage = new Float64Array(columns);
  const advantages = allocate(r.dtype, r.size);
  const returns = allocate(r.dtype, r.size);
  for (let i = r.size - 1; i >= 0; i--) {
    const c = i % columns;
    const carry = 1 - d.data[i];
    const delta = r.data[i] + gamma * carry * nextValue[c] - v.data[i];
    const a = delta + gamma * lambda * carry * nextAdvantage[c];
    advantages[i] = a;
    returns[i] = a + v.data[i];
    nextAdvantage[c] = a;
    nextValue[c] = v.data[i];
  }
  return { advantages: new Tensor(advantages, r.shape), returns: new Tensor(returns, r.shape) };
}
