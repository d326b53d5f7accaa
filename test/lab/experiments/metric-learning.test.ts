import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { embeddingClusters, recallAtOne } from '../../../packages/lab/src/lab/data/embedding-clusters.js';
import { principalPlane } from '../../../packages/lab/src/lab/data/principal-plane.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { metricLearning as experiment } from '../../../packages/lab/src/lab/experiments/metric-learning.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 3, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics with the given held-out Recall@1 for contrastive, random triplets and batch-hard. */
function metricsOf(contrastive: number, random: number, hard: number): Metrics {
  const row = (r: number) => ({ recallAt1: r, trainRecallAt1: 0.9 });
  return { contrastive: row(contrastive), 'random-triplets': row(random), 'batch-hard': row(hard) };
}

test('quick mode gives a Recall@1 in [0, 1] for every variant and metric, and reports progress', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(value >= 0 && value <= 1, `${variant.id}.${metric.id} = ${value}`);
    }
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.ok(Math.abs(progress[progress.length - 1] - 1) < 1e-9, 'progress ends at 1');
});

test('training beats the raw inputs: every loss lifts held-out Recall@1 above its value at step 0', () => {
  const [curves] = run.charts;
  assert.ok(curves.kind === 'line');
  assert.equal(curves.series.length, 3);
  for (const s of curves.series) {
    assert.ok(s.points.length >= 5, `${s.name} has a training curve`);
    assert.equal(s.points[0][0], 0);
    assert.ok(s.points[s.points.length - 1][1] > s.points[0][1], `${s.name} improves`);
  }
});

test('the charts carry data: loss curves and one 2-D scatter per loss plus the raw inputs', () => {
  const losses = run.charts[1];
  assert.ok(losses.kind === 'line' && losses.series.every((s) => s.points.length >= 5));
  const scatters = run.charts.filter((c) => c.kind === 'scatter');
  assert.equal(scatters.length, 4);
  for (const chart of scatters) {
    assert.ok(chart.kind === 'scatter');
    assert.equal(chart.series.length, 8, 'eight held-out classes');
    for (const s of chart.series) {
      assert.equal(s.points.length, 20, `${chart.title}: ${s.name} has every point of its class`);
      assert.ok(s.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
    }
  }
});

test('the clusters are reproducible from the seed and the held-out classes are disjoint from the training ones', () => {
  const spec = {
    trainClasses: 5,
    heldOutClasses: 3,
    perClass: 4,
    dims: 6,
    signalDims: 2,
    centreSpread: 1,
    withinNoise: 0.1,
    nuisanceNoise: 1,
  };
  const a = embeddingClusters(rngFor(9, 'clusters'), spec);
  const b = embeddingClusters(rngFor(9, 'clusters'), spec);
  assert.deepEqual(a, b);
  assert.equal(a.train.count, 20);
  assert.equal(a.heldOut.count, 12);
  const trainLabels = new Set(a.train.labels);
  assert.ok([...a.heldOut.labels].every((l) => !trainLabels.has(l)));
});

test('recallAtOne counts points whose nearest other point shares their label', () => {
  // 1-D points: 0 and 0.1 (class 0), 5 and 5.1 (class 1), 0.2 (class 1, nearest to class 0).
  const points = [0, 0.1, 5, 5.1, 0.2];
  assert.equal(recallAtOne(points, [0, 0, 1, 1, 1], 1), 4 / 5);
  assert.equal(recallAtOne([0, 1], [0, 1], 1), 0);
});

test('principalPlane puts the direction of largest spread on the first axis', () => {
  // Points along (1, 1, 0) with a small spread along z.
  const pts = [-2, -2, 0.1, -1, -1, -0.1, 1, 1, -0.1, 2, 2, 0.1];
  const plane = principalPlane(pts, 4, 3);
  const spread = (k: 0 | 1) => Math.max(...plane.map((p) => Math.abs(p[k])));
  assert.ok(Math.abs(spread(0) - 2 * Math.SQRT2) < 1e-9);
  assert.ok(spread(1) <= 0.1 + 1e-9);
});

test('the claim holds when batch-hard beats random triplets by at least 0.02, quoting the numbers', () => {
  const verdict = experiment.verdict(metricsOf(0.7, 0.8, 0.85));
  assert.equal(verdict.outcome, 'held');
  assert.match(verdict.explanation, /batch-hard 0\.85, random triplets 0\.8, contrastive 0\.7/);
});

test('the claim fails when batch-hard leads by less than 0.02 or trails random triplets', () => {
  const close = experiment.verdict(metricsOf(0.7, 0.8, 0.81));
  assert.equal(close.outcome, 'did not hold');
  assert.match(close.explanation, /less than the 0\.02 required/);
  assert.equal(experiment.verdict(metricsOf(0.9, 0.85, 0.8)).outcome, 'did not hold');
});

test('the claim is inconclusive, never held, at the Recall@1 ceiling, at zero, or on an undefined Recall@1', () => {
  const ceiling = experiment.verdict(metricsOf(0.99, 0.995, 1));
  assert.equal(ceiling.outcome, 'inconclusive');
  assert.match(ceiling.explanation, /Inconclusive: both are within 0\.02 of a perfect Recall@1/);
  assert.equal(experiment.verdict(metricsOf(0.5, 0, 0)).outcome, 'inconclusive');
  const undefinedRecall = experiment.verdict(metricsOf(0.7, Number.NaN, 0.85));
  assert.equal(undefinedRecall.outcome, 'inconclusive');
  assert.match(undefinedRecall.explanation, /random triplets' Recall@1 is NaN/);
});
