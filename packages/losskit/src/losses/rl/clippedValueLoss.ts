import { defineLoss } from '../define.js';
import { maximumShare } from '../math.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * PPO's clipped value loss (CleanRL's `clip_vloss`, the OpenAI baselines' `cliprange_vf`).
 *
 * ℓ = max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²), with V = `values` (the gradient's
 * input), V_old = `oldValues` (the values at rollout time) and R = `returns`, all the same
 * shape; c = `clipRange`. The second term stops the critic from moving more than c from its
 * rollout-time estimate in one update. Gradient as torch's: the max goes to the larger term (half
 * to each at a tie), the clip passes gradient inside [−c, c] (edges included) and none outside.
 * No ½ factor (CleanRL multiplies by 0.5 afterwards).
 *
 * @example
 * clippedValueLoss([2], [0], [2]).item() // max(0, (0.2 − 2)²) = 3.24
 */
export const { entry: clippedValueLossLoss, fn: clippedValueLoss } = defineLoss({
  kind: 'reducible',
  name: 'clippedValueLoss',
  family: 'rl',
  inputs: ['values', 'oldValues', 'returns'],
  differentiable: ['values'],
  options: {
    clipRange: withNote(
      numberOption(0.2, { min: 0 }),
      '0.2 (as PPO’s policy clip), or ~ the return scale',
      'How far one update may move the value estimate.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('clippedValueLoss', 'values', t.values, 'oldValues', t.oldValues);
    requireSameShape('clippedValueLoss', 'values', t.values, 'returns', t.returns);
  },
  unitShape: (t) => t.values.shape,
  overwritesGrads: () => true,
  kernel({ t, options, plan, units, grads }) {
    const v = t.values.data;
    const old = t.oldValues.data;
    const r = t.returns.data;
    const c = options.clipRange;
    const g = grads === null ? null : grads.values;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < v.length; i++) {
      const step = v[i] - old[i];
      const inside = step >= -c && step <= c;
      const clipped = old[i] + (inside ? step : step > c ? c : -c);
      const plainError = v[i] - r[i];
      const clippedError = clipped - r[i];
      const a = plainError * plainError;
      const b = clippedError * clippedError;
      const l = Math.max(a, b);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) {
        const w = up === null ? s : s * up[i];
        g[i] =
          w * (maximumShare(a, b) * 2 * plainError + (inside ? maximumShare(b, a) * 2 * clippedError : 0));
      }
    }
    return total;
  },
  info: {
    title: 'Clipped value loss (PPO)',
    summary:
      'The critic’s squared error, taken as the worse of the plain and the clipped update, so the value estimate cannot jump far from its rollout-time value.',
    formula: 'ℓ = max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²)',
    properties: {
      differentiability: 'Piecewise smooth: kinks where the two terms cross and at the clip edges.',
      robustness:
        'As unrobust as the squared error to outlier returns; the clip limits the size of an update, not of an error.',
      gradientBehaviour:
        'Gradient 2(V − R) while the update stays within c, or when the plain error is the larger; 0 when the clipped term dominates outside the clip range.',
      scaleSensitivity: 'c is in the units of the returns: normalise returns or scale c with them.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'PPO critics (as in OpenAI baselines and CleanRL with clip_vloss) when value updates are unstable.',
    ],
    limitations: [
      'Studies (Engstrom et al. 2020; Andrychowicz et al. 2021) found value clipping neutral or harmful on many tasks: compare with valueLoss.',
      'c must match the scale of the returns.',
    ],
    references: [
      'Schulman et al. (2017), Proximal Policy Optimization Algorithms (OpenAI baselines ppo2 cliprange_vf)',
      'Huang et al. (2022), The 37 Implementation Details of Proximal Policy Optimization (CleanRL)',
    ],
    tasks: ['rl'],
  },
});
