import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Conv2d,
  Dropout,
  Embedding,
  Linear,
  LossInputError,
  Module,
  ReLU,
  Rng,
  Sequential,
  type Tensor,
  heNormal,
  heUniform,
  mlp,
  ops,
  tensor,
  variable,
  xavierNormal,
  xavierUniform,
} from '../index.js';
import { assertClose } from '../../../../test/helpers/assert-close.js';

function stats(t: Tensor): { min: number; max: number; std: number } {
  let s = 0;
  let s2 = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of t.data) {
    s += v;
    s2 += v * v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const m = s / t.size;
  return { min, max, std: Math.sqrt(s2 / t.size - m * m) };
}

test('initialisers draw with the variance their scheme prescribes', () => {
  const rng = new Rng(1);
  const hu = stats(heUniform([200, 100], { fanIn: 200, rng }));
  const bound = Math.sqrt(6 / 200);
  assert.ok(hu.min >= -bound && hu.max <= bound);
  assert.ok(Math.abs(hu.std - Math.sqrt(2 / 200)) < 0.02 * Math.sqrt(2 / 200) * 5);
  assert.ok(Math.abs(stats(heNormal([200, 100], { fanIn: 200, rng })).std - Math.sqrt(2 / 200)) < 0.003);
  const xu = stats(xavierUniform([200, 100], { fanIn: 200, fanOut: 100, rng }));
  assert.ok(xu.max <= Math.sqrt(6 / 300));
  assert.ok(
    Math.abs(stats(xavierNormal([200, 100], { fanIn: 200, fanOut: 100, rng })).std - Math.sqrt(2 / 300)) <
      0.003,
  );
  assert.throws(() => heUniform([2], { fanIn: 0 }), LossInputError);
});

test('Linear computes x·W + b for inputs of any rank and casts inputs to its dtype', () => {
  const layer = new Linear(3, 2, { rng: new Rng(0) });
  assert.equal(layer.weight.dtype, 'float32');
  const x = tensor([
    [1, 2, 3],
    [-1, 0, 0.5],
  ]);
  const y = layer.forward(x);
  assert.equal(y.dtype, 'float32');
  const expected = ops.add(ops.matmul(ops.cast(x, 'float32'), layer.weight), layer.bias as Tensor);
  assert.deepEqual(y.toArray(), expected.toArray());
  assert.deepEqual([...layer.forward(ops.reshape(ops.concat([x, x]), [2, 2, 3])).shape], [2, 2, 2]);
  assert.throws(
    () => layer.forward(tensor([[1, 2]])),
    (e) => e instanceof LossInputError && /3 features/.test(e.message),
  );
  assert.equal(new Linear(3, 2, { bias: false }).parameters().length, 1);
});

test('Conv2d keeps the size with same padding and halves it with stride 2', () => {
  const conv = new Conv2d(2, 4, 3, { padding: 'same', rng: new Rng(0) });
  const x = tensor(new Float32Array(2 * 2 * 8 * 8).fill(1), [2, 2, 8, 8]);
  assert.deepEqual([...conv.forward(x).shape], [2, 4, 8, 8]);
  assert.deepEqual([...new Conv2d(2, 4, 3, { stride: 2, padding: 1 }).forward(x).shape], [2, 4, 4, 4]);
  assert.equal(conv.describe(), 'Conv2d(2 → 4, 3×3)');
});

test('Embedding looks up rows and sums the gradient of repeated ids', () => {
  const emb = new Embedding(4, 3, { rng: new Rng(0), dtype: 'float64' });
  const out = emb.forward(
    tensor([
      [1, 1],
      [3, 0],
    ]),
  );
  assert.deepEqual([...out.shape], [2, 2, 3]);
  ops.sum(out).backward();
  assert.deepEqual(emb.weight.grad?.toArray(), [
    [1, 1, 1],
    [2, 2, 2],
    [0, 0, 0],
    [1, 1, 1],
  ]);
});

test('Dropout zeroes about p of the elements and rescales the rest in training, and is the identity in evaluation', () => {
  const drop = new Dropout(0.25, { rng: new Rng(4) });
  const x = tensor(new Float64Array(4000).fill(1));
  const y = drop.forward(x);
  const zeros = y.data.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / 4000 - 0.25) < 0.03);
  assert.ok(y.data.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-12));
  drop.eval();
  assert.equal(drop.forward(x), x);
  assert.throws(() => new Dropout(1), LossInputError);
});

test('Sequential names parameters like PyTorch and groups them by layer', () => {
  const model = new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
  assert.deepEqual(
    model.namedParameters().map(([n]) => n),
    ['0.weight', '0.bias', '2.weight', '2.bias'],
  );
  assert.deepEqual(
    model.parameterGroups().map((g) => [g.layer, g.description]),
    [
      ['0', 'Linear(2 → 3)'],
      ['2', 'Linear(3 → 1)'],
    ],
  );
  assert.equal(model.parameterCount(), 2 * 3 + 3 + 3 + 1);
  model.eval();
  assert.equal(model.at(1).training, false);
});

test('a custom Module registers nested children and its own parameters', () => {
  class Net extends Module {
    readonly encoder = this.addModule('encoder', mlp([2, 4], { rng: new Rng(1) }));
    readonly scale = this.addParameter('scale', variable([2]));
    forward(x: Tensor): Tensor {
      return ops.mul(this.encoder.forward(x), this.scale);
    }
  }
  const net = new Net();
  assert.deepEqual(
    net.namedParameters().map(([n]) => n),
    ['scale', 'encoder.0.weight', 'encoder.0.bias'],
  );
  ops.sum(net.forward(tensor([[1, 1]]))).backward();
  assert.ok(net.parameters().every((p) => p.grad !== null));
  net.zeroGrad();
  assert.ok(net.parameters().every((p) => p.grad === null));
});

test('mlp stacks Linear layers with the chosen activation, dropout and output activation', () => {
  const model = mlp([2, 8, 8, 1], {
    activation: 'tanh',
    dropout: 0.1,
    outputActivation: 'sigmoid',
    rng: new Rng(0),
  });
  assert.equal(
    model.describe(),
    'Sequential(Linear(2 → 8), Tanh, Dropout(0.1), Linear(8 → 8), Tanh, Dropout(0.1), Linear(8 → 1), Sigmoid)',
  );
  const a = mlp([3, 5, 2], { rng: new Rng(7), dtype: 'float64' });
  const b = mlp([3, 5, 2], { rng: new Rng(7), dtype: 'float64' });
  assertClose(
    a.forward(tensor([[1, 2, 3]])),
    b.forward(tensor([[1, 2, 3]])),
    { rtol: 0, atol: 0 },
    'same seed, same model',
  );
  assert.throws(() => mlp([3]), LossInputError);
});
