import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, labelSmoothingCrossEntropy, labelSmoothingCrossEntropyLoss } from '../../index.js';
import { sparseCategoricalCrossEntropyLoss } from '../classification/sparseCategoricalCrossEntropy.js';
import {
  referenceLogSoftmax,
  rowsOf,
  scoresAndLabels,
  sum,
} from '../../../../../test/helpers/cross-entropy-reference.js';

const entry = labelSmoothingCrossEntropyLoss as unknown as LossEntry;
const loss = labelSmoothingCrossEntropyLoss;

const rejects = lossInputErrorAsserter();

const logits = t([3, 4], [0.5, -1, 2, 0.1, 1.5, 0.2, -0.3, 0, -2, 0.7, 1.1, 0.4]);
const distributions = ['others', 'uniform'] as const;

describe('labelSmoothingCrossEntropy targets', () => {
  test("'others' puts exactly 1 − α on the true class: at logits log q the gradient is 0 and the loss is the entropy of q", () => {
    const alpha = 0.2;
    const q = [alpha / 3, 1 - alpha, alpha / 3, alpha / 3];
    const { value, grads } = loss.valueAndGrad(
      { input: [q.map(Math.log)], target: [1] },
      { smoothing: alpha },
    );
    assertClose(value, t([], [-sum(q.map((p) => p * Math.log(p)))]), { rtol: 1e-14, atol: 0 }, 'entropy');
    assertClose(grads.input, t([1, 4], [0, 0, 0, 0]), { rtol: 0, atol: 1e-15 }, 'gradient');
  });

  test("'uniform' puts α/K everywhere and 1 − α + α/K on the true class", () => {
    const alpha = 0.2;
    const q = [alpha / 4, 1 - alpha + alpha / 4, alpha / 4, alpha / 4];
    const { grads } = loss.valueAndGrad(
      { input: [q.map(Math.log)], target: [1] },
      { smoothing: alpha, distribution: 'uniform' },
    );
    assertClose(grads.input, t([1, 4], [0, 0, 0, 0]), { rtol: 0, atol: 1e-15 }, 'gradient');
  });

  test("a single class has loss 0 under 'others' (no other class to receive α)", () => {
    const { value, grads } = loss.valueAndGrad({ input: [[3], [-2]], target: [0, 0] }, { smoothing: 0.3 });
    assert.equal(value.item(), 0);
    assert.deepEqual(Array.from(grads.input.data), [0, 0]);
  });

  test('logits of ±1e4 give a finite loss and gradient', () => {
    for (const distribution of distributions) {
      const { value, grads } = loss.valueAndGrad(
        {
          input: [
            [1e4, -1e4, 0],
            [-1e4, 1e4, 1e4],
          ],
          target: [1, 0],
        },
        { distribution, reduction: 'none' },
      );
      assert.ok(value.data.every(Number.isFinite) && grads.input.data.every(Number.isFinite), distribution);
      assert.ok(value.data[0] > 1.8e4 && value.data[1] > 1.8e4, distribution);
    }
  });

  test('an all-ignored batch gives 0 and a zero gradient, not NaN', () => {
    for (const distribution of distributions) {
      const { value, grads } = loss.valueAndGrad(
        { input: logits, target: [-1, -1, -1] },
        { distribution, ignoreIndex: -1 },
      );
      assert.equal(value.item(), 0);
      assert.ok(grads.input.data.every((g) => g === 0));
    }
  });
});

describe('labelSmoothingCrossEntropy rejects bad input', () => {
  test('smoothing outside [0, 1]', () => {
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 1, 2], { smoothing: 1.5 }),
      'options.smoothing',
      /<= 1, got 1\.5/,
    );
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 1, 2], { smoothing: -0.5 }),
      'options.smoothing',
      /got -0\.5/,
    );
  });
  test('an unknown distribution, listing the valid ones', () => {
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 1, 2], { distribution: 'rest' as never }),
      'options.distribution',
      /'others' \| 'uniform', got 'rest'/,
    );
  });
  test('a label out of range, naming the value and index; −100 without ignoreIndex', () => {
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 4, 2]),
      'target',
      /label 4 at index \[1\] is outside \[0, 4\)/,
    );
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 1, -100]),
      'target',
      /label -100 at index \[2\] is outside \[0, 4\)/,
    );
  });
  test('a non-integer label and labels of the wrong shape', () => {
    rejects(
      () => labelSmoothingCrossEntropy(logits, [0, 1, 2.25]),
      'target',
      /label 2\.25 at index \[2\] is not an integer/,
    );
    rejects(
      () => labelSmoothingCrossEntropy(logits, [[0, 1, 2]]),
      'target',
      /shape \[1, 3\] does not match input shape \[3, 4\]/,
    );
  });
});

describe('labelSmoothingCrossEntropy properties', () => {
  test('smoothing 0 equals plain cross-entropy under both distributions', () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.constantFrom(...distributions),
        ({ rows, classes, logits: x, labels }, distribution) => {
          const expected = rowsOf(x, classes).map((row, r) => -referenceLogSoftmax(row)[labels[r]]);
          const value = labelSmoothingCrossEntropy(t([rows, classes], x), labels, {
            smoothing: 0,
            distribution,
            reduction: 'none',
          });
          assertClose(value, t([rows], expected), { rtol: 1e-10, atol: 1e-10 }, 'value');
        },
      ),
    );
  });

  test("'others' is −(1 − α)·l_y − α/(K − 1)·Σ_{c≠y} l_c", () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ rows, classes, logits: x, labels }, alpha) => {
          const expected = rowsOf(x, classes).map((row, r) => {
            const l = referenceLogSoftmax(row);
            const others = sum(l.filter((_, c) => c !== labels[r]));
            return -(1 - alpha) * l[labels[r]] - (classes > 1 ? (alpha / (classes - 1)) * others : 0);
          });
          const value = labelSmoothingCrossEntropy(t([rows, classes], x), labels, {
            smoothing: alpha,
            reduction: 'none',
          });
          assertClose(value, t([rows], expected), { rtol: 1e-10, atol: 1e-10 }, 'value');
        },
      ),
    );
  });

  test("'uniform' equals sparseCategoricalCrossEntropy with labelSmoothing α (torch)", () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ rows, classes, logits: x, labels }, alpha) => {
          const input = t([rows, classes], x);
          const ours = loss.valueAndGrad(
            { input, target: labels },
            { smoothing: alpha, distribution: 'uniform' },
          );
          const torch = sparseCategoricalCrossEntropyLoss.valueAndGrad(
            { input, target: labels },
            { labelSmoothing: alpha },
          );
          assertClose(ours.value, torch.value, { rtol: 1e-12, atol: 1e-12 }, 'value');
          assertClose(ours.grads.input, torch.grads.input, { rtol: 1e-12, atol: 1e-12 }, 'grad');
        },
      ),
    );
  });

  test('float32 inputs give results within 1e-5 of float64 on the same values', () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.constantFrom(...distributions),
        ({ rows, classes, logits: x, labels }, distribution) => {
          const x32 = Float32Array.from(x);
          const f32 = loss.valueAndGrad(
            { input: { shape: [rows, classes], data: x32 }, target: labels },
            { distribution },
          );
          const f64 = loss.valueAndGrad(
            { input: t([rows, classes], Array.from(x32)), target: labels },
            { distribution },
          );
          assert.equal(f32.value.dtype, 'float32');
          assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, 'value');
          assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-5 }, 'grad');
        },
      ),
    );
  });
});

describe('labelSmoothingCrossEntropy gradients match central differences where the oracle has no case', () => {
  test("'uniform' with ignoreIndex, none with an upstream", () => {
    gradcheck(
      entry,
      { input: logits, target: t([3], [2, 0, 1]) },
      { distribution: 'uniform', ignoreIndex: 0, reduction: 'none' },
      t([3], [0.5, 4, -1.5]),
    );
  });
  test("'others' with full smoothing (α = 1), sum", () => {
    gradcheck(entry, { input: logits, target: t([3], [2, 0, 1]) }, { smoothing: 1, reduction: 'sum' });
  });
  test("'others' on a 3-d batch with ignoreIndex, mean", () => {
    gradcheck(
      entry,
      { input: t([1, 3, 4], Array.from(logits.data)), target: t([1, 3], [3, -1, 0]) },
      { smoothing: 0.25, ignoreIndex: -1 },
    );
  });
});
