import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Dropout,
  Linear,
  LossInputError,
  Rng,
  Sequential,
  combine,
  evaluate,
  mse,
  predict,
  registryLoss,
  tensor,
  variable,
} from '../index.js';

test('predict runs in evaluation mode, in batches, and restores the training mode', () => {
  const model = new Sequential(
    new Linear(2, 3, { rng: new Rng(0), dtype: 'float64' }),
    new Dropout(0.5, { rng: new Rng(1) }),
  );
  const x = tensor(Array.from({ length: 10 }, (_, i) => [i, -i]));
  const whole = predict(model, x);
  const batched = predict(model, x, { batchSize: 3 });
  assert.deepEqual(batched.toArray(), whole.toArray());
  assert.equal(whole.gradNode, null);
  assert.equal(model.training, true);
});

test('evaluate returns the loss over the whole set and each metric', () => {
  const model = new Linear(1, 1, { rng: new Rng(0), dtype: 'float64' });
  const x = tensor([[1], [2], [3]]);
  const y = tensor([[0], [0], [0]]);
  const result = evaluate(model, x, y, { loss: 'mse', metrics: ['mae'] });
  const p = predict(model, x);
  assert.equal(result.loss, mse(p, y).item());
  assert.ok(
    Math.abs(result.metrics.mae - (Math.abs(p.data[0]) + Math.abs(p.data[1]) + Math.abs(p.data[2])) / 3) <
      1e-12,
  );
});

test('registryLoss passes options through and differentiates', () => {
  const loss = registryLoss('huber', { delta: 0.5 });
  const x = variable([0, 0]);
  loss(x, tensor([0.25, 3])).backward();
  assert.deepEqual(x.grad?.toArray(), [-0.125, -0.25]);
});

test('combine accepts per-term options and rejects bad weights', () => {
  const objective = combine({ huber: { weight: 2, options: { delta: 0.5 } }, mse: 1 });
  assert.deepEqual(objective.terms, [
    { name: 'huber', weight: 2 },
    { name: 'mse', weight: 1 },
  ]);
  const value = objective(tensor([0]), tensor([2])).item();
  assert.equal(value, 2 * 0.5 * (2 - 0.25) + 4);
  assert.throws(
    () => combine({ mse: Number.NaN }),
    (e) => e instanceof LossInputError && /finite number/.test(e.message),
  );
  assert.throws(() => combine({}), LossInputError);
});
