import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import {
  assertNonFiniteNamed,
  assertTargetRangeNamed,
  filled,
  logitsAndTargets,
} from '../../../../../test/helpers/non-finite.js';
import { binaryCrossEntropyWithLogits, type LossEntry, losses } from '../../index.js';

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const entry = losses.binaryCrossEntropyWithLogits;

const rejects = lossInputErrorAsserter('binaryCrossEntropyWithLogits');

test('logits of ±1e4 give exact, finite values and gradients, with posWeight and soft targets', () => {
  const input = [1e4, -1e4, 1e4, -1e4, 1e4];
  const target = [1, 0, 0, 1, 0.5];
  const { value, grads } = entry.valueAndGrad(
    { input, target },
    { posWeight: [1, 1, 2, 3, 4], reduction: 'none' },
  );
  assertAllFinite(value, 'value');
  assertAllFinite(grads.input, 'grad');
  // Right answers cost 0; a wrong one costs p_c·|x| (positives) or |x| (negatives); soft 0.5 at x = 1e4 costs 4·0.5·0 + 0.5·1e4.
  assertClose(value, { shape: [5], data: [0, 0, 1e4, 3e4, 5e3] }, { rtol: 1e-15, atol: 0 }, 'value');
  assertClose(grads.input, { shape: [5], data: [0, 0, 1, -3, 0.5] }, { rtol: 1e-15, atol: 0 }, 'grad');
});

test('float32 logits of ±1e4 stay finite', () => {
  const { value, grads } = entry.valueAndGrad({
    input: new Float32Array([1e4, -1e4]),
    target: new Float32Array([0, 0]),
  });
  assert.equal(value.dtype, 'float32');
  assertClose(value, { shape: [], data: [5e3] }, { rtol: 1e-7, atol: 0 }, 'value');
  assertClose(grads.input, { shape: [2], data: [0.5, 0] }, { rtol: 1e-7, atol: 0 }, 'grad');
});

test('posWeight [C] multiplies the positive term of each class along the last axis, at any rank', () => {
  const shape = [2, 2, 3];
  const x = [0.5, -1, 2, 0, 1.5, -0.3, -2, 0.7, 1, 3, -0.5, 0.1];
  const y = [1, 0, 0.5, 1, 1, 0, 0.2, 1, 0, 1, 0.7, 0];
  const posWeight = [0.5, 2, 4];
  const expected = x.map((xi, i) => {
    const p = sigmoid(xi);
    return -(posWeight[i % 3] * y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
  });
  const value = binaryCrossEntropyWithLogits(
    { shape, data: x },
    { shape, data: y },
    { posWeight, reduction: 'none' },
  );
  assertClose(value, { shape, data: expected }, { rtol: 1e-12, atol: 1e-14 }, 'value');
});

test('a single posWeight ([1]) applies to every element, like [C] with that value repeated', () => {
  const input = [
    [0.5, -1, 2],
    [0, 1.5, -0.3],
  ];
  const target = [
    [1, 0, 1],
    [0, 1, 1],
  ];
  const one = entry.valueAndGrad({ input, target }, { posWeight: [3] });
  const repeated = entry.valueAndGrad({ input, target }, { posWeight: [3, 3, 3] });
  assertClose(one.value, repeated.value, { rtol: 0, atol: 0 }, 'value');
  assertClose(one.grads.input, repeated.grads.input, { rtol: 0, atol: 0 }, 'grad');
});

test('a posWeight of ones changes nothing', () => {
  const input = [
    [0.5, -1],
    [2, 0],
  ];
  const target = [
    [1, 0],
    [0.3, 1],
  ];
  assertClose(
    binaryCrossEntropyWithLogits(input, target, { posWeight: [1, 1] }),
    binaryCrossEntropyWithLogits(input, target),
    { rtol: 0, atol: 0 },
    'value',
  );
});

test('binaryCrossEntropyWithLogits gradient matches central differences with weight, posWeight on a 3-d input and an upstream', () => {
  const shape = [2, 2, 3];
  gradcheck(
    entry as never,
    {
      input: { shape, data: [0.5, -1, 2, 0, 1.5, -0.3, -2, 0.7, 1, 3, -0.5, 0.1] },
      target: { shape, data: [1, 0, 0.5, 1, 1, 0, 0.2, 1, 0, 1, 0.7, 0] },
    },
    {
      weight: { shape, data: [1, 2, 0.5, 0, 1, 1, 3, 0.25, 1, 1, 2, 0.5] },
      posWeight: [0.5, 2, 4],
      reduction: 'none',
    },
    { shape, data: [1, -1, 2, 0.5, 1, 3, -0.5, 1, 1, 2, -2, 0.3] },
  );
});

test("binaryCrossEntropyWithLogits 'mean' equals the mean of 'none'", () => {
  const element = fc.tuple(
    fc.double({ min: -50, max: 50, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(element, { minLength: 1, maxLength: 10 }), (pairs) => {
      const input = pairs.map(([x]) => x);
      const target = pairs.map(([, y]) => y);
      const units = binaryCrossEntropyWithLogits(input, target, { reduction: 'none' }).data;
      assertClose(
        binaryCrossEntropyWithLogits(input, target),
        { shape: [], data: [sum(units) / units.length] },
        { rtol: 1e-12, atol: 1e-12 },
        'mean',
      );
    }),
  );
});

test('a posWeight that is not [C] for the last axis is an error naming both shapes', () => {
  const input = [
    [0.5, -1, 2],
    [0, 1.5, -0.3],
  ];
  const target = [
    [1, 0, 1],
    [0, 1, 1],
  ];
  rejects(
    () => binaryCrossEntropyWithLogits(input, target, { posWeight: [1, 2] }),
    'options.posWeight',
    /shape \[2\] .*input shape \[2, 3\].*expected \[3\]/,
  );
  rejects(
    () => binaryCrossEntropyWithLogits(input, target, { posWeight: [[1, 2, 3]] }),
    'options.posWeight',
    /shape \[1, 3\] .*input shape \[2, 3\]/,
  );
});

test('a weight of another shape is an error naming both shapes', () => {
  rejects(
    () => binaryCrossEntropyWithLogits([[1, 2]], [[1, 0]], { weight: [1, 2] }),
    'options.weight',
    /\[2\] does not match input shape \[1, 2\]/,
  );
});

test('a target outside [0, 1] is an error naming its value and index; logits may be any finite number', () => {
  rejects(
    () => binaryCrossEntropyWithLogits([0.5, 3], [1, -1]),
    'target',
    /target -1 at index \[1\] is outside \[0, 1\]/,
  );
  assert.ok(Number.isFinite(binaryCrossEntropyWithLogits([-7, 42], [1, 0]).item()));
});

test('inputs of different shapes are an error naming both shapes', () => {
  rejects(
    () => binaryCrossEntropyWithLogits([0.5, 3], [[1, 0]]),
    'target',
    /\[1, 2\] does not match input shape \[2\]/,
  );
});

test('a NaN or infinite logit anywhere is named, with no separate finite scan (the loss terms hold x itself), at targets 0, 1 and soft, with weights and posWeight', () => {
  assertNonFiniteNamed(
    losses.binaryCrossEntropyWithLogits as unknown as LossEntry,
    'input',
    logitsAndTargets,
    // Weights of 0 at even positions: the term is 0·∞ or 0·NaN, still NaN.
    (layout) => [
      {},
      { reduction: 'none' },
      { posWeight: [0] },
      { posWeight: [3] },
      { weight: filled(layout, (i) => i % 2) },
    ],
  );
});

test('a target outside [0, 1], NaN or infinite is named, large float32 (checked inside the SIMD pass, the tail included) or not; -0 is a valid target', () => {
  assertTargetRangeNamed(losses.binaryCrossEntropyWithLogits as unknown as LossEntry);
});

test('labelSmoothing α replaces each target by y(1 − α) + α/2 (Keras), in the value and the gradient, with posWeight and weight', () => {
  const x = [2, -1, 0.5, -3, 4, 0];
  const y = [1, 0, 1, 0, 0.3, 1];
  const posWeight = [1, 2, 0.5];
  const weight = [1, 0.5, 2, 0, 3, 1];
  const softplus = (v: number) => Math.log1p(Math.exp(v));
  for (const alpha of [0, 0.2, 1]) {
    const s = y.map((yi) => yi * (1 - alpha) + alpha / 2);
    const plain = entry.valueAndGrad({ input: x, target: y }, { labelSmoothing: alpha, reduction: 'none' });
    assertClose(
      plain.value,
      {
        shape: [6],
        data: x.map((xi, i) => -(s[i] * Math.log(sigmoid(xi)) + (1 - s[i]) * Math.log(1 - sigmoid(xi)))),
      },
      { rtol: 1e-13, atol: 1e-15 },
      `value, α = ${alpha}`,
    );
    assertClose(
      plain.grads.input,
      { shape: [6], data: x.map((xi, i) => sigmoid(xi) - s[i]) },
      { rtol: 1e-13, atol: 1e-15 },
      `grad, α = ${alpha}`,
    );
    const weighted = entry.value(
      { input: { shape: [2, 3], data: x }, target: { shape: [2, 3], data: y } },
      { labelSmoothing: alpha, posWeight, weight: { shape: [2, 3], data: weight }, reduction: 'sum' },
    );
    const expected = x.reduce(
      (acc, xi, i) => acc + weight[i] * (posWeight[i % 3] * s[i] * softplus(-xi) + (1 - s[i]) * softplus(xi)),
      0,
    );
    assertClose(
      weighted,
      { shape: [], data: [expected] },
      { rtol: 1e-13, atol: 0 },
      `weighted, α = ${alpha}`,
    );
  }
});

test('binaryCrossEntropyWithLogits gradient matches central differences with labelSmoothing, weight, posWeight and an upstream', () => {
  const input = { shape: [2, 3], data: [2, -1, 0.5, -3, 4, 0] };
  const target = { shape: [2, 3], data: [1, 0, 1, 0, 0.3, 1] };
  for (const labelSmoothing of [0.1, 1]) {
    gradcheck(entry, { input, target }, { labelSmoothing });
    gradcheck(
      entry,
      { input, target },
      {
        labelSmoothing,
        posWeight: [1, 2, 0.5],
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

test('labelSmoothing on large float32 inputs (the JavaScript path, not the SIMD kernel) matches float64, and logits of ±1e4 stay finite', () => {
  const n = 1031;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i % 101 === 0 ? (i % 2 === 0 ? 1e4 : -1e4) : Math.sin(i) * 6;
    y[i] = i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 0.25;
  }
  for (const reduction of ['mean', 'sum'] as const) {
    const f32 = entry.valueAndGrad({ input: x, target: y }, { labelSmoothing: 0.1, reduction });
    const f64 = entry.valueAndGrad(
      { input: Float64Array.from(x), target: Float64Array.from(y) },
      { labelSmoothing: 0.1, reduction },
    );
    assertAllFinite(f32.value, 'value');
    assertAllFinite(f32.grads.input, 'grad');
    assertClose(f32.value, f64.value, { rtol: 1e-6, atol: 0 }, `value ${reduction}`);
    assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-9 }, `grad ${reduction}`);
    // A wrong logit of 1e4 against a smoothed target costs about 1e4 times its share.
    assert.ok(f64.value.item() > (reduction === 'mean' ? 1 : n), `${f64.value.item()}`);
  }
});

test('a labelSmoothing outside [0, 1] or not a finite number is an error naming the option', () => {
  for (const bad of [-0.1, 1.5, Number.NaN, Number.NEGATIVE_INFINITY, null]) {
    rejects(
      () => binaryCrossEntropyWithLogits([0.5], [1], { labelSmoothing: bad as number }),
      'options.labelSmoothing',
      /must be a finite number >= 0 and <= 1, got/,
    );
  }
});

test('with labelSmoothing, a target outside [0, 1] is still named (the original target is checked)', () => {
  rejects(
    () => binaryCrossEntropyWithLogits([0.5, 1], [1, 1.2], { labelSmoothing: 0.5 }),
    'target',
    /target 1\.2 at index \[1\] is outside \[0, 1\]$/,
  );
});
