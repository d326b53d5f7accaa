// Save, load and resume: a run interrupted after some epochs and resumed from its checkpoint
// (through JSON text, or a file) ends with exactly the parameters of an uninterrupted run.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  Adam,
  type Checkpoint,
  LossInputError,
  Rng,
  type Sequential,
  cosineDecay,
  fit,
  loadCheckpoint,
  mlp,
  parseCheckpoint,
  saveCheckpoint,
  serializeCheckpoint,
} from '../../packages/losskit/src/index.js';
import { twoSpirals } from './data.js';

const data = twoSpirals(40, 9);
// Dropout and shuffling consume random numbers, and the schedule depends on the step: all must resume.
const build = (seed: number) => mlp([2, 16, 16, 1], { dropout: 0.2, rng: new Rng(seed) });
const optimizerFor = (model: Sequential) =>
  new Adam(model.parameters(), { lr: 0.01, schedule: cosineDecay({ steps: 20 }) });
const train = (
  model: Sequential,
  epochs: number,
  extra: { resume?: Checkpoint; save?: (c: Checkpoint) => void } = {},
) =>
  fit(model, {
    ...data,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: optimizerFor(model),
    epochs,
    batchSize: 16,
    seed: 5,
    resume: extra.resume,
    callbacks: [{ onEpochEnd: (c) => extra.save?.(c.checkpoint()) }],
  });

function bytes(model: Sequential): number[][] {
  return model
    .parameters()
    .map((p) => [...new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength)]);
}

test('a run resumed from a JSON checkpoint ends bit-identical to an uninterrupted one', () => {
  const uninterrupted = build(1);
  const full = train(uninterrupted, 6);

  let saved: Checkpoint | undefined;
  train(build(1), 3, { save: (c) => (saved = c) });
  const text = JSON.stringify(saved);
  const resumed = build(123);
  const rest = train(resumed, 6, { resume: parseCheckpoint(text) });

  assert.deepEqual(bytes(resumed), bytes(uninterrupted));
  assert.deepEqual(rest.loss, full.loss);
  assert.equal(rest.epochsCompleted, 6);
  assert.equal(rest.steps.length, full.steps.length);
});

test('a checkpoint written to a file and read back resumes exactly as well', () => {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-'));
  try {
    const path = join(dir, 'run.json');
    const reference = build(2);
    train(reference, 4);
    train(build(2), 2, { save: (c) => writeFileSync(path, serializeCheckpoint(c)) });
    const resumed = build(77);
    train(resumed, 4, { resume: parseCheckpoint(readFileSync(path, 'utf8')) });
    assert.deepEqual(bytes(resumed), bytes(reference));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('saveCheckpoint and loadCheckpoint restore parameters and optimizer state, and refuse another architecture', () => {
  const a = build(3);
  const optA = optimizerFor(a);
  const checkpoint = saveCheckpoint(a, optA);
  const b = build(4);
  const optB = optimizerFor(b);
  assert.equal(loadCheckpoint(checkpoint, b, optB), undefined);
  assert.deepEqual(bytes(b), bytes(a));
  assert.throws(
    () => loadCheckpoint(checkpoint, mlp([2, 8, 1])),
    (e) =>
      e instanceof LossInputError &&
      /do not match the model \(missing: 2.weight, 2.bias; unexpected: 3.weight, 3.bias, 6.weight, 6.bias\)/.test(
        e.message,
      ),
  );
  assert.throws(
    () => loadCheckpoint(checkpoint, mlp([2, 8, 8, 1], { dropout: 0.2 })),
    (e) =>
      e instanceof LossInputError &&
      e.argument === 'checkpoint.parameters["0.weight"]' &&
      /float32 \[2, 16\] in the checkpoint, float32 \[2, 8\] in the model/.test(e.message),
  );
  assert.throws(
    () => parseCheckpoint('{"hello": 1}'),
    (e) => e instanceof LossInputError && /not a losskit checkpoint/.test(e.message),
  );
});
