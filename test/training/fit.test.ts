import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adam,
  type Callback,
  Linear,
  LossInputError,
  ReLU,
  Rng,
  SGD,
  Sequential,
  Sigmoid,
  type Tensor,
  binaryCrossEntropy,
  combine,
  dice,
  earlyStopping,
  fit,
  mlp,
  mse,
  ops,
  predict,
  tensor,
} from '../../packages/losskit/src/index.js';
import { linearData, twoSpirals } from './data.js';

test('an MLP trained with Adam on two spirals reaches at least 97% training accuracy within seconds', () => {
  const { x, y } = twoSpirals(150, 1);
  const model = mlp([2, 32, 32, 1], { rng: new Rng(2) });
  const started = performance.now();
  const history = fit(model, {
    x,
    y,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: new Adam(model.parameters(), { lr: 0.02 }),
    epochs: 60,
    batchSize: 32,
    seed: 3,
    metrics: ['binaryAccuracy'],
  });
  const seconds = (performance.now() - started) / 1000;
  const logits = predict(model, x);
  let correct = 0;
  for (let i = 0; i < logits.size; i++) if (logits.data[i] > 0 === y.data[i] > 0.5) correct++;
  const accuracy = correct / logits.size;
  assert.ok(accuracy >= 0.97, `training accuracy ${accuracy} after ${history.loss.length} epochs`);
  assert.ok(seconds < 20, `training took ${seconds.toFixed(1)} s`);
  assert.equal(history.warnings.length, 0, history.warnings.map((w) => w.message).join('; '));
});

test('linear regression trained with SGD recovers its true coefficients to 1e-3', () => {
  const w = [2, -3, 0.5];
  const { x, y } = linearData(256, w, 1, 1e-3, 4);
  const model = new Linear(3, 1, { dtype: 'float64', rng: new Rng(0) });
  fit(model, {
    x,
    y,
    loss: 'mse',
    optimizer: new SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }),
    epochs: 40,
    batchSize: 32,
    seed: 1,
  });
  for (const [i, v] of [...model.weight.data].entries())
    assert.ok(Math.abs(v - w[i]) < 1e-3, `w[${i}] = ${v}, want ${w[i]}`);
  assert.ok(Math.abs((model.bias?.data[0] ?? 0) - 1) < 1e-3, `b = ${model.bias?.data[0]}`);
});

test('multi-class training with integer labels: crossEntropy alias and the accuracy metric', () => {
  const rng = new Rng(6);
  const centres = [
    [2, 0],
    [-1, 1.7],
    [-1, -1.7],
  ];
  const xs: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < 90; i++) {
    const c = i % 3;
    xs.push([centres[c][0] + rng.normal(0, 0.4), centres[c][1] + rng.normal(0, 0.4)]);
    labels.push(c);
  }
  const model = mlp([2, 16, 3], { rng: new Rng(1) });
  const history = fit(model, {
    x: xs,
    y: labels,
    loss: 'crossEntropy',
    optimizer: new Adam(model.parameters(), { lr: 0.05 }),
    epochs: 15,
    batchSize: 30,
    metrics: ['accuracy'],
  });
  assert.ok(history.metrics.accuracy[14] > 0.95, `accuracy ${history.metrics.accuracy[14]}`);
  assert.ok(history.loss[14] < history.loss[0] / 3);
});

test('fit reports progress every batch and calls callbacks in order', () => {
  const { x, y } = linearData(50, [1], 0, 0.1, 2);
  const model = new Linear(1, 1, { rng: new Rng(0) });
  const events: string[] = [];
  const progress: number[] = [];
  const callback: Callback = {
    onTrainBegin: () => events.push('begin'),
    onEpochBegin: (c) => events.push(`epoch ${c.epoch}`),
    onStepEnd: (_c, s) => events.push(`step ${s.step}`),
    onEpochEnd: (_c, logs) => events.push(`end ${logs.epoch}`),
    onTrainEnd: () => events.push('done'),
  };
  const history = fit(model, {
    x,
    y,
    loss: 'mse',
    optimizer: new SGD(model.parameters()),
    epochs: 2,
    batchSize: 20,
    callbacks: [callback],
    onProgress: (e) => {
      progress.push(e.step);
      assert.equal(e.totalSteps, 6);
      assert.equal(e.batches, 3);
    },
  });
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(events, [
    'begin',
    'epoch 1',
    'step 1',
    'step 2',
    'step 3',
    'end 1',
    'epoch 2',
    'step 4',
    'step 5',
    'step 6',
    'end 2',
    'done',
  ]);
  assert.equal(history.loss.length, 2);
  assert.equal(history.steps.length, 6);
  assert.deepEqual(Object.keys(history.steps[0].layerNorms), ['(root)']);
  assert.equal(history.stopReason, 'completed');
});

test('validation loss and metrics are recorded each epoch', () => {
  const { x, y } = twoSpirals(20, 5);
  const model = mlp([2, 8, 1], { rng: new Rng(0) });
  const history = fit(model, {
    x,
    y,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: new Adam(model.parameters()),
    epochs: 3,
    validation: { x, y },
    metrics: { positives: (p) => p.data.filter((v) => v > 0).length / p.size },
  });
  assert.equal(history.valLoss.length, 3);
  assert.equal(history.metrics.positives.length, 3);
  assert.equal(history.valMetrics.positives.length, 3);
  assert.equal(history.lr.length, 3);
});

test('earlyStopping ends training when the monitored loss stops improving', () => {
  const { x, y } = linearData(40, [1], 0, 0.1, 3);
  const model = new Linear(1, 1, { rng: new Rng(0) });
  const history = fit(model, {
    x,
    y,
    loss: 'mse',
    optimizer: new SGD(model.parameters(), { lr: 0 }),
    epochs: 50,
    validation: { x, y },
    callbacks: [earlyStopping({ patience: 2 })],
  });
  assert.equal(history.stopReason, 'callback');
  assert.equal(history.loss.length, 3);
});

test('combine weights registry losses by name and logs each term', () => {
  const objective = combine({ bce: 0.5, dice: 0.5 });
  const p = tensor([
    [0.9, 0.2],
    [0.4, 0.7],
  ]);
  const t = tensor([
    [1, 0],
    [0, 1],
  ]);
  const expected = 0.5 * binaryCrossEntropy(p, t).item() + 0.5 * dice(p, t).item();
  assert.ok(Math.abs(objective(p, t).item() - expected) < 1e-12);
  assert.deepEqual(Object.keys(objective.lastParts), ['bce', 'dice']);

  const model = new Sequential(new Linear(2, 2, { rng: new Rng(1) }), new Sigmoid());
  const history = fit(model, {
    x: p,
    y: t,
    loss: objective,
    optimizer: new Adam(model.parameters()),
    epochs: 2,
  });
  assert.equal(history.parts.bce.length, 2);
  assert.equal(history.parts.dice.length, 2);
  assert.throws(
    () => combine({ triplet: 1 }),
    (e) => e instanceof LossInputError && /two inputs/.test(e.message),
  );
  assert.throws(
    // @ts-expect-error a misspelt loss is a compile error; JavaScript callers get this runtime error
    () => combine({ nope: 1 }),
    (e) => e instanceof LossInputError && /not a registry loss/.test(e.message),
  );
});

test('a dead layer is reported as vanishing, by name, once, with a count', () => {
  const model = new Sequential(
    new Linear(2, 4, { rng: new Rng(0) }),
    new ReLU(),
    new Linear(4, 1, { rng: new Rng(1) }),
  );
  (model.at(0) as Linear).bias?.data.fill(-100);
  const { x, y } = linearData(32, [1, 1], 0, 0.1, 1);
  const warned: string[] = [];
  const history = fit(model, {
    x,
    y,
    loss: 'mse',
    optimizer: new SGD(model.parameters()),
    epochs: 2,
    batchSize: 16,
    callbacks: [{ onWarning: (_c, w) => warned.push(w.layer) }],
  });
  const vanishing = history.warnings.filter((w) => w.kind === 'vanishing');
  assert.deepEqual(
    vanishing.map((w) => [w.layer, w.description, w.step, w.count]),
    [['0', 'Linear(2 → 4)', 1, 4]],
  );
  assert.match(vanishing[0].message, /layer '0' \(Linear\(2 → 4\)\) vanishes/);
  assert.deepEqual(warned, ['0']);
  assert.equal(history.steps[0].layerNorms['0'], 0);
});

test('non-finite gradients skip the update (or stop training) and exploding ones are named', () => {
  const { x, y } = linearData(16, [1], 0, 0.1, 1);
  const model = new Linear(1, 1, { rng: new Rng(0) });
  const before = [...model.weight.data];
  const nan = (p: Tensor, t: Tensor) => ops.mul(mse(p, t), Number.NaN);
  const skipped = fit(model, {
    x,
    y,
    loss: nan,
    optimizer: new SGD(model.parameters()),
    epochs: 1,
    batchSize: 8,
  });
  assert.deepEqual([...model.weight.data], before);
  assert.deepEqual(
    skipped.steps.map((s) => s.skipped),
    [true, true],
  );
  assert.equal(skipped.warnings[0].kind, 'non-finite');
  const stopped = fit(model, {
    x,
    y,
    loss: nan,
    optimizer: new SGD(model.parameters()),
    epochs: 3,
    batchSize: 8,
    health: { onNonFinite: 'stop' },
  });
  assert.equal(stopped.stopReason, 'non-finite');
  assert.equal(stopped.steps.length, 1);
  const huge = (p: Tensor, t: Tensor) => ops.mul(mse(p, t), 1e9);
  const exploded = fit(model, {
    x,
    y,
    loss: huge,
    optimizer: new SGD(model.parameters(), { lr: 0 }),
    epochs: 1,
  });
  assert.equal(exploded.warnings[0].kind, 'exploding');
});

test('bad fit arguments are errors that say what is wrong', () => {
  const model = new Linear(1, 1);
  const optimizer = new SGD(model.parameters());
  assert.throws(
    () => fit(model, { x: [[1], [2]], y: [[1]], loss: 'mse', optimizer, epochs: 1 }),
    (e) => e instanceof LossInputError && /has 1 samples/.test(e.message),
  );
  assert.throws(
    () => fit(model, { x: [[1]], y: [[1]], loss: 'mse', optimizer, epochs: 1, batchSize: 0 }),
    (e) => e instanceof LossInputError && e.argument === 'options.batchSize',
  );
  assert.throws(
    // @ts-expect-error a misspelt loss is a compile error; JavaScript callers get this runtime error
    () => fit(model, { x: [[1]], y: [[1]], loss: 'nonsense', optimizer, epochs: 1 }),
    (e) => e instanceof LossInputError && /not a registry loss/.test(e.message),
  );
  assert.throws(
    () =>
      fit(model, {
        x: [[1], [2]],
        y: [[1], [2]],
        loss: { loss: 'mse', options: { reduction: 'none' } },
        optimizer,
        epochs: 1,
      }),
    (e) => e instanceof LossInputError && /single value/.test(e.message),
  );
});
