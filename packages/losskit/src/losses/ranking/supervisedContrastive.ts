import { defineLoss } from '../define.js';
import { expNonPositive } from '../math.js';
import { numberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import {
  gradTimesRows,
  gramOverTemperature,
  normalizeBackward,
  normalizeRows,
  requireEmbeddingMatrix,
  requireFiniteResult,
  requireIntegerRowLabels,
  scalarUpstream,
  symmetrize,
} from './similarity.js';

const NAME = 'supervisedContrastive';

/**
 * Supervised contrastive loss, SupCon's L_out (Khosla et al. 2020).
 *
 * With ê = e/√max(‖e‖², 1e-12), s_ia = êᵢ·ê_a/τ and P(i) the other rows with anchor i's label,
 * each anchor with at least one positive contributes
 * ℓᵢ = −(1/|P(i)|) Σ_{p∈P(i)} log(e^{s_ip} / Σ_{a≠i} e^{s_ia}) = A_i − mean_{p∈P(i)} s_ip,
 * A_i = log Σ_{a≠i} e^{s_ia} (every other row, positives included, in the denominator). The value
 * is the mean of ℓᵢ over the anchors that have a positive; anchors alone with their label are
 * skipped, and a batch without any positive gives 0 (gradient 0). ∂ℓᵢ/∂s_ia =
 * softmax_{a≠i}(sᵢ)_a − [a ∈ P(i)]/|P(i)|. `embeddings`: [N, D]; `labels`: [N] integers. The
 * value is 0-d (no `reduction`).
 *
 * Computation as `ntXent`: one normalisation, S = ÊÊᵀ/τ once (one N×N buffer), a row-wise
 * log-sum-exp with the maximum subtracted, the gradient with respect to S in place, then
 * (G + Gᵀ)Ê/τ and the chain rule of the normalisation (a zero row gives 0, not NaN).
 * Reference: Khosla et al. (2020), Supervised Contrastive Learning, eq. 2 (L_out).
 *
 * @example
 * supervisedContrastive([[1, 0], [1, 0.1], [0, 1], [0.2, 1]], [0, 0, 1, 1], { temperature: 1 }).item() // 0.6241938833652747
 */
export const { entry: supervisedContrastiveLoss, fn: supervisedContrastive } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'ranking',
  inputs: ['embeddings', 'labels'],
  differentiable: ['embeddings'],
  options: {
    temperature: withNote(
      numberOption(0.1, { above: 0 }),
      '0.1 (Khosla et al.), 0.05–0.5',
      'Divides the cosine logits; lower values sharpen the softmax on hard negatives and positives.',
    ),
  },
  validate(t) {
    requireEmbeddingMatrix(NAME, 'embeddings', t.embeddings);
    requireIntegerRowLabels(NAME, t.embeddings, t.labels);
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const [n, d] = t.embeddings.shape;
    const y = t.labels.data;
    const tau = options.temperature;
    const u = scalarUpstream(upstream);
    let anchors = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (j !== i && y[j] === y[i]) {
          anchors++;
          break;
        }
      }
    }
    if (anchors === 0) return scalarTensor(0, dtype);

    const rows = normalizeRows(t.embeddings.data, n, d);
    const s = gramOverTemperature(rows.unit, rows.unit, n, n, d, tau, true);
    // Row i of S becomes row i of G = ∂(Σℓᵢ)/∂S (it reads only its own row; S is stored whole).
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      const yi = y[i];
      let positives = 0;
      let positiveSum = 0;
      let m = Number.NEGATIVE_INFINITY;
      for (let a = 0; a < n; a++) {
        if (a === i) continue;
        const v = s[o + a];
        if (v > m) m = v;
        if (y[a] === yi) {
          positives++;
          positiveSum += v;
        }
      }
      if (positives === 0) {
        s.fill(0, o, o + n);
        continue;
      }
      let sum = 0;
      for (let a = 0; a < n; a++) if (a !== i) sum += expNonPositive(s[o + a] - m);
      const lse = m + Math.log(sum);
      total += lse - positiveSum / positives;
      const share = 1 / positives;
      for (let a = 0; a < n; a++) {
        if (a === i) {
          s[o + a] = 0;
          continue;
        }
        const p = expNonPositive(s[o + a] - lse);
        s[o + a] = y[a] === yi ? p - share : p;
      }
    }
    const value = total / anchors;
    const g = grads === null ? null : grads.embeddings;
    if (g !== null) {
      symmetrize(s, n);
      const gUnit = gradTimesRows(s, rows.unit, n, n, d, u / anchors / tau);
      normalizeBackward(rows, gUnit, n, d, 1, g);
    }
    requireFiniteResult(NAME, value, [g], u, 'options.temperature');
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'Supervised contrastive loss (SupCon)',
    summary:
      'For each anchor, the average log-softmax probability of its same-label rows among all other rows of the batch, on temperature-scaled cosines.',
    formula:
      'ℓᵢ = −(1/|P(i)|) Σ_{p∈P(i)} log(e^{s_ip} / Σ_{a≠i} e^{s_ia}), s = cos/τ; mean over anchors with P(i) ≠ ∅',
    properties: {
      differentiability:
        'Smooth in the embeddings (log-sum-exp of cosines); the normalisation is smooth away from the 1e-6 norm floor.',
      robustness:
        'All positives of an anchor are averaged, so one noisy positive weighs 1/|P(i)|; mislabelled rows are still pulled toward their wrong class.',
      gradientBehaviour:
        'Softmax weights push every other row away and each positive is pulled back by 1/|P(i)|; hard negatives get the largest share.',
      scaleSensitivity:
        'Invariant to each embedding’s scale (cosine similarity); the temperature sets the logit scale.',
      classImbalance:
        'Each anchor counts once, whatever its number of positives; frequent labels still supply more anchors and more denominators.',
    },
    whenToUse: [
      'Pre-training an encoder with labels before a linear classifier (Khosla et al. report it beats cross-entropy on ImageNet).',
      'Combining labelled data with augmented views: views of one sample and samples of one class are all positives.',
    ],
    limitations: [
      'Anchors whose label appears once in the batch contribute nothing: batches need several samples per class.',
      'Positives also appear in the denominator (L_out), so the loss cannot reach 0 with several positives.',
      'O(N²·D) per call and sensitive to the temperature, like NT-Xent.',
    ],
    references: [
      'Khosla et al. (2020), Supervised Contrastive Learning',
      'Chen, Kornblith, Norouzi & Hinton (2020), A Simple Framework for Contrastive Learning of Visual Representations',
    ],
    tasks: ['metric-learning', 'multiclass'],
  },
});
