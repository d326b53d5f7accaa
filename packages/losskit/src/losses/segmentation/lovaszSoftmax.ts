import { defineLoss } from '../define.js';
import { booleanOption, enumOption, optionalNumberOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireClassAxis, requireLabelShape } from '../shape-checks.js';
import { requireLabels } from '../validate.js';
import { lovaszExtension, lovaszScratch, sortByErrorDescending } from './lovasz.js';

const NAME = 'lovaszSoftmax';

/**
 * Writes softmax(x) of every row of `c` classes into `p` (the maximum subtracted first, so any
 * finite logits give probabilities in [0, 1]).
 */
function softmaxRows(x: ArrayLike<number>, p: Float64Array, rows: number, c: number): void {
  for (let o = 0; o < rows * c; o += c) {
    let m = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < c; j++) if (x[o + j] > m) m = x[o + j];
    let s = 0;
    for (let j = 0; j < c; j++) {
      const e = Math.exp(x[o + j] - m);
      p[o + j] = e;
      s += e;
    }
    for (let j = 0; j < c; j++) p[o + j] /= s;
  }
}

/**
 * Lovász-Softmax loss for multi-class segmentation: the Lovász extension of each class's Jaccard
 * loss on the softmax probabilities, averaged over classes, as segmentation_models_pytorch
 * `lovasz_softmax` (Berman et al. 2018) with the classes on the last axis.
 *
 * With p = softmax(x) along the last axis, for each class c of a group its errors
 * eᵢ = |[yᵢ = c] − pᵢc| over the group's pixels (those whose label is not `ignoreIndex`), sorted
 * descending, give ℓ_c = Σ_r e₍r₎·g_r, g the Lovász gradient of the sorted foreground (see
 * `lovaszHinge`). A group's loss is the mean of ℓ_c over its classes: every class (`classes:
 * 'all'`) or those present among its counted labels (`'present'`, the default; a group with none
 * gives 0). `perImage: false` makes one group of every pixel; `true` one per index of the first
 * axis, the value being the mean of their losses (a group with no counted pixel counts as 0).
 * `input` logits [N, ..., C], `target` [N, ...] integer labels in [0, C) or `ignoreIndex`; the
 * value is 0-d (no `reduction`).
 *
 * Gradient: ∂ℓ_c/∂pᵢc = ∓g_r(i) (−1 on the class's own pixels, +1 elsewhere: the derivative of
 * 1 − p and of p; torch's |·|′(0) = 0 differs only where p is exactly 0 or 1, where the softmax
 * Jacobian vanishes too), then the softmax chain rule ∂ℓ/∂xᵢⱼ = pᵢⱼ(Gᵢⱼ − Σ_c pᵢc·Gᵢc). Exact away
 * from ties; equal errors sort by ascending index (a stable sort), as `lovaszHinge`. One sort per
 * group and class, O(n log n); the probabilities, their gradient and the sort buffers are
 * allocated once per call. Finite for logits of any size (the errors lie in [0, 1]).
 *
 * Reference: Berman, Rannen Triki & Blaschko (2018), The Lovász-Softmax loss;
 * segmentation_models_pytorch `losses._functional.lovasz_softmax`.
 *
 * @example
 * lovaszSoftmax([[[2, 0], [0, 1]]], [[0, 1]]).item() // 0.23150679653302575
 */
export const { entry: lovaszSoftmaxLoss, fn: lovaszSoftmax } = defineLoss({
  kind: 'custom',
  name: NAME,
  family: 'segmentation',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    classes: withNote(
      enumOption(['present', 'all'] as const, 'present'),
      "'present'",
      "'present' averages over classes found in the (non-ignored) target; 'all' over every class.",
    ),
    perImage: withNote(
      booleanOption(false),
      'false',
      'Whether the surrogate is computed over the whole batch or per image and averaged.',
    ),
    ignoreIndex: withNote(
      optionalNumberOption({ integer: true }),
      '255 (void pixels in Pascal VOC)',
      'Pixels with this label are left out of every class’s sort and count.',
    ),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 2, '[N, ..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    requireLabels(NAME, 'target', t.target, t.input.shape[t.input.rank - 1], options.ignoreIndex);
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const x = t.input.data;
    const labels = t.target.data;
    const c = t.input.shape[t.input.rank - 1];
    const pixels = labels.length;
    const groups = options.perImage ? t.input.shape[0] : 1;
    if (groups === 0 || pixels === 0) return scalarTensor(0, dtype);
    const size = pixels / groups;
    const all = options.classes === 'all';
    const ignore = options.ignoreIndex;
    const g = grads?.input ?? null;
    const p = new Float64Array(pixels * c);
    softmaxRows(x, p, pixels, c);
    // ∂ℓ/∂p, turned into ∂ℓ/∂x at the end.
    const gp = g === null ? null : new Float64Array(pixels * c);
    const counts = new Float64Array(c);
    const scratch = lovaszScratch(size);
    const { errors, foreground, order, slopes } = scratch;
    const u = upstream === null ? 1 : upstream[0];
    let total = 0;
    for (let k = 0; k < groups; k++) {
      const base = k * size;
      counts.fill(0);
      let counted = 0;
      for (let i = 0; i < size; i++) {
        const label = labels[base + i];
        if (label === ignore) continue;
        counts[label]++;
        order[counted++] = i;
      }
      if (counted === 0) continue;
      let classCount = c;
      if (!all) {
        classCount = 0;
        for (let j = 0; j < c; j++) if (counts[j] > 0) classCount++;
      }
      const weight = u / groups / classCount;
      for (let j = 0; j < c; j++) {
        if (!all && counts[j] === 0) continue;
        // `order` holds the counted pixels (in some order from the previous class's sort).
        for (let r = 0; r < counted; r++) {
          const i = order[r];
          const fg = labels[base + i] === j ? 1 : 0;
          const q = p[(base + i) * c + j];
          foreground[i] = fg;
          errors[i] = fg === 1 ? 1 - q : q;
        }
        sortByErrorDescending(order, counted, errors);
        total += lovaszExtension(scratch, counted, counts[j]) / groups / classCount;
        if (gp === null) continue;
        for (let r = 0; r < counted; r++) {
          const i = order[r];
          gp[(base + i) * c + j] += (foreground[i] === 1 ? -weight : weight) * slopes[i];
        }
      }
    }
    if (g !== null && gp !== null) {
      for (let o = 0; o < pixels * c; o += c) {
        let dot = 0;
        for (let j = 0; j < c; j++) dot += p[o + j] * gp[o + j];
        for (let j = 0; j < c; j++) g[o + j] = p[o + j] * (gp[o + j] - dot);
      }
    }
    return scalarTensor(total, dtype);
  },
  info: {
    title: 'Lovász-Softmax loss',
    summary:
      'A convex surrogate of the mean IoU for multi-class masks: per class, the probability errors are sorted and weighted by how much each one costs that class’s IoU.',
    formula:
      'ℓ = mean over classes c of Σ_r e₍r₎·(J_r − J_{r−1}), e = |[y = c] − softmax(x)_c| sorted descending, J the Jaccard loss of the first r pixels',
    properties: {
      differentiability:
        'Piecewise smooth: smooth within a fixed order of the errors (through the softmax), with kinks where two errors of a class swap places.',
      robustness:
        'Errors are probabilities, bounded in [0, 1]: a single confidently wrong pixel costs at most its marginal IoU share.',
      gradientBehaviour:
        'Each pixel’s gradient is its marginal cost to the class IoU, so classes with few pixels get as much total weight as large ones.',
      scaleSensitivity:
        'Independent of the number of pixels and of the logit scale beyond the softmax; each class term is a fraction of an IoU.',
      classImbalance:
        "Designed for it: every class's IoU counts equally in the mean ('present' skips classes absent from the target).",
    },
    whenToUse: [
      'Multi-class semantic segmentation evaluated by mean IoU (Pascal VOC, Cityscapes): fine-tune after cross-entropy, or add it to cross-entropy.',
      "Per-image mean IoU objectives: perImage: true with classes: 'present'.",
    ],
    limitations: [
      'Slower than cross-entropy: one sort of all pixels per class and image, O(C·n log n).',
      'Weak, sparse gradients from a random start; usually combined with or preceded by cross-entropy.',
      "classes: 'all' counts absent classes, whose term is the largest probability given to them: it pushes down false positives but dilutes the mean.",
    ],
    references: [
      'Berman, Rannen Triki & Blaschko (2018), The Lovász-Softmax loss: a tractable surrogate for the optimization of the intersection-over-union measure in neural networks',
      'segmentation_models_pytorch, losses.LovaszLoss (lovasz_softmax)',
    ],
    tasks: ['segmentation', 'multiclass'],
  },
});
