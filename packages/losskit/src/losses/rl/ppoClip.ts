import { type FloatArray, formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * The error for a gradient −rA that overflowed its buffer (float32 holds at most 3.4e38) though
 * the value did not: it names the advantages, or the log-probabilities where the ratio r is the
 * larger factor, with the first overflowing index.
 */
function gradientOverflow(
  t: { readonly logProbs: Tensor; readonly oldLogProbs: Tensor; readonly advantages: Tensor },
  g: FloatArray,
): LossInputError {
  let i = 0;
  while (i < g.length - 1 && Number.isFinite(g[i])) i++;
  const r = Math.exp(t.logProbs.data[i] - t.oldLogProbs.data[i]);
  const culprit = Math.abs(t.advantages.data[i]) >= r ? 'advantages' : 'logProbs';
  return new LossInputError(
    'ppoClip',
    culprit,
    `the gradient −r·A is ${g[i]} at index ${formatIndex(i, t.logProbs.shape)} in ${t.logProbs.dtype} for these finite arguments (an overflow); rescale the advantages`,
  );
}

/**
 * PPO clipped surrogate objective, negated to a loss.
 *
 * With r = exp(logProbs − oldLogProbs) and A the advantage,
 * ℓᵢ = −min(rA, clip(r, 1 − ε, 1 + ε)A); reduced by `reduction` ('mean' default, 'sum', 'none').
 * The three inputs have the same (any) shape; only `logProbs` receives a gradient.
 * Gradient as torch autograd gives for `-torch.min(r*A, r.clamp(1-ε, 1+ε)*A)`:
 * ∂ℓ/∂logProbs = −rA where rA ≤ clip(r)A (ties included: inside [1 − ε, 1 + ε] both branches
 * are equal and the clamp passes its gradient, ends inclusive), and 0 where the clipped branch
 * is strictly smaller (r is outside the band and the clamp blocks the gradient).
 * Ratios as large as e^±20 stay finite in float64.
 * Reference: Schulman et al. (2017), Proximal Policy Optimization Algorithms, eq. 7.
 *
 * @example
 * ppoClip([0, 0.5], [0, 0], [1, 1]).item() // -1.1
 */
export const { entry: ppoClipLoss, fn: ppoClip } = defineLoss({
  kind: 'reducible',
  name: 'ppoClip',
  family: 'rl',
  inputs: ['logProbs', 'oldLogProbs', 'advantages'],
  differentiable: ['logProbs'],
  options: {
    clipEpsilon: withNote(
      numberOption(0.2, { min: 0 }),
      '0.1 to 0.3 (0.2 default)',
      'Half-width of the trust band for the probability ratio; 0 freezes the ratio at 1.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('ppoClip', 'logProbs', t.logProbs, 'oldLogProbs', t.oldLogProbs);
    requireSameShape('ppoClip', 'logProbs', t.logProbs, 'advantages', t.advantages);
  },
  unitShape: (t) => t.logProbs.shape,
  kernel({ t, options, plan, units, grads }) {
    const lp = t.logProbs.data;
    const old = t.oldLogProbs.data;
    const adv = t.advantages.data;
    const lo = 1 - options.clipEpsilon;
    const hi = 1 + options.clipEpsilon;
    const g = grads === null ? null : grads.logProbs;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    // The largest |gradient| as stored: a float32 buffer turns an rA beyond 3.4e38 into ∞, while
    // the float64 sum of terms of both signs (the value) can still be finite.
    let largestGrad = 0;
    for (let i = 0; i < lp.length; i++) {
      const r = Math.exp(lp[i] - old[i]);
      const a = adv[i];
      const unclipped = r * a;
      const clipped = Math.min(Math.max(r, lo), hi) * a;
      const unclippedIsMin = unclipped <= clipped;
      const l = -(unclippedIsMin ? unclipped : clipped);
      total += l;
      if (units !== null) units[i] = l;
      // ∂(rA)/∂logProbs = rA; the clipped branch is constant wherever it is strictly the minimum.
      if (g !== null) {
        g[i] = unclippedIsMin ? -(up === null ? s : s * up[i]) * unclipped : 0;
        largestGrad = Math.max(largestGrad, Math.abs(g[i]));
      }
    }
    if (g !== null && !(largestGrad <= Number.MAX_VALUE)) throw gradientOverflow(t, g);
    return total;
  },
  info: {
    title: 'PPO clipped surrogate loss',
    summary:
      'Policy-gradient surrogate that removes the incentive to move the probability ratio outside [1 − ε, 1 + ε].',
    formula: 'ℓ = −min(r·A, clip(r, 1 − ε, 1 + ε)·A),  r = exp(log π − log π_old)',
    properties: {
      differentiability: 'Piecewise smooth; the gradient drops to 0 where the clipped branch is the minimum.',
      robustness:
        'Bounds how far one update can push each sample’s ratio in the favourable direction; unfavourable moves stay unclipped (pessimistic bound).',
      gradientBehaviour:
        'Gradient −rA while the ratio is inside the band or moving the wrong way, 0 once it has moved far enough in the favourable direction.',
      scaleSensitivity: 'Proportional to the advantage scale; usually combined with advantage normalisation.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'PPO actor updates over several epochs of the same batch of on-policy data.',
      'When vanilla policy gradient is unstable and a simpler alternative to TRPO is wanted.',
    ],
    limitations: [
      'Clipping does not strictly bound the KL; monitor ppoStats (approxKl, clipFraction) and stop early if it grows.',
      'Needs the log-probabilities of the behaviour policy stored with the rollout.',
    ],
    references: ['Schulman et al. (2017), Proximal Policy Optimization Algorithms'],
    tasks: ['rl'],
  },
});
