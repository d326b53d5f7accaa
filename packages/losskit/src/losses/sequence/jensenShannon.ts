import { formatIndex, LossInputError } from '../../tensor/index.js';
import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import { defineLoss } from '../define.js';
import { logSumExp } from '../math.js';
import { enumOption, numberOption, withNote } from '../options.js';
import { reductionWithBatchmeanOption } from '../reduce.js';
import { requireLogProbabilities, requireSameShape, requireUnitInterval } from '../validate.js';

const NAME = 'jensenShannon';

/** How a distribution is given along the last axis (as `klDivergence` takes them). */
const kinds = ['logits', 'logProbs', 'probs'] as const;

/** log(eᵃ + eᵇ), with −∞ allowed on either side. */
function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Generalised Jensen–Shannon divergence between the model Q (`input`) and the reference P
 * (`target`) along the last axis (GKD, Agarwal et al. 2024; Liger-Kernel `jsd`):
 * JSD_β(P‖Q) = β·KL(P‖M) + (1 − β)·KL(Q‖M), M = βP + (1 − β)Q, β in (0, 1).
 *
 * Each element contributes β·P(log P − log M) + (1 − β)·Q(log Q − log M); a term whose P (or Q)
 * is 0 is 0. β = ½ is the symmetric JSD, bounded by log 2. Q and P are each given as `'logits'`
 * (log-softmax along the last axis), `'logProbs'` or `'probs'`, as in `klDivergence`: defaults
 * logits for Q, probabilities for P. Only the input receives a gradient:
 * ∂/∂Q_c = (1 − β)·log(Q_c/M_c), chained through Q = e^{x} for log-probabilities and through
 * the softmax for logits. Reductions as `klDivergence` (torch `kl_div`): `'none'` the pointwise
 * terms in the input's shape, `'sum'`, `'mean'` over elements, `'batchmean'` (default) the
 * total / shape[0]. Stability: log M = logaddexp(log β + log P, log(1 − β) + log Q) in log space,
 * so logits of any size stay finite; probability inputs with Q = 0 where P > 0 have a finite
 * value but an infinite gradient, reported as an error when the gradient is asked for.
 *
 * @example
 * jensenShannon([[0, 0]], [[1, 0]]).item() // ½·log(4/3) + ¼·log(2/3) + ¼·log 2 = 0.21576155433883568
 */
export const { entry: jensenShannonLoss, fn: jensenShannon } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    beta: withNote(
      numberOption(0.5, { above: 0, below: 1 }),
      '0.5 (symmetric JSD); 0.1 or 0.9 in GKD',
      'Mixture weight of the reference: small β behaves like forward KL(P‖Q) scaled by β, large β like the reverse KL(Q‖P) scaled by 1 − β.',
    ),
    inputKind: withNote(
      enumOption(kinds, 'logits'),
      "'logits' (model outputs)",
      'How Q is given; logits use log-softmax and stay finite for any logits.',
    ),
    targetKind: withNote(
      enumOption(kinds, 'probs'),
      "'probs', or 'logits' for a teacher's raw outputs",
      'How P is given.',
    ),
    reduction: reductionWithBatchmeanOption('batchmean'),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    if (options.targetKind === 'probs') requireUnitInterval(NAME, 'target', t.target);
    if (options.targetKind === 'logProbs') requireLogProbabilities(NAME, 'target', t.target);
    if (options.inputKind === 'probs') requireUnitInterval(NAME, 'input', t.input);
    if (options.inputKind === 'logProbs') requireLogProbabilities(NAME, 'input', t.input);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const { beta, inputKind, targetKind } = options;
    const logBeta = Math.log(beta);
    const logRest = Math.log1p(-beta);
    const classes = t.input.shape[t.input.rank - 1];
    const rows = x.length / classes;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const offset = r * classes;
      const inputLse = inputKind === 'logits' ? logSumExp(x, offset, classes) : 0;
      const targetLse = targetKind === 'logits' ? logSumExp(y, offset, classes) : 0;
      let weighted = 0; // Σ_c h_c Q_c, the softmax term of the logits gradient
      for (let c = 0; c < classes; c++) {
        const i = offset + c;
        let logP: number;
        let p: number;
        if (targetKind === 'probs') {
          p = y[i];
          logP = p > 0 ? Math.log(p) : Number.NEGATIVE_INFINITY;
        } else {
          logP = targetKind === 'logits' ? y[i] - targetLse : y[i];
          p = Math.exp(logP);
        }
        let logQ: number;
        let q: number;
        if (inputKind === 'probs') {
          q = x[i];
          logQ = q > 0 ? Math.log(q) : Number.NEGATIVE_INFINITY;
        } else {
          logQ = inputKind === 'logits' ? x[i] - inputLse : x[i];
          q = Math.exp(logQ);
        }
        const logM = logAddExp(logBeta + logP, logRest + logQ);
        // 0·log 0 = 0 on either side.
        const term = (p > 0 ? beta * p * (logP - logM) : 0) + (q > 0 ? (1 - beta) * q * (logQ - logM) : 0);
        total += term;
        if (units !== null) units[i] = term;
        if (g === null) continue;
        // log(Q/M): −log(1 − β) where P = 0 (M = (1 − β)Q), −∞ where Q = 0 < P.
        const logRatio =
          logP === Number.NEGATIVE_INFINITY
            ? -logRest
            : logQ === Number.NEGATIVE_INFINITY
              ? Number.NEGATIVE_INFINITY
              : logQ - logM;
        const w = up === null ? plan.scale : plan.scale * up[i];
        const h = w === 0 ? 0 : w * (1 - beta) * logRatio;
        if (inputKind === 'probs') {
          if (h === Number.NEGATIVE_INFINITY || h === Number.POSITIVE_INFINITY) {
            throw new LossInputError(
              NAME,
              'input',
              `probability 0 at index ${formatIndex(i, t.input.shape)} where the target has mass: the gradient (1 − β)·log(Q/M) is −∞ there (pass logits or log-probabilities)`,
            );
          }
          g[i] = h;
        } else {
          // ∂Q/∂x = Q for log-probabilities; the Q → 0 limit of Q·log Q is 0.
          const hq = q > 0 ? h * q : 0;
          g[i] = hq;
          weighted += hq;
        }
      }
      if (g !== null && inputKind === 'logits') {
        for (let c = 0; c < classes; c++) g[offset + c] -= Math.exp(x[offset + c] - inputLse) * weighted;
      }
    }
    return total;
  },
  info: {
    title: 'Jensen–Shannon divergence (generalised)',
    summary:
      'A bounded, smooth divergence between a model distribution and a reference, mixing the forward and reverse KL through their mixture M; the distillation loss of GKD.',
    formula: 'JSD_β = β Σ_c P_c log(P_c/M_c) + (1 − β) Σ_c Q_c log(Q_c/M_c),  M = βP + (1 − β)Q',
    properties: {
      differentiability:
        'Smooth in logits and log-probabilities; with probabilities the gradient (1 − β) log(Q/M) grows without bound as Q → 0 where P > 0.',
      robustness:
        'Bounded: at most −β log β − (1 − β) log(1 − β) per row (log 2 at β = ½), finite even where the two distributions have disjoint support.',
      gradientBehaviour:
        'For logits the gradient is (1 − β)·Q·(log(Q/M) − Σ Q log(Q/M)) per row, bounded; it vanishes where the model already puts mass the reference agrees with, and also where Q is tiny, so it is weaker than KL’s on mass the model misses.',
      scaleSensitivity:
        'Invariant to a constant added to a row of logits; sensitive to the temperature used to make P and Q.',
      classImbalance: 'Classes are weighted by P and Q; classes both give little mass to contribute little.',
    },
    whenToUse: [
      'Knowledge distillation of language models (GKD): a divergence between forward KL (mass-covering) and reverse KL (mode-seeking), chosen with β.',
      'Comparing or matching two distributions where one may put zero mass where the other does not (KL would be infinite).',
    ],
    limitations: [
      'Its gradient saturates when the model puts almost no mass where the reference does: a fully wrong model learns slowly, which KL(P‖Q) does not.',
      'β near 0 or 1 makes the divergence tiny (it tends to 0 at both ends): rescale or use KL there.',
      "'batchmean' divides by shape[0], which is the per-sample value only when the first axis is the batch.",
    ],
    references: [
      'Lin (1991), Divergence Measures Based on the Shannon Entropy',
      'Agarwal et al. (2024), On-Policy Distillation of Language Models: Learning from Self-Generated Mistakes (GKD)',
      'Liger-Kernel `LigerJSD` (generalised JSD with beta)',
    ],
    tasks: ['distillation', 'multiclass'],
  },
});
