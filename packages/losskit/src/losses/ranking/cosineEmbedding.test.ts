import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { cosineEmbedding, cosineEmbeddingLoss, type LossEntry } from '../../index.js';

/** Central-difference check of cosineEmbeddingLoss on plain nested arrays. */
const check = nestedGradcheck(cosineEmbeddingLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('cosineEmbedding');

const input1 = [
  [0.1, -0.4, 0.9],
  [1.2, 0.3, -0.7],
  [-0.5, 0.8, 0.2],
  [0.6, 0.1, -0.3],
];
const input2 = [
  [0.4, -0.1, 0.5],
  [0.9, 0.9, -0.2],
  [-0.2, 0.1, 0.6],
  [-0.6, 0.2, 0.4],
];
const target = [1, -1, -1, 1];

describe('cosineEmbedding', () => {
  test("zero and tiny vectors follow torch's guard, float32 1e-12 added to each squared norm (PyTorch 1.13 values)", () => {
    // torch: F.cosine_embedding_loss(a, b, [1, 1, -1], margin=-0.5, reduction='none') with the
    // upstream [1, 2, -1]: a zero input1, two tiny parallel rows (cos = 1e-14/(1e-14 + 1e-12)),
    // and a zero input2 on a dissimilar pair (cos = 0 > margin).
    const { value, grads } = cosineEmbeddingLoss.valueAndGrad(
      {
        input1: [
          [0, 0, 0],
          [1e-7, 0, 0],
          [0.3, -0.2, 0.5],
        ],
        input2: [
          [0.5, -1, 2],
          [1e-7, 0, 0],
          [0, 0, 0],
        ],
        target: [1, 1, -1],
      },
      { margin: -0.5, reduction: 'none' },
      [1, 2, -1],
    );
    const tol = { rtol: 1e-12, atol: 1e-12 };
    assertClose(value, { shape: [3], data: [1, 0.9900990098618194, 0.5] }, tol, 'value');
    assertClose(
      grads.input1,
      {
        shape: [3, 3],
        data: [
          -218217.89067194943, 436435.78134389885, -872871.5626877977, -196059.21064928497, 0, 0, 0, 0, 0,
        ],
      },
      { rtol: 1e-10, atol: 1e-10 },
      'grads.input1',
    );
    assertClose(
      grads.input2,
      {
        shape: [3, 3],
        data: [0, 0, 0, -196059.21064928497, 0, 0, -486664.26436395454, 324442.842909303, -811107.1072732576],
      },
      { rtol: 1e-10, atol: 1e-10 },
      'grads.input2',
    );
  });

  test('rescaling a row leaves the value unchanged and divides its gradient by the scale, up to rows of 1e300', () => {
    const base = cosineEmbeddingLoss.valueAndGrad(
      { input1, input2, target },
      { margin: 0.1, reduction: 'none' },
    );
    for (const scale of [1e3, 1e150, 1e300]) {
      const scaled = input1.map((row) => row.map((v) => v * scale));
      const r = cosineEmbeddingLoss.valueAndGrad(
        { input1: scaled, input2, target },
        { margin: 0.1, reduction: 'none' },
      );
      assertClose(r.value, base.value, { rtol: 1e-12, atol: 1e-12 }, `value (scale ${scale})`);
      const g = Array.from(r.grads.input1.data, (v) => v * scale);
      // The 1e-12 guard moves gradients of unit-scale rows by about 1e-12.
      assertClose(
        { shape: [4, 3], data: g },
        base.grads.input1,
        { rtol: 1e-10, atol: 1e-10 },
        `grads.input1 × ${scale}`,
      );
      assertClose(
        r.grads.input2,
        base.grads.input2,
        { rtol: 1e-10, atol: 1e-10 },
        `grads.input2 (scale ${scale})`,
      );
    }
  });

  test('rows at ±1e308 in float64 and ±3e38 in float32 give finite values and gradients', () => {
    for (const [big, make] of [
      [1e308, (v: number[]) => Float64Array.from(v)],
      [3e38, (v: number[]) => Float32Array.from(v)],
    ] as const) {
      const a = { shape: [2, 4], data: make([big, -big, big, big, 1, 2, 3, 4]) };
      const b = { shape: [2, 4], data: make([big, big, -big, big, -big, 0, big, 1]) };
      const { value, grads } = cosineEmbeddingLoss.valueAndGrad({ input1: a, input2: b, target: [1, -1] });
      assertAllFinite(value, `value (${big})`);
      assertAllFinite(grads.input1, `grads.input1 (${big})`);
      assertAllFinite(grads.input2, `grads.input2 (${big})`);
      // Row 0: cos = (1 − 1 − 1 + 1)/4 = 0, so 1 − cos = 1; row 1: cos((1,2,3,4), (−1,0,1,0)) > 0.
      const cos1 = (-1 + 3) / (Math.sqrt(30) * Math.sqrt(2));
      assertClose(value, { shape: [], data: [(1 + cos1) / 2] }, { rtol: 1e-6, atol: 1e-6 }, 'value');
    }
  });

  test('an unbatched [D] pair with a 0-d target gives a 0-d value equal to the one-row batch', () => {
    const one = cosineEmbedding(input1[1], input2[1], -1, { reduction: 'none', margin: -0.2 });
    const batch = cosineEmbedding([input1[1]], [input2[1]], [-1], { reduction: 'none', margin: -0.2 });
    assert.deepEqual(one.shape, []);
    assert.equal(one.item(), batch.data[0]);
  });

  test('gradients match central differences for mixed targets, margins and an upstream', () => {
    check({ input1, input2, target });
    check({ input1, input2, target }, { margin: -0.6, reduction: 'sum' });
    check({ input1, input2, target }, { margin: 0.5, reduction: 'none' }, [1, -2, 0.5, 3]);
    check({ input1: input1[2], input2: input2[2], target: 1 }, { reduction: 'none' }, 2.5);
  });

  test('an empty batch has mean 0', () => {
    const empty = { shape: [0, 3], data: [] };
    assert.equal(cosineEmbedding(empty, empty, { shape: [0], data: [] }).item(), 0);
  });

  test('a target other than −1 or 1 is an error naming its value and index', () => {
    rejects(
      () => cosineEmbedding(input1, input2, [1, 0, 1, 1]),
      'target',
      /label 0 at index \[1\] must be -1 or 1/,
    );
  });

  test('bad shapes are errors naming them: rank, input2 against input1, one label per row', () => {
    rejects(
      () => cosineEmbedding([[[0]]], [[[0]]], [1]),
      'input1',
      /must have shape \[N, D\] or \[D\], got \[1, 1, 1\]/,
    );
    rejects(
      () => cosineEmbedding(input1, [[1, 2, 3]], target),
      'input2',
      /shape \[1, 3\] does not match input1 shape \[4, 3\]/,
    );
    rejects(
      () => cosineEmbedding(input1, input2, [[1], [1], [1], [1]]),
      'target',
      /shape \[4, 1\] does not match input1 shape \[4, 3\]: expected one label per row, \[4\]/,
    );
  });

  test('a margin outside [−1, 1] (the range of a cosine) is an error', () => {
    rejects(
      () => cosineEmbedding(input1, input2, target, { margin: 1.5 }),
      'options.margin',
      /must be a finite number >= -1 and <= 1, got 1.5/,
    );
  });
});
