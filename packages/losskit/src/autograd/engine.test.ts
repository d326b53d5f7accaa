import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  LossInputError,
  Tensor,
  grad,
  gradients,
  grads,
  noGrad,
  ops,
  record,
  tensor,
  valueAndGrad,
  valueAndGrads,
  variable,
} from '../index.js';

test('backward() accumulates into .grad of every leaf until it is cleared', () => {
  const x = variable([1, 2, 3]);
  ops.sum(ops.square(x)).backward();
  assert.deepEqual(x.grad?.toArray(), [2, 4, 6]);
  ops.sum(x).backward();
  assert.deepEqual(x.grad?.toArray(), [3, 5, 7]);
  x.grad = null;
  ops.sum(ops.mul(x, 3)).backward();
  assert.deepEqual((x.grad as Tensor | null)?.toArray(), [3, 3, 3]);
});

test('a tensor used twice receives the sum of both paths (d/dx (x·x + x) = 2x + 1)', () => {
  const x = variable([3, -1]);
  ops.sum(ops.add(ops.mul(x, x), x)).backward();
  assert.deepEqual(x.grad?.toArray(), [7, -1]);
});

test('two leaves fed by the same upstream tensor get independent .grad storage', () => {
  const a = variable([1, 2]);
  const b = variable([3, 4]);
  ops.sum(ops.add(a, b)).backward();
  ops.sum(a).backward();
  assert.deepEqual(a.grad?.toArray(), [2, 2]);
  assert.deepEqual(b.grad?.toArray(), [1, 1]);
});

test('gradients() returns d/dinputs without touching .grad, and zeros for unused inputs', () => {
  const x = variable([1, 2]);
  const unused = variable([5]);
  const [gx, gu] = gradients(ops.sum(ops.exp(x)), [x, unused]);
  assert.deepEqual(gx.toArray(), [Math.exp(1), Math.exp(2)]);
  assert.deepEqual(gu.toArray(), [0]);
  assert.equal(x.grad, null);
});

test('backward with an upstream computes the vector-Jacobian product', () => {
  const x = variable([1, 2, 3]);
  ops.square(x).backward(tensor([1, 0, -1]));
  assert.deepEqual(x.grad?.toArray(), [2, 0, -6]);
  assert.throws(
    () => ops.square(x).backward(tensor([1, 2])),
    (e) => e instanceof LossInputError && /does not match the output's shape/.test(e.message),
  );
});

test('ops inside noGrad record nothing; backward on an untracked tensor throws', () => {
  const x = variable([1, 2]);
  const y = noGrad(() => ops.mul(x, 2));
  assert.equal(y.gradNode, null);
  assert.throws(
    () => y.backward(),
    (e) => e instanceof LossInputError && /require grad/.test(e.message),
  );
});

test('a float32 leaf receives a float32 gradient even through float64 arithmetic', () => {
  const w = variable(new Float32Array([0.5, -0.25]));
  ops.sum(ops.mul(w, tensor([2, 4]))).backward();
  assert.equal(w.grad?.dtype, 'float32');
  assert.deepEqual(w.grad?.toArray(), [2, 4]);
});

test('a graph ten thousand ops deep is differentiated without exhausting the stack', () => {
  const x = variable([1]);
  let y: Tensor = x;
  for (let i = 0; i < 10000; i++) y = ops.add(y, 0.001);
  ops.sum(y).backward();
  assert.deepEqual(x.grad?.toArray(), [1]);
});

test('functional transforms: grad, grads, valueAndGrad, valueAndGrads', () => {
  assert.deepEqual(grad((x) => ops.sum(ops.square(x)))([1, -2]).toArray(), [2, -4]);
  const [ga, gb] = grads((a, b) => ops.sum(ops.mul(a, b)))([1, 2], [3, 4]);
  assert.deepEqual(
    [ga.toArray(), gb.toArray()],
    [
      [3, 4],
      [1, 2],
    ],
  );
  const { value, grad: g } = valueAndGrad((x) => ops.sum(ops.exp(x)))(tensor([0]));
  assert.equal(value.item(), 1);
  assert.deepEqual(g.toArray(), [1]);
  assert.equal(valueAndGrads((a) => ops.sum(a))([1, 2]).grads.length, 1);
});

test('transforms compose: grad(grad(x³)) = 6x and grad(grad(grad(x³))) = 6', () => {
  const cube = (x: Tensor) => ops.pow(x, 3);
  assert.deepEqual(grad(grad(cube))([2, -1]).toArray(), [12, -6]);
  assert.deepEqual(grad(grad(grad(cube)))([2, -1]).toArray(), [6, 6]);
});

test('backward with createGraph leaves a differentiable .grad (Hessian-vector product)', () => {
  const x = variable([1, 2]);
  // f = x0² x1 → ∇f = [2 x0 x1, x0²]; Σ∇f = 2 x0 x1 + x0² → gradient [2 x1 + 2 x0, 2 x0]
  ops
    .sum(ops.mul(ops.square(ops.slice(x, [0], [1])), ops.slice(x, [1], [1])))
    .backward(undefined, { createGraph: true });
  const g = x.grad as Tensor;
  assert.deepEqual(g.toArray(), [4, 1]);
  const [hv] = gradients(ops.sum(g), [x]);
  assert.deepEqual(hv.toArray(), [6, 2]);
});

test('record() defines a custom primitive with its own backward rule', () => {
  const cubeOp = (x: Tensor): Tensor => {
    const out = new Tensor(
      x.data.map((v) => v ** 3),
      x.shape,
    );
    return record('cube', out, [x], (g) => [ops.mul(g, ops.mul(ops.square(x), 3))]);
  };
  const x = variable([2]);
  ops.sum(cubeOp(x)).backward();
  assert.deepEqual(x.grad?.toArray(), [12]);
  assert.equal((cubeOp(x).gradNode as { op: string }).op, 'cube');
});
