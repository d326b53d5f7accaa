import { defineLoss } from '../define.js';
import { sigmoid, softplus } from '../math.js';
import { tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape, requireZeroOne } from '../validate.js';
import { requireClassAxis, requireClassWeight } from './crossEntropyChecks.js';

const NAME = 'multiLabelSoftMargin';

/**
 * Multi-label soft-margin loss (torch `F.multilabel_soft_margin_loss`): a binary logistic loss per
 * class, averaged over the classes of each row.
 *
 * Per row of C scores x with labels y in {0, 1}: ℓ = (1/C)·Σ_c w_c·softplus((1 − 2y_c)·x_c),
 * which is torch's −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)] computed in log
 * space (finite for any finite score); ∂ℓ/∂x_c = (w_c/C)·(σ(x_c) − y_c), taken as
 * (1 − 2y_c)·σ((1 − 2y_c)·x_c) so that neither term cancels. `weight` [C] (ones by default).
 *
 * Shapes: `input` and `target` [..., C] (classes last); `'none'` gives [...] (one loss per
 * row, 0-d for an unbatched [C]); `'mean'` averages the rows, `'sum'` adds them.
 *
 * @example
 * multiLabelSoftMargin([[2, -1, 0]], [[1, 0, 1]]).item() // 0.3777789597070469
 */
export const { entry: multiLabelSoftMarginLoss, fn: multiLabelSoftMargin } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    weight: withNote(tensorOption(), 'inverse label frequency', 'Scales each class’s term and its gradient.'),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireZeroOne(NAME, 'target', t.target);
    if (options.weight !== undefined)
      requireClassWeight(NAME, options.weight, t.input.shape[t.input.rank - 1]);
  },
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = classes === 0 ? 0 : x.length / classes;
    const w = options.weight?.data ?? null;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * classes;
      // The row's upstream weight over C: the factor of every class's gradient.
      const f = (up === null ? s : s * up[r]) / classes;
      let sum = 0;
      for (let c = 0; c < classes; c++) {
        const k = base + c;
        const sign = 1 - 2 * y[k];
        const m = sign * x[k];
        const wc = w === null ? 1 : w[c];
        sum += wc * softplus(m);
        if (g !== null) g[k] = f * wc * sign * sigmoid(m);
      }
      const l = sum / classes;
      total += l;
      if (units !== null) units[r] = l;
    }
    return total;
  },
  info: {
    title: 'Multi-label soft-margin loss',
    summary:
      'One logistic (sigmoid cross-entropy) loss per class, averaged over the classes of each example, for problems where an example can carry several labels (PyTorch multilabel_soft_margin_loss).',
    formula: 'ℓ = −(1/C)·Σ_c w_c·[y_c·log σ(x_c) + (1 − y_c)·log σ(−x_c)]',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness:
        'Linear growth in a confidently wrong score, like any logistic loss; noisy labels still pull steadily.',
      gradientBehaviour: 'Each class gets (w_c/C)(σ(x_c) − y_c): bounded, independent across classes.',
      scaleSensitivity:
        'Averaging over C keeps the scale independent of the number of classes; σ(x_c) reads as the probability of label c.',
      classImbalance:
        'Per-class weights w_c counter rare labels; a positive-vs-negative imbalance within a class needs binaryCrossEntropyWithLogits’s posWeight.',
    },
    whenToUse: [
      'Multi-label classification (tagging, attributes, multi-label image classification) with 0/1 targets.',
      'Porting PyTorch code that uses MultiLabelSoftMarginLoss.',
    ],
    limitations: [
      'Targets must be exactly 0 or 1; soft targets need binaryCrossEntropyWithLogits.',
      'Equal to binaryCrossEntropyWithLogits’s mean when unweighted; it adds no positive-class weighting.',
    ],
    references: ['PyTorch torch.nn.functional.multilabel_soft_margin_loss'],
    tasks: ['multilabel'],
  },
});
