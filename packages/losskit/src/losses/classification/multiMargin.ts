import { describeValue } from '../../tensor/errors.js';
import { LossInputError } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { numberOption, type OptionSpec, tensorOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireLabelShape, requireLabels } from '../validate.js';
import { requireClassAxis, requireClassWeight } from './crossEntropyChecks.js';
import { largestGradient, weightedGradientOverflow } from './marginChecks.js';

const NAME = 'multiMargin';

/** The power `p`: 1 or 2, as torch's `multi_margin_loss` accepts. */
const powerOption: OptionSpec<1 | 2> = {
  default: 1,
  accepts: '1 | 2',
  parse(value, loss, name) {
    if (value !== 1 && value !== 2)
      throw new LossInputError(loss, `options.${name}`, `must be 1 or 2, got ${describeValue(value)}`);
    return value;
  },
};

/**
 * Multi-class margin loss of class scores against integer labels (torch `F.multi_margin_loss`,
 * the Weston–Watkins multi-class SVM loss), with the classes on the last axis.
 *
 * Per row of C scores x with label y: ℓ = (w_y/C)·Σ_{c≠y} max(0, m − x_y + x_c)^p, p in {1, 2},
 * the class weight applied after the power as torch's kernel does. Where z_c = m − x_y + x_c > 0
 * (strictly, as torch): ∂ℓ/∂x_c = (w_y/C)·(p = 1 ? 1 : 2z_c) and ∂ℓ/∂x_y is minus their sum.
 *
 * Shapes: `input` [..., C], `target` [...] labels in [0, C) (an unbatched [C] takes a 0-d
 * label); `'none'` gives the target's shape, `'mean'` averages the rows (unweighted, as torch),
 * `'sum'` adds them.
 *
 * @example
 * multiMargin([[0.1, 0.2, 0.4, 0.8]], [3]).item() // 0.32499999999999996 (torch's doc example)
 */
export const { entry: multiMarginLoss, fn: multiMargin } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'classification',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    p: withNote(powerOption, '1 (2 for a smooth, squared variant)', 'The power of each margin violation.'),
    margin: withNote(numberOption(1), '1', 'How far the true class’s score must exceed every other score.'),
    weight: withNote(
      tensorOption(),
      'inverse class frequency',
      'Scales the loss of rows whose true class is c by w_c.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireClassAxis(NAME, 'input', t.input, 1, '[..., C]');
    requireLabelShape(NAME, 'input', t.input, 'target', t.target);
    const classes = t.input.shape[t.input.rank - 1];
    requireLabels(NAME, 'target', t.target, classes);
    if (options.weight !== undefined) requireClassWeight(NAME, options.weight, classes);
  },
  unitShape: (t) => t.target.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const labels = t.target.data;
    const classes = t.input.shape[t.input.rank - 1];
    const { p, margin } = options;
    const w = options.weight?.data ?? null;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    const largest = largestGradient(t.input.dtype);
    let total = 0;
    for (let r = 0; r < labels.length; r++) {
      const base = r * classes;
      const y = labels[r];
      const xy = x[base + y];
      const wy = w === null ? 1 : w[y];
      // (w_y/C) times the row's upstream weight: the factor of every term's gradient.
      const f = ((up === null ? s : s * up[r]) * wy) / classes;
      let sum = 0;
      let gy = 0;
      for (let c = 0; c < classes; c++) {
        if (c === y) continue;
        const z = margin - xy + x[base + c];
        if (z > 0) {
          sum += p === 1 ? z : z * z;
          if (g !== null) {
            const d = p === 1 ? f : 2 * z * f;
            g[base + c] = d;
            gy -= d;
          }
        }
      }
      const l = (sum * wy) / classes;
      total += l;
      if (units !== null) units[r] = l;
      if (g !== null) {
        // A class weight can push the summed gradient past the dtype while the value stays finite.
        if (w !== null && !(Math.abs(gy) <= largest)) throw weightedGradientOverflow(NAME, gy, t.input.dtype);
        g[base + y] = gy;
      }
    }
    return total;
  },
  info: {
    title: 'Multi-class margin loss',
    summary:
      'The Weston–Watkins multi-class SVM loss: every wrong class whose score comes within the margin of the true class’s score is penalised (PyTorch multi_margin_loss).',
    formula: 'ℓ = (w_y/C)·Σ_{c≠y} max(0, m − x_y + x_c)^p',
    properties: {
      differentiability:
        'Piecewise linear (p = 1) or piecewise quadratic with a continuous gradient (p = 2); kinks at each margin.',
      robustness:
        'p = 1 grows linearly with a violation, p = 2 quadratically (less robust to mislabelled rows).',
      gradientBehaviour:
        'Every violating wrong class is pushed down and the true class up by the same total; 0 once every margin is met.',
      scaleSensitivity: 'The margin is in score units: rescaling the scores requires rescaling m.',
      classImbalance:
        'Class weights w_y scale a row by its true class; the mean stays unweighted (divides by the row count), as in PyTorch.',
    },
    whenToUse: [
      'Multi-class classification with a margin (a multi-class SVM) on top of a network or linear model.',
      'When every competing class, not only the strongest, should be pushed below the true class.',
      'Porting PyTorch code that uses MultiMarginLoss.',
    ],
    limitations: [
      'Scores are not probabilities.',
      'Divides by C, so its scale shrinks as classes are added; the margin may need retuning.',
      'Zero gradient once every margin is met, so scores stop separating further.',
    ],
    references: [
      'PyTorch torch.nn.functional.multi_margin_loss',
      'Weston & Watkins (1999), Support vector machines for multi-class pattern recognition',
    ],
    tasks: ['multiclass'],
  },
});
