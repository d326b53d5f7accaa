// Tensors print usefully (values, shape, dtype, autograd state), and backward() without an
// upstream gradient is for single-element outputs only, as in PyTorch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { LossInputError, Tensor, ops, tensor, variable } from '../../packages/losskit/src/index.js';

test('toString shows the values with rows aligned, then the shape and dtype', () => {
  assert.equal(
    String(
      tensor([
        [1, 2],
        [3, 4.5],
      ]),
    ),
    'Tensor([[1.0000, 2.0000],\n        [3.0000, 4.5000]], shape=[2, 2], dtype=float64)',
  );
  assert.equal(
    String(tensor(new Float32Array([1, -2, 3]))),
    'Tensor([ 1., -2.,  3.], shape=[3], dtype=float32)',
  );
  assert.equal(String(tensor(0.25)), 'Tensor(0.2500, shape=[], dtype=float64)');
  assert.equal(String(Tensor.zeros([0, 3])), 'Tensor([], shape=[0, 3], dtype=float64)');
  assert.equal(
    String(tensor([1e-6, Number.NaN, Number.NEGATIVE_INFINITY])),
    'Tensor([1.0000e-6,       nan,      -inf], shape=[3], dtype=float64)',
  );
});

test('toString marks tensors that require grad and names the op that computed a tracked one', () => {
  const x = variable([1, 2]);
  assert.equal(String(x), 'Tensor([1., 2.], shape=[2], dtype=float64, requiresGrad=true)');
  assert.equal(String(ops.mul(x, 3)), 'Tensor([3., 6.], shape=[2], dtype=float64, gradFn=mul)');
});

test("Node's console.log and util.inspect print the same summary", () => {
  const t = tensor([[1, 2, 3]]);
  assert.equal(inspect(t), t.toString());
  assert.equal(inspect({ t }), `{ t: ${t.toString()} }`);
});

test('large tensors show the first and last three entries of each axis, like PyTorch', () => {
  const big = tensor(
    Float64Array.from({ length: 2000 }, (_, i) => i),
    [2000],
  );
  assert.equal(
    String(big),
    'Tensor([   0.,    1.,    2., ..., 1997., 1998., 1999.], shape=[2000], dtype=float64)',
  );
  const grid = tensor(
    Float64Array.from({ length: 40 * 50 }, (_, i) => i),
    [40, 50],
  );
  const lines = String(grid).split('\n');
  assert.equal(lines.length, 7);
  assert.equal(lines[0], 'Tensor([[   0.,    1.,    2., ...,   47.,   48.,   49.],');
  assert.equal(lines[3].trim(), '...,');
  assert.equal(
    lines[6],
    '        [1950., 1951., 1952., ..., 1997., 1998., 1999.]], shape=[40, 50], dtype=float64)',
  );
  // Up to 1000 elements everything is shown, wrapped at 80 columns.
  const row = String(
    tensor(
      Float64Array.from({ length: 100 }, (_, i) => i / 8),
      [100],
    ),
  );
  assert.ok(!row.includes('...'));
  assert.ok(
    row
      .split('\n')
      .slice(0, -1)
      .every((line) => line.length <= 80),
    row,
  );
  assert.ok(row.includes('12.3750'));
});

test('backward without an upstream gradient needs a single-element output, as in PyTorch', () => {
  const x = variable([1, 2, 3]);
  const y = ops.mul(x, 2);
  assert.throws(
    () => y.backward(),
    (e) =>
      e instanceof LossInputError &&
      e.argument === 'upstream' &&
      /grad can be implicitly created only for scalar outputs, and this tensor has shape \[3\]/.test(
        e.problem,
      ),
  );
  assert.equal(x.grad === null, true, 'the refused backward wrote a gradient');
  y.backward(tensor([1, 1, 1]));
  assert.deepEqual(x.grad?.toArray(), [2, 2, 2]);
  const single = variable([4]);
  ops.mul(single, 5).backward();
  assert.deepEqual(single.grad?.toArray(), [5]);
});
