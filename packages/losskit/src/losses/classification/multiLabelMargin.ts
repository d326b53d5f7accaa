import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireClassAxis } from './crossEntropyChecks.js';
import { requirePaddedLabels } from './marginChecks.js';

const NAME = 'multiLabelMargin';

/**
 * Multi-label margin loss (torch `F.multilabel_margin_loss`): every target class's score should
 * beat every non-target class's score by a margin of 1.
 *
 * Per row of C scores x, the target classes J are the row's labels up to its first −1 (the rest
 * is padding). ℓ = (1/C)·Σ_{j∈J} Σ_{i∉J} max(0, 1 − (x_j − x_i)) (a class listed twice counts
 * twice, as torch). Where 1 − x_j + x_i > 0 (strictly, as torch): ∂ℓ/∂x_i += 1/C and
 * ∂ℓ/∂x_j −= 1/C. A row without labels (a leading −1) has loss 0.
 *
 * Shapes: `input` and `target` [..., C] (classes last, target of integers in [−1, C)); `'none'`
 * gives [...] (one loss per row, 0-d for an unbatched [C]); `'mean'` averages the rows, `'sum'`
 * adds them.
 *
 * @example
 * multiLabelMargin([[0.1, 0.2, 0.4, 0.8]], [[3, 0, -1, 1]]).item() // 0.8500000000000001 (torch's doc example)
 */
export const { entry: multiLabelMarginLoss, fn: multiLabelMargin } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requirePaddedLabels(NAME, 'target', t.target, t.input.shape[t.input.rank - 1]);
  },
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const rows = classes === 0 ? 0 : x.length / classes;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    // Which classes are targets of the current row: one buffer per call, reset per row.
    const isTarget = new Uint8Array(classes);
    let total = 0;
    for (let r = 0; r < rows; r++) {
      const base = r * classes;
      isTarget.fill(0);
      let listed = 0;
      while (listed < classes && labels[base + listed] >= 0) {
        isTarget[labels[base + listed]] = 1;
        listed++;
      }
      const f = (up === null ? s : s * up[r]) / classes;
      let sum = 0;
      for (let k = 0; k < listed; k++) {
        const j = base + labels[base + k];
        const xj = x[j];
        for (let i = 0; i < classes; i++) {
          if (isTarget[i] === 1) continue;
          const z = 1 - xj + x[base + i];
          if (z > 0) {
            sum += z;
            if (g !== null) {
              g[j] -= f;
              g[base + i] += f;
            }
          }
        }
      }
      const l = sum / classes;
      total += l;
      if (units !== null) units[r] = l;
    }
    return total;
  },
  info: {
    title: 'Multi-label margin loss',
    summary:
      'A ranking hinge for multi-label problems: each of an example’s target classes must outscore each of its non-target classes by 1 (PyTorch multilabel_margin_loss).',
    formula: 'ℓ = (1/C)·Σ_{j∈targets} Σ_{i∉targets} max(0, 1 − (x_j − x_i))',
    properties: {
      differentiability: 'Piecewise linear, with a kink wherever a target–non-target pair meets the margin.',
      robustness:
        'Linear in each violation; a mislabelled class pulls with bounded force per pair, but the pairs add up.',
      gradientBehaviour:
        '±1/C per violating pair: targets pushed up, non-targets down; 0 once every pair meets the margin.',
      scaleSensitivity:
        'The margin is fixed at 1 in score units; divided by C, so its scale shrinks with more classes.',
      classImbalance:
        'Rows with many targets and many non-targets form more pairs and weigh more; no class weights.',
    },
    whenToUse: [
      'Multi-label classification where only the ranking of target classes above the others matters.',
      'Porting PyTorch code that uses MultiLabelMarginLoss (targets as index lists padded with −1).',
    ],
    limitations: [
      'Pairs per row grow as |targets|·(C − |targets|), so the cost is O(C²) per row in the worst case.',
      'Gives no threshold to decide which classes are present: scores are only ranked.',
      'Targets are index lists padded with −1, not 0/1 masks (multiLabelSoftMargin takes masks).',
    ],
    references: [
      'PyTorch torch.nn.functional.multilabel_margin_loss',
      'Crammer & Singer (2003), A family of additive online algorithms for category ranking',
    ],
    tasks: ['multilabel', 'ranking'],
  },
});
