import { defineLoss } from '../define.js';
import { booleanOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { advantageNormalisation } from './advantageStats.js';

/**
 * REINFORCE / vanilla policy-gradient surrogate loss.
 *
 * ℓᵢ = −log π(aᵢ|sᵢ)·Âᵢ, ∂ℓᵢ/∂log πᵢ = −Âᵢ; reduced by `reduction` ('mean' default, 'sum',
 * 'none'). `logProbs` and `advantages` have the same (any) shape. Advantages are constants
 * (no gradient). With `normalizeAdvantages: true`, Â = (A − mean(A))/(std(A) + 1e-8) over the
 * whole tensor, std unbiased (n − 1), skipped for a single sample; otherwise Â = A.
 * Reference: Williams (1992), Simple statistical gradient-following algorithms (REINFORCE).
 *
 * @example
 * policyGradient([-1, -2], [1, -1]).item() // -0.5
 */
export const { entry: policyGradientLoss, fn: policyGradient } = defineLoss({
  kind: 'reducible',
  name: 'policyGradient',
  family: 'rl',
  inputs: ['logProbs', 'advantages'],
  differentiable: ['logProbs'],
  options: {
    normalizeAdvantages: withNote(
      booleanOption(false),
      'true for PPO/A2C-style batches',
      'Standardises advantages per batch, making the step size independent of the reward scale.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('policyGradient', 'logProbs', t.logProbs, 'advantages', t.advantages);
  },
  unitShape: (t) => t.logProbs.shape,
  kernel({ t, options, plan, units, grads }) {
    const lp = t.logProbs.data;
    const adv = t.advantages.data;
    const { shift, scale } = options.normalizeAdvantages
      ? advantageNormalisation(adv)
      : { shift: 0, scale: 1 };
    const g = grads === null ? null : grads.logProbs;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < lp.length; i++) {
      const a = (adv[i] - shift) * scale;
      const l = -lp[i] * a;
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = -(up === null ? s : s * up[i]) * a;
    }
    return total;
  },
  info: {
    title: 'Policy-gradient (REINFORCE) loss',
    summary:
      'Surrogate whose gradient is the policy gradient: raises the log-probability of actions in proportion to their advantage.',
    formula: 'ℓ = −log π(a|s)·A  (A optionally normalised to zero mean, unit std)',
    properties: {
      differentiability: 'Linear in the log-probabilities.',
      robustness:
        'Not robust: a single large advantage dominates the update; normalisation or clipping helps.',
      gradientBehaviour:
        'Gradient −A per sample on log π; the variance of the estimate is that of the advantages.',
      scaleSensitivity: 'Proportional to the reward scale unless advantages are normalised.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'On-policy policy-gradient methods (REINFORCE, A2C actor loss) with advantages or returns from gae or discountedReturns.',
      'As the simplest baseline before moving to ppoClip.',
    ],
    limitations: [
      'High variance; needs a baseline (advantages rather than raw returns) and usually normalisation.',
      'No trust region: large steps can collapse the policy; ppoClip bounds the update.',
      'The value is a surrogate, not a performance measure.',
    ],
    references: [
      'Williams (1992), Simple Statistical Gradient-Following Algorithms for Connectionist RL',
      'Sutton & Barto (2018), Reinforcement Learning, ch. 13',
    ],
    tasks: ['rl'],
  },
});
