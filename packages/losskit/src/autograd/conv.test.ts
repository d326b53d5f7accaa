// conv2d's batched im2col kernels: float32 operands against the float64 reference within the
// float32 product bound, batches of several images against one image at a time, finite
// differences with unequal stride and padding, and the fused bias.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Conv2d, type Tensor, gradients, ops } from '../index.js';
import { assertClose } from '../../../../test/helpers/assert-close.js';
import { assertLossInputError } from '../../../../test/helpers/loss-errors.js';
import {
  checkFirstDerivatives,
  checkSecondDerivatives,
  sample,
} from '../../../../test/training/check-gradients.js';
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

describe("conv2d's fused bias (options.bias) equals conv2d + bias, forward and backward", () => {
  const shapes: [string, number[], number[], Conv2dOptions][] = [
    // 8 images per im2col block (the bias is added as outputs leave the block) …
    ['28×28×1 → 3×3×16, batch 20', [20, 1, 28, 28], [16, 1, 3, 3], {}],
    // … and one image per block, larger than the block (the bias is added in place).
    ['70×70×3 → 3×3×8, batch 3, padding 1', [3, 3, 70, 70], [8, 3, 3, 3], { padding: 1 }],
  ];
  for (const [label, xs, ws, options] of shapes) {
    for (const cast of [f32, f64]) {
      const dtype = cast === f32 ? 'float32' : 'float64';
      test(`${label}, ${dtype}: the same bits as a separate add, and the bias gradient is Σ over N, H, W`, () => {
        const x = cast(sample(xs, 11)).requireGrad();
        const w = cast(sample(ws, 12, -0.5, 0.5)).requireGrad();
        const b = cast(sample([ws[0]], 13)).requireGrad();
        const fused = ops.conv2d(x, w, { ...options, bias: b });
        const separate = ops.add(ops.conv2d(x, w, options), ops.reshape(b, [1, ws[0], 1, 1]));
        assert.equal(fused.dtype, dtype);
        assert.deepEqual([...fused.data], [...separate.data]);
        const up = cast(sample(fused.shape, 14));
        const [gx, gw, gb] = gradients(fused, [x, w, b], { upstream: up });
        const [hx, hw, hb] = gradients(separate, [x, w, b], { upstream: up });
        assert.deepEqual([...gx.data], [...hx.data], 'input gradient');
        assert.deepEqual([...gw.data], [...hw.data], 'weight gradient');
        assert.deepEqual([...gb.shape], [ws[0]]);
        // Both sum in float64 in the same order (image, then position) and round once.
        assert.deepEqual([...gb.data], [...hb.data], 'bias gradient');
      });
    }
  }

  test('finite differences through input, weight and bias (float64, stride 2, padding 1)', () =>
    checkFirstDerivatives(
      'conv2d with bias',
      (x, w, b) => ops.conv2d(x, w, { stride: 2, padding: 1, bias: b }),
      [sample([2, 2, 5, 6], 1), sample([3, 2, 3, 3], 2), sample([3], 3)],
    ));

  test('second order: the bias gradient is differentiable (createGraph)', () =>
    checkSecondDerivatives(
      'conv2d with bias, second order',
      (x, w, b) => ops.conv2d(x, w, { padding: 1, bias: b }),
      [sample([1, 2, 4, 4], 4), sample([2, 2, 3, 3], 5), sample([2], 6)],
    ));

  test('a bias that is not [O] throws LossInputError naming conv2d and options.bias', () => {
    const x = sample([1, 2, 5, 5], 1);
    const w = sample([3, 2, 3, 3], 2);
    for (const bias of [sample([2], 3), sample([1, 3], 3), sample([3, 1, 1], 3)]) {
      assertLossInputError(() => ops.conv2d(x, w, { bias }), {
        loss: 'conv2d',
        argument: 'options.bias',
        message: /shape \[3\]/,
      });
    }
  });

  test('the Conv2d layer uses the fused bias: the same output and bias gradient as before', () => {
    const layer = new Conv2d(2, 4, 3, { dtype: 'float64', padding: 1 });
    layer.bias?.data.set([0.5, -1, 2, 0.25]);
    const x = sample([2, 2, 6, 6], 7);
    const y = layer.forward(x);
    const want = ops.add(
      ops.conv2d(x, layer.weight, { padding: 1 }),
      ops.reshape(layer.bias as Tensor, [1, 4, 1, 1]),
    );
    assert.deepEqual([...y.data], [...want.data]);
    ops.sum(ops.square(y)).backward();
    const gb = (layer.bias as Tensor).grad as Tensor;
    const byHand = new Float64Array(4);
    for (let i = 0; i < y.size; i++) byHand[Math.floor(i / 36) % 4] += 2 * y.data[i];
    assertClose(gb, { shape: [4], data: [...byHand] }, { rtol: 1e-12, atol: 1e-12 }, 'bias gradient');
  });
});
