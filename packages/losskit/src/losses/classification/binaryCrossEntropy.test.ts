import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { binaryCrossEntropy, losses } from '../../index.js';

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const exact = { rtol: 0, atol: 0 };

const rejects = lossInputErrorAsserter('binaryCrossEntropy');

test("probabilities of exactly 0 and 1 give the clamped loss and PyTorch's floored gradient", () => {
  const input = [0, 1, 1, 0, 0];
  const target = [1, 0, 1, 0, 0.3];
  const { value, grads } = losses.binaryCrossEntropy.valueAndGrad({ input, target }, { reduction: 'none' });
  // log 0 is clamped at −100: a confident miss costs 100, a soft target 0.3 at p = 0 costs 0.3 · 100.
  assertClose(value, { shape: [5], data: [100, 100, 0, 0, 30] }, { rtol: 1e-15, atol: 0 }, 'value');
  // (p − y) / max(p(1 − p), 1e-12): the floor turns the division by zero into ±1e12·|p − y|.
  assertClose(
    grads.input,
    { shape: [5], data: [-1e12, 1e12, 0, 0, -3e11] },
    { rtol: 1e-15, atol: 0 },
    'grad',
  );
});

test('float32 probabilities of 0 and 1 stay finite', () => {
  const input = new Float32Array([0, 1, 0.5]);
  const target = new Float32Array([1, 0, 1]);
  const { value, grads } = losses.binaryCrossEntropy.valueAndGrad({ input, target }, { reduction: 'sum' });
  assert.equal(value.dtype, 'float32');
  assertAllFinite(value, 'value');
  assertAllFinite(grads.input, 'grad');
});

test('the gradient is (p − y)/(p(1 − p)) above the 1e-12 floor and uses the floor below it, where the log is clamped', () => {
  const input = [1e-10, 1e-50];
  const target = [1, 1];
  const { value, grads } = losses.binaryCrossEntropy.valueAndGrad({ input, target }, { reduction: 'none' });
  assertClose(value, { shape: [2], data: [-Math.log(1e-10), 100] }, { rtol: 1e-14, atol: 0 }, 'value');
  assertClose(grads.input, { shape: [2], data: [-1e10, -1e12] }, { rtol: 1e-9, atol: 0 }, 'grad');
});

test('binaryCrossEntropy on σ(x) equals binaryCrossEntropyWithLogits on x, value and gradient (chain rule)', () => {
  const element = fc.tuple(
    fc.double({ min: -15, max: 15, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(element, { minLength: 1, maxLength: 10 }), (pairs) => {
      const logits = pairs.map(([x]) => x);
      const target = pairs.map(([, y]) => y);
      const probs = logits.map(sigmoid);
      const onProbs = losses.binaryCrossEntropy.valueAndGrad({ input: probs, target }, { reduction: 'none' });
      const onLogits = losses.binaryCrossEntropyWithLogits.valueAndGrad(
        { input: logits, target },
        { reduction: 'none' },
      );
      assertClose(onProbs.value, onLogits.value, { rtol: 1e-8, atol: 1e-12 }, 'value');
      const chained = Array.from(onProbs.grads.input.data, (g, i) => g * probs[i] * (1 - probs[i]));
      assertClose(
        { shape: [chained.length], data: chained },
        onLogits.grads.input,
        { rtol: 1e-7, atol: 1e-12 },
        'grad',
      );
    }),
  );
});

test("weight rescales each element's loss and gradient, and the mean still divides by the element count", () => {
  const input = [0.2, 0.7, 0.9];
  const target = [0, 1, 0.5];
  const weight = [2, 0, 0.5];
  const plain = losses.binaryCrossEntropy.valueAndGrad({ input, target }, { reduction: 'none' });
  const weighted = losses.binaryCrossEntropy.valueAndGrad({ input, target }, { weight, reduction: 'none' });
  const scale = (t: { data: ArrayLike<number> }) => ({
    shape: [3],
    data: Array.from(t.data, (v, i) => v * weight[i]),
  });
  assertClose(weighted.value, scale(plain.value), exact, 'value');
  assertClose(weighted.grads.input, scale(plain.grads.input), exact, 'grad');
  assertClose(
    binaryCrossEntropy(input, target, { weight }),
    { shape: [], data: [sum(weighted.value.data) / 3] },
    { rtol: 1e-15, atol: 0 },
    'mean',
  );
});

test("binaryCrossEntropy 'mean' equals the mean of 'none', with and without weight", () => {
  const element = fc.tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 3, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(element, { minLength: 1, maxLength: 10 }), fc.boolean(), (rows, weighted) => {
      const input = rows.map((r) => r[0]);
      const target = rows.map((r) => r[1]);
      const options = weighted ? { weight: rows.map((r) => r[2]) } : {};
      const units = binaryCrossEntropy(input, target, { ...options, reduction: 'none' }).data;
      assertClose(
        binaryCrossEntropy(input, target, options),
        { shape: [], data: [sum(units) / units.length] },
        { rtol: 1e-12, atol: 1e-12 },
        'mean',
      );
    }),
  );
});

test('binaryCrossEntropy gradient matches central differences with weight, soft targets and an upstream', () => {
  gradcheck(
    losses.binaryCrossEntropy as never,
    {
      input: { shape: [2, 2, 2], data: [0.1, 0.35, 0.5, 0.62, 0.8, 0.97, 0.03, 0.44] },
      target: { shape: [2, 2, 2], data: [0, 1, 0.25, 1, 0.5, 1, 0, 0.9] },
    },
    { weight: { shape: [2, 2, 2], data: [1, 2, 0.5, 0, 1.5, 1, 3, 0.25] }, reduction: 'none' },
    { shape: [2, 2, 2], data: [1, -1, 2, 0.5, 1, 3, -0.5, 1] },
  );
});

test('a probability outside [0, 1] is an error naming its value and index', () => {
  rejects(
    () =>
      binaryCrossEntropy(
        [
          [0.5, 0.2],
          [1.5, 0],
        ],
        [
          [1, 0],
          [1, 0],
        ],
      ),
    'input',
    /probability 1\.5 at index \[1, 0\] is outside \[0, 1\]/,
  );
  rejects(
    () => binaryCrossEntropy([0.5, -0.01], [1, 0]),
    'input',
    /probability -0\.01 at index \[1\] is outside \[0, 1\]/,
  );
});

test('a target outside [0, 1] is an error naming its value and index', () => {
  rejects(
    () => binaryCrossEntropy([0.5, 0.2, 0.1], [1, 0, 2]),
    'target',
    /target 2 at index \[2\] is outside \[0, 1\]/,
  );
});

test('inputs or a weight of another shape are an error naming both shapes', () => {
  rejects(
    () => binaryCrossEntropy([0.5, 0.2, 0.1], [[1, 0, 1]]),
    'target',
    /\[1, 3\] does not match input shape \[3\]/,
  );
  rejects(
    () =>
      binaryCrossEntropy(
        [
          [0.5, 0.2, 0.1],
          [0.5, 0.2, 0.1],
        ],
        [
          [1, 0, 1],
          [1, 0, 1],
        ],
        { weight: [1, 2, 3] },
      ),
    'options.weight',
    /\[3\] does not match input shape \[2, 3\]/,
  );
});

test('labelSmoothing α replaces each target by y(1 − α) + α/2 (Keras), in the value and the gradient', () => {
  const input = [0.9, 0.2, 0.5, 0.01, 0.7];
  const target = [1, 0, 1, 0, 0.3];
  for (const alpha of [0, 0.1, 0.5, 1]) {
    const { value, grads } = losses.binaryCrossEntropy.valueAndGrad(
      { input, target },
      { labelSmoothing: alpha, reduction: 'none' },
    );
    const smoothed = target.map((y) => y * (1 - alpha) + alpha / 2);
    const expected = input.map((p, i) => -(smoothed[i] * Math.log(p) + (1 - smoothed[i]) * Math.log(1 - p)));
    const slope = input.map((p, i) => (p - smoothed[i]) / (p * (1 - p)));
    assertClose(value, { shape: [5], data: expected }, { rtol: 1e-14, atol: 0 }, `value, α = ${alpha}`);
    assertClose(grads.input, { shape: [5], data: slope }, { rtol: 1e-14, atol: 0 }, `grad, α = ${alpha}`);
  }
});

test('binaryCrossEntropy gradient matches central differences with labelSmoothing, weight and an upstream', () => {
  const input = { shape: [2, 3], data: [0.9, 0.2, 0.5, 0.01, 0.7, 0.35] };
  const target = { shape: [2, 3], data: [1, 0, 1, 0, 0.3, 1] };
  for (const labelSmoothing of [0.1, 1]) {
    gradcheck(losses.binaryCrossEntropy, { input, target }, { labelSmoothing });
    gradcheck(
      losses.binaryCrossEntropy,
      { input, target },
      {
        labelSmoothing,
        weight: [
          [1, 0.5, 2],
          [0, 3, 1],
        ],
        reduction: 'none',
      },
      { shape: [2, 3], data: [1, -2, 0.5, 3, 1, -1] },
    );
  }
});

test('a labelSmoothing outside [0, 1] or not a finite number is an error naming the option', () => {
  for (const bad of [-0.1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '0.1']) {
    rejects(
      () => binaryCrossEntropy([0.5], [1], { labelSmoothing: bad as number }),
      'options.labelSmoothing',
      /must be a finite number >= 0 and <= 1, got/,
    );
  }
});

test('with labelSmoothing, probabilities of exactly 0 and 1 stay finite (the clamp and the gradient floor)', () => {
  for (const ctor of [Float32Array, Float64Array]) {
    const { value, grads } = losses.binaryCrossEntropy.valueAndGrad(
      { input: new ctor([0, 1, 1, 0]), target: new ctor([1, 0, 1, 0]) },
      { labelSmoothing: 0.2, reduction: 'none' },
    );
    assertAllFinite(value, 'value');
    assertAllFinite(grads.input, 'grad');
    // A confident miss of the smoothed target 0.9 costs 0.9 · 100; a hit still costs 0.1 · 100.
    assertClose(value, { shape: [4], data: [90, 90, 10, 10] }, { rtol: 1e-6, atol: 0 }, 'value');
  }
});
