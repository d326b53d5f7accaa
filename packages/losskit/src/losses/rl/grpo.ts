import {
  type FloatArray,
  formatIndex,
  formatShape,
  LossInputError,
  type Tensor,
} from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { LARGEST_FINITE } from '../math.js';
import { enumOption, numberOption, optionalNumberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireRank, requireSameShape } from '../validate.js';

const NAME = 'grpo';

/** How the masked per-token losses become one number. */
const aggregates = ['token', 'sequence', 'constant'] as const;

/** The inputs of the kernel, by name. */
interface GrpoTensors {
  readonly logProbs: Tensor;
  readonly oldLogProbs: Tensor;
  readonly refLogProbs: Tensor;
  readonly advantages: Tensor;
  readonly mask: Tensor;
}

/**
 * The error for a gradient that overflowed its buffer (float32 holds at most 3.4e38) though the
 * value did not: the policy part −ρA or the KL part β(1 − e^{ref − lp}) of the first such token.
 */
function gradientOverflow(t: GrpoTensors, g: FloatArray, beta: number): LossInputError {
  let i = 0;
  while (i < g.length - 1 && Number.isFinite(g[i])) i++;
  const tokens = t.logProbs.shape[1];
  const lp = t.logProbs.data[i];
  const policy = Math.exp(lp - t.oldLogProbs.data[i]) * t.advantages.data[Math.floor(i / tokens)];
  const kl = beta * -Math.expm1(t.refLogProbs.data[i] - lp);
  const culprit = Math.abs(policy) >= Math.abs(kl) ? 'advantages' : 'refLogProbs';
  return new LossInputError(
    NAME,
    culprit,
    `the gradient is ${g[i]} at index ${formatIndex(i, t.logProbs.shape)} in ${t.logProbs.dtype} for these finite arguments (an overflow: ρ·A = ${policy}, β·(1 − e^(ref − lp)) = ${kl}); rescale the advantages or beta`,
  );
}

/**
 * GRPO's token-level objective (Shao et al. 2024, DeepSeekMath), negated to a loss, with the
 * aggregations of TRL's `grpo`, `dapo` and `dr_grpo` loss types.
 *
 * Per token, with ρ = e^{lp − old} and the sequence's advantage A:
 * ℓ = −min(ρA, clip(ρ, 1 − ε, 1 + ε_high)·A) + β·(e^{ref − lp} − (ref − lp) − 1),
 * the PPO clipped surrogate plus the k3 estimator of KL(π‖π_ref) (non-negative, unbiased).
 * `logProbs`, `oldLogProbs`, `refLogProbs` and `mask` are [B, T] (B completions of T tokens,
 * `mask` 1 on the completion's tokens, 0 on padding), `advantages` is [B] (one per completion,
 * e.g. from `groupAdvantages`); only `logProbs` receives a gradient. Tokens with mask 0 add
 * nothing. The value is 0-d (no `reduction`):
 * - `'token'` (DAPO): Σ mask·ℓ / Σ mask, 0 when every mask is 0;
 * - `'sequence'` (the original GRPO): the mean over completions of each one's token mean,
 *   completions with no unmasked token left out (0 if none is left);
 * - `'constant'` (Dr. GRPO): Σ mask·ℓ / (B·T).
 *
 * Gradient as torch's autograd gives: ∂ℓ/∂lp = −ρA where ρA is strictly below the clipped
 * branch, or where the clip passes its gradient (1 − ε ≤ ρ ≤ 1 + ε_high, edges included); at a
 * tie of the two branches each gets half (torch's `min`); plus β·(1 − e^{ref − lp}). Stability:
 * e^{ref − lp} − (ref − lp) − 1 as expm1(d) − d (no cancellation near d = 0), an advantage of 0
 * contributes 0 whatever the ratio, and β = 0 skips the KL term (as TRL does).
 * Reference: Shao et al. (2024), DeepSeekMath, eq. 3 and 4; Yu et al. (2025), DAPO (ε_high);
 * Liu et al. (2025), Understanding R1-Zero-Like Training (Dr. GRPO); TRL `GRPOTrainer`.
 *
 * @example
 * const lp = [[-1, -2], [-0.5, -1.5]]; // two completions of one prompt, the second one token long
 * const advantages = groupAdvantages([1, 0], 2); // [0.7070…, −0.7070…]
 * grpo(lp, lp, lp, advantages, [[1, 1], [1, 0]]).item() // −(2·0.7070 − 0.7070)/3 = -0.23566893177556114
 */
export const { entry: grpoLoss, fn: grpo } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'rl',
  inputs: ['logProbs', 'oldLogProbs', 'refLogProbs', 'advantages', 'mask'],
  differentiable: ['logProbs'],
  options: {
    clipEpsilon: withNote(
      numberOption(0.2, { min: 0 }),
      '0.2',
      'Lower half-width of the ratio band (and the upper one unless clipEpsilonHigh is given).',
    ),
    clipEpsilonHigh: withNote(
      optionalNumberOption({ min: 0 }),
      '0.28 (DAPO), or unset',
      'Upper half-width: a larger value lets rare tokens with positive advantage grow faster.',
    ),
    beta: withNote(
      numberOption(0.04, { min: 0 }),
      '0.04 (DeepSeekMath), 0 (DAPO, Dr. GRPO)',
      'Weight of the KL penalty towards the reference policy.',
    ),
    aggregate: withNote(
      enumOption(aggregates, 'token'),
      "'token'",
      "'token' averages over every unmasked token of the batch, 'sequence' over each completion first, 'constant' divides by B·T.",
    ),
  },
  validate(t) {
    requireRank(NAME, 'logProbs', t.logProbs, 2, '[B, T]');
    requireSameShape(NAME, 'logProbs', t.logProbs, 'oldLogProbs', t.oldLogProbs);
    requireSameShape(NAME, 'logProbs', t.logProbs, 'refLogProbs', t.refLogProbs);
    requireSameShape(NAME, 'logProbs', t.logProbs, 'mask', t.mask);
    const batch = t.logProbs.shape[0];
    if (t.advantages.rank !== 1 || t.advantages.shape[0] !== batch) {
      throw new LossInputError(
        NAME,
        'advantages',
        `shape ${formatShape(t.advantages.shape)} must be [B] = [${batch}], one advantage per row of logProbs ${formatShape(t.logProbs.shape)}`,
      );
    }
  },
  checks: [{ input: 'mask', check: 'zeroOne' }],
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const [batch, tokens] = t.logProbs.shape;
    const lp = t.logProbs.data;
    const old = t.oldLogProbs.data;
    const ref = t.refLogProbs.data;
    const adv = t.advantages.data;
    const mask = t.mask.data;
    const { beta, aggregate } = options;
    const lo = 1 - options.clipEpsilon;
    const hi = 1 + (options.clipEpsilonHigh ?? options.clipEpsilon);
    const g = grads === null ? null : grads.logProbs;
    const u = upstream === null ? 1 : upstream[0];

    // The divisors: counted tokens per sequence, and the sequences (or tokens) that count.
    let counted = 0;
    let sequences = 0;
    for (let b = 0; b < batch; b++) {
      let n = 0;
      for (let k = b * tokens; k < (b + 1) * tokens; k++) n += mask[k];
      counted += n;
      if (n > 0) sequences++;
    }
    const divisor = aggregate === 'token' ? counted : aggregate === 'constant' ? batch * tokens : sequences;
    if (divisor === 0 || counted === 0) return scalarTensor(0, dtype);

    let total = 0;
    let largestGrad = 0;
    for (let b = 0; b < batch; b++) {
      const a = adv[b];
      const row = b * tokens;
      let length = 0;
      if (aggregate === 'sequence') {
        for (let k = row; k < row + tokens; k++) length += mask[k];
        if (length === 0) continue;
      }
      // The weight of one token of this sequence in the value: 1/divisor, or 1/(length·divisor).
      const perToken = aggregate === 'sequence' ? 1 / length : 1;
      const w = (u * perToken) / divisor;
      let sum = 0;
      for (let i = row; i < row + tokens; i++) {
        if (mask[i] === 0) continue;
        const ratio = Math.exp(lp[i] - old[i]);
        const inside = ratio >= lo && ratio <= hi;
        // An advantage of 0 contributes 0 (ρ = ∞ would make ∞·0 a NaN).
        const unclipped = a === 0 ? 0 : ratio * a;
        const clipped = a === 0 ? 0 : (inside ? ratio : ratio < lo ? lo : hi) * a;
        let l = -Math.min(unclipped, clipped);
        // torch's min: the smaller branch gets the gradient, half each at a tie; the clipped
        // branch's gradient is ρA inside the clip range, 0 outside.
        let dPolicy = 0;
        if (unclipped < clipped) dPolicy = -unclipped;
        else if (unclipped === clipped) dPolicy = inside ? -unclipped : -0.5 * unclipped;
        else if (inside) dPolicy = -unclipped;
        let dKl = 0;
        if (beta !== 0) {
          const d = ref[i] - lp[i];
          const expm1 = Math.expm1(d);
          l += beta * (expm1 - d);
          dKl = -beta * expm1;
        }
        sum += l;
        if (g !== null) {
          g[i] = w * (dPolicy + dKl);
          largestGrad = Math.max(largestGrad, Math.abs(g[i]));
        }
      }
      total += aggregate === 'sequence' ? sum / length : sum;
    }
    if (g !== null && !(largestGrad <= LARGEST_FINITE[dtype])) throw gradientOverflow(t, g, beta);
    return scalarTensor(total / divisor, dtype);
  },
  info: {
    title: 'GRPO (group relative policy optimisation)',
    summary:
      'The clipped policy-ratio objective of PPO applied token by token to sampled completions, with advantages relative to the other completions of the same prompt and a KL penalty towards a reference policy, so that no value network is needed.',
    formula:
      'ℓ_t = −min(ρ_t A, clip(ρ_t, 1 − ε, 1 + ε_high) A) + β (e^{ref_t − lp_t} − (ref_t − lp_t) − 1),  ρ_t = e^{lp_t − old_t}; aggregated over unmasked tokens',
    properties: {
      differentiability:
        'Piecewise smooth in the log-probabilities: kinks where the ratio leaves the clip range; the KL term is smooth.',
      robustness:
        'The clip bounds how far one update moves a token’s ratio in the direction its advantage favours; advantages normalised within a group are bounded by the group size.',
      gradientBehaviour:
        'Per token −ρA while the ratio is inside the band (or moving the wrong way), 0 once it is past the band in the favoured direction, plus β(1 − e^{ref − lp}), which pulls the policy back towards the reference.',
      scaleSensitivity:
        'Proportional to the advantages; β trades reward against staying near the reference. The aggregation sets how long completions weigh against short ones.',
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'Fine-tuning a language model with rewards from a verifier or a reward model, sampling several completions per prompt (RL with verifiable rewards, reasoning).',
      'When a learned critic is too costly or unreliable: the group of completions gives the baseline.',
      "DAPO-style training with a higher upper clip (clipEpsilonHigh) and aggregate 'token'; Dr. GRPO with aggregate 'constant' and groupAdvantages(..., { scale: false }).",
    ],
    limitations: [
      'Needs the log-probabilities of the sampling policy and of the reference policy per token, stored with the rollout.',
      "A group whose completions all get the same reward has advantages 0 and teaches nothing; 'sequence' aggregation favours short completions (each sequence weighs the same whatever its length).",
      'The per-token KL term is an estimate; with β = 0 nothing keeps the policy near the reference beyond the clip.',
    ],
    references: [
      'Shao et al. (2024), DeepSeekMath: Pushing the Limits of Mathematical Reasoning in Open Language Models',
      'Yu et al. (2025), DAPO: An Open-Source LLM Reinforcement Learning System at Scale',
      'Liu et al. (2025), Understanding R1-Zero-Like Training: A Critical Perspective (Dr. GRPO)',
      'Hugging Face TRL, GRPOTrainer (loss_type grpo, dapo, dr_grpo)',
    ],
    tasks: ['rl', 'alignment'],
  },
});
