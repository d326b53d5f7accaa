// fit, predict and the learning-rate schedules check their numeric arguments with the loss
// option specs: errors read `<function>: options.<name>: must be <domain>, got <value>`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Linear,
  LossInputError,
  SGD,
  cosineDecay,
  exponentialDecay,
  fit,
  linearWarmup,
  predict,
  stepDecay,
} from '../../packages/losskit/src/index.js';

function refused(fn: () => unknown, message: string): void {
  assert.throws(fn, (e) => e instanceof LossInputError && e.message === message);
}

test('fit: epochs and batchSize are integers in their domain, named in the error with the value', () => {
  const model = new Linear(1, 1);
  const base = { x: [[1], [2]], y: [[1], [2]], loss: 'mse' as const, optimizer: new SGD(model.parameters()) };
  refused(() => fit(model, { ...base, epochs: -1 }), 'fit: options.epochs: must be an integer >= 0, got -1');
  refused(
    () => fit(model, { ...base, epochs: 1.5 }),
    'fit: options.epochs: must be an integer >= 0, got 1.5',
  );
  refused(
    () => fit(model, { ...base, epochs: 1, batchSize: 0 }),
    'fit: options.batchSize: must be an integer >= 1, got 0',
  );
  assert.equal(fit(model, { ...base, epochs: 0 }).loss.length, 0);
});

test('predict: batchSize errors name predict', () => {
  refused(
    () => predict(new Linear(1, 1), [[1]], { batchSize: Number.NaN }),
    'predict: options.batchSize: must be an integer >= 1, got NaN',
  );
});

test('schedules: bad arguments name the schedule, the option, the domain and the value', () => {
  refused(() => stepDecay({ every: 0 }), 'stepDecay: options.every: must be an integer >= 1, got 0');
  refused(
    () => stepDecay({ every: 2, gamma: 0 }),
    'stepDecay: options.gamma: must be a finite number > 0, got 0',
  );
  refused(
    () => exponentialDecay({ gamma: -1 }),
    'exponentialDecay: options.gamma: must be a finite number > 0, got -1',
  );
  refused(() => cosineDecay({ steps: 2.5 }), 'cosineDecay: options.steps: must be an integer >= 1, got 2.5');
  refused(
    () => cosineDecay({ steps: 10, minFactor: 2 }),
    'cosineDecay: options.minFactor: must be a finite number >= 0 and <= 1, got 2',
  );
  refused(
    () => linearWarmup({ steps: 10, startFactor: -0.5 }),
    'linearWarmup: options.startFactor: must be a finite number >= 0 and <= 1, got -0.5',
  );
});
