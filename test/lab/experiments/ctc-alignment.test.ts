import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { digitPrototypes, digitSequences } from '../../../packages/lab/src/lab/data/digit-frames.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import {
  editDistance,
  ctcAlignment as experiment,
  greedyDecode,
} from '../../../packages/lab/src/lab/experiments/ctc-alignment.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from CTC's CER and the number of held-out digits (the frame reference at 5%). */
function metricsOf(cer: number, characters: number): Metrics {
  const row = (c: number) => ({ cer: c, sequenceAccuracy: 0.8, blankFrames: 0.3, characters });
  return { ctc: row(cer), 'frame-ce': row(0.05) };
}

test('quick mode gives a finite number for every variant and metric, in range', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    assert.ok(m.cer >= 0, 'an error rate');
    assert.ok(m.sequenceAccuracy >= 0 && m.sequenceAccuracy <= 1);
    assert.ok(m.blankFrames >= 0 && m.blankFrames <= 1);
    assert.ok(
      Number.isInteger(m.characters) && m.characters >= 300,
      'at least one digit per held-out string',
    );
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
});

test('CTC learns to read from the strings alone: its held-out CER falls far below its first evaluation', () => {
  const [curves] = run.charts;
  assert.ok(curves.kind === 'line');
  const ctc = curves.series.find((s) => s.name === 'CTC');
  assert.ok(ctc !== undefined && ctc.points.length === 10);
  assert.ok(ctc.points.every(([, cer]) => Number.isFinite(cer) && cer >= 0));
  assert.ok(run.metrics.ctc.cer < 0.5 * ctc.points[0][1], `${run.metrics.ctc.cer} vs ${ctc.points[0][1]}`);
  assert.equal(ctc.points.at(-1)?.[1], run.metrics.ctc.cer, 'the last evaluation is the final model');
});

test('the posterior images are probabilities: every frame of a shown string sums to 1 over the classes', () => {
  const images = run.charts[1];
  assert.ok(images.kind === 'images');
  assert.equal(images.height, 11);
  assert.equal(images.images.length, 8, 'four strings, two models');
  for (const image of images.images) {
    assert.equal(image.pixels.length, images.width * images.height);
    const columnSums = Array.from({ length: images.width }, (_, t) =>
      Array.from({ length: 11 }, (_, c) => image.pixels[c * images.width + t]).reduce((s, p) => s + p, 0),
    );
    assert.ok(
      columnSums.every((s) => Math.abs(s - 1) < 1e-9 || s === 0),
      image.row,
    );
    assert.ok(Math.abs(columnSums[0] - 1) < 1e-9, 'the first frame is never padding');
  }
});

test('greedyDecode merges repeats, then drops blanks; a blank between two equal labels keeps both', () => {
  const oneHot = (classes: number[]) =>
    classes.flatMap((k) => Array.from({ length: 4 }, (_, c) => (c === k ? 1 : 0)));
  assert.deepEqual(greedyDecode(oneHot([0, 3, 3, 0, 3, 2, 2, 0]), 8, 4), [3, 3, 2]);
  assert.deepEqual(greedyDecode(oneHot([1, 1, 1]), 3, 4), [1]);
  assert.deepEqual(greedyDecode(oneHot([0, 0]), 2, 4), []);
  assert.deepEqual(greedyDecode(oneHot([2, 0, 1]), 2, 4), [2], 'frames past the length are not read');
});

test('editDistance is the Levenshtein distance', () => {
  const codes = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  assert.equal(editDistance(codes('kitten'), codes('sitting')), 3);
  assert.equal(editDistance(codes('sitting'), codes('kitten')), 3);
  assert.equal(editDistance([], [1, 2]), 2);
  assert.equal(editDistance([1, 2, 3], []), 3);
  assert.equal(editDistance([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(editDistance([1, 2, 3, 4], [2, 3, 4, 1]), 2);
});

test('digitSequences: lengths in range, frames match their owners, and repeated digits are separated by silence', () => {
  const spec = { count: 300, minDigits: 1, maxDigits: 6, minFrames: 2, maxFrames: 4, noise: 0.5 };
  const prototypes = digitPrototypes(rngFor(1, 'test/prototypes'), 8, 1.5);
  const sequences = digitSequences(rngFor(1, 'test/data'), prototypes, spec);
  assert.equal(sequences.length, 300);
  for (const s of sequences) {
    assert.ok(s.digits.length >= 1 && s.digits.length <= 6);
    assert.equal(s.frames.length, s.length * 8);
    assert.equal(s.frameDigits.length, s.length);
    // Runs of frames: each digit once, in order, lasting 2–4 frames.
    const runs: { owner: number; frames: number }[] = [];
    for (const owner of s.frameDigits) {
      const last = runs.at(-1);
      if (last !== undefined && last.owner === owner) last.frames++;
      else runs.push({ owner, frames: 1 });
    }
    const spoken = runs.filter((r) => r.owner >= 0);
    assert.deepEqual(
      spoken.map((r) => r.owner),
      Array.from(s.digits),
      'equal digits never share a run',
    );
    assert.ok(spoken.every((r) => r.frames >= 2 && r.frames <= 4));
    // CTC's feasibility: a frame per digit plus a blank between equal neighbours.
    const repeats = Array.from(s.digits).filter((d, i) => i > 0 && d === s.digits[i - 1]).length;
    assert.ok(s.length >= s.digits.length + repeats);
  }
  // The frames are the prototypes plus noise of the given deviation.
  let sum = 0;
  let n = 0;
  for (const s of sequences) {
    for (let t = 0; t < s.length; t++) {
      const owner = s.frameDigits[t];
      for (let d = 0; d < 8; d++) {
        sum += (s.frames[t * 8 + d] - (owner < 0 ? 0 : prototypes[owner][d])) ** 2;
        n++;
      }
    }
  }
  assert.ok(Math.abs(Math.sqrt(sum / n) - 0.5) < 0.02);
});

test('the claim holds when the CER is clearly below 10%, and fails when it is clearly above', () => {
  const held = experiment.verdict(metricsOf(0.03, 3500));
  assert.equal(held.outcome, 'held');
  assert.match(held.explanation, /Greedy CER on 3500 held-out digits: CTC 3% \(threshold 10%\)/);
  const failed = experiment.verdict(metricsOf(0.2, 3500));
  assert.equal(failed.outcome, 'did not hold');
  assert.match(failed.explanation, /CTC 20%.*did not hold/);
});

test('the claim is inconclusive, never held, when the CER is undefined or within two standard errors of 10%', () => {
  const nan = experiment.verdict(metricsOf(Number.NaN, 0));
  assert.equal(nan.outcome, 'inconclusive');
  assert.match(nan.explanation, /CTC's CER is NaN/);
  // 9.5% on 3500 digits: the standard error near 10% is about 0.5 points.
  const close = experiment.verdict(metricsOf(0.095, 3500));
  assert.equal(close.outcome, 'inconclusive');
  assert.match(close.explanation, /within 2 standard errors \(±1\.01%\) of the threshold/);
  // The same CER on a million digits is decided.
  assert.equal(experiment.verdict(metricsOf(0.095, 1e6)).outcome, 'held');
});
