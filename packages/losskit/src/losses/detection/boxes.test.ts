// What is particular to the box losses (giou, diou, ciou); the registry-driven tests cover the
// shared oracle's cases, reductions, float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { OracleCase } from '../../../../../test/helpers/oracle.js';
import { caseArgs } from '../../../../../test/helpers/oracle.js';
import { random } from '../../../../../test/helpers/random.js';
import { tensor } from '../../tensor/index.js';
import type { LossEntry } from '../define.js';
import { ciou, ciouLoss } from './ciou.js';
import { diou, diouLoss } from './diou.js';
import { giou, giouLoss } from './giou.js';

const entries: Record<string, LossEntry> = { giou: giouLoss, diou: diouLoss, ciou: ciouLoss };
const fns = { giou, diou, ciou };

/** Torchvision's values and gradients at the kernels' branch points (test/fixtures/generate_box_edge_cases.py). */
const edgeCases: OracleCase[] = JSON.parse(
  readFileSync(new URL('../../../../../../test/fixtures/box-edge-cases.json', import.meta.url), 'utf8'),
).cases;

/** `n` random valid boxes (x1 < x2, y1 < y2) of sizes 0.2–3 in a 4 × 4 field. */
function randomBoxes(n: number, next: () => number): number[][] {
  return Array.from({ length: n }, () => {
    const x = 4 * next();
    const y = 4 * next();
    return [x, y, x + 0.2 + 2.8 * next(), y + 0.2 + 2.8 * next()];
  });
}

describe('torchvision at the branch points: disjoint, inside, shared edges, identical, zero height', () => {
  for (const c of edgeCases) {
    test(c.id, () => {
      const { inputs, options } = caseArgs(c);
      const { value, grads } = entries[c.loss].valueAndGrad(inputs as never, options as never);
      assertClose(value, c.expected.value, c.tol, `${c.id} value`);
      assertClose(grads.boxes, c.expected.grads.boxes, c.tol, `${c.id} grads.boxes`);
    });
  }
});

test('giou and diou: the analytic gradient equals central differences on random pairs, overlapping or not', () => {
  const next = random(7);
  for (const name of ['giou', 'diou'] as const) {
    for (let trial = 0; trial < 5; trial++) {
      const boxes = randomBoxes(6, next);
      const target = randomBoxes(6, next);
      gradcheck(entries[name], { boxes: tensor(boxes), target: tensor(target) }, { reduction: 'sum' });
      gradcheck(
        entries[name],
        { boxes: tensor(boxes), target: tensor(target) },
        { reduction: 'none' },
        tensor([1, -2, 3, 0.5, 1, 2]),
      );
    }
  }
});

test('ciou: the gradient is that of diou + α·v with α held at its value (torchvision’s no_grad)', () => {
  const next = random(11);
  const aspect = 4 / Math.PI ** 2;
  for (let trial = 0; trial < 5; trial++) {
    const boxes = randomBoxes(4, next);
    const target = randomBoxes(4, next);
    // A zero-height prediction, away from its target: atan2 gives the one-sided limit where
    // torch's gradient of atan(w/h) is NaN.
    if (trial === 4) boxes[0] = [10, 10, 12, 10];
    const { grads } = ciouLoss.valueAndGrad({ boxes, target }, { reduction: 'sum' });
    const iou = (b: number[], g: number[]) => {
      const iw = Math.min(b[2], g[2]) - Math.max(b[0], g[0]);
      const ih = Math.min(b[3], g[3]) - Math.max(b[1], g[1]);
      const inter = iw > 0 && ih > 0 ? iw * ih : 0;
      return inter / ((b[2] - b[0]) * (b[3] - b[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter + 1e-7);
    };
    const v = (b: number[], g: number[]) =>
      aspect * (Math.atan2(g[2] - g[0], g[3] - g[1]) - Math.atan2(b[2] - b[0], b[3] - b[1])) ** 2;
    const alpha = boxes.map((b, i) => v(b, target[i]) / (1 - iou(b, target[i]) + v(b, target[i]) + 1e-7));
    const frozen = (bs: number[][]) =>
      diou(bs, target, { reduction: 'sum' }).item() +
      bs.reduce((s, b, i) => s + alpha[i] * v(b, target[i]), 0);
    const h = 1e-6;
    for (let i = 0; i < boxes.length; i++) {
      for (let k = 0; k < 4; k++) {
        const plus = boxes.map((b) => [...b]);
        const minus = boxes.map((b) => [...b]);
        plus[i][k] += h;
        minus[i][k] -= h;
        if (trial === 4 && i === 0 && (k === 1 || k === 3)) {
          // One-sided in h so that the box stays valid (y2 ≥ y1).
          const up = boxes.map((b) => [...b]);
          if (k === 1) up[0][1] -= h;
          else up[0][3] += h;
          const numeric = ((frozen(up) - frozen(boxes)) / h) * (k === 1 ? -1 : 1);
          assert.ok(Math.abs(grads.boxes.data[4 * i + k] - numeric) < 1e-4, `trial ${trial} box ${i}.${k}`);
          continue;
        }
        const numeric = (frozen(plus) - frozen(minus)) / (2 * h);
        assert.ok(
          Math.abs(grads.boxes.data[4 * i + k] - numeric) < 1e-5 * (1 + Math.abs(numeric)),
          `trial ${trial} box ${i}.${k}: ${grads.boxes.data[4 * i + k]} vs ${numeric}`,
        );
      }
    }
  }
});

test('the losses are scale-invariant: scaling both boxes leaves the value unchanged', () => {
  const next = random(3);
  const boxes = randomBoxes(5, next);
  const target = randomBoxes(5, next);
  const scale = (bs: number[][], k: number) => bs.map((b) => b.map((v) => v * k));
  for (const [name, fn] of Object.entries(fns)) {
    for (const k of [0.01, 37]) {
      const scaled = fn(scale(boxes, k), scale(target, k), { reduction: 'none', eps: 1e-15 });
      assertClose(
        scaled,
        fn(boxes, target, { reduction: 'none', eps: 1e-15 }),
        { rtol: 1e-9, atol: 1e-12 },
        `${name} ×${k}`,
      );
    }
  }
});

test('identical boxes cost 0 and far-apart boxes approach 2, the bounds of the losses', () => {
  for (const [name, fn] of Object.entries(fns)) {
    assert.ok(fn([[1, 2, 4, 6]], [[1, 2, 4, 6]]).item() < 1e-6, name);
    const far = fn([[0, 0, 1, 1]], [[1e6, 1e6, 1e6 + 1, 1e6 + 1]]).item();
    assert.ok(far > 1.99 && far < 2 + (name === 'ciou' ? 1 : 0), `${name}: ${far}`);
  }
});

test("'none' keeps the leading axes and drops the coordinate axis", () => {
  const boxes = [
    [
      [0, 0, 1, 1],
      [0, 0, 2, 2],
    ],
    [
      [1, 1, 2, 3],
      [0, 0, 1, 1],
    ],
  ];
  for (const fn of Object.values(fns))
    assert.deepEqual(fn(boxes, boxes, { reduction: 'none' }).shape, [2, 2]);
});

describe('bad input is a LossInputError naming the loss, the argument and the problem', () => {
  for (const name of ['giou', 'diou', 'ciou'] as const) {
    const rejects = lossInputErrorAsserter(name);
    const fn = fns[name];
    test(name, () => {
      rejects(
        () => fn([[0, 0, 1, 1]], [[2, 0, 1, 1]]),
        'target',
        /box 0 is \(2, 0, 1, 1\): x2 must be >= x1 and y2 >= y1/,
      );
      rejects(
        () =>
          fn(
            [
              [0, 0, 1, 1],
              [0, 3, 1, 2],
            ],
            [
              [0, 0, 1, 1],
              [0, 0, 1, 1],
            ],
          ),
        'boxes',
        /box 1 is \(0, 3, 1, 2\)/,
      );
      rejects(() => fn([[0, 0, 1]], [[0, 0, 1]]), 'boxes', /must have shape \[\.\.\., 4\].*got \[1, 3\]/);
      rejects(
        () =>
          fn(
            [[0, 0, 1, 1]],
            [
              [0, 0, 1, 1],
              [0, 0, 1, 1],
            ],
          ),
        'target',
        /shape \[2, 4\] does not match/,
      );
      rejects(
        () => fn([[0, 0, 1, 1]], [[0, 0, 1, 1]], { eps: 0 }),
        'options.eps',
        /must be a finite number > 0, got 0/,
      );
    });
  }
});
