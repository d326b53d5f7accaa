// A checkpoint is checked whole before anything is written: every defect is a LossInputError
// naming the field, and the model and optimizer it was loaded into stay exactly as they were.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adam,
  type Checkpoint,
  LossInputError,
  Rng,
  SGD,
  type Sequential,
  fit,
  loadCheckpoint,
  mlp,
  parseCheckpoint,
  saveCheckpoint,
  serializeCheckpoint,
} from '../../packages/losskit/src/index.js';
import { encodeArray } from '../../packages/losskit/src/train/checkpoint.js';
import { twoSpirals } from './data.js';

const data = twoSpirals(8, 1);

/** A model with dropout (so it has a generator) trained for an epoch, and its checkpoint. */
function trained(seed: number): { model: Sequential; optimizer: Adam; checkpoint: Checkpoint } {
  const model = mlp([2, 4, 1], { dropout: 0.2, rng: new Rng(seed) });
  const optimizer = new Adam(model.parameters(), { lr: 0.01 + seed / 1000 });
  let checkpoint: Checkpoint | undefined;
  fit(model, {
    ...data,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer,
    epochs: 1,
    batchSize: 8,
    seed,
    callbacks: [{ onEpochEnd: (c) => (checkpoint = c.checkpoint()) }],
  });
  assert.ok(checkpoint !== undefined);
  return { model, optimizer, checkpoint };
}

/** Everything a load could change, as comparable plain data. */
function snapshot(model: Sequential, optimizer: Adam | SGD): unknown {
  const state = optimizer.state();
  return {
    parameters: model.parameters().map((p) => Array.from(p.data)),
    rngs: model.namedRngs().map(([name, rng]) => [name, rng.getState()]),
    step: state.step,
    baseLr: optimizer.baseLr,
    buffers: state.buffers.map((b) => Object.entries(b).map(([k, v]) => [k, Array.from(v)])),
  };
}

const source = trained(1);
const text = serializeCheckpoint(source.checkpoint);

/**
 * Loads a corrupted copy of the source checkpoint into a differently trained model, expects a
 * LossInputError on `argument` matching `problem`, and checks that nothing was written.
 */
function refused(
  corrupt: (checkpoint: ReturnType<typeof JSON.parse>) => void,
  argument: string,
  problem: RegExp,
  load: (c: Checkpoint, model: Sequential, optimizer: Adam) => unknown = (c, m, o) => loadCheckpoint(c, m, o),
): void {
  const target = trained(2);
  const before = snapshot(target.model, target.optimizer);
  const copy = JSON.parse(text);
  corrupt(copy);
  assert.throws(
    () => load(copy, target.model, target.optimizer),
    (e) => {
      assert.ok(e instanceof LossInputError, `expected a LossInputError, got ${String(e)}`);
      assert.equal(e.argument, argument);
      assert.match(e.problem, problem);
      return true;
    },
  );
  assert.deepEqual(
    snapshot(target.model, target.optimizer),
    before,
    'the failed load changed the model or optimizer',
  );
}

test('NaN or infinite parameter values are refused, naming the parameter and the value', () => {
  const nan = new Float32Array(4).fill(0.5);
  nan[2] = Number.NaN;
  refused(
    (c) => (c.parameters['3.weight'] = encodeArray(nan, [4, 1])),
    'checkpoint.parameters["3.weight"].data',
    /value 2 is NaN/,
  );
  const inf = new Float64Array(8).fill(1);
  inf[7] = Number.POSITIVE_INFINITY;
  refused(
    (c) => (c.optimizer.buffers[0].expAvgSq = encodeArray(inf, [8])),
    'checkpoint.optimizer.buffers[0].expAvgSq.data',
    /value 7 is Infinity/,
  );
});

test('an optimizer buffer of the wrong length is refused with both counts', () => {
  refused(
    (c) => (c.optimizer.buffers[0].expAvg = encodeArray(new Float64Array(5), [5])),
    'checkpoint.optimizer.buffers[0].expAvg',
    /decodes to 5 values, expected 8/,
  );
  refused((c) => c.optimizer.buffers.pop(), 'checkpoint.optimizer.buffers', /must list 4 buffer sets/);
});

test('a missing or non-numeric optimizer step or base learning rate is refused', () => {
  refused((c) => delete c.optimizer.step, 'checkpoint.optimizer.step', /non-negative integer, got missing/);
  refused((c) => (c.optimizer.step = '3'), 'checkpoint.optimizer.step', /got the string "3"/);
  refused((c) => (c.optimizer.step = 2.5), 'checkpoint.optimizer.step', /non-negative integer, got 2.5/);
  refused(
    (c) => delete c.optimizer.baseLr,
    'checkpoint.optimizer.baseLr',
    /finite non-negative number, got missing/,
  );
  refused((c) => (c.optimizer.baseLr = null), 'checkpoint.optimizer.baseLr', /got null/);
});

test('a missing or non-numeric epoch or step of the training state is refused, by loadCheckpoint and by fit', () => {
  refused((c) => delete c.training.epoch, 'checkpoint.training.epoch', /non-negative integer, got missing/);
  refused((c) => (c.training.step = 'x'), 'checkpoint.training.step', /got the string "x"/);
  refused(
    (c) => (c.training.shuffleRng = [1, 2]),
    'checkpoint.training.shuffleRng',
    /four unsigned 32-bit integers/,
  );
  const resume = (c: Checkpoint, model: Sequential, optimizer: Adam) =>
    fit(model, { ...data, loss: 'bceWithLogits', optimizer, epochs: 3, batchSize: 8, resume: c });
  refused(
    (c) => (c.training.epoch = -1),
    'options.resume.training.epoch',
    /non-negative integer, got -1/,
    resume,
  );
  refused(
    (c) => (c.training.history.loss = 'none'),
    'options.resume.training.history.loss',
    /must be an array/,
    resume,
  );
});

test('fit refuses a checkpoint without training state before writing any of it', () => {
  assert.equal(saveCheckpoint(source.model, source.optimizer).training, undefined);
  refused(
    (c) => delete c.training,
    'options.resume.training',
    /holds no training state/,
    (c, model, optimizer) => fit(model, { ...data, loss: 'bceWithLogits', optimizer, epochs: 3, resume: c }),
  );
});

test('an invalid generator state or a checkpoint of another optimizer is refused after nothing was written', () => {
  refused((c) => (c.rngs['2.rng'] = [0, 0, 0, 0]), 'checkpoint.rngs["2.rng"]', /all zeros/);
  refused((c) => delete c.rngs['2.rng'], 'checkpoint.rngs["2.rng"]', /is missing/);
  const target = trained(3);
  const sgd = new SGD(target.model.parameters());
  const before = snapshot(target.model, sgd);
  assert.throws(
    () => loadCheckpoint(source.checkpoint, target.model, sgd),
    (e) =>
      e instanceof LossInputError &&
      e.argument === 'checkpoint.optimizer.kind' &&
      /is the string "Adam", but the optimizer is SGD/.test(e.problem),
  );
  assert.deepEqual(snapshot(target.model, sgd), before);
});

test('data that is not base64, or not a whole number of values, is a LossInputError naming the field', () => {
  refused(
    (c) => (c.parameters['0.bias'].data = 'AAA*'),
    'checkpoint.parameters["0.bias"].data',
    /invalid base64 character "\*" at 3/,
  );
  refused(
    (c) => (c.parameters['0.bias'].data = 'AA=A'),
    'checkpoint.parameters["0.bias"].data',
    /invalid base64 character "=" at 2/,
  );
  refused(
    (c) => (c.parameters['0.bias'].data = 'AAAAAA'),
    'checkpoint.parameters["0.bias"].data',
    /not a multiple of 4/,
  );
  refused(
    (c) => (c.parameters['0.bias'].data = 'AAAA'),
    'checkpoint.parameters["0.bias"].data',
    /holds 3 bytes, not a whole number of float32 values/,
  );
  refused(
    (c) => (c.parameters['0.bias'].data = 'AAAAAA=='),
    'checkpoint.parameters["0.bias"]',
    /decodes to 1 values, expected 4/,
  );
  refused(
    (c) => (c.parameters['0.bias'].data = 12),
    'checkpoint.parameters["0.bias"].data',
    /must be a base64 string/,
  );
});

test('truncated or non-JSON checkpoint text is a LossInputError, not a SyntaxError', () => {
  for (const bad of [text.slice(0, 200), '', 'not json']) {
    assert.throws(
      () => parseCheckpoint(bad),
      (e) => e instanceof LossInputError && e.argument === 'json' && /is not valid JSON/.test(e.problem),
    );
  }
});

test('after refusing every corrupted copy, the intact checkpoint still loads exactly', () => {
  const target = trained(4);
  loadCheckpoint(parseCheckpoint(text), target.model, target.optimizer);
  assert.deepEqual(snapshot(target.model, target.optimizer), snapshot(source.model, source.optimizer));
});
