import { formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { requireClassAxis } from '../classification/crossEntropyChecks.js';
import { defineLoss } from '../define.js';
import { LARGEST_FINITE, logSumExp } from '../math.js';
import { enumOption, withNote } from '../options.js';
import { reductionWithBatchmeanOption } from '../reduce.js';
import { requireLogProbabilities, requireSameShape, requireUnitInterval } from '../validate.js';

const NAME = 'klDivergence';

/** How a distribution is given along the last axis. */
type DistributionKind = 'logits' | 'logProbs' | 'probs';
const kinds = ['logits', 'logProbs', 'probs'] as const;

/**
 * With Q given as probabilities, Q = 0 where P > 0 makes KL(P‖Q) infinite, and a Q so small
 * that P/Q exceeds the largest number of the result's dtype (below 5.6e-309 in float64, 2.9e-39
 * in float32, for P = 1) makes the gradient −P/Q overflow. Logits and log-probabilities give
 * P > 0 everywhere (P ≤ 1 is used as its bound), so only a probability target can excuse a zero.
 */
function requireSupport(input: Tensor, target: Tensor, targetKind: DistributionKind): void {
  const q = input.data;
  const p = target.data;
  const largest = LARGEST_FINITE[input.dtype];
  for (let i = 0; i < q.length; i++) {
    const mass = targetKind === 'probs' ? p[i] : 1;
    if (mass > 0 && !(mass / q[i] <= largest)) {
      const at = formatIndex(i, input.shape);
      throw new LossInputError(
        NAME,
        'input',
        q[i] === 0
          ? `probability 0 at index ${at} where the target has mass, so KL(P‖Q) is infinite (pass logits or log-probabilities)`
          : `probability ${q[i]} at index ${at} is so small that the gradient −P/Q overflows ${input.dtype} (pass logits or log-probabilities)`,
      );
    }
  }
}

/**
 * Kullback–Leibler divergence KL(P‖Q) = Σ P·(log P − log Q) along the last axis, with the
 * approximating distribution Q first (`input`) and the reference P second (`target`).
 *
 * Each of Q and P is given as `'logits'` (log-softmax is taken along the last axis),
 * `'logProbs'` or `'probs'`; defaults are logits for Q and probabilities for P. Terms with
 * P = 0 are 0 (0·log 0 = 0). Gradient with respect to the input: −P for log-probabilities,
 * −P/Q for probabilities, (ΣP)·softmax(x) − P per row for logits (with per-element upstream).
 *
 * Reductions follow torch `F.kl_div`: `'none'` gives the pointwise terms P·(log P − log Q) in
 * the input's full shape, `'sum'` the total, `'batchmean'` (default) the total / shape[0] — the
 * KL per sample for [N, C] inputs (an unbatched [C] input is divided by C, as in torch) —
 * and `'mean'` the total / number of elements. Stability: log-sum-exp for logits; probability
 * inputs outside [0, 1] (log-probabilities above 0) are an error, not a clamp.
 *
 * @example
 * klDivergence([[0, 0]], [[1, 0]]).item() // 0.6931471805599453
 */
export const { entry: klDivergenceLoss, fn: klDivergence } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
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
    if (options.inputKind === 'logProbs') requireLogProbabilities(NAME, 'input', t.input);
    if (options.inputKind === 'probs') {
      requireUnitInterval(NAME, 'input', t.input);
      requireSupport(t.input, t.target, options.targetKind);
    }
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const { inputKind, targetKind } = options;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = x.length / classes;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const offset = r * classes;
      const inputLse = inputKind === 'logits' ? logSumExp(x, offset, classes) : 0;
      const targetLse = targetKind === 'logits' ? logSumExp(y, offset, classes) : 0;
      let weightedMass = 0; // Σ_c u_c P_c, the softmax coefficient of the logits gradient
      for (let c = 0; c < classes; c++) {
        const i = offset + c;
        let p: number;
        let logP: number;
        if (targetKind === 'probs') {
          p = y[i];
          logP = p > 0 ? Math.log(p) : 0;
        } else {
          logP = targetKind === 'logits' ? y[i] - targetLse : y[i];
          p = Math.exp(logP);
        }
        if (p === 0) continue; // 0·log 0 = 0: term, unit and gradient stay 0
        const logQ =
          inputKind === 'logits' ? x[i] - inputLse : inputKind === 'logProbs' ? x[i] : Math.log(x[i]);
        const term = p * (logP - logQ);
        total += term;
        if (units !== null) units[i] = term;
        if (g !== null) {
          const u = up === null ? plan.scale : plan.scale * up[i];
          g[i] = inputKind === 'probs' ? (-u * p) / x[i] : -u * p;
          weightedMass += u * p;
        }
      }
      if (g !== null && inputKind === 'logits') {
        for (let c = 0; c < classes; c++) g[offset + c] += Math.exp(x[offset + c] - inputLse) * weightedMass;
      }
    }
    return total;
  },
  info: {
    title: 'Kullback–Leibler divergence',
    summary:
      'KL(P‖Q): the extra nats needed to code samples of the reference P with the model Q; the distillation and policy-constraint loss.',
    formula: 'KL(P‖Q) = Σ_c P_c (log P_c − log Q_c), 0·log 0 = 0',
    properties: {
      differentiability:
        'Smooth in logits and log-probabilities; with probabilities the gradient −P/Q grows without bound as Q → 0.',
      robustness:
        'Mass-covering: Q is heavily penalised wherever P has mass that Q misses, and not at all where P is 0.',
      gradientBehaviour:
        'For logits the gradient is softmax(x)·ΣP − P, bounded; it equals the cross-entropy gradient because the entropy of P is constant in Q.',
      scaleSensitivity:
        'Invariant to a constant added to a row of logits; sensitive to temperature (distillation multiplies by T² to compensate).',
      classImbalance: 'Classes are weighted by P itself; rare classes under P contribute little.',
    },
    whenToUse: [
      'Knowledge distillation: match a student Q to a teacher distribution P (soft targets at temperature T).',
      'Keeping a fine-tuned policy close to a reference policy (RLHF, trust-region methods).',
      'Fitting a model distribution to a known target distribution (label distributions, smoothed targets).',
    ],
    limitations: [
      'Asymmetric: KL(P‖Q) ≠ KL(Q‖P); the argument order here is input = Q, target = P.',
      'Infinite when Q is 0 where P has mass; with probability inputs this is reported as an error — pass logits or log-probabilities.',
      "'batchmean' divides by shape[0], which is the per-sample KL only when the first axis is the batch; 'mean' divides by every element, which is rarely the KL you want.",
    ],
    references: [
      'Kullback and Leibler (1951), On Information and Sufficiency',
      'Hinton, Vinyals and Dean (2015), Distilling the Knowledge in a Neural Network',
      'PyTorch torch.nn.functional.kl_div (reduction batchmean, log_target)',
    ],
    tasks: ['distillation', 'rl', 'multiclass'],
  },
});
