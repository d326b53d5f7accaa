import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { foregroundShare, smallObjects } from '../../../packages/lab/src/lab/data/small-objects.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { segmentationSmallObjects as experiment } from '../../../packages/lab/src/lab/experiments/segmentation-small-objects.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 7, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics with the given test IoU per variant (Dice derived from it, the rest fixed). */
function withIou(iou: Record<'bce' | 'dice' | 'iou' | 'bce-dice', number>): Metrics {
  return Object.fromEntries(
    Object.entries(iou).map(([id, v]) => [
      id,
      { iou: v, dice: (2 * v) / (1 + v), recall: 0.7, precision: 0.8 },
    ]),
  );
}

test('quick mode gives a finite number for every variant and metric, within [0, 1]', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value) && value >= 0 && value <= 1, `${variant.id}.${metric.id} = ${value}`);
    }
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1), 'progress fractions in [0, 1]');
});

test('the charts carry data: an IoU curve per variant and a grid of inputs, masks and predictions', () => {
  const curve = run.charts.find((c) => c.kind === 'line');
  assert.ok(curve !== undefined && curve.kind === 'line');
  assert.deepEqual(
    curve.series.map((s) => s.name),
    experiment.variants.map((v) => v.label),
  );
  for (const s of curve.series)
    assert.ok(s.points.length >= 2 && s.points.every(([x, y]) => Number.isFinite(x) && y >= 0 && y <= 1));
  const grid = run.charts.find((c) => c.kind === 'images');
  assert.ok(grid !== undefined && grid.kind === 'images');
  const rows = new Set(grid.images.map((i) => i.row));
  assert.deepEqual([...rows], ['input', 'ground truth', ...experiment.variants.map((v) => v.label)]);
  for (const image of grid.images) {
    assert.equal(image.pixels.length, grid.width * grid.height);
    assert.ok(image.pixels.every((p) => p >= 0 && p <= 1));
  }
});

test('the data has about 2% foreground and the same seed draws the same images', () => {
  const spec = { size: 20, contrast: 1, noise: 0.45, specks: 6, count: 200 };
  const a = smallObjects(rngFor(3, 'x'), spec);
  const b = smallObjects(rngFor(3, 'x'), spec);
  assert.deepEqual(a.images, b.images);
  assert.deepEqual(a.masks, b.masks);
  const share = foregroundShare(a);
  assert.ok(share > 0.01 && share < 0.04, `foreground share ${share}`);
});

test('the claim holds when every overlap loss beats BCE by the margin, and the explanation quotes the numbers', () => {
  const verdict = experiment.verdict(withIou({ bce: 0.5, dice: 0.6, iou: 0.58, 'bce-dice': 0.62 }));
  assert.equal(verdict.outcome, 'held');
  assert.match(verdict.explanation, /BCE 0\.5, Dice 0\.6, IoU 0\.58, BCE \+ Dice 0\.62/);
});

test('the claim fails when BCE matches or beats an overlap loss, naming it', () => {
  const tie = experiment.verdict(withIou({ bce: 0.6, dice: 0.7, iou: 0.6, 'bce-dice': 0.7 }));
  assert.equal(tie.outcome, 'did not hold');
  assert.match(tie.explanation, /IoU does not beat BCE's IoU 0\.6/);
  const bceBest = experiment.verdict(withIou({ bce: 0.7, dice: 0.6, iou: 0.6, 'bce-dice': 0.65 }));
  assert.equal(bceBest.outcome, 'did not hold');
  assert.match(bceBest.explanation, /Dice, IoU, BCE \+ Dice do not beat/);
});

test('the claim is inconclusive, never held, when no variant finds an object or an IoU is undefined', () => {
  const nothing = experiment.verdict(withIou({ bce: 0, dice: 0, iou: 0, 'bce-dice': 0 }));
  assert.equal(nothing.outcome, 'inconclusive');
  assert.match(nothing.explanation, /Inconclusive: no variant found any object pixel/);
  const undefinedIou = experiment.verdict(
    withIou({ bce: Number.NaN, dice: 0.6, iou: 0.58, 'bce-dice': 0.62 }),
  );
  assert.equal(undefinedIou.outcome, 'inconclusive');
  assert.match(undefinedIou.explanation, /BCE's IoU is NaN/);
  assert.equal(
    experiment.verdict(withIou({ bce: 0, dice: 0.2, iou: 0, 'bce-dice': 0.1 })).outcome,
    'did not hold',
    'one overlap loss at 0 with BCE is a failure, not a tie of failures',
  );
});
