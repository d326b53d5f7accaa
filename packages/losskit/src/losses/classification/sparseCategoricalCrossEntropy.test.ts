import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import {
  referenceLogSoftmax,
  rowsOf,
  scoresAndLabels,
  sum,
} from '../../../../../test/helpers/cross-entropy-reference.js';
import {
  sparseCategoricalCrossEntropy,
  sparseCategoricalCrossEntropyLoss,
} from './sparseCategoricalCrossEntropy.js';

const entry = sparseCategoricalCrossEntropyLoss as unknown as LossEntry;
const loss = sparseCategoricalCrossEntropyLoss;

const rejects = lossInputErrorAsserter();

const logits = t([4, 3], [0.5, -1, 2, 1.5, 0.2, -0.3, -2, 0.7, 1.1, 0.9, 0.9, -0.4]);

describe('sparseCategoricalCrossEntropy extremes and edge cases', () => {
  test('logits of ±1e4 give the exact finite loss and gradient', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([2, 3], [1e4, -1e4, 0, -1e4, 1e4, 1e4]), target: [1, 0] },
      { reduction: 'none' },
    );
    assertClose(value, { shape: [2], data: [2e4, 2e4 + Math.LN2] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertClose(
      grads.input,
      { shape: [2, 3], data: [1, -1, 0, -1, 0.5, 0.5] },
      { rtol: 0, atol: 1e-12 },
      'grad',
    );
  });

  test('a batch whose labels are all ignored has mean 0 and a zero gradient, not NaN', () => {
    for (const options of [
      { ignoreIndex: -100 },
      { ignoreIndex: 2, weight: [1, 2, 3], labelSmoothing: 0.2 },
    ]) {
      const ignored = options.ignoreIndex;
      const { value, grads } = loss.valueAndGrad(
        { input: logits, target: [ignored, ignored, ignored, ignored] },
        options,
      );
      assert.equal(value.item(), 0);
      assert.deepEqual(Array.from(grads.input.data), new Array(12).fill(0));
    }
  });

  test('ignoreIndex may be a valid class: those labels are left out of value, gradient and divisor', () => {
    const target = [0, 2, 0, 1];
    const { value, grads } = loss.valueAndGrad({ input: logits, target }, { ignoreIndex: 0 });
    const kept = loss.valueAndGrad({
      input: t([2, 3], Array.from(logits.data.slice(3, 6)).concat(Array.from(logits.data.slice(9)))),
      target: [2, 1],
    });
    assertClose(value, kept.value, { rtol: 1e-14, atol: 0 }, 'value');
    assert.deepEqual(Array.from(grads.input.data.slice(0, 3)), [0, 0, 0]);
    assertClose(
      t([3], Array.from(grads.input.data.slice(3, 6))),
      t([3], Array.from(kept.grads.input.data.slice(0, 3))),
      { rtol: 1e-14, atol: 0 },
      'grad',
    );
  });

  test('the weighted mean divides the sum by the weights of the counted labels', () => {
    const options = { weight: [0.5, 2, 3], ignoreIndex: 1, labelSmoothing: 0.1 };
    const target = [2, 1, 0, 2];
    const total = sparseCategoricalCrossEntropy(logits, target, { ...options, reduction: 'sum' }).item();
    const mean = sparseCategoricalCrossEntropy(logits, target, options).item();
    assertClose(t([], [mean]), t([], [total / (3 + 0.5 + 3)]), { rtol: 1e-14, atol: 0 }, 'mean');
  });

  test('counted labels whose class weights are all 0 give mean 0 with a zero gradient', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: logits, target: [1, 1, 1, 1] },
      { weight: [1, 0, 1] },
    );
    assert.equal(value.item(), 0);
    assert.ok(grads.input.data.every((g) => g === 0));
  });

  test('fromLogits false: probability 1 on the label costs 0 with gradient −1, probability 0 is clipped with zero gradient', () => {
    const input = t([2, 2], [1, 0, 1, 0]);
    const { value, grads } = loss.valueAndGrad(
      { input, target: [0, 1] },
      { fromLogits: false, reduction: 'none' },
    );
    assertClose(value, { shape: [2], data: [0, -Math.log(1e-7)] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertClose(grads.input, t([2, 2], [-1, 0, 0, 0]), { rtol: 0, atol: 0 }, 'grad');
  });

  test('an unbatched [C] input with a 0-d label gives a 0-d value', () => {
    const value = sparseCategoricalCrossEntropy([0.3, -1, 2], 2, { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    assertClose(value, t([], [-referenceLogSoftmax([0.3, -1, 2])[2]]), { rtol: 1e-14, atol: 0 }, 'value');
  });
});

describe('sparseCategoricalCrossEntropy rejects bad labels and options', () => {
  test('a label out of range, naming the value and its index', () => {
    rejects(
      () =>
        sparseCategoricalCrossEntropy(t([2, 2, 3], new Array(12).fill(0)), [
          [0, 1],
          [3, 2],
        ]),
      'target',
      /label 3 at index \[1, 0\] is outside \[0, 3\)/,
    );
  });

  test('without ignoreIndex, −100 is an ordinary out-of-range label', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, -100, 1, 2]),
      'target',
      /label -100 at index \[1\] is outside \[0, 3\)/,
    );
  });

  test('a non-integer label', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 1.5, 2]),
      'target',
      /label 1\.5 at index \[2\] is not an integer/,
    );
  });

  test('labels whose shape is not the input shape without its class axis', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2]),
      'target',
      /shape \[3\] does not match input shape \[4, 3\] without its class axis \(\[4\]\)/,
    );
    rejects(() => sparseCategoricalCrossEntropy(logits, t([4, 1], [0, 1, 2, 0])), 'target', /shape \[4, 1\]/);
  });

  test('class weights of the wrong shape, or negative', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2, 0], { weight: [1, 2] }),
      'options.weight',
      /must have shape \[3\].*got \[2\]/,
    );
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2, 0], { weight: [1, -2, 1] }),
      'options.weight',
      /weight -2 of class 1 is negative/,
    );
  });

  test('labelSmoothing outside [0, 1], and a non-integer ignoreIndex', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2, 0], { labelSmoothing: 2 }),
      'options.labelSmoothing',
      /got 2/,
    );
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2, 0], { ignoreIndex: 0.5 }),
      'options.ignoreIndex',
      /integer/,
    );
  });

  test('fromLogits false: probabilities outside [0, 1]', () => {
    rejects(
      () => sparseCategoricalCrossEntropy([[0.2, -0.1]], [0], { fromLogits: false }),
      'input',
      /probability -0\.1 at index \[0, 1\] is outside \[0, 1\]/,
    );
  });
});

describe('sparseCategoricalCrossEntropy properties', () => {
  test('without smoothing or weights it equals plain cross-entropy −log softmax(x)_y, averaged', () => {
    fc.assert(
      fc.property(scoresAndLabels(), ({ rows, classes, logits: x, labels }) => {
        const expected = rowsOf(x, classes).map((row, r) => -referenceLogSoftmax(row)[labels[r]]);
        const value = sparseCategoricalCrossEntropy(t([rows, classes], x), labels, { labelSmoothing: 0 });
        assertClose(value, t([], [sum(expected) / rows]), { rtol: 1e-10, atol: 1e-10 }, 'value');
      }),
    );
  });

  test('with weights and smoothing each row is (1 − α)·w_y·(−l_y) + (α/C)·Σ w_c·(−l_c)', () => {
    fc.assert(
      fc.property(
        scoresAndLabels(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 1000 }),
        ({ rows, classes, logits: x, labels }, alpha, seed) => {
          const weight = Array.from({ length: classes }, (_, c) => ((seed * (c + 3)) % 7) / 3);
          const expected = rowsOf(x, classes).map((row, r) => {
            const l = referenceLogSoftmax(row);
            return (
              (1 - alpha) * weight[labels[r]] * -l[labels[r]] +
              (alpha / classes) * sum(l.map((lc, c) => -weight[c] * lc))
            );
          });
          const value = sparseCategoricalCrossEntropy(t([rows, classes], x), labels, {
            weight,
            labelSmoothing: alpha,
            reduction: 'none',
          });
          assertClose(value, t([rows], expected), { rtol: 1e-10, atol: 1e-10 }, 'value');
        },
      ),
    );
  });

  test('float32 inputs give results within 1e-5 of float64 on the same values', () => {
    fc.assert(
      fc.property(scoresAndLabels(), ({ rows, classes, logits: x, labels }) => {
        const x32 = Float32Array.from(x);
        const options = { weight: Array.from({ length: classes }, (_, c) => 1 + c), labelSmoothing: 0.1 };
        const f32 = loss.valueAndGrad(
          { input: { shape: [rows, classes], data: x32 }, target: labels },
          options,
        );
        const f64 = loss.valueAndGrad(
          { input: t([rows, classes], Array.from(x32)), target: labels },
          options,
        );
        assert.equal(f32.value.dtype, 'float32');
        assert.equal(f32.grads.input.dtype, 'float32');
        assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, 'value');
        assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-5 }, 'grad');
      }),
    );
  });
});

describe('sparseCategoricalCrossEntropy gradients match central differences where the oracle has no case', () => {
  const target = [2, 0, 1, 0];
  test('weights, label smoothing and none with an upstream', () => {
    gradcheck(
      entry,
      { input: logits, target: t([4], target) },
      { weight: t([3], [0.5, 2, 1.5]), labelSmoothing: 0.3, reduction: 'none' },
      t([4], [1, -0.5, 2, 0.25]),
    );
  });
  test('weights, ignoreIndex on a valid class, sum', () => {
    gradcheck(
      entry,
      { input: logits, target: t([4], target) },
      { weight: t([3], [0.5, 2, 1.5]), ignoreIndex: 0, reduction: 'sum' },
    );
  });
  test('probabilities with weights, ignoreIndex and label smoothing, mean', () => {
    const probabilities = t([4, 3], [0.2, 0.3, 0.5, 0.6, 0.3, 0.1, 0.25, 0.25, 0.5, 0.4, 0.35, 0.25]);
    gradcheck(
      entry,
      { input: probabilities, target: t([4], [2, -1, 1, 0]) },
      { fromLogits: false, weight: t([3], [1, 2, 3]), ignoreIndex: -1, labelSmoothing: 0.2 },
    );
  });
});

describe('sparseCategoricalCrossEntropy zLoss (PaLM z-loss)', () => {
  /** Per row: the cross-entropy and lse = log Σ exp x, from the textbook log-softmax. */
  const referenceTerms = (data: ArrayLike<number>, classes: number, target: readonly number[]) =>
    rowsOf(data, classes).map((row, r) => {
      const logp = referenceLogSoftmax(row);
      return { ce: -logp[target[r]], lse: row[0] - logp[0] };
    });

  test('adds zLoss·lse² per counted position, unweighted, over the cross-entropy divisor', () => {
    const target = [2, 1, 0, 2];
    const options = { weight: [0.5, 2, 3], ignoreIndex: 1, zLoss: 0.01 };
    const terms = referenceTerms(logits.data, 3, target);
    const w = [0.5, 2, 3];
    let total = 0;
    let divisor = 0;
    terms.forEach(({ ce, lse }, r) => {
      if (target[r] === 1) return;
      total += w[target[r]] * ce + 0.01 * lse * lse;
      divisor += w[target[r]];
    });
    assertClose(
      sparseCategoricalCrossEntropy(logits, target, options),
      t([], [total / divisor]),
      { rtol: 1e-13, atol: 0 },
      'weighted mean',
    );
    const none = sparseCategoricalCrossEntropy(logits, target, { ...options, reduction: 'none' });
    const want = terms.map(({ ce, lse }, r) => (target[r] === 1 ? 0 : w[target[r]] * ce + 0.01 * lse * lse));
    assertClose(none, t([4], want), { rtol: 1e-13, atol: 0 }, 'none');
  });

  test('its gradient is 2·zLoss·lse·softmax(x) on top of the cross-entropy gradient', () => {
    const target = [2, 0, 1, 1];
    const base = loss.valueAndGrad({ input: logits, target }, { reduction: 'sum' });
    const withZ = loss.valueAndGrad({ input: logits, target }, { reduction: 'sum', zLoss: 0.3 });
    const extra = rowsOf(logits.data, 3).flatMap((row) => {
      const logp = referenceLogSoftmax(row);
      const lse = row[0] - logp[0];
      return logp.map((l) => 2 * 0.3 * lse * Math.exp(l));
    });
    const diff = Array.from(withZ.grads.input.data, (g, i) => g - base.grads.input.data[i]);
    assertClose(t([4, 3], diff), t([4, 3], extra), { rtol: 1e-12, atol: 1e-14 }, 'grad difference');
  });

  test('central differences hold with label smoothing, weights, ignored labels and each reduction', () => {
    const target = [2, 1, 0, 2];
    gradcheck(entry, { input: logits, target: t([4], target) }, { zLoss: 0.05, labelSmoothing: 0.1 });
    gradcheck(
      entry,
      { input: logits, target: t([4], target) },
      { zLoss: 0.2, weight: [0.5, 2, 3], ignoreIndex: 1 },
    );
    gradcheck(
      entry,
      { input: logits, target: t([4], target) },
      { zLoss: 1, reduction: 'none' },
      t([4], [0.5, -1, 2, 1]),
    );
    gradcheck(entry, { input: logits, target: t([4], target) }, { zLoss: 0.01, reduction: 'sum' });
  });

  test('float32 logits long enough for the SIMD kernel take the z-loss path and match float64', () => {
    const classes = 8;
    const rows = 160;
    const data = Array.from({ length: rows * classes }, (_, i) => Math.sin(i * 0.37) * 3);
    const target = Array.from({ length: rows }, (_, r) => (r * 5) % classes);
    const f32 = { shape: [rows, classes], data: Float32Array.from(data) };
    const f64 = { shape: [rows, classes], data: Float64Array.from(Float32Array.from(data)) };
    const z32 = loss.valueAndGrad({ input: f32, target }, { zLoss: 0.02 });
    const z64 = loss.valueAndGrad({ input: f64, target }, { zLoss: 0.02 });
    assertClose(z32.value, z64.value, { rtol: 1e-6, atol: 0 }, 'value');
    assertClose(z32.grads.input, z64.grads.input, { rtol: 1e-5, atol: 1e-8 }, 'grad');
    // zLoss 0 is the plain loss, bit for bit (the SIMD path where it runs).
    const plain = loss.valueAndGrad({ input: f32, target });
    const zero = loss.valueAndGrad({ input: f32, target }, { zLoss: 0 });
    assert.equal(zero.value.item(), plain.value.item());
    assert.deepEqual(Array.from(zero.grads.input.data), Array.from(plain.grads.input.data));
  });

  test('logits of ±1e4 give the exact finite z-loss', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([1, 3], [1e4, -1e4, 0]), target: [0] },
      { zLoss: 1e-3 },
    );
    // lse = 1e4 to double precision; cross-entropy 0; gradient 2·zLoss·lse·softmax = (20, 0, 0).
    assertClose(value, t([], [1e-3 * 1e8]), { rtol: 1e-14, atol: 0 }, 'value');
    assertClose(grads.input, t([1, 3], [20, 0, 0]), { rtol: 1e-12, atol: 1e-12 }, 'grad');
  });

  test('zLoss must be ≥ 0, applies to logits only, and an overflowing gradient is named', () => {
    rejects(
      () => sparseCategoricalCrossEntropy(logits, [0, 1, 2, 0], { zLoss: -1 }),
      'options.zLoss',
      />= 0/,
    );
    rejects(
      () => sparseCategoricalCrossEntropy(t([1, 2], [0.5, 0.5]), [0], { zLoss: 0.1, fromLogits: false }),
      'options.zLoss',
      /logits only/,
    );
    // One class: the value zLoss·x² = 1e308 is finite, its gradient 2·zLoss·x = 2e308 is not.
    rejects(
      () => loss.valueAndGrad({ input: t([1, 1], [1]), target: [0] }, { zLoss: 1e308, reduction: 'sum' }),
      'options.zLoss',
      /overflow/,
    );
  });
});
