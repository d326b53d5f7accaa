import { withNote } from '../options.js';
import { describeValue } from '../../tensor/errors.js';
import { formatShape, LossInputError } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import type { OptionSpec } from '../options.js';
import { reductionOption } from '../reduce.js';
import type { Shaped } from '../shape-checks.js';
import { requireSameShape } from '../validate.js';

const NAME = 'quantile';

/** One quantile level τ, or one per entry of the last axis. */
export type QuantileLevels = number | readonly number[];

const inOpenUnit = (v: unknown): v is number => typeof v === 'number' && v > 0 && v < 1;

/**
 * The `quantile` option: a number in (0, 1), or a non-empty list of them (one per entry of the
 * input's last axis). A list is copied and frozen, so a caller mutating it later changes nothing.
 */
function quantileOption(defaultValue: number): OptionSpec<QuantileLevels> {
  const accepts =
    'a number in (0, 1), or a non-empty list of numbers in (0, 1), one per entry of the last axis';
  return {
    default: defaultValue,
    accepts,
    parse(value, loss, name) {
      if (inOpenUnit(value)) return value;
      if (Array.isArray(value) && value.length > 0) {
        const list: unknown[] = value;
        const bad = list.findIndex((v) => !inOpenUnit(v));
        if (bad < 0) return Object.freeze(list.slice() as number[]);
        throw new LossInputError(
          loss,
          `options.${name}`,
          `must be ${accepts}, got ${describeValue(list[bad])} at position ${bad}`,
        );
      }
      const got = Array.isArray(value) ? 'an empty list' : describeValue(value);
      throw new LossInputError(loss, `options.${name}`, `must be ${accepts}, got ${got}`);
    },
  };
}

/**
 * A list of levels needs one level per entry of the input's last axis (shape only: the TF.js
 * adapter shares it). A single level fits any shape.
 */
export function requireLevelsPerEntry(input: Shaped, levels: QuantileLevels): void {
  if (typeof levels === 'number') return;
  const shape = input.shape;
  const last = shape.length === 0 ? 0 : shape[shape.length - 1];
  if (shape.length === 0 || last !== levels.length) {
    const axis =
      shape.length === 0
        ? 'no last axis (a 0-d input)'
        : `a last axis of ${last} (shape ${formatShape(shape)})`;
    throw new LossInputError(
      NAME,
      'options.quantile',
      `has ${levels.length} levels but the input has ${axis}: give one level per entry of the last axis`,
    );
  }
}

/**
 * Quantile (pinball) loss.
 *
 * With d = y − x and level τ: ℓᵢ = τ·d if d > 0, else (τ − 1)·d; ∂ℓᵢ/∂xᵢ = −τ where d > 0,
 * 1 − τ where d < 0, and 0 where d = 0. Minimising it makes x the τ-quantile of y given the
 * features (τ = 0.5: half the absolute error, the median). `quantile` is one τ for every element,
 * or a list of Q levels applied along the last axis: `input` and `target` [..., Q], entry k of
 * every row scored at τₖ (one model output per quantile). Reduced by `reduction` ('mean' default,
 * over all elements; 'sum'; 'none', the input's shape). Reference: Koenker & Bassett (1978),
 * Regression Quantiles; Keras `Pinball`-style losses and the quantile heads of forecasting models.
 *
 * @example
 * quantile([0, 0], [1, -1], { quantile: 0.9 }).item() // 0.5  (0.9·1 and 0.1·1, averaged)
 */
export const { entry: quantileLoss, fn: quantile } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    quantile: withNote(
      quantileOption(0.5),
      '0.5 (median); 0.1/0.9 or 0.05/0.95 for intervals',
      'The level τ predicted: higher τ penalises under-prediction more and moves the prediction up.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireLevelsPerEntry(t.input, options.quantile);
  },
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    const levels = options.quantile;
    const taus = typeof levels === 'number' ? [levels] : levels;
    const q = taus.length;
    let total = 0;
    for (let row = 0; row < x.length; row += q) {
      for (let k = 0; k < q; k++) {
        const i = row + k;
        const tau = taus[k];
        const d = y[i] - x[i];
        const l = d > 0 ? tau * d : (tau - 1) * d;
        total += l;
        if (units !== null) units[i] = l;
        if (g !== null) g[i] = (up === null ? s : s * up[i]) * (d > 0 ? -tau : d < 0 ? 1 - tau : 0);
      }
    }
    return total;
  },
  info: {
    title: 'Quantile (pinball) loss',
    summary:
      'Asymmetric absolute error whose minimiser is a chosen quantile of the target: predicts intervals and percentiles instead of the mean.',
    formula: 'ℓ = τ·(y − x) if y > x, else (1 − τ)·(x − y)',
    properties: {
      differentiability: 'Not differentiable where x = y; the subgradient 0 is used there.',
      robustness:
        'Robust: like MAE, every residual pulls with a bounded force (τ below the target, 1 − τ above it).',
      gradientBehaviour:
        'Gradient −τ when under-predicting and 1 − τ when over-predicting, whatever the residual size; it does not shrink near the optimum.',
      scaleSensitivity: 'Linear in the target scale; τ itself is scale-free.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Prediction intervals and risk estimates: train outputs at τ = 0.05 and 0.95, or 0.1, 0.5 and 0.9, in one model (a list of levels along the last axis).',
      'Forecasting where under- and over-prediction have different costs (stock, capacity).',
    ],
    limitations: [
      'Separately trained quantiles can cross (the 0.9 output below the 0.5 one); nothing in the loss prevents it.',
      'The constant-size gradient makes plain gradient descent oscillate near the optimum, as with MAE.',
    ],
    references: [
      'Koenker & Bassett (1978), Regression Quantiles',
      'TensorFlow Addons tfa.losses.PinballLoss; Optax-style pinball loss',
    ],
    tasks: ['regression'],
  },
});
