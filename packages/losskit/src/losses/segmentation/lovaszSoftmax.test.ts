import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, lovaszSoftmax, lovaszSoftmaxLoss } from '../../index.js';

const check = inputTargetGradcheck(lovaszSoftmaxLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('lovaszSoftmax');

/**
 * The Lovász extension of the Jaccard loss from its definition (a Choquet integral over the
 * threshold sets {i : mᵢ ≥ t}), as in lovaszHinge.test.ts: no sort of elements, only set
 * evaluations of Δ(M) = 1 − |y ∖ M|/(|y| + |M ∖ y|).
 */
function extensionByThresholds(errors: readonly number[], fg: readonly number[]): number {
  const positives = fg.reduce((a, b) => a + b, 0);
  const jaccardLoss = (t: number) => {
    let kept = 0;
    let extra = 0;
    for (let i = 0; i < errors.length; i++) {
      const mistake = errors[i] >= t;
      if (fg[i] === 1 && !mistake) kept++;
      if (fg[i] === 0 && mistake) extra++;
    }
    const union = positives + extra;
    return union === 0 ? 0 : 1 - kept / union;
  };
  const thresholds = [...new Set(errors.filter((v) => v > 0))].sort((a, b) => b - a);
  let value = 0;
  thresholds.forEach((t, k) => {
    value += (t - (thresholds[k + 1] ?? 0)) * jaccardLoss(t);
  });
  return value;
}

/** smp's lovasz_softmax, written plainly: images × pixels × classes as nested arrays. */
function reference(
  x: number[][][],
  y: number[][],
  o: { classes?: 'present' | 'all'; perImage?: boolean; ignoreIndex?: number } = {},
): number {
  const softmax = (row: number[]) => {
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  };
  const groupLoss = (probs: number[][], labels: number[]) => {
    const kept = labels.map((l, i) => [l, i]).filter(([l]) => l !== o.ignoreIndex);
    const losses: number[] = [];
    for (let c = 0; c < probs[0].length; c++) {
      const fg = kept.map(([l]) => (l === c ? 1 : 0));
      if ((o.classes ?? 'present') === 'present' && !fg.includes(1)) continue;
      losses.push(
        extensionByThresholds(
          kept.map(([, i], k) => Math.abs(fg[k] - probs[i][c])),
          fg,
        ),
      );
    }
    return kept.length === 0 || losses.length === 0 ? 0 : losses.reduce((a, b) => a + b, 0) / losses.length;
  };
  const probs = x.map((image) => image.map(softmax));
  if (o.perImage) return probs.reduce((s, p, n) => s + groupLoss(p, y[n]), 0) / x.length;
  return groupLoss(probs.flat(), y.flat());
}

function randomCase(seed: number, images: number, pixels: number, classes: number, ignore?: number) {
  const r = random(seed);
  const x = Array.from({ length: images }, () =>
    Array.from({ length: pixels }, () => Array.from({ length: classes }, () => 4 * r() - 2)),
  );
  // Labels mostly from the first classes (so that 'present' and 'all' differ), some ignored.
  const y = Array.from({ length: images }, () =>
    Array.from({ length: pixels }, () => {
      if (ignore !== undefined && r() < 0.2) return ignore;
      return Math.floor(r() * (classes - 1));
    }),
  );
  return { x, y };
}

describe('lovaszSoftmax', () => {
  test("equals segmentation_models_pytorch's lovasz_softmax written from the definition, for every option", () => {
    for (let seed = 1; seed <= 12; seed++) {
      const { x, y } = randomCase(seed, 2, 6, 4, 255);
      for (const classes of ['present', 'all'] as const) {
        for (const perImage of [false, true]) {
          for (const ignoreIndex of [undefined, 255]) {
            const labels =
              ignoreIndex === undefined ? y.map((row) => row.map((l) => (l === 255 ? 3 : l))) : y;
            const o = { classes, perImage, ignoreIndex };
            const value = lovaszSoftmax(x, labels, o).item();
            const want = reference(x, labels, o);
            assert.ok(
              Math.abs(value - want) <= 1e-12,
              `seed ${seed} ${JSON.stringify(o)}: ${value} vs ${want}`,
            );
          }
        }
      }
    }
  });

  test('gradients match central differences for every option, with an upstream, and for [N, H, W, C] input', () => {
    const { x, y } = randomCase(3, 2, 5, 3, 9);
    check(x, y, { ignoreIndex: 9 });
    check(x, y, { classes: 'all', ignoreIndex: 9 });
    check(x, y, { perImage: true, ignoreIndex: 9 }, -1.5);
    check(x, y, { classes: 'all', perImage: true, ignoreIndex: 9 });
    const r = random(11);
    const image = Array.from({ length: 2 }, () =>
      Array.from({ length: 2 }, () => Array.from({ length: 3 }, () => 3 * r() - 1.5)),
    );
    check(
      [image],
      [
        [
          [0, 2],
          [2, 1],
        ],
      ],
    );
  });

  test('ignored pixels get no gradient, and the result is that of the batch without them', () => {
    const x = [
      [
        [1, -0.5, 0.2],
        [0.3, 0.8, -1],
        [2, 0.1, 0.4],
        [-0.7, 0.5, 1.1],
      ],
    ];
    const { value, grads } = lovaszSoftmaxLoss.valueAndGrad(
      { input: x, target: [[0, 255, 2, 1]] },
      { ignoreIndex: 255 },
    );
    assert.deepEqual([...grads.input.data.slice(3, 6)], [0, 0, 0]);
    const without = lovaszSoftmax([[x[0][0], x[0][2], x[0][3]]], [[0, 2, 1]]).item();
    assertClose(value, { shape: [], data: [without] }, { rtol: 1e-15, atol: 0 }, 'value');
  });

  test("'present' skips classes absent from the target; a batch with every pixel ignored gives 0", () => {
    const x = [
      [
        [2, 0, 0],
        [0, 2, 0],
      ],
    ];
    // Class 2 is absent: 'all' adds its term (its largest probability) to the mean of three.
    const present = lovaszSoftmax(x, [[0, 1]]).item();
    const all = lovaszSoftmax(x, [[0, 1]], { classes: 'all' }).item();
    assert.ok(all !== present);
    assertClose(
      { shape: [], data: [all] },
      { shape: [], data: [reference(x, [[0, 1]], { classes: 'all' })] },
      { rtol: 1e-14, atol: 0 },
      'all',
    );
    const { value, grads } = lovaszSoftmaxLoss.valueAndGrad(
      { input: x, target: [[-1, -1]] },
      { ignoreIndex: -1 },
    );
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.input.data], [0, 0, 0, 0, 0, 0]);
  });

  test('logits of ±1e4 and ±1e300 give finite values and gradients', () => {
    for (const big of [1e4, 1e300]) {
      const input = [
        [
          [big, -big, 0],
          [-big, big, big],
          [0, 0, -big],
        ],
      ];
      for (const o of [{}, { classes: 'all' as const, perImage: true }]) {
        const { value, grads } = lovaszSoftmaxLoss.valueAndGrad({ input, target: [[1, 1, 2]] }, o);
        assertAllFinite(value, `value ${big}`);
        assertAllFinite(grads.input, `grads ${big}`);
        assert.ok(value.item() >= 0 && value.item() <= 1);
      }
    }
  });

  test('labels outside [0, C), non-integer labels and mismatched shapes are errors naming the target', () => {
    rejects(
      () => lovaszSoftmax([[[1, 0]]], [[2]]),
      'target',
      /label 2 at index \[0, 0\] is outside \[0, 2\)/,
    );
    rejects(
      () => lovaszSoftmax([[[1, 0]]], [[0.5]]),
      'target',
      /label 0.5 at index \[0, 0\] is not an integer/,
    );
    rejects(
      () => lovaszSoftmax([[[1, 0]]], [[-1]], { ignoreIndex: 255 }),
      'target',
      /outside \[0, 2\) \(or the ignoreIndex 255\)/,
    );
    rejects(
      () => lovaszSoftmax([[[1, 0]]], [0, 1]),
      'target',
      /does not match input shape \[1, 1, 2\] without its class axis/,
    );
  });

  test('an input without a class axis, or with no class, and bad options are errors naming the argument', () => {
    rejects(
      () => lovaszSoftmax([1, 0], [0]),
      'input',
      /must have shape \[N, \.\.\., C\] with at least one class/,
    );
    rejects(() => lovaszSoftmax({ shape: [1, 0], data: [] }, [0]), 'input', /with at least one class/);
    rejects(
      () => lovaszSoftmax([[1, 0]], [0], { classes: 'some' as never }),
      'options.classes',
      /'present' \| 'all'/,
    );
    rejects(() => lovaszSoftmax([[1, 0]], [0], { ignoreIndex: 0.5 }), 'options.ignoreIndex', /integer/);
  });
});
