// The step arena (arena.ts): what survives a run and what is released, that released tensors are
// errors wherever they are used, that a run's arrays come back zero-filled in the next one, that
// the arena holds at most one run's arrays, and that training in an arena computes the same bits
// as training without one (an MLP and a CNN, float32, on the SIMD kernels).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniformTensor } from '../../../../test/helpers/uniform-tensor.js';
import {
  Adam,
  Arena,
  Conv2d,
  Flatten,
  Linear,
  LossInputError,
  MaxPool2d,
  type Module,
  ReLU,
  Rng,
  Sequential,
  Tensor,
  fit,
  mlp,
  mse,
  ops,
  sparseCategoricalCrossEntropy,
  tensor,
  trainStep,
} from '../index.js';
import { ARENA_MIN_ELEMENTS } from './arena.js';

/** A float32 tensor of n uniform values in [−1, 1) (large enough for the arena when n ≥ 1024). */
const values = uniformTensor;

const released = (e: unknown) =>
  e instanceof LossInputError && /released at the end of an Arena run/.test(e.message);

test('a run returns its result; tensors it made are released unless returned or kept', () => {
  const arena = new Arena();
  const x = values(2048, 1);
  let inner: Tensor | null = null;
  let kept: Tensor | null = null;
  const out = arena.run(() => {
    inner = ops.mul(x, 2);
    kept = ops.add(x, 1);
    arena.keep(kept);
    return ops.sub(x, 3);
  });
  assert.deepEqual(
    Array.from(out.data.subarray(0, 3)),
    Array.from(x.data.subarray(0, 3), (v) => Math.fround(v - 3)),
  );
  assert.equal((kept as unknown as Tensor).data[5], Math.fround(x.data[5] + 1));
  const gone = inner as unknown as Tensor;
  assert.equal(gone.data.length, 0);
  assert.equal(gone.size, 2048, 'the shape stays, for messages');
  assert.throws(() => gone.toArray(), released);
  assert.throws(() => gone.clone(), released);
  assert.throws(
    () => ops.add(gone, 1),
    (e: unknown) => released(e) && (e as LossInputError).loss === 'add',
  );
  assert.throws(
    () => mse(gone, x),
    (e: unknown) => released(e) && (e as LossInputError).argument === 'input',
  );
  assert.match(String(gone), /<released>, shape=\[2048\]/);
  // The input, made before the run, is untouched.
  assert.equal(x.data.length, 2048);
});

test('small tensors, tensors in arrays and objects returned, and views of kept storage survive', () => {
  const arena = new Arena();
  const x = values(ARENA_MIN_ELEMENTS, 2);
  const { a, b } = arena.run(() => ({ a: ops.mul(x, 2), b: ops.sum(x) }));
  const [c, d] = arena.run(() => [ops.neg(x), ops.reshape(ops.abs(x), [32, 32])]);
  let small: Tensor | null = null;
  let view: Tensor | null = null;
  arena.run(() => {
    small = ops.mul(values(ARENA_MIN_ELEMENTS - 1, 3), 2);
    const whole = ops.mul(x, 3);
    view = ops.reshape(whole, [ARENA_MIN_ELEMENTS / 2, 2]);
    arena.keep(whole);
  });
  for (const t of [a, b, c, d, small as unknown as Tensor, view as unknown as Tensor])
    assert.equal(t.data.length, t.size);
  assert.equal(a.data[7], Math.fround(2 * x.data[7]));
  assert.equal((view as unknown as Tensor).data[9], Math.fround(3 * x.data[9]));
});

test('the next run gets the same arrays back, zero-filled where allocation promises zeros', () => {
  const arena = new Arena();
  const x = values(4096, 4);
  let first: Float32Array | null = null;
  arena.run(() => {
    first = ops.mul(x, 2).data as Float32Array;
  });
  const zeros = arena.run(() => {
    const z = Tensor.zeros([4096], 'float32');
    assert.equal(z.data, first, 'the array of the run before');
    return Array.from(z.data);
  });
  assert.ok(zeros.every((v) => v === 0));
  const again = arena.run(() => Array.from(ops.add(x, 1).data));
  assert.deepEqual(
    again,
    Array.from(x.data, (v) => Math.fround(v + 1)),
  );
});

test('the arena holds at most the arrays of its last run', () => {
  const arena = new Arena();
  const step = (n: number) => arena.run(() => ops.sum(ops.mul(ops.add(values(n, 5), 1), 2)).item());
  step(2048);
  const held = arena.held();
  assert.ok(held.arrays >= 3, `${held.arrays} arrays`);
  for (let i = 0; i < 50; i++) step(2048);
  assert.deepEqual(arena.held(), held);
  step(1500);
  assert.ok(arena.held().bytes < held.bytes, 'arrays of a length the last run did not use are dropped');
});

test('gradients of parameters and parameters made inside a run survive it', () => {
  const arena = new Arena();
  const x = values(64 * 64, 6, [64, 64]);
  const target = values(64 * 32, 7, [64, 32]);
  const outside = new Linear(64, 32, { dtype: 'float32', rng: new Rng(8) });
  const reference = new Linear(64, 32, { dtype: 'float32', rng: new Rng(8) });
  mse(reference.forward(x), target).backward();
  let inside: Linear | null = null;
  arena.run(() => {
    mse(outside.forward(x), target).backward();
    inside = new Linear(64, 64, { dtype: 'float32', rng: new Rng(9) });
  });
  const [w, b] = outside.parameters();
  const [rw, rb] = reference.parameters();
  assert.deepEqual(Array.from(w.grad?.data ?? []), Array.from(rw.grad?.data ?? []));
  assert.deepEqual(Array.from(b.grad?.data ?? []), Array.from(rb.grad?.data ?? []));
  const made = (inside as unknown as Linear).parameters()[0];
  assert.equal(made.data.length, 64 * 64, 'a parameter made in a run is kept');
  const snapshot = Array.from(made.data);
  arena.run(() => ops.mul(values(64 * 64, 10), 5));
  assert.deepEqual(Array.from(made.data), snapshot, 'a parameter made in a run is not handed out again');
});

test('backward through a graph whose tensors were released is an error', () => {
  const arena = new Arena();
  const w = values(2048, 11).requireGrad();
  const loss = arena.run(() => ops.sum(ops.mul(ops.relu(w), 2)));
  assert.equal(loss.data.length, 1, 'the scalar itself survives');
  assert.throws(
    () => loss.backward(),
    (e: unknown) => released(e) && (e as LossInputError).loss === 'backward',
  );
});

test('runs of one arena do not nest; another arena nests; a throwing run releases and rethrows', () => {
  const arena = new Arena();
  assert.throws(
    () => arena.run(() => arena.run(() => 1)),
    (e: unknown) => e instanceof LossInputError && e.loss === 'Arena' && /do not nest/.test(e.message),
  );
  const x = values(2048, 12);
  const other = new Arena();
  let outerTensor: Tensor | null = null;
  const innerKept = arena.run(() => {
    outerTensor = ops.mul(x, 2);
    const kept = other.run(() => ops.mul(x, 3));
    assert.equal((outerTensor as Tensor).data.length, 2048, 'the inner run releases only its own');
    return kept;
  });
  assert.equal(innerKept.data[3], Math.fround(3 * x.data[3]));
  assert.equal((outerTensor as unknown as Tensor).data.length, 0);
  let lost: Tensor | null = null;
  assert.throws(
    () =>
      arena.run(() => {
        lost = ops.mul(x, 4);
        throw new RangeError('the step failed');
      }),
    RangeError,
  );
  assert.equal((lost as unknown as Tensor).data.length, 0);
  assert.equal(
    arena.run(() => ops.mul(x, 5).data[0]),
    Math.fround(5 * x.data[0]),
    'usable after',
  );
});

/** Parameters of a model after `steps` Adam steps, each in `arena` when given. */
function train(
  build: () => Module,
  x: Tensor,
  labels: Tensor,
  steps: number,
  arena: Arena | null,
): number[][] {
  const model = build();
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const objective = () => sparseCategoricalCrossEntropy(model.forward(x), labels);
  for (let s = 0; s < steps; s++) {
    if (arena === null) trainStep(model, optimizer, objective);
    else arena.run(() => trainStep(model, optimizer, objective));
  }
  return model.parameters().map((p) => Array.from(p.data));
}

test('an MLP and a CNN trained in an arena have the bits of training without one', () => {
  const labels = tensor(
    Array.from({ length: 32 }, (_, i) => i % 10),
    [32],
    'float32',
  );
  const x = values(32 * 196, 13, [32, 196]);
  const buildMlp = () => mlp([196, 64, 64, 10], { activation: 'relu', dtype: 'float32', rng: new Rng(14) });
  assert.deepEqual(train(buildMlp, x, labels, 6, new Arena()), train(buildMlp, x, labels, 6, null));
  const images = values(32 * 196, 15, [32, 1, 14, 14]);
  const buildCnn = () =>
    new Sequential(
      new Conv2d(1, 8, 3, { dtype: 'float32', rng: new Rng(16) }),
      new ReLU(),
      new MaxPool2d(2),
      new Flatten(),
      new Linear(8 * 36, 10, { dtype: 'float32', rng: new Rng(17) }),
    );
  assert.deepEqual(train(buildCnn, images, labels, 4, new Arena()), train(buildCnn, images, labels, 4, null));
});

test('fit (which runs each batch in an arena) has the bits of a loop of trainStep without one', () => {
  const x = values(96 * 48, 18, [96, 48]);
  const y = tensor(
    Array.from({ length: 96 }, (_, i) => i % 3),
    [96],
    'float32',
  );
  const build = () => mlp([48, 64, 3], { activation: 'relu', dtype: 'float32', rng: new Rng(19) });
  const fitted = build();
  const history = fit(fitted, {
    x,
    y,
    loss: 'sparseCategoricalCrossEntropy',
    optimizer: new Adam(fitted.parameters(), { lr: 1e-2 }),
    epochs: 2,
    batchSize: 32,
    shuffle: false,
    metrics: ['accuracy'],
  });
  const looped = build();
  const optimizer = new Adam(looped.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let epoch = 0; epoch < 2; epoch++)
    for (let b = 0; b < 3; b++) {
      const rows = Array.from({ length: 32 }, (_, i) => b * 32 + i);
      const xb = tensor(
        Array.from({ length: 32 * 48 }, (_, i) => x.data[rows[0] * 48 + i]),
        [32, 48],
        'float32',
      );
      const yb = tensor(
        rows.map((r) => y.data[r]),
        [32],
        'float32',
      );
      losses.push(
        trainStep(looped, optimizer, () => sparseCategoricalCrossEntropy(looped.forward(xb), yb)).loss,
      );
    }
  assert.deepEqual(
    history.steps.map((s) => s.loss),
    losses,
  );
  assert.deepEqual(
    fitted.parameters().map((p) => Array.from(p.data)),
    looped.parameters().map((p) => Array.from(p.data)),
  );
  assert.equal(history.metrics.accuracy?.length, 2);
});
