// The one definition the three box losses share: inputs, options, checks and the kernel over
// pairs of boxes; each loss file gives its kind and its `info`.
import { defineLoss } from '../define.js';
import type { LossInfoText } from '../info.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { type BoxLossKind, boxPairLoss, requireBoxes } from './boxes.js';

/** Defines a box-regression loss of `kind` (boxes [..., 4] against target [..., 4], x1, y1, x2, y2). */
export function defineBoxLoss(name: string, kind: BoxLossKind, info: LossInfoText) {
  return defineLoss({
    kind: 'reducible',
    name,
    family: 'detection',
    inputs: ['boxes', 'target'],
    differentiable: ['boxes'],
    options: {
      eps: withNote(
        numberOption(1e-7, { above: 0 }),
        '1e-7',
        'Keeps IoU and the distance or area ratios finite for boxes of zero area.',
      ),
      reduction: reductionOption(),
    },
    validate(t) {
      requireBoxes(name, t.boxes, t.target);
    },
    unitShape: (t) => t.boxes.shape.slice(0, -1),
    overwritesGrads: () => true,
    kernel({ t, options, plan, units, grads }) {
      const p = t.boxes.data;
      const g = t.target.data;
      const eps = options.eps;
      const grad = grads === null ? null : grads.boxes;
      const up = plan.upstream;
      const s = plan.scale;
      let total = 0;
      for (let i = 0, o = 0; o < p.length; i++, o += 4) {
        const l = boxPairLoss(kind, p, g, o, eps, grad, up === null ? s : s * up[i]);
        total += l;
        if (units !== null) units[i] = l;
      }
      return total;
    },
    info,
  });
}
