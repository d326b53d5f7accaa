import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { clipContrastive, clipContrastiveLoss, type LossEntry } from '../../index.js';

const entry = clipContrastiveLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('clipContrastive');

function rows(seed: number, n: number, d: number): number[][] {
  const r = random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 3 * r() - 1.5));
}

const flat = (x: number[][]) => ({ shape: [x.length, x[0].length], data: Float64Array.from(x.flat()) });

/**
 * CLIP's figure 3 written out: logits[i][j] = Ĩᵢ·T̃_j/τ, the cross-entropy of each row against
 * its diagonal entry and of each column against its diagonal entry, each a mean over N, averaged.
 */
function bruteForce(image: number[][], text: number[][], tau: number, normalize: boolean): number {
  const prep = (x: number[][]) =>
    x.map((row) => {
      const norm = normalize ? Math.max(Math.hypot(...row), 1e-6) : 1;
      return row.map((v) => v / norm);
    });
  const a = prep(image);
  const b = prep(text);
  const n = a.length;
  const logit = (i: number, j: number) => a[i].reduce((acc, v, k) => acc + v * b[j][k], 0) / tau;
  const crossEntropy = (scores: number[], target: number) => {
    const m = Math.max(...scores);
    return m + Math.log(scores.reduce((acc, v) => acc + Math.exp(v - m), 0)) - scores[target];
  };
  let imageToText = 0;
  let textToImage = 0;
  for (let i = 0; i < n; i++) {
    imageToText += crossEntropy(
      a.map((_, j) => logit(i, j)),
      i,
    );
    textToImage += crossEntropy(
      a.map((_, j) => logit(j, i)),
      i,
    );
  }
  return (imageToText / n + textToImage / n) / 2;
}

const image = rows(31, 5, 4);
const text = rows(32, 5, 4);

describe('clipContrastive', () => {
  test("equals CLIP's symmetric cross-entropy written out, normalised or raw", () => {
    for (const [temperature, normalize] of [
      [0.07, true],
      [1, true],
      [0.5, false],
    ] as const) {
      assertClose(
        { shape: [], data: [clipContrastive(image, text, { temperature, normalize }).item()] },
        { shape: [], data: [bruteForce(image, text, temperature, normalize)] },
        { rtol: 1e-12, atol: 1e-12 },
        `τ ${temperature} normalize ${normalize}`,
      );
    }
  });

  test('is symmetric: swapping the two batches gives the same value and swaps the gradients', () => {
    const ab = clipContrastiveLoss.valueAndGrad({ imageEmbeddings: image, textEmbeddings: text });
    const ba = clipContrastiveLoss.valueAndGrad({ imageEmbeddings: text, textEmbeddings: image });
    assertClose(ba.value, ab.value, { rtol: 1e-14, atol: 0 }, 'value');
    assertClose(ba.grads.imageEmbeddings, ab.grads.textEmbeddings, { rtol: 1e-12, atol: 1e-14 }, 'grads');
    assertClose(ba.grads.textEmbeddings, ab.grads.imageEmbeddings, { rtol: 1e-12, atol: 1e-14 }, 'grads');
  });

  test('a perfectly aligned batch at a low temperature has a loss near 0; an empty batch gives 0', () => {
    const eye = [
      [1, 0, 0],
      [0, 2, 0],
      [0, 0, 3],
    ];
    assert.ok(clipContrastive(eye, eye, { temperature: 0.01 }).item() < 1e-40);
    const empty = clipContrastiveLoss.valueAndGrad({
      imageEmbeddings: { shape: [0, 4], data: [] },
      textEmbeddings: { shape: [0, 4], data: [] },
    });
    assert.equal(empty.value.item(), 0);
  });

  test('analytic gradients equal central differences for every option, with an upstream', () => {
    for (const options of [
      {},
      { temperature: 0.5 },
      { temperature: 2, normalize: false },
      { normalize: false },
    ]) {
      gradcheck(entry, { imageEmbeddings: flat(image), textEmbeddings: flat(text) }, options);
      gradcheck(entry, { imageEmbeddings: flat(image), textEmbeddings: flat(text) }, options, {
        shape: [],
        data: [-2.5],
      });
    }
  });

  test('a zero row, huge and subnormal rows, and logits of ±1e4 stay finite, in float64 and float32', () => {
    const zero = image.map((r, i) => (i === 1 ? [0, 0, 0, 0] : r));
    const huge = image.map((r, i) => (i === 2 ? r.map((v) => v * 1e300) : r));
    const tiny = image.map((r, i) => (i === 3 ? [5e-324, 0, -5e-324, 0] : r));
    for (const x of [zero, huge, tiny]) {
      for (const temperature of [0.07, 1e-4]) {
        for (const f32 of [false, true]) {
          if (f32 && x === huge) continue;
          const make = (v: number[][]) => ({
            shape: [5, 4],
            data: f32 ? Float32Array.from(v.flat()) : Float64Array.from(v.flat()),
          });
          const r = clipContrastiveLoss.valueAndGrad(
            { imageEmbeddings: make(x), textEmbeddings: make(text) },
            { temperature },
          );
          assertAllFinite(r.value, 'value');
          assertAllFinite(r.grads.imageEmbeddings, 'grads.imageEmbeddings');
          assertAllFinite(r.grads.textEmbeddings, 'grads.textEmbeddings');
        }
      }
    }
    assertClose(
      { shape: [], data: [clipContrastive(huge, text, { temperature: 1e-4 }).item()] },
      { shape: [], data: [bruteForce(image, text, 1e-4, true)] },
      { rtol: 1e-10, atol: 1e-8 },
      'τ = 1e-4 with a row scaled by 1e300',
    );
  });

  test('bad inputs are LossInputErrors naming the argument', () => {
    rejects(() => clipContrastive([1, 2], [1, 2]), 'imageEmbeddings', /must have shape \[N, D\], got \[2\]/);
    rejects(
      () => clipContrastive(image, text.slice(0, 4)),
      'textEmbeddings',
      /shape \[4, 4\] does not match imageEmbeddings shape \[5, 4\]/,
    );
    rejects(() => clipContrastive(image, text, { temperature: -0.1 }), 'options.temperature', /> 0/);
    rejects(
      () => clipContrastive(image, text, { normalize: 1 as unknown as boolean }),
      'options.normalize',
      /must be true or false/,
    );
    // Raw dot products of 1e200- and 1e199-sized rows overflow: the larger input is named.
    rejects(
      () =>
        clipContrastive(
          image.map((r) => r.map((v) => v * 1e200)),
          text.map((r) => r.map((v) => v * 1e199)),
          { normalize: false },
        ),
      'imageEmbeddings',
      /overflow/,
    );
  });
});
