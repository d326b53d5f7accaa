import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import {
  oneHot,
  referenceCrossEntropy,
  rowsOf,
  scoresAndDistributions,
  scoresAndLabels,
  sum,
} from '../../../../../test/helpers/cross-entropy-reference.js';
import { categoricalCrossEntropy, categoricalCrossEntropyLoss } from './categoricalCrossEntropy.js';
import { sparseCategoricalCrossEntropyLoss } from './sparseCategoricalCrossEntropy.js';

const entry = categoricalCrossEntropyLoss as unknown as LossEntry;

const rejects = lossInputErrorAsserter();

describe('categoricalCrossEntropy extremes', () => {
  test('logits of ±1e4 give the exact finite loss and gradient', () => {
    const input = t([2, 3], [1e4, -1e4, 0, -1e4, 1e4, 1e4]);
    const target = t([2, 3], [0, 1, 0, 0.5, 0.5, 0]);
    const { value, grads } = categoricalCrossEntropyLoss.valueAndGrad(
      { input, target },
      { reduction: 'none' },
    );
    // Row 0: log-sum-exp = 1e4, −log p₁ = 2e4. Row 1: log-sum-exp = 1e4 + log 2, so −log p₀ = 2e4 + log 2, −log p₁ = log 2.
    assertClose(
      value,
      { shape: [2], data: [2e4, 0.5 * (2e4 + Math.LN2) + 0.5 * Math.LN2] },
      { rtol: 1e-12, atol: 0 },
      'value',
    );
    assertClose(
      grads.input,
      { shape: [2, 3], data: [1, -1, 0, -0.5, 0, 0.5] },
      { rtol: 0, atol: 1e-12 },
      'grad',
    );
  });

  test('fromLogits false: probability 1 on the true class costs 0 with gradient −1, probability 0 is clipped with zero gradient', () => {
    const input = t([2, 3], [1, 0, 0, 0, 1, 0]);
    const target = t([2, 3], [1, 0, 0, 1, 0, 0]);
    const { value, grads } = categoricalCrossEntropyLoss.valueAndGrad(
      { input, target },
      { fromLogits: false, reduction: 'none' },
    );
    assertClose(value, { shape: [2], data: [0, -Math.log(1e-7)] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertClose(grads.input, { shape: [2, 3], data: [-1, 0, 0, 0, 0, 0] }, { rtol: 0, atol: 0 }, 'grad');
  });

  test('fromLogits false: the clip is inclusive at 1e-7 (gradient kept) and active just below it', () => {
    const target = t([1, 2], [1, 0]);
    const at = categoricalCrossEntropyLoss.valueAndGrad(
      { input: t([1, 2], [1e-7, 1]), target },
      { fromLogits: false },
    );
    const below = categoricalCrossEntropyLoss.valueAndGrad(
      { input: t([1, 2], [0.5e-7, 1]), target },
      { fromLogits: false },
    );
    assertClose(
      { shape: [], data: [at.grads.input.data[0]] },
      { shape: [], data: [-1e7] },
      { rtol: 1e-12, atol: 0 },
      'grad at the clip',
    );
    assert.equal(below.grads.input.data[0], 0);
    assert.equal(below.value.item(), at.value.item());
  });

  test('an unbatched [C] input gives a 0-d value equal to the one-row batch', () => {
    const single = categoricalCrossEntropy([0.3, -1, 2], [0.2, 0.3, 0.5], { reduction: 'none' });
    const batch = categoricalCrossEntropy([[0.3, -1, 2]], [[0.2, 0.3, 0.5]], { reduction: 'none' });
    assert.deepEqual(single.shape, []);
    assert.equal(single.item(), batch.data[0]);
  });

  test('an empty batch has mean 0 and an empty gradient', () => {
    const { value, grads } = categoricalCrossEntropyLoss.valueAndGrad({
      input: t([0, 4], []),
      target: t([0, 4], []),
    });
    assert.equal(value.item(), 0);
    assert.deepEqual(grads.input.shape, [0, 4]);
  });
});

describe('categoricalCrossEntropy rejects bad input', () => {
  test('a target of another shape, naming both shapes', () => {
    rejects(
      () => categoricalCrossEntropy([[1, 2, 3]], [[1, 0]]),
      'target',
      /shape \[1, 2\] does not match input shape \[1, 3\]/,
    );
  });

  test('an input without a class axis, or with zero classes', () => {
    rejects(
      () => categoricalCrossEntropy(1, 1),
      'input',
      /must have shape \[\.\.\., C\] with at least one class, got \[\]/,
    );
    rejects(() => categoricalCrossEntropy(t([2, 0], []), t([2, 0], [])), 'input', /got \[2, 0\]/);
  });

  test('target probabilities outside [0, 1], with the index', () => {
    rejects(
      () =>
        categoricalCrossEntropy(
          [
            [1, 2],
            [3, 4],
          ],
          [
            [0, 1],
            [1.5, -0.5],
          ],
        ),
      'target',
      /probability 1\.5 at index \[1, 0\] is outside \[0, 1\]/,
    );
  });

  test('fromLogits false: input probabilities outside [0, 1] (an error, not a clamp)', () => {
    rejects(
      () => categoricalCrossEntropy([[0.5, 1.25]], [[0, 1]], { fromLogits: false }),
      'input',
      /probability 1\.25 at index \[0, 1\]/,
    );
    assert.doesNotThrow(() => categoricalCrossEntropy([[0.5, 1.25]], [[0, 1]]));
  });

  test('labelSmoothing outside [0, 1]', () => {
    rejects(
      () => categoricalCrossEntropy([[1, 2]], [[0, 1]], { labelSmoothing: 1.01 }),
      'options.labelSmoothing',
      /<= 1, got 1\.01/,
    );
    rejects(
      () => categoricalCrossEntropy([[1, 2]], [[0, 1]], { labelSmoothing: -0.1 }),
      'options.labelSmoothing',
      /got -0\.1/,
    );
    assert.doesNotThrow(() => categoricalCrossEntropy([[1, 2]], [[0, 1]], { labelSmoothing: 1 }));
  });
});

describe('categoricalCrossEntropy properties', () => {
  test('with one-hot targets and no smoothing it equals plain cross-entropy −log softmax(x)_y', () => {
    fc.assert(
      fc.property(scoresAndLabels(), ({ rows, classes, logits, labels }) => {
        const target = labels.flatMap((y) => oneHot(y, classes));
        const value = categoricalCrossEntropy(t([rows, classes], logits), t([rows, classes], target), {
          labelSmoothing: 0,
          reduction: 'none',
        });
        const expected = referenceCrossEntropy(rowsOf(logits, classes), rowsOf(target, classes));
        assertClose(value, { shape: [rows], data: expected }, { rtol: 1e-10, atol: 1e-10 }, 'value');
      }),
    );
  });

  test('label smoothing α equals the unsmoothed loss against y(1 − α) + α/C', () => {
    fc.assert(
      fc.property(
        scoresAndDistributions(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ rows, classes, logits, probabilities }, alpha) => {
          const input = t([rows, classes], logits);
          const smoothedTarget = probabilities.map((y) => y * (1 - alpha) + alpha / classes);
          const a = categoricalCrossEntropyLoss.valueAndGrad(
            { input, target: t([rows, classes], probabilities) },
            { labelSmoothing: alpha },
          );
          const b = categoricalCrossEntropyLoss.valueAndGrad({
            input,
            target: t([rows, classes], smoothedTarget),
          });
          assertClose(a.value, b.value, { rtol: 1e-12, atol: 1e-12 }, 'value');
          assertClose(a.grads.input, b.grads.input, { rtol: 1e-12, atol: 1e-12 }, 'grad');
        },
      ),
    );
  });

  test('with one-hot targets it equals sparseCategoricalCrossEntropy, smoothing included', () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ rows, classes, logits, labels }, alpha) => {
          const input = t([rows, classes], logits);
          const dense = categoricalCrossEntropyLoss.valueAndGrad(
            {
              input,
              target: t(
                [rows, classes],
                labels.flatMap((y) => oneHot(y, classes)),
              ),
            },
            { labelSmoothing: alpha },
          );
          const sparse = sparseCategoricalCrossEntropyLoss.valueAndGrad(
            { input, target: t([rows], labels) },
            { labelSmoothing: alpha },
          );
          assertClose(dense.value, sparse.value, { rtol: 1e-12, atol: 1e-12 }, 'value');
          assertClose(dense.grads.input, sparse.grads.input, { rtol: 1e-12, atol: 1e-12 }, 'grad');
        },
      ),
    );
  });

  test('float32 inputs give results within 1e-5 of float64 on the same values', () => {
    fc.assert(
      fc.property(
        scoresAndDistributions(),
        fc.boolean(),
        ({ rows, classes, logits, probabilities }, fromLogits) => {
          const x32 = Float32Array.from(fromLogits ? logits : probabilities);
          const y32 = Float32Array.from(probabilities);
          const options = { fromLogits, labelSmoothing: 0.1 };
          const f32 = categoricalCrossEntropyLoss.valueAndGrad(
            { input: { shape: [rows, classes], data: x32 }, target: { shape: [rows, classes], data: y32 } },
            options,
          );
          const f64 = categoricalCrossEntropyLoss.valueAndGrad(
            { input: t([rows, classes], Array.from(x32)), target: t([rows, classes], Array.from(y32)) },
            options,
          );
          assert.equal(f32.value.dtype, 'float32');
          assert.equal(f32.grads.input.dtype, 'float32');
          assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, 'value');
          assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-5 }, 'grad');
        },
      ),
    );
  });

  test('the mean is the sum of the rows divided by their number', () => {
    const input = t([2, 2, 3], [0.1, 2, -1, 3, 0, 0, -2, 1, 1, 0.5, 0.5, 0.5]);
    const target = t([2, 2, 3], [1, 0, 0, 0.2, 0.3, 0.5, 0, 0, 1, 0.3, 0.3, 0.4]);
    const none = categoricalCrossEntropy(input, target, { reduction: 'none' });
    assert.deepEqual(none.shape, [2, 2]);
    assertClose(
      categoricalCrossEntropy(input, target),
      { shape: [], data: [sum(Array.from(none.data)) / 4] },
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
  });
});

describe('categoricalCrossEntropy gradients match central differences where the oracle has no case', () => {
  const input = t([2, 3], [0.4, -1.2, 2.2, 1.5, 0.3, -0.7]);
  const soft = t([2, 3], [0.2, 0.5, 0.3, 0.6, 0.1, 0.3]);
  const unnormalised = t([2, 3], [0.9, 0.8, 0, 0.1, 0, 0.2]);
  const probabilities = t([2, 3], [0.3, 0.45, 0.25, 0.6, 0.15, 0.25]);

  test('logits, label smoothing, none with an upstream', () => {
    gradcheck(
      entry,
      { input, target: soft },
      { labelSmoothing: 0.3, reduction: 'none' },
      t([2], [0.7, -1.3]),
    );
  });
  test('logits, targets whose rows do not sum to 1, sum', () => {
    gradcheck(entry, { input, target: unnormalised }, { reduction: 'sum' });
  });
  test('probabilities, label smoothing, sum with a scalar upstream', () => {
    gradcheck(
      entry,
      { input: probabilities, target: soft },
      { fromLogits: false, labelSmoothing: 0.25, reduction: 'sum' },
      t([], [2.5]),
    );
  });
  test('probabilities, 3-d batch, mean', () => {
    gradcheck(
      entry,
      { input: t([1, 2, 3], Array.from(probabilities.data)), target: t([1, 2, 3], Array.from(soft.data)) },
      { fromLogits: false },
    );
  });
  test('full smoothing (α = 1) makes the target uniform', () => {
    gradcheck(entry, { input, target: soft }, { labelSmoothing: 1 });
    const { grads } = categoricalCrossEntropyLoss.valueAndGrad(
      { input: t([1, 2], [3, 3]), target: t([1, 2], [1, 0]) },
      { labelSmoothing: 1 },
    );
    assertAllFinite(grads.input, 'grad');
    assertClose(grads.input, { shape: [1, 2], data: [0, 0] }, { rtol: 0, atol: 1e-15 }, 'uniform optimum');
  });
});
