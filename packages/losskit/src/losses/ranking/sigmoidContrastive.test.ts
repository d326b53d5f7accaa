import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, sigmoidContrastive, sigmoidContrastiveLoss } from '../../index.js';

const entry = sigmoidContrastiveLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('sigmoidContrastive');

function rows(seed: number, n: number, d: number): number[][] {
  const r = random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 3 * r() - 1.5));
}

const flat = (x: number[][]) => ({ shape: [x.length, x[0].length], data: Float64Array.from(x.flat()) });

/**
 * SigLIP's algorithm 1 written out: logits = scale·Ĩ·T̃ᵀ + bias, labels 2·eye − 1,
 * −Σ log σ(labels·logits) / N, with log σ(v) = −log(1 + e^(−v)) (log1p of an exp that stays
 * below e^40 on these inputs).
 */
function bruteForce(
  image: number[][],
  text: number[][],
  scale: number,
  bias: number,
  normalize: boolean,
): number {
  const prep = (x: number[][]) =>
    x.map((row) => {
      const norm = normalize ? Math.max(Math.hypot(...row), 1e-6) : 1;
      return row.map((v) => v / norm);
    });
  const a = prep(image);
  const b = prep(text);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const logit = scale * a[i].reduce((acc, v, k) => acc + v * b[j][k], 0) + bias;
      const z = i === j ? 1 : -1;
      total += Math.log1p(Math.exp(-z * logit));
    }
  }
  return total / a.length;
}

const image = rows(41, 4, 3);
const text = rows(42, 4, 3);

describe('sigmoidContrastive', () => {
  test("equals SigLIP's pairwise sigmoid loss written out, for default, custom and raw settings", () => {
    for (const [scale, bias, normalize] of [
      [10, -10, true],
      [2, 0.5, true],
      [1.5, -0.3, false],
      [0, 0, true],
    ] as const) {
      assertClose(
        { shape: [], data: [sigmoidContrastive(image, text, { scale, bias, normalize }).item()] },
        { shape: [], data: [bruteForce(image, text, scale, bias, normalize)] },
        { rtol: 1e-12, atol: 1e-12 },
        `scale ${scale} bias ${bias} normalize ${normalize}`,
      );
    }
  });

  test('divides the sum over all N² pairs by N (not N²): scale 0, bias 0 gives N·log 2', () => {
    assertClose(
      { shape: [], data: [sigmoidContrastive(image, text, { scale: 0, bias: 0 }).item()] },
      { shape: [], data: [4 * Math.LN2] },
      { rtol: 1e-15, atol: 0 },
      'N log 2',
    );
    const empty = sigmoidContrastiveLoss.valueAndGrad({
      imageEmbeddings: { shape: [0, 3], data: [] },
      textEmbeddings: { shape: [0, 3], data: [] },
    });
    assert.equal(empty.value.item(), 0);
  });

  test('analytic gradients equal central differences for every option, with an upstream', () => {
    for (const options of [
      {},
      { scale: 3, bias: 1 },
      { scale: 1.5, bias: -0.3, normalize: false },
      { normalize: false },
    ]) {
      gradcheck(entry, { imageEmbeddings: flat(image), textEmbeddings: flat(text) }, options);
      gradcheck(entry, { imageEmbeddings: flat(image), textEmbeddings: flat(text) }, options, {
        shape: [],
        data: [0.3],
      });
    }
  });

  test('logits of ±1e4 (scale 1e4), a zero row and huge rows stay finite, in float64 and float32', () => {
    const zero = image.map((r, i) => (i === 0 ? [0, 0, 0] : r));
    const huge = image.map((r, i) => (i === 1 ? r.map((v) => v * 1e300) : r));
    for (const x of [zero, huge, image]) {
      for (const options of [{}, { scale: 1e4, bias: -1e4 }]) {
        for (const f32 of [false, true]) {
          if (f32 && x === huge) continue;
          const make = (v: number[][]) => ({
            shape: [4, 3],
            data: f32 ? Float32Array.from(v.flat()) : Float64Array.from(v.flat()),
          });
          const r = sigmoidContrastiveLoss.valueAndGrad(
            { imageEmbeddings: make(x), textEmbeddings: make(text) },
            options,
          );
          assertAllFinite(r.value, 'value');
          assertAllFinite(r.grads.imageEmbeddings, 'grads.imageEmbeddings');
          assertAllFinite(r.grads.textEmbeddings, 'grads.textEmbeddings');
        }
      }
    }
    // Logits of 1e4: the value is still the definition's (no overflow of e^(−z·x)).
    const got = sigmoidContrastive(image, text, { scale: 1e4, bias: 0 }).item();
    assertClose(
      { shape: [], data: [got] },
      { shape: [], data: [bruteForceStable(image, text, 1e4)] },
      { rtol: 1e-12, atol: 1e-9 },
      'scale 1e4',
    );
  });

  test('float32 embeddings give float32 results close to float64', () => {
    const f64 = sigmoidContrastiveLoss.valueAndGrad({
      imageEmbeddings: flat(image),
      textEmbeddings: flat(text),
    });
    const f32 = sigmoidContrastiveLoss.valueAndGrad({
      imageEmbeddings: { shape: [4, 3], data: Float32Array.from(image.flat()) },
      textEmbeddings: { shape: [4, 3], data: Float32Array.from(text.flat()) },
    });
    assert.equal(f32.value.dtype, 'float32');
    assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-6 }, 'value');
    assertClose(f32.grads.textEmbeddings, f64.grads.textEmbeddings, { rtol: 1e-4, atol: 1e-5 }, 'grads');
  });

  test('bad inputs are LossInputErrors naming the argument', () => {
    rejects(() => sigmoidContrastive([[[1]]], [[[1]]]), 'imageEmbeddings', /must have shape \[N, D\]/);
    rejects(
      () => sigmoidContrastive(image, [[1, 2, 3]]),
      'textEmbeddings',
      /shape \[1, 3\] does not match imageEmbeddings shape \[4, 3\]/,
    );
    rejects(() => sigmoidContrastive(image, text, { scale: Number.NaN }), 'options.scale', /finite number/);
    rejects(
      () => sigmoidContrastive(image, text, { bias: Number.POSITIVE_INFINITY }),
      'options.bias',
      /finite number/,
    );
    // A bias of 1e308 makes N² − N pair losses of 1e308 each: an overflow, named.
    rejects(() => sigmoidContrastive(image, text, { bias: 1e308 }), 'options.bias', /overflow/);
  });
});

/** The same written with softplus(v) = max(v, 0) + log1p(e^(−|v|)), which holds for logits of any size. */
function bruteForceStable(image: number[][], text: number[][], scale: number): number {
  const unit = (x: number[][]) => x.map((row) => row.map((v) => v / Math.hypot(...row)));
  const a = unit(image);
  const b = unit(text);
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < b.length; j++) {
      const logit = scale * a[i].reduce((acc, v, k) => acc + v * b[j][k], 0);
      const v = (i === j ? -1 : 1) * logit;
      total += Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  }
  return total / a.length;
}
