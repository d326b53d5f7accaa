import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { giou, Tensor } from 'losskit';
import {
  BOX_CANVAS,
  binCoverage,
  boxIou,
  boxProfiles,
  PROFILE_BINS,
} from '../../../packages/lab/src/lab/data/box-profiles.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import {
  decodeBoxes,
  boxRegression as experiment,
} from '../../../packages/lab/src/lab/experiments/box-regression.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from the mean IoU of GIoU and smooth L1 (the other metrics fixed). */
function metricsOf(giouIou: number, l1Iou: number): Metrics {
  const row = (meanIou: number) => ({ meanIou, hitRate: 0.5, smallIou: 0.3, largeIou: 0.6 });
  return { giou: row(giouIou), 'smooth-l1': row(l1Iou) };
}

test('quick mode gives a finite number in [0, 1] for every variant and metric', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(value >= 0 && value <= 1, `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    // The mean IoU lies between the small-box and the large-box means.
    assert.ok(
      m.meanIou >= Math.min(m.smallIou, m.largeIou) - 1e-12 &&
        m.meanIou <= Math.max(m.smallIou, m.largeIou) + 1e-12,
    );
    // Both models learn something: a constant box at the canvas centre scores far less.
    assert.ok(m.meanIou > 0.2, `${variant.id} mean IoU ${m.meanIou}`);
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
  const [chart] = run.charts;
  assert.ok(chart.kind === 'line');
  assert.equal(chart.series.length, 2);
  for (const s of chart.series)
    assert.ok(
      s.points.every(([x, y]) => x > 0 && y >= 0 && y <= 1),
      s.name,
    );
});

test('decodeBoxes gives valid boxes (x2 ≥ x1, y2 ≥ y1) for any outputs, with centre and side as documented', () => {
  const outputs = new Tensor(Float64Array.of(0, 0, 0, 0, 1, -1, 50, -50, -0.5, 0.25, -3, 3), [3, 4]);
  const boxes = decodeBoxes(outputs).data;
  for (let i = 0; i < 3; i++) {
    assert.ok(boxes[4 * i + 2] >= boxes[4 * i] && boxes[4 * i + 3] >= boxes[4 * i + 1], `box ${i}`);
    assert.ok(boxes.every(Number.isFinite));
  }
  // Zero outputs: centre of the canvas, side 12 pixels.
  assert.deepEqual(Array.from(boxes.subarray(0, 4)), [26, 26, 38, 38]);
  // Centre (32 + 32·1, 32 − 32·1) = (64, 0).
  assert.ok(Math.abs((boxes[4] + boxes[6]) / 2 - 64) < 1e-12 && Math.abs((boxes[5] + boxes[7]) / 2) < 1e-12);
});

test('boxProfiles: boxes inside the canvas, sides within the range, profiles the bin coverage plus noise', () => {
  const data = boxProfiles(rngFor(3, 'test'), { count: 500, minSize: 2, maxSize: 48, noise: 0 });
  for (let i = 0; i < data.count; i++) {
    const [x1, y1, x2, y2] = data.boxes.subarray(4 * i, 4 * i + 4);
    assert.ok(x1 >= 0 && y1 >= 0 && x2 <= BOX_CANVAS && y2 <= BOX_CANVAS);
    for (const side of [x2 - x1, y2 - y1]) assert.ok(side >= 2 - 1e-9 && side <= 48 + 1e-9);
    // Without noise the x profile sums to the width in bins.
    let covered = 0;
    for (let b = 0; b < PROFILE_BINS; b++) covered += data.features[i * 2 * PROFILE_BINS + b];
    assert.ok(Math.abs(covered - (x2 - x1) / (BOX_CANVAS / PROFILE_BINS)) < 1e-9);
  }
  assert.equal(binCoverage(2, 6, 0), 0.5);
  assert.equal(binCoverage(2, 6, 1), 0.5);
  assert.equal(binCoverage(2, 6, 2), 0);
});

test('boxIou agrees with 1 − the GIoU loss where the boxes overlap and one encloses the union', () => {
  // [0,0,2,2] inside [0,0,4,4]: the enclosing box is the union, so GIoU loss = 1 − IoU = 1 − 4/16.
  const a = [0, 0, 2, 2];
  const b = [0, 0, 4, 4];
  assert.equal(boxIou(a, 0, b, 0), 0.25);
  // (torchvision adds ε = 1e-7 to the denominators.)
  assert.ok(Math.abs(1 - giou([a], [b]).item() - 0.25) < 1e-7);
  assert.ok(Math.abs(boxIou([0, 0, 2, 2], 0, [1, 1, 3, 3], 0) - 1 / 7) < 1e-12);
  assert.equal(boxIou([0, 0, 1, 1], 0, [2, 2, 3, 3], 0), 0);
});

test('the claim holds when GIoU is at least 0.02 ahead on mean IoU', () => {
  const verdict = experiment.verdict(metricsOf(0.6, 0.55));
  assert.equal(verdict.outcome, 'held');
  assert.match(verdict.explanation, /GIoU 0\.6, smooth L1 0\.55 \(gain 0\.05, needed 0\.02\)/);
});

test('the claim fails when smooth L1 is at least as good', () => {
  const worse = experiment.verdict(metricsOf(0.5, 0.55));
  assert.equal(worse.outcome, 'did not hold');
  assert.match(worse.explanation, /smooth L1 is at least as good/);
  assert.equal(experiment.verdict(metricsOf(0.5, 0.5)).outcome, 'did not hold');
});

test('the claim is inconclusive, never held, on a gain below the threshold, no learning, or an undefined metric', () => {
  const small = experiment.verdict(metricsOf(0.56, 0.55));
  assert.equal(small.outcome, 'inconclusive');
  assert.match(small.explanation, /ahead, but by less than 0\.02/);
  const none = experiment.verdict(metricsOf(0.15, 0.05));
  assert.equal(none.outcome, 'inconclusive');
  assert.match(none.explanation, /neither model learned to place boxes/);
  const nan = experiment.verdict(metricsOf(Number.NaN, 0.5));
  assert.equal(nan.outcome, 'inconclusive');
  assert.match(nan.explanation, /GIoU's mean IoU is NaN/);
});
