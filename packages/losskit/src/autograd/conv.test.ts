// conv2d's batched im2col kernels: float32 operands against the float64 reference within the
// float32 product bound, batches of several images against one image at a time, and finite
// differences with unequal stride and padding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Tensor, ops } from '../index.js';
import { assertClose } from '../../../../test/helpers/assert-close.js';
import { checkFirstDerivatives, sample } from '../../../../test/training/check-gradients.js';
import type { Conv2dOptions } from './conv.js';

const f32 = (t: Tensor): Tensor => ops.cast(t, 'float32');
const f64 = (t: Tensor): Tensor => ops.cast(t, 'float64');
const abs64 = (t: Tensor): Tensor => ops.abs(f64(t));

/**
 * |got − want| ≤ (depth + 1)·2^-24·scale + 1e-30 elementwise, where `scale` is the same product
 * on absolute values (Σ|a||b|): the float32 bound of kernels/wasm/gemm.ts.
 */
function assertWithinFloat32Bound(got: Tensor, want: Tensor, scale: Tensor, depth: number, label: string) {
  assert.equal(got.dtype, 'float32', `${label}: dtype`);
  assert.deepEqual([...got.shape], [...want.shape], `${label}: shape`);
  const unit = (depth + 1) * 2 ** -24;
  let worst = 0;
  for (let i = 0; i < want.size; i++) {
    const err = Math.abs(got.data[i] - want.data[i]);
    const bound = unit * scale.data[i] + 1e-30;
    assert.ok(err <= bound, `${label}: element ${i} is ${got.data[i]}, want ${want.data[i]} ± ${bound}`);
    worst = Math.max(worst, err / bound);
  }
  return worst;
}

/** [x, w, options] at the sizes of a small CNN (several batches of images, uneven). */
const realistic: [string, number[], number[], Conv2dOptions][] = [
  ['28×28×1 → 3×3×16, batch 64', [64, 1, 28, 28], [16, 1, 3, 3], {}],
  ['15×15×8 → 3×3×12, batch 70, padding 1', [70, 8, 15, 15], [12, 8, 3, 3], { padding: 1 }],
  [
    '13×13×16 → 3×3×32, batch 9, stride 2, padding [1, 2]',
    [9, 16, 13, 13],
    [32, 16, 3, 3],
    { stride: 2, padding: [1, 2] },
  ],
];

describe('conv2d in float32 equals the float64 reference within the float32 product bound', () => {
  for (const [label, xs, ws, options] of realistic) {
    test(label, () => {
      // Float32 values, so the float64 reference sees exactly the same operands.
      const x = f32(sample(xs, 1));
      const w = f32(sample(ws, 2, -0.5, 0.5));
      const y = ops.conv2d(x, w, options);
      const g = f32(sample(y.shape, 3));
      const taps = ws[1] * ws[2] * ws[3];
      const positions = y.shape[2] * y.shape[3];
      assertWithinFloat32Bound(
        y,
        ops.conv2d(f64(x), f64(w), options),
        ops.conv2d(abs64(x), abs64(w), options),
        taps,
        `${label}: forward`,
      );
      // The input gradient also sums up to KH·KW overlapping taps per pixel in float32.
      assertWithinFloat32Bound(
        ops.conv2dInputGrad(g, w, xs, options),
        ops.conv2dInputGrad(f64(g), f64(w), xs, options),
        ops.conv2dInputGrad(abs64(g), abs64(w), xs, options),
        ws[0] + ws[2] * ws[3],
        `${label}: input gradient`,
      );
      assertWithinFloat32Bound(
        ops.conv2dWeightGrad(x, g, ws, options),
        ops.conv2dWeightGrad(f64(x), f64(g), ws, options),
        ops.conv2dWeightGrad(abs64(x), abs64(g), ws, options),
        xs[0] * positions,
        `${label}: weight gradient`,
      );
    });
  }
});

describe('batches of images side by side equal one image at a time (float64)', () => {
  test('forward, input gradient and weight gradient over 70 images', () => {
    const [, xs, ws, options] = realistic[1];
    const x = sample(xs, 4);
    const w = sample(ws, 5);
    const y = ops.conv2d(x, w, options);
    const g = sample(y.shape, 6);
    const gx = ops.conv2dInputGrad(g, w, xs, options);
    const gw = ops.conv2dWeightGrad(x, g, ws, options);
    const gwSum = new Float64Array(gw.size);
    const image = (t: Tensor, n: number) => {
      const per = t.size / t.shape[0];
      return Float64Array.from(t.data.subarray(n * per, (n + 1) * per));
    };
    for (let n = 0; n < xs[0]; n++) {
      const xn = tensorOf(image(x, n), [1, ...xs.slice(1)]);
      const gn = tensorOf(image(g, n), [1, ...y.shape.slice(1)]);
      const yn = ops.conv2d(xn, w, options);
      assertClose(yn, { shape: yn.shape, data: image(y, n) }, { rtol: 1e-12, atol: 1e-12 }, `y[${n}]`);
      const gxn = ops.conv2dInputGrad(gn, w, xn.shape, options);
      assertClose(gxn, { shape: gxn.shape, data: image(gx, n) }, { rtol: 1e-12, atol: 1e-12 }, `dx[${n}]`);
      const gwn = ops.conv2dWeightGrad(xn, gn, ws, options);
      for (let i = 0; i < gw.size; i++) gwSum[i] += gwn.data[i];
    }
    assertClose(gw, { shape: gw.shape, data: gwSum }, { rtol: 1e-10, atol: 1e-10 }, 'dW');
  });
});

function tensorOf(data: Float64Array, shape: number[]): Tensor {
  const t = sample(shape, 0);
  t.data.set(data);
  return t;
}

describe('conv2d derivatives equal central finite differences (float64)', () => {
  const cases: [string, Conv2dOptions, number[], number[]][] = [
    ['stride [2, 1], padding [1, 2]', { stride: [2, 1], padding: [1, 2] }, [2, 2, 6, 5], [3, 2, 3, 2]],
    ['stride 3, padding 2, kernel 4×4', { stride: 3, padding: 2 }, [2, 1, 7, 8], [2, 1, 4, 4]],
  ];
  for (const [label, options, xs, ws] of cases) {
    test(label, () =>
      checkFirstDerivatives(label, (x, w) => ops.conv2d(x, w, options), [sample(xs, 1), sample(ws, 2)]),
    );
  }
  test('mixed dtypes (float32 input, float64 weight) give float64', () => {
    const y = ops.conv2d(f32(sample([2, 2, 5, 5], 1)), sample([3, 2, 3, 3], 2), { padding: 1 });
    assert.equal(y.dtype, 'float64');
  });
});
