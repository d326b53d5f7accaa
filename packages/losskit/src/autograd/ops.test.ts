// Every op's first derivatives against central finite differences in float64, plus forward
// values where a reference is simple to write down.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LossInputError, type Tensor, ops, tensor } from '../index.js';
import { assertClose } from '../../../../test/helpers/assert-close.js';
import { checkFirstDerivatives, sample } from '../../../../test/training/check-gradients.js';

const cases: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
  ['add (same shape)', ops.add, [sample([3, 4], 1), sample([3, 4], 2)]],
  ['add (broadcast [3, 4] + [4])', ops.add, [sample([3, 4], 1), sample([4], 2)]],
  ['add (broadcast [3, 1] + [1, 4])', ops.add, [sample([3, 1], 1), sample([1, 4], 2)]],
  ['sub (broadcast with a 0-d tensor)', ops.sub, [sample([2, 3], 1), sample([], 2)]],
  ['mul (broadcast [2, 3, 4] · [3, 1])', ops.mul, [sample([2, 3, 4], 1), sample([3, 1], 2)]],
  ['div (broadcast)', ops.div, [sample([3, 4], 1), sample([4], 2, 0.5, 2)]],
  ['neg', ops.neg, [sample([5], 1)]],
  ['square', ops.square, [sample([5], 1)]],
  ['pow (number exponent)', (x) => ops.pow(x, 3), [sample([5], 1)]],
  ['pow (tensor base and exponent)', ops.pow, [sample([4], 1, 0.5, 2), sample([4], 2)]],
  ['exp', ops.exp, [sample([5], 1)]],
  ['log', ops.log, [sample([5], 1, 0.2, 3)]],
  ['log1p', ops.log1p, [sample([5], 1, -0.5, 3)]],
  ['sqrt', ops.sqrt, [sample([5], 1, 0.2, 3)]],
  ['abs', ops.abs, [sample([6], 1)]],
  ['tanh', ops.tanh, [sample([6], 1, -3, 3)]],
  ['sigmoid', ops.sigmoid, [sample([6], 1, -5, 5)]],
  ['relu', ops.relu, [sample([6], 1)]],
  ['leakyRelu', (x) => ops.leakyRelu(x, 0.1), [sample([6], 1)]],
  ['softplus', ops.softplus, [sample([6], 1, -5, 5)]],
  ['clamp', (x) => ops.clamp(x, -0.5, 0.4), [sample([8], 1)]],
  ['where', (a, b) => ops.where(ops.greater(a, 0), a, b), [sample([3, 4], 1), sample([4], 2)]],
  ['maximum', ops.maximum, [sample([6], 1), sample([6], 2)]],
  ['minimum', ops.minimum, [sample([6], 1), sample([6], 2)]],
  ['sum (all)', (x) => ops.sum(x), [sample([3, 4], 1)]],
  ['sum (axis 0)', (x) => ops.sum(x, { axis: 0 }), [sample([3, 4], 1)]],
  [
    'sum (axes [0, 2], keepDims)',
    (x) => ops.sum(x, { axis: [0, 2], keepDims: true }),
    [sample([2, 3, 4], 1)],
  ],
  ['mean (last axis)', (x) => ops.mean(x, { axis: -1 }), [sample([3, 4], 1)]],
  ['max (axis 1)', (x) => ops.max(x, { axis: 1 }), [sample([3, 5], 1)]],
  ['min (all)', (x) => ops.min(x), [sample([3, 5], 1)]],
  ['logSumExp (last axis)', (x) => ops.logSumExp(x, { axis: -1 }), [sample([3, 5], 1, -3, 3)]],
  ['softmax', (x) => ops.softmax(x), [sample([3, 5], 1, -3, 3)]],
  ['logSoftmax (axis 0)', (x) => ops.logSoftmax(x, 0), [sample([3, 5], 1, -3, 3)]],
  ['matmul', ops.matmul, [sample([3, 4], 1), sample([4, 2], 2)]],
  ['matmul (batched)', ops.matmul, [sample([2, 3, 4], 1), sample([2, 4, 5], 2)]],
  ['matmul (batch broadcast)', ops.matmul, [sample([2, 1, 3, 4], 1), sample([3, 4, 2], 2)]],
  [
    'matmulTransposed (Aᵀ B)',
    (a, b) => ops.matmulTransposed(a, b, true, false),
    [sample([4, 3], 1), sample([4, 2], 2)],
  ],
  [
    'matmulTransposed (A Bᵀ)',
    (a, b) => ops.matmulTransposed(a, b, false, true),
    [sample([3, 4], 1), sample([2, 4], 2)],
  ],
  [
    'matmulTransposed (Aᵀ Bᵀ)',
    (a, b) => ops.matmulTransposed(a, b, true, true),
    [sample([4, 3], 1), sample([2, 4], 2)],
  ],
  ['reshape', (x) => ops.reshape(x, [4, -1]), [sample([2, 3, 2], 1)]],
  ['transpose (default: last two axes)', (x) => ops.transpose(x), [sample([2, 3, 4], 1)]],
  ['transpose (perm)', (x) => ops.transpose(x, [2, 0, 1]), [sample([2, 3, 4], 1)]],
  ['slice', (x) => ops.slice(x, [1, 0, 1], [2, -1, 2]), [sample([3, 2, 4], 1)]],
  ['concat (axis 1)', (a, b) => ops.concat([a, b, a], 1), [sample([2, 3], 1), sample([2, 2], 2)]],
  [
    'gather (axis 0, repeated rows)',
    (x) =>
      ops.gather(
        x,
        [
          [2, 0],
          [2, 1],
        ],
        0,
      ),
    [sample([3, 4], 1)],
  ],
  ['gather (axis 1)', (x) => ops.gather(x, [3, 3, 0], 1), [sample([2, 4], 1)]],
  ['takeAlongAxis', (x) => ops.takeAlongAxis(x, [[1], [0], [2]], -1), [sample([3, 3], 1)]],
  ['broadcastTo', (x) => ops.broadcastTo(x, [2, 3, 4]), [sample([3, 1], 1)]],
  ['sumTo', (x) => ops.sumTo(x, [3, 1]), [sample([2, 3, 4], 1)]],
  ['expandDims and squeeze', (x) => ops.squeeze(ops.mul(ops.expandDims(x, 1), 2)), [sample([3, 2], 1)]],
  [
    'conv2d (stride 1, padding 1)',
    (x, w) => ops.conv2d(x, w, { padding: 1 }),
    [sample([2, 2, 5, 4], 1), sample([3, 2, 3, 3], 2)],
  ],
  [
    'conv2d (stride 2, no padding)',
    (x, w) => ops.conv2d(x, w, { stride: 2 }),
    [sample([1, 2, 6, 7], 1), sample([2, 2, 3, 2], 2)],
  ],
  [
    "conv2d ('same', stride [1, 1])",
    (x, w) => ops.conv2d(x, w, { padding: 'same' }),
    [sample([1, 1, 4, 4], 1), sample([2, 1, 3, 3], 2)],
  ],
  ['maxPool2d', (x) => ops.maxPool2d(x), [sample([2, 2, 4, 6], 1)]],
  [
    'maxPool2d (overlapping windows)',
    (x) => ops.maxPool2d(x, { kernel: 3, stride: 1 }),
    [sample([1, 1, 4, 5], 1)],
  ],
  ['avgPool2d', (x) => ops.avgPool2d(x, 2), [sample([2, 2, 4, 6], 1)]],
  ['upsample2d', (x) => ops.upsample2d(x, 2), [sample([1, 2, 2, 3], 1)]],
];

describe('first derivatives of every op equal central finite differences (float64)', () => {
  for (const [label, f, inputs] of cases) test(label, () => checkFirstDerivatives(label, f, inputs));
});

/** A direct conv2d for reference: every output as its defining sum. */
function naiveConv2d(x: Tensor, w: Tensor, stride: number, pad: number): number[] {
  const [n, c, h, wd] = x.shape;
  const [o, , kh, kw] = w.shape;
  const oh = Math.floor((h + 2 * pad - kh) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - kw) / stride) + 1;
  const out: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oc = 0; oc < o; oc++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = 0;
          for (let ic = 0; ic < c; ic++)
            for (let ky = 0; ky < kh; ky++)
              for (let kx = 0; kx < kw; kx++) {
                const y = i * stride + ky - pad;
                const xx = j * stride + kx - pad;
                if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
                s += x.data[((b * c + ic) * h + y) * wd + xx] * w.data[((oc * c + ic) * kh + ky) * kw + kx];
              }
          out.push(s);
        }
  return out;
}

describe('forward values', () => {
  test('elementwise arithmetic broadcasts like numpy', () => {
    assert.deepEqual(ops.add(tensor([[1], [2]]), tensor([10, 20, 30])).toArray(), [
      [11, 21, 31],
      [12, 22, 32],
    ]);
    assert.deepEqual(ops.sub(5, tensor([1, 2])).toArray(), [4, 3]);
    assert.throws(
      () => ops.add(tensor([1, 2, 3]), tensor([1, 2])),
      (e) => e instanceof LossInputError && /do not broadcast/.test(e.message),
    );
  });

  test('matmul equals the textbook product, also batched with broadcast batch axes', () => {
    assert.deepEqual(
      ops
        .matmul(
          tensor([
            [1, 2],
            [3, 4],
          ]),
          tensor([
            [5, 6],
            [7, 8],
          ]),
        )
        .toArray(),
      [
        [19, 22],
        [43, 50],
      ],
    );
    const a = sample([2, 1, 2, 3], 3);
    const b = sample([4, 3, 2], 4);
    const c = ops.matmul(a, b);
    assert.deepEqual([...c.shape], [2, 4, 2, 2]);
    const ref = (p: number, q: number, i: number, j: number) => {
      let s = 0;
      for (let k = 0; k < 3; k++) s += a.data[p * 6 + i * 3 + k] * b.data[q * 6 + k * 2 + j];
      return s;
    };
    assert.ok(Math.abs(c.data[((1 * 4 + 2) * 2 + 1) * 2 + 0] - ref(1, 2, 1, 0)) < 1e-12);
    assert.throws(() => ops.matmul(tensor([[1, 2]]), tensor([[1, 2]])), /inner dimensions differ/);
  });

  test('conv2d equals the direct sum, with stride and padding', () => {
    const x = sample([2, 3, 7, 6], 5);
    const w = sample([4, 3, 3, 3], 6);
    for (const [stride, padding] of [
      [1, 0],
      [1, 1],
      [2, 1],
      [3, 2],
    ]) {
      const y = ops.conv2d(x, w, { stride, padding });
      const ref = naiveConv2d(x, w, stride, padding);
      assertClose(
        y,
        { shape: y.shape, data: ref },
        { rtol: 1e-12, atol: 1e-12 },
        `conv2d stride ${stride} padding ${padding}`,
      );
    }
  });

  test('softmax rows sum to one and logSumExp stays finite for logits of ±1e4', () => {
    const p = ops.softmax(
      tensor([
        [1e4, 0, -1e4],
        [1, 2, 3],
      ]),
    );
    for (const row of p.toArray() as number[][])
      assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-12);
    assert.equal(ops.logSumExp(tensor([1e4, 1e4])).item(), 1e4 + Math.log(2));
    assert.equal(ops.logSumExp(tensor([-1e4, -1e4])).item(), -1e4 + Math.log(2));
  });

  test('pooling and upsampling move the values they should', () => {
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [1, 1, 4, 4]);
    assert.deepEqual(ops.maxPool2d(x).toArray(), [
      [
        [
          [6, 8],
          [14, 16],
        ],
      ],
    ]);
    assert.deepEqual(ops.avgPool2d(x).toArray(), [
      [
        [
          [3.5, 5.5],
          [11.5, 13.5],
        ],
      ],
    ]);
    assert.deepEqual(ops.upsample2d(tensor([1, 2], [1, 1, 1, 2])).toArray(), [
      [
        [
          [1, 1, 2, 2],
          [1, 1, 2, 2],
        ],
      ],
    ]);
  });

  test('indexing ops select the documented entries', () => {
    const m = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    assert.deepEqual(ops.transpose(m).toArray(), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    assert.deepEqual(ops.slice(m, [0, 1], [2, 2]).toArray(), [
      [2, 3],
      [5, 6],
    ]);
    assert.deepEqual(ops.concat([m, m], 0).shape, [4, 3]);
    assert.deepEqual(ops.gather(m, [1, 1, 0]).toArray(), [
      [4, 5, 6],
      [4, 5, 6],
      [1, 2, 3],
    ]);
    assert.deepEqual(ops.takeAlongAxis(m, [[2], [0]]).toArray(), [[3], [4]]);
    assert.deepEqual(ops.oneHot([2, 0], 3).toArray(), [
      [0, 0, 1],
      [1, 0, 0],
    ]);
    assert.deepEqual(ops.argmax(m).toArray(), [2, 2]);
    assert.throws(
      () => ops.gather(m, [2]),
      (e) =>
        e instanceof LossInputError &&
        e.argument === 'indices' &&
        /not an integer in \[0, 2\)/.test(e.message),
    );
  });

  test('float32 inputs give float32 outputs; a float32/float64 mix gives float64', () => {
    const f32 = tensor(new Float32Array([1, 2, 3]));
    assert.equal(ops.exp(f32).dtype, 'float32');
    assert.equal(ops.mul(f32, 2).dtype, 'float32');
    assert.equal(ops.matmul(ops.reshape(f32, [1, 3]), ops.reshape(f32, [3, 1])).dtype, 'float32');
    assert.equal(ops.add(f32, tensor([1, 1, 1])).dtype, 'float64');
  });

  test('relu, clamp and max propagate NaN instead of hiding it', () => {
    assert.ok(Number.isNaN(ops.relu(tensor([Number.NaN])).item()));
    assert.ok(Number.isNaN(ops.clamp(tensor([Number.NaN]), 0, 1).item()));
    assert.ok(Number.isNaN(ops.max(tensor([1, Number.NaN, 3])).item()));
  });
});
