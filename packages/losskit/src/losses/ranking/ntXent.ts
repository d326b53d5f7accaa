import { defineLoss } from '../define.js';
import { expNonPositive, sigmoid, softplus } from '../math.js';
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

const NAME = 'ntXent';

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR, over every positive pair of
 * a labelled batch (Optax `ntxent`).
 *
 * With ê = e/√max(‖e‖², 1e-12) and s_ij = êᵢ·ê_j/τ, every ordered positive pair (i, j) (i ≠ j,
 * same label; (i, j) and (j, i) both count) scores its positive against the anchor's negatives
 * (the rows with another label):
 * ℓ_ij = −s_ij + log(e^{s_ij} + Σ_{k: label_k ≠ label_i} e^{s_ik}) = softplus(L_i − s_ij),
 * L_i = log Σ_{k: label_k ≠ label_i} e^{s_ik}.
 * The value is the mean of ℓ_ij over the positive pairs; a batch with none gives 0 (gradient 0).
 * `embeddings`: [N, D]; `labels`: [N] integers (compared for equality; the two augmented views of
 * an image share a label). The value is 0-d (no `reduction`).
 *
 * Computation: one normalisation (O(N·D)), S = ÊÊᵀ/τ once (O(N²·D) time, one N×N buffer), each
 * row's log-sum-exp over its negatives with the maximum subtracted (finite for logits of any
 * size), then the gradient with respect to S in place of S, the gradient with respect to Ê as
 * (G + Gᵀ)Ê/τ and the chain rule of the normalisation, (I − êêᵀ)g/‖e‖ (g/1e-6 below the floor,
 * so a zero row gives 0, not NaN). Reference: Chen et al. (2020), A Simple Framework for
 * Contrastive Learning of Visual Representations; Optax `optax.losses.ntxent`.
 *
 * @example
 * ntXent([[1, 0], [1, 0.1], [0, 1]], [0, 0, 1], { temperature: 1 }).item() // 0.32852289697928655
 */
export const { entry: ntXentLoss, fn: ntXent } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'ranking',
  inputs: ['embeddings', 'labels'],
  differentiable: ['embeddings'],
  options: {
    temperature: withNote(
      numberOption(0.07, { above: 0 }),
      '0.07–0.5 (SimCLR uses 0.1–0.5, MoCo 0.07)',
      'Divides the cosine logits; lower values concentrate the gradient on the hardest negatives.',
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
    let pairs = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (j !== i && y[j] === y[i]) pairs++;
    if (pairs === 0) return scalarTensor(0, dtype);

    const rows = normalizeRows(t.embeddings.data, n, d);
    const s = gramOverTemperature(rows.unit, rows.unit, n, n, d, tau, true);
    // Row by row, each row of S becomes the same row of G = ∂ℓ/∂S (unscaled): row i reads only
    // its own entries, and S is stored whole (both triangles), so no later row is disturbed.
    let total = 0;
    for (let i = 0; i < n; i++) {
      const o = i * n;
      const yi = y[i];
      let m = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) if (y[k] !== yi && s[o + k] > m) m = s[o + k];
      if (m === Number.NEGATIVE_INFINITY) {
        // No negative: every pair of this anchor has loss softplus(−∞) = 0.
        s.fill(0, o, o + n);
        continue;
      }
      let sum = 0;
      for (let k = 0; k < n; k++) if (y[k] !== yi) sum += expNonPositive(s[o + k] - m);
      const lse = m + Math.log(sum);
      let weight = 0;
      for (let k = 0; k < n; k++) {
        if (y[k] !== yi) continue;
        if (k === i) {
          s[o + k] = 0;
          continue;
        }
        const z = lse - s[o + k];
        total += softplus(z);
        const p = sigmoid(z);
        weight += p;
        s[o + k] = -p;
      }
      for (let k = 0; k < n; k++) if (y[k] !== yi) s[o + k] = weight * expNonPositive(s[o + k] - lse);
    }
    const value = total / pairs;
    const g = grads === null ? null : grads.embeddings;
    if (g !== null) {
      symmetrize(s, n);
      const gUnit = gradTimesRows(s, rows.unit, n, n, d, u / pairs / tau);
      normalizeBackward(rows, gUnit, n, d, 1, g);
    }
    requireFiniteResult(NAME, value, [g], u, 'options.temperature');
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'NT-Xent (SimCLR) loss',
    summary:
      'Softmax cross-entropy that picks each positive out of the anchor’s negatives, on cosine similarities scaled by a temperature.',
    formula:
      'ℓ_ij = −s_ij + log(e^{s_ij} + Σ_{k: y_k ≠ y_i} e^{s_ik}), s = cos/τ; mean over ordered positive pairs',
    properties: {
      differentiability:
        'Smooth in the embeddings (a log-sum-exp of cosines); the normalisation is smooth away from the 1e-6 norm floor.',
      robustness:
        'Bounded gradients (softmax weights times unit vectors), but false negatives (same class, different label) are pushed away at full strength.',
      gradientBehaviour:
        'Each negative is weighted by its softmax share, so hard negatives dominate; a low temperature sharpens that focus.',
      scaleSensitivity:
        'Invariant to the scale of each embedding (cosine similarity); the temperature alone sets the logit scale.',
      classImbalance:
        'Every positive pair counts equally, so labels with many views contribute quadratically many pairs.',
    },
    whenToUse: [
      'Self-supervised learning from augmented views: give the views of one sample the same label (SimCLR, MoCo-style batches).',
      'Supervised embedding learning where each positive should beat every negative of its anchor.',
    ],
    limitations: [
      'Needs large batches (many negatives) to work well; small batches give a weak contrastive signal.',
      'Sensitive to the temperature: too low gives unstable, hard-negative-only gradients, too high a uniform push.',
      'O(N²·D) per call: the full similarity matrix is formed.',
    ],
    references: [
      'Chen, Kornblith, Norouzi & Hinton (2020), A Simple Framework for Contrastive Learning of Visual Representations',
      'Sohn (2016), Improved Deep Metric Learning with Multi-class N-pair Loss Objective',
      'Optax documentation, optax.losses.ntxent',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
