import { defineLoss } from '../define.js';
import { booleanOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireMinRank, requireSameShape } from '../validate.js';
import { lovaszExtension, lovaszScratch, sortByErrorDescending } from './lovasz.js';

const NAME = 'lovaszHinge';

/**
 * Lovász hinge loss for binary segmentation: a convex surrogate of the Jaccard (IoU) loss on
 * logits, as segmentation_models_pytorch `lovasz_hinge` (Berman et al. 2018).
 *
 * Per group, with signs sᵢ = 2yᵢ − 1 and hinge errors eᵢ = 1 − xᵢsᵢ sorted descending
 * (e₍₁₎ ≥ e₍₂₎ ≥ …), ℓ = Σ_r relu(e₍r₎)·g_r, where g is the Lovász gradient of the Jaccard loss
 * of the sorted targets: g_r = J_r − J_{r−1}, J_r = 1 − (p − c₁(r))/(p + c₀(r)), p = Σy and c₁,
 * c₀ the foreground and background counts among the first r sorted elements. `perImage: false`
 * makes one group of every element; `true` one per index of the first axis, the value being the
 * mean of their losses. `input` logits [N, ...], `target` the same shape with values 0 or 1; the
 * value is 0-d (no `reduction`); an empty input gives 0.
 *
 * Gradient: ∂ℓ/∂xᵢ = −sᵢ·g_r(i) where eᵢ > 0 and 0 elsewhere (torch's relu′(0) = 0), exact away
 * from ties; at exactly equal errors the order is by ascending index, as a stable sort, which
 * picks one subgradient (torch's unstable sort may pick another; the value is the same). Only
 * positive errors are sorted, once per group: O(n log n), with one set of index and slope buffers
 * per call. Finite for logits of any size: errors are 1 ± x, the slopes are ≥ 0 and sum to at
 * most 1, so the value is at most the largest error and every gradient entry at most 1 in size.
 *
 * Reference: Berman, Rannen Triki & Blaschko (2018), The Lovász-Softmax loss: a tractable
 * surrogate for the optimization of the intersection-over-union measure in neural networks;
 * segmentation_models_pytorch `losses._functional.lovasz_hinge`.
 *
 * @example
 * lovaszHinge([[2, -1, 0.5]], [[1, 0, 0]]).item() // 0.75
 */
export const { entry: lovaszHingeLoss, fn: lovaszHinge } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'segmentation',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    perImage: withNote(
      booleanOption(false),
      'false (batch IoU) or true (mean of per-image IoUs)',
      'Whether the Jaccard surrogate is computed over the whole batch or per image and averaged.',
    ),
  },
  validate(t) {
    requireMinRank(NAME, 'input', t.input, 1, '[N, ...]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
  },
  checks: [{ input: 'target', check: 'zeroOne' }],
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const x = t.input.data;
    const y = t.target.data;
    const groups = options.perImage ? t.input.shape[0] : 1;
    if (groups === 0 || x.length === 0) return scalarTensor(0, dtype);
    const size = x.length / groups;
    const g = grads?.input ?? null;
    const weight = (upstream === null ? 1 : upstream[0]) / groups;
    const scratch = lovaszScratch(size);
    const { errors, foreground, order, slopes } = scratch;
    let total = 0;
    for (let k = 0; k < groups; k++) {
      const base = k * size;
      let positives = 0;
      let count = 0;
      for (let i = 0; i < size; i++) {
        const fg = y[base + i] === 1 ? 1 : 0;
        const e = 1 - x[base + i] * (2 * fg - 1);
        foreground[i] = fg;
        errors[i] = e;
        positives += fg;
        if (e > 0) order[count++] = i;
      }
      sortByErrorDescending(order, count, errors);
      total += lovaszExtension(scratch, count, positives) / groups;
      if (g === null) continue;
      // Elements with e ≤ 0 keep the zero-filled gradient.
      for (let r = 0; r < count; r++) {
        const i = order[r];
        g[base + i] = (foreground[i] === 1 ? -weight : weight) * slopes[i];
      }
    }
    return scalarTensor(total, dtype);
  },
  info: {
    title: 'Lovász hinge loss',
    summary:
      'A convex surrogate of the IoU (Jaccard) loss for binary masks: hinge errors on logits, sorted and weighted by how much each one costs the IoU.',
    formula:
      'ℓ = Σ_r relu(e₍r₎)·(J_r − J_{r−1}), e = 1 − x(2y − 1) sorted descending, J_r = 1 − (p − c₁(r))/(p + c₀(r)), p = Σy',
    properties: {
      differentiability:
        'Piecewise linear in the logits: the Lovász extension is convex and continuous, its gradient changes where two errors swap places or an error crosses 0.',
      robustness:
        'Linear in each error, like a hinge; a confidently wrong pixel costs in proportion to its margin, not exponentially.',
      gradientBehaviour:
        'Every pixel inside the margin gets a gradient of size equal to its marginal IoU cost, so the largest errors on small objects receive the most weight; pixels beyond the margin get none.',
      scaleSensitivity:
        'The margin is 1 in logit units; the value is a fraction of the IoU, independent of the number of pixels.',
      classImbalance:
        'Optimises IoU directly, so a small foreground is not swamped by background pixels as it is under per-pixel BCE.',
    },
    whenToUse: [
      'Binary segmentation evaluated by IoU: fine-tune a model trained with BCE so the mask IoU itself goes up.',
      'Per-image IoU targets (Kaggle-style mean IoU over images): use perImage: true so every image weighs the same.',
    ],
    limitations: [
      'Piecewise linear with sparse gradients early in training; usually started from BCE or combined with it.',
      'Sorts the errors of every image each call, O(n log n), more than a per-pixel loss.',
      'perImage: false pools all pixels of the batch, so large objects dominate; perImage: true can be unstable on images with an empty mask.',
    ],
    references: [
      'Berman, Rannen Triki & Blaschko (2018), The Lovász-Softmax loss: a tractable surrogate for the optimization of the intersection-over-union measure in neural networks',
      'segmentation_models_pytorch, losses.LovaszLoss (lovasz_hinge)',
    ],
    tasks: ['segmentation', 'binary'],
  },
});
