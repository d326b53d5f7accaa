import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, lovaszHinge, lovaszHingeLoss } from '../../index.js';

const check = inputTargetGradcheck(lovaszHingeLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('lovaszHinge');

/**
 * The Lovász extension from its definition, as a Choquet integral over thresholds: for errors
 * m ≥ 0, f(m) = Σ_k (t_k − t_{k+1})·Δ({i : mᵢ ≥ t_k}) over the distinct values t₁ > t₂ > … of m
 * (t_{K+1} = 0), with Δ(M) = 1 − |y ∖ M|/(|y| + |M ∖ y|) the Jaccard loss of the mistake set M
 * (Δ(∅) = 0). No sort of elements and no Lovász gradient: only set evaluations.
 */
function extensionByThresholds(errors: readonly number[], fg: readonly number[]): number {
  const m = errors.map((e) => Math.max(e, 0));
  const positives = fg.reduce((a, b) => a + b, 0);
  const jaccardLoss = (t: number) => {
    let kept = 0; // foreground outside the mistake set
    let extra = 0; // background inside it
    for (let i = 0; i < m.length; i++) {
      const mistake = m[i] >= t;
      if (fg[i] === 1 && !mistake) kept++;
      if (fg[i] === 0 && mistake) extra++;
    }
    const union = positives + extra;
    return union === 0 ? 0 : 1 - kept / union;
  };
  const thresholds = [...new Set(m.filter((v) => v > 0))].sort((a, b) => b - a);
  let value = 0;
  thresholds.forEach((t, k) => {
    value += (t - (thresholds[k + 1] ?? 0)) * jaccardLoss(t);
  });
  return value;
}

/** The loss of `x` [N, n] and `y` by the definition: one group, or the mean of per-row groups. */
function reference(x: number[][], y: number[][], perImage: boolean): number {
  const errors = x.map((row, n) => row.map((v, i) => 1 - v * (2 * y[n][i] - 1)));
  if (!perImage) return extensionByThresholds(errors.flat(), y.flat());
  return errors.reduce((s, e, n) => s + extensionByThresholds(e, y[n]), 0) / x.length;
}

function randomCase(seed: number, rows: number, cols: number) {
  const r = random(seed);
  const x = Array.from({ length: rows }, () => Array.from({ length: cols }, () => 4 * r() - 2));
  const y = Array.from({ length: rows }, () => Array.from({ length: cols }, () => (r() < 0.4 ? 1 : 0)));
  return { x, y };
}

describe('lovaszHinge', () => {
  test('equals the Lovász extension of the Jaccard loss computed from its definition (threshold sets), pooled and per image', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { x, y } = randomCase(seed, 3, 7);
      for (const perImage of [false, true]) {
        const value = lovaszHinge(x, y, { perImage }).item();
        assert.ok(
          Math.abs(value - reference(x, y, perImage)) <= 1e-12,
          `seed ${seed} perImage ${perImage}: ${value} vs ${reference(x, y, perImage)}`,
        );
      }
    }
  });

  test('one foreground pixel is the hinge max(0, 1 − x); with a background pixel the extension weighs its error by the IoU it costs', () => {
    assert.equal(lovaszHinge([[0.25]], [[1]]).item(), 0.75);
    assert.equal(lovaszHinge([[3]], [[1]]).item(), 0);
    // Errors −1, 0 and 1.5: only the background pixel (1.5) is wrong, and it halves the IoU.
    assert.equal(lovaszHinge([[2, -1, 0.5]], [[1, 0, 0]]).item(), 0.75);
  });

  test('gradients match central differences, pooled, per image and with an upstream', () => {
    const { x, y } = randomCase(7, 3, 5);
    check(x, y);
    check(x, y, { perImage: true });
    check(x, y, { perImage: true }, 2.5);
    check(
      [
        [
          [0.3, -1.2],
          [2.2, 0.1],
        ],
      ],
      [
        [
          [1, 0],
          [0, 1],
        ],
      ],
    );
  });

  test('pixels beyond the margin get no gradient; equal errors sort by ascending index (a stable sort), the value does not depend on it', () => {
    // Errors 1, 1 (a tie) and −4, two foreground pixels (p = 2). Stable order: pixel 0
    // (foreground) first, J = 1 − 1/2, then pixel 1 (background), J = 1 − 1/3: slopes 1/2, 1/6.
    const { value, grads } = lovaszHingeLoss.valueAndGrad({ input: [[0, 0, 5]], target: [[1, 0, 1]] });
    assertClose(
      value,
      { shape: [], data: [extensionByThresholds([1, 1, -4], [1, 0, 1])] },
      { rtol: 1e-15, atol: 0 },
      'tie value',
    );
    assertClose(
      grads.input,
      { shape: [1, 3], data: [-0.5, 1 / 6, 0] },
      { rtol: 0, atol: 1e-15 },
      'tie grads',
    );
    // Foreground and background swapped between the tied pixels: the background one now comes
    // first (J = 1/3, then 2/3), the same value with the other subgradient.
    const swapped = lovaszHingeLoss.valueAndGrad({ input: [[0, 0, 5]], target: [[0, 1, 1]] });
    assertClose(
      swapped.value,
      { shape: [], data: [value.item()] },
      { rtol: 1e-15, atol: 0 },
      'swapped value',
    );
    assertClose(
      swapped.grads.input,
      { shape: [1, 3], data: [1 / 3, -1 / 3, 0] },
      { rtol: 0, atol: 1e-15 },
      'swapped grads',
    );
  });

  test('an empty batch, or a batch of empty images, gives 0 with an empty gradient', () => {
    const { value, grads } = lovaszHingeLoss.valueAndGrad(
      { input: { shape: [0, 3], data: [] }, target: { shape: [0, 3], data: [] } },
      { perImage: true },
    );
    assert.equal(value.item(), 0);
    assert.equal(grads.input.size, 0);
    assert.equal(lovaszHinge({ shape: [2, 0], data: [] }, { shape: [2, 0], data: [] }).item(), 0);
  });

  test('logits of ±1e4 and ±1e300 give finite values and gradients, in float64 and float32', () => {
    for (const big of [1e4, 1e300]) {
      const input = [
        [big, -big, big],
        [-big, big, 0.5],
      ];
      const target = [
        [0, 1, 1],
        [0, 0, 1],
      ];
      for (const perImage of [false, true]) {
        const { value, grads } = lovaszHingeLoss.valueAndGrad({ input, target }, { perImage });
        assertAllFinite(value, `value ${big}`);
        assertAllFinite(grads.input, `grads ${big}`);
        assert.ok(Math.abs(value.item() - reference(input, target, perImage)) <= 1e-12 * big);
      }
    }
    const f32 = lovaszHingeLoss.valueAndGrad({
      input: { shape: [1, 3], data: new Float32Array([3e38, -3e38, 1]) },
      target: { shape: [1, 3], data: new Float32Array([0, 0, 1]) },
    });
    assert.equal(f32.value.dtype, 'float32');
    assertAllFinite(f32.value, 'float32 value');
    assertAllFinite(f32.grads.input, 'float32 grads');
  });

  test('a target other than 0 or 1 is an error naming its value and index', () => {
    rejects(
      () => lovaszHinge([[0.5, 0.5]], [[1, 0.5]]),
      'target',
      /label 0.5 at index \[0, 1\] must be 0 or 1/,
    );
    rejects(
      () => lovaszHinge([[0.5, 0.5]], [[1, -1]]),
      'target',
      /label -1 at index \[0, 1\] must be 0 or 1/,
    );
  });

  test('mismatched shapes, a 0-d input and a non-boolean perImage are errors naming the argument', () => {
    rejects(
      () => lovaszHinge([[0.5, 0.5]], [[1], [0]]),
      'target',
      /shape \[2, 1\] does not match input shape \[1, 2\]/,
    );
    rejects(() => lovaszHinge(0.5, 1), 'input', /must have shape \[N, \.\.\.\], got \[\]/);
    rejects(
      () => lovaszHinge([[0.5]], [[1]], { perImage: 1 as never }),
      'options.perImage',
      /must be true or false/,
    );
  });
});
