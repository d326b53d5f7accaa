// matmulBias (the Linear layer's op) against the pair it replaces, add(matmul(x, w), b): the same
// values and the same gradients of x, w and b, bit for bit, in float32 (small products in float64
// sums, large ones on the SIMD kernel) and float64; and its shape and dtype errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../test/helpers/random.js';
import { LossInputError, Linear, type Tensor, gradients, ops, tensor } from '../index.js';
import { matmulBias } from './matmul.js';

function values(n: number, seed: number, dtype: 'float32' | 'float64', shape: number[]): Tensor {
  const next = random(seed);
  return tensor(
    Array.from({ length: n }, () => 2 * next() - 1),
    shape,
    dtype,
  ).requireGrad();
}

const cases: [string, number, number, number][] = [
  ['a small product', 5, 7, 3],
  ['the MLP bench layer (SIMD kernel)', 128, 784, 256],
  ['a bias of one column', 9, 40, 1],
];

for (const dtype of ['float32', 'float64'] as const) {
  for (const [label, M, K, N] of cases) {
    test(`matmulBias equals add(matmul(x, w), b) bit for bit, with its gradients: ${label}, ${dtype}`, () => {
      const x = values(M * K, M + K, dtype, [M, K]);
      const w = values(K * N, K + N, dtype, [K, N]);
      const b = values(N, N + 1, dtype, [N]);
      const upstream = values(M * N, M * N, dtype, [M, N]);
      const fused = matmulBias(x, w, b);
      const pair = ops.add(ops.matmul(x, w), b);
      assert.deepEqual(fused.data, pair.data, 'values');
      const [gx, gw, gb] = gradients(fused, [x, w, b], { upstream });
      const [px, pw, pb] = gradients(pair, [x, w, b], { upstream });
      assert.deepEqual(gx.data, px.data, 'x gradient');
      assert.deepEqual(gw.data, pw.data, 'w gradient');
      assert.deepEqual(gb.data, pb.data, 'b gradient');
    });
  }
}

test('Linear trains through matmulBias: .grad of weight and bias as with the pair', () => {
  const layer = new Linear(6, 4, { dtype: 'float32' });
  const x = values(5 * 6, 3, 'float32', [5, 6]);
  ops.sum(ops.square(layer.forward(x))).backward();
  const bias = layer.bias as Tensor;
  const want = gradients(ops.sum(ops.square(ops.add(ops.matmul(x, layer.weight), bias))), [
    layer.weight,
    bias,
  ]);
  assert.deepEqual(layer.weight.grad?.data, want[0].data);
  assert.deepEqual(bias.grad?.data, want[1].data);
});

test('matmulBias refuses shapes and dtypes that do not fit, naming what it got', () => {
  const x = tensor([[1, 2]]);
  const w = tensor([[3], [4]]);
  assert.throws(
    () => matmulBias(x, w, tensor([1, 2])),
    (e: unknown) =>
      e instanceof LossInputError && /\[1, 2\] float64, \[2, 1\] float64, \[2\] float64/.test(e.message),
  );
  assert.throws(() => matmulBias(x, w, tensor([1], [1], 'float32')), LossInputError);
  assert.deepEqual(matmulBias(x, w, tensor([0.5])).toArray(), [[11.5]]);
});
