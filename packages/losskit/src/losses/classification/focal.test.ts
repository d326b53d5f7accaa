import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import {
  assertNonFiniteNamed,
  assertTargetRangeNamed,
  logitsAndTargets,
} from '../../../../../test/helpers/non-finite.js';
import { focal, type LossEntry, losses } from '../../index.js';

const sum = (values: ArrayLike<number>): number => Array.from(values).reduce((a, b) => a + b, 0);
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const entry = losses.focal;

const rejects = lossInputErrorAsserter('focal');

const logit = fc.double({ min: -20, max: 20, noNaN: true });
const softTarget = fc.double({ min: 0, max: 1, noNaN: true });
const hardTarget = fc.constantFrom(0, 1);
const batch = (target: fc.Arbitrary<number>) =>
  fc.array(fc.tuple(logit, target), { minLength: 1, maxLength: 10 });

test('logits of ±1e4 give finite values and gradients for gamma 2, 0.5 and 0', () => {
  const input = [1e4, -1e4, 1e4, -1e4];
  const target = [1, 0, 0, 1];
  for (const gamma of [2, 0.5, 0]) {
    const { value, grads } = entry.valueAndGrad({ input, target }, { gamma, reduction: 'none' });
    assertAllFinite(value, `gamma ${gamma} value`);
    assertAllFinite(grads.input, `gamma ${gamma} grad`);
    // Right answers: 0. Wrong ones: p_t = 0 so the focal factor is 1 and the loss is α_t·|x|, slope α_t.
    assertClose(
      value,
      { shape: [4], data: [0, 0, 0.75e4, 0.25e4] },
      { rtol: 1e-15, atol: 0 },
      `gamma ${gamma} value`,
    );
    assertClose(
      grads.input,
      { shape: [4], data: [0, 0, 0.75, -0.25] },
      { rtol: 1e-15, atol: 0 },
      `gamma ${gamma} grad`,
    );
  }
});

test("probabilities of exactly 0 and 1 (fromLogits false) give torch BCE's clamp and floored gradient", () => {
  const input = [0, 1, 1, 0];
  const target = [0, 1, 0, 1];
  const { value, grads } = entry.valueAndGrad({ input, target }, { fromLogits: false, reduction: 'none' });
  // A confident miss: BCE = 100 (log clamped at −100), focal factor 1, α_t = 0.75 (negative) or 0.25 (positive).
  assertClose(value, { shape: [4], data: [0, 0, 75, 25] }, { rtol: 1e-15, atol: 0 }, 'value');
  // α_t[(p − y)/max(p(1 − p), 1e-12) + CE·γ(1 − 2y)]: ±1e12 from the BCE floor plus 2·100 from the focal factor.
  assertClose(
    grads.input,
    { shape: [4], data: [0, 0, 0.75 * (1e12 + 200), 0.25 * (-1e12 - 200)] },
    { rtol: 1e-15, atol: 0 },
    'grad',
  );
});

test('where a probability equals its hard target, gamma below 1 gives loss 0 and gradient 0 (the limit), not NaN', () => {
  for (const fromLogits of [false, true]) {
    const input = fromLogits ? [1e4, -1e4, 800] : [1, 0, 1];
    const { value, grads } = entry.valueAndGrad(
      { input, target: [1, 0, 1] },
      { gamma: 0.5, fromLogits, reduction: 'none' },
    );
    assertClose(
      value,
      { shape: [3], data: [0, 0, 0] },
      { rtol: 0, atol: 0 },
      `fromLogits ${fromLogits} value`,
    );
    assertClose(
      grads.input,
      { shape: [3], data: [0, 0, 0] },
      { rtol: 0, atol: 0 },
      `fromLogits ${fromLogits} grad`,
    );
  }
});

test('with gamma below 1 the gradient near a saturated right answer follows the closed form', () => {
  // y = 1, alpha null: ℓ = s^γ·softplus(−x) with s = σ(−x); ∂ℓ/∂x = −s^γ[s + γ·softplus(−x)·σ(x)].
  const gamma = 0.5;
  const x = [20, 30];
  const { grads } = entry.valueAndGrad(
    { input: x, target: [1, 1] },
    { gamma, alpha: null, reduction: 'none' },
  );
  const expected = x.map((xi) => {
    const s = sigmoid(-xi);
    return -(s ** gamma) * (s + gamma * Math.log1p(Math.exp(-xi)) * sigmoid(xi));
  });
  assertClose(grads.input, { shape: [2], data: expected }, { rtol: 1e-12, atol: 0 }, 'grad');
});

test('focal with gamma 0 and alpha null equals binaryCrossEntropyWithLogits, value and gradient', () => {
  fc.assert(
    fc.property(batch(softTarget), (pairs) => {
      const input = pairs.map(([x]) => x);
      const target = pairs.map(([, y]) => y);
      const f = entry.valueAndGrad({ input, target }, { gamma: 0, alpha: null, reduction: 'none' });
      const b = losses.binaryCrossEntropyWithLogits.valueAndGrad({ input, target }, { reduction: 'none' });
      assertClose(f.value, b.value, { rtol: 1e-14, atol: 1e-15 }, 'value');
      assertClose(f.grads.input, b.grads.input, { rtol: 1e-14, atol: 1e-15 }, 'grad');
    }),
  );
});

test('focal never exceeds the cross-entropy it scales (alpha null, any gamma)', () => {
  fc.assert(
    fc.property(batch(softTarget), fc.double({ min: 0, max: 5, noNaN: true }), (pairs, gamma) => {
      const input = pairs.map(([x]) => x);
      const target = pairs.map(([, y]) => y);
      const f = focal(input, target, { gamma, alpha: null, reduction: 'none' }).data;
      const b = losses.binaryCrossEntropyWithLogits.value({ input, target }, { reduction: 'none' }).data;
      for (let i = 0; i < f.length; i++)
        assert.ok(f[i] <= b[i] * (1 + 1e-15), `element ${i}: focal ${f[i]} > BCE ${b[i]}`);
    }),
  );
});

test('alpha weighs positives by α and negatives by 1 − α', () => {
  fc.assert(
    fc.property(batch(hardTarget), fc.double({ min: 0, max: 1, noNaN: true }), (pairs, alpha) => {
      const input = pairs.map(([x]) => x);
      const target = pairs.map(([, y]) => y);
      const weighted = focal(input, target, { alpha, reduction: 'none' }).data;
      const plain = focal(input, target, { alpha: null, reduction: 'none' }).data;
      const expected = Array.from(plain, (v, i) => v * (target[i] === 1 ? alpha : 1 - alpha));
      assertClose(
        { shape: [expected.length], data: weighted },
        { shape: [expected.length], data: expected },
        { rtol: 1e-15, atol: 1e-300 },
        'value',
      );
    }),
  );
});

test('fromLogits false on σ(x) equals fromLogits true on x, value and gradient (chain rule)', () => {
  fc.assert(
    fc.property(batch(softTarget), fc.double({ min: 0, max: 4, noNaN: true }), (pairs, gamma) => {
      const logits = pairs.map(([x]) => Math.max(-10, Math.min(10, x)));
      const target = pairs.map(([, y]) => y);
      const probs = logits.map(sigmoid);
      const onProbs = entry.valueAndGrad(
        { input: probs, target },
        { gamma, fromLogits: false, reduction: 'none' },
      );
      const onLogits = entry.valueAndGrad({ input: logits, target }, { gamma, reduction: 'none' });
      assertClose(onProbs.value, onLogits.value, { rtol: 1e-8, atol: 1e-13 }, 'value');
      const chained = Array.from(onProbs.grads.input.data, (g, i) => g * probs[i] * (1 - probs[i]));
      assertClose(
        { shape: [chained.length], data: chained },
        onLogits.grads.input,
        { rtol: 1e-7, atol: 1e-13 },
        'grad',
      );
    }),
  );
});

test("focal 'mean' equals the mean of 'none'", () => {
  fc.assert(
    fc.property(batch(softTarget), fc.boolean(), (pairs, fromLogits) => {
      const input = pairs.map(([x]) => (fromLogits ? x : sigmoid(x)));
      const target = pairs.map(([, y]) => y);
      const units = focal(input, target, { fromLogits, reduction: 'none' }).data;
      assertClose(
        focal(input, target, { fromLogits }),
        { shape: [], data: [sum(units) / units.length] },
        { rtol: 1e-12, atol: 1e-15 },
        'mean',
      );
    }),
  );
});

test('focal gradient matches central differences with soft targets, gamma 0.5 and 1.5, logits and probabilities', () => {
  const shape = [2, 3];
  const target = { shape, data: [1, 0, 0.3, 0.8, 1, 0] };
  const upstream = { shape, data: [1, -2, 0.5, 3, 1, -1] };
  for (const gamma of [0.5, 1.5]) {
    gradcheck(
      entry as never,
      { input: { shape, data: [0.7, -1.2, 2, 0.1, -0.4, 1.3] }, target },
      { gamma, reduction: 'none' },
      upstream,
    );
    gradcheck(
      entry as never,
      { input: { shape, data: [0.7, 0.2, 0.9, 0.1, 0.4, 0.55] }, target },
      { gamma, alpha: 0.6, fromLogits: false, reduction: 'none' },
      upstream,
    );
  }
});

test('with fromLogits false a probability outside [0, 1] is an error naming its value and index; logits may be any number', () => {
  rejects(
    () =>
      focal(
        [
          [0.5, 1.2],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
        { fromLogits: false },
      ),
    'input',
    /probability 1\.2 at index \[0, 1\] is outside \[0, 1\]/,
  );
  assert.ok(
    Number.isFinite(
      focal(
        [
          [0.5, 1.2],
          [0, 1],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ).item(),
    ),
  );
});

test('a target outside [0, 1] is an error naming its value and index', () => {
  rejects(
    () => focal([0.5, 1, 2], [1, 0, -0.1]),
    'target',
    /target -0\.1 at index \[2\] is outside \[0, 1\]/,
  );
});

test('alpha outside [0, 1] and a negative gamma are errors', () => {
  rejects(() => focal([0.5], [1], { alpha: 1.5 }), 'options.alpha', />= 0 and <= 1, or null, got 1\.5/);
  rejects(() => focal([0.5], [1], { gamma: -1 }), 'options.gamma', />= 0/);
});

test('inputs of different shapes are an error naming both shapes', () => {
  rejects(() => focal([0.5, 3], [[1], [0]]), 'target', /\[2, 1\] does not match input shape \[2\]/);
});

test('a NaN or infinite logit anywhere is named, with no separate finite scan (ce holds x itself), at targets 0, 1 and soft, for several alpha and gamma', () => {
  assertNonFiniteNamed(losses.focal as unknown as LossEntry, 'input', logitsAndTargets, [
    {},
    { alpha: null },
    { alpha: 1 },
    { alpha: 0 },
    { gamma: 0.5 },
    { gamma: 0 },
    { reduction: 'none' },
  ]);
});

test('a target outside [0, 1], NaN or infinite is named, large float32 (checked inside the SIMD pass, the tail included) or not; -0 is a valid target', () => {
  assertTargetRangeNamed(losses.focal as unknown as LossEntry);
});
