// trainStep is fit's step: a hand loop of trainStep calls on fit's batches reproduces fit bit for
// bit; shuffledBatches is the lab's step-counted batching.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adam,
  LossInputError,
  Rng,
  type Sequential,
  binaryCrossEntropyWithLogits,
  cosineDecay,
  fit,
  mlp,
  mse,
  ops,
  tensor,
} from '../../packages/losskit/src/index.js';
import { GradientMonitor, shuffledBatches, takeRows, trainStep } from '../../packages/losskit/src/train/index.js';
import { twoSpirals } from './data.js';

// Dropout draws from the model's generator and the schedule depends on the step: both must agree.
const build = () => mlp([2, 12, 12, 1], { dropout: 0.1, rng: new Rng(4) });
const optimizerFor = (model: Sequential) =>
  new Adam(model.parameters(), { lr: 0.02, schedule: cosineDecay({ steps: 30 }) });

function bits(model: Sequential): number[] {
  return model
    .parameters()
    .flatMap((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
}

test("fit's history and parameters equal a hand loop of trainStep calls on the same batches", () => {
  const { x, y } = twoSpirals(25, 3);
  const n = x.shape[0];
  const [epochs, batchSize, seed, clip] = [3, 16, 7, 0.5];

  const fitted = build();
  const history = fit(fitted, {
    x,
    y,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: optimizerFor(fitted),
    epochs,
    batchSize,
    seed,
    clipGradNorm: clip,
  });

  const model = build();
  const optimizer = optimizerFor(model);
  const monitor = new GradientMonitor(model.parameterGroups());
  const shuffle = new Rng(seed);
  const steps: { loss: number; gradNorm: number; layerNorms: Record<string, number>; lr: number }[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = shuffle.permutation(n);
    for (let start = 0; start < n; start += batchSize) {
      const rows = order.subarray(start, Math.min(n, start + batchSize));
      const xb = takeRows(x, rows);
      const yb = takeRows(y, rows);
      const result = trainStep(model, optimizer, () => binaryCrossEntropyWithLogits(model.forward(xb), yb), {
        clipGradNorm: clip,
        monitor,
        step: steps.length + 1,
        epoch,
      });
      assert.equal(result.skipped, false);
      steps.push({
        loss: result.loss,
        gradNorm: result.gradNorm,
        layerNorms: result.layerNorms,
        lr: result.lr,
      });
    }
  }

  assert.equal(history.steps.length, steps.length);
  assert.deepEqual(
    history.steps.map(({ loss, gradNorm, layerNorms, lr }) => ({ loss, gradNorm, layerNorms, lr })),
    steps,
  );
  assert.deepEqual(bits(model), bits(fitted));
  // The clip was active on some steps, so the comparison covers clipping.
  assert.ok(steps.some((s) => s.gradNorm > clip));
});

test('trainStep returns the loss and the pre-clip gradient norm, and updates the parameters', () => {
  const model = mlp([1, 1], { rng: new Rng(1) });
  const optimizer = new Adam(model.parameters(), { lr: 0.1 });
  const x = tensor([[1], [2]]);
  const y = tensor([[3], [5]]);
  const before = model.parameters().map((p) => Array.from(p.data));
  const expected = mse(model.forward(x), y).item();
  const result = trainStep(model, optimizer, () => mse(model.forward(x), y), { clipGradNorm: 1e-3 });
  assert.equal(result.loss, expected);
  assert.ok(result.gradNorm > 1e-3, `gradient norm ${result.gradNorm}`);
  assert.equal(result.lr, 0.1);
  assert.deepEqual(result.layerNorms, {});
  assert.notDeepEqual(
    model.parameters().map((p) => Array.from(p.data)),
    before,
  );
  const unmeasured = trainStep(model, optimizer, () => mse(model.forward(x), y), { measureGradNorm: false });
  assert.ok(Number.isNaN(unmeasured.gradNorm));
});

test('under a skipping monitor a non-finite loss leaves the parameters alone; under a stopping one it asks to stop', () => {
  for (const onNonFinite of ['skip', 'stop'] as const) {
    const model = mlp([1, 1], { rng: new Rng(1) });
    const optimizer = new Adam(model.parameters(), { lr: 0.1 });
    const monitor = new GradientMonitor(model.parameterGroups(), { onNonFinite });
    const before = model.parameters().map((p) => Array.from(p.data));
    const x = tensor([[1]]);
    const result = trainStep(model, optimizer, () => ops.mul(ops.sum(model.forward(x)), Number.NaN), {
      monitor,
    });
    assert.equal(result.skipped, true, onNonFinite);
    assert.equal(result.stop, onNonFinite === 'stop');
    assert.deepEqual(
      model.parameters().map((p) => Array.from(p.data)),
      before,
    );
    assert.equal(monitor.warnings[0]?.kind, 'non-finite');
  }
});

test('trainStep rejects an objective that is not a single value', () => {
  const model = mlp([1, 1], { rng: new Rng(1) });
  const optimizer = new Adam(model.parameters());
  assert.throws(
    () => trainStep(model, optimizer, () => model.forward(tensor([[1], [2]]))),
    (e) => e instanceof LossInputError && /single value/.test(e.message),
  );
});

test('shuffledBatches yields equal batches, each pass a permutation, reshuffling when fewer than a batch remain', () => {
  const batches = [...shuffledBatches({ count: 10, batchSize: 4, steps: 5, rng: new Rng(2) })].map((b) =>
    Array.from(b),
  );
  assert.equal(batches.length, 5);
  for (const b of batches) assert.equal(b.length, 4);
  // Two batches per pass (the last 2 rows of each permutation are skipped), then a fresh permutation.
  for (const pass of [batches.slice(0, 2), batches.slice(2, 4)]) assert.equal(new Set(pass.flat()).size, 8);
  const rng = new Rng(2);
  const first = Array.from(rng.permutation(10));
  const second = Array.from(rng.permutation(10));
  assert.deepEqual(batches[0], first.slice(0, 4));
  assert.deepEqual(batches[2], second.slice(0, 4));
  const again = [...shuffledBatches({ count: 10, batchSize: 4, steps: 5, rng: new Rng(2) })].map((b) =>
    Array.from(b),
  );
  assert.deepEqual(again, batches);
  // A batch larger than the data is the whole data, shuffled.
  const whole = [...shuffledBatches({ count: 3, batchSize: 8, steps: 2, rng: new Rng(5) })];
  for (const b of whole) assert.deepEqual([...b].sort(), [0, 1, 2]);
});
