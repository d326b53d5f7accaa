import { defineLoss } from '../define.js';
import { logSumExp } from '../math.js';
import { reductionOption } from '../reduce.js';
import { requireClassAxis } from '../shape-checks.js';

/**
 * Entropy bonus of a categorical policy, as a loss to minimise (CleanRL's `entropy_loss`, SB3's
 * `ent_coef` term): the negative entropy of softmax(x) per row.
 *
 * ℓ = −H(p) = Σₐ pₐ·log pₐ, p = softmax(x) over the last axis (`logits` [..., A]); computed from
 * log-softmax, so logits of ±1e4 stay finite. ∂ℓ/∂xₐ = pₐ·(log pₐ + H). One unit per row, reduced
 * by `reduction`; add it to the policy loss with a small coefficient (0.01) to keep exploring.
 *
 * @example
 * entropyBonus([[0, 0]]).item() // −log 2 ≈ −0.693147
 */
export const { entry: entropyBonusLoss, fn: entropyBonus } = defineLoss({
  kind: 'reducible',
  name: 'entropyBonus',
  family: 'rl',
  inputs: ['logits'],
  differentiable: ['logits'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireClassAxis('entropyBonus', 'logits', t.logits, 1, '[..., A]');
  },
  unitShape: (t) => t.logits.shape.slice(0, -1),
  overwritesGrads: () => true,
  kernel({ t, plan, units, grads }) {
    const x = t.logits.data;
    const a = t.logits.shape[t.logits.shape.length - 1];
    const g = grads === null ? null : grads.logits;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let row = 0, o = 0; o < x.length; row++, o += a) {
      const lse = logSumExp(x, o, a);
      let negEntropy = 0;
      for (let k = 0; k < a; k++) {
        const logP = x[o + k] - lse;
        negEntropy += Math.exp(logP) * logP;
      }
      total += negEntropy;
      if (units !== null) units[row] = negEntropy;
      if (g !== null) {
        const w = up === null ? s : s * up[row];
        // pₐ·(log pₐ + H) with H = −negEntropy.
        for (let k = 0; k < a; k++) {
          const logP = x[o + k] - lse;
          g[o + k] = w * Math.exp(logP) * (logP - negEntropy);
        }
      }
    }
    return total;
  },
  info: {
    title: 'Entropy bonus',
    summary:
      'The negative entropy of a categorical policy: minimising it (with a small weight) keeps the action distribution from collapsing too early.',
    formula: 'ℓ = −H(softmax(x)) = Σₐ pₐ log pₐ',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness: 'Bounded: between −log A (uniform policy) and 0 (deterministic policy).',
      gradientBehaviour:
        'Pushes the logits towards their mean; the push vanishes both at the uniform policy and as the policy becomes deterministic.',
      scaleSensitivity:
        'Invariant to adding a constant to all logits; its weight sets the exploration pressure.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'Added to a policy-gradient or PPO loss (coefficient about 0.01) for discrete actions.',
      'When a policy converges prematurely to one action.',
    ],
    limitations: [
      'Only for categorical policies (a Gaussian policy’s entropy depends on its log-std instead).',
      'Too large a weight keeps the policy random.',
    ],
    references: [
      'Williams & Peng (1991), Function Optimization using Connectionist Reinforcement Learning Algorithms',
      'Mnih et al. (2016), Asynchronous Methods for Deep Reinforcement Learning (entropy regularisation)',
      'CleanRL ppo.py (entropy_loss, ent_coef)',
    ],
    tasks: ['rl'],
  },
});
