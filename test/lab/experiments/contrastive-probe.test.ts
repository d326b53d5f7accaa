import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { augmentedView, randomLift, ringClusters } from '../../../packages/lab/src/lab/data/ring-clusters.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import {
  contrastiveProbe as experiment,
  linearProbeAccuracy,
} from '../../../packages/lab/src/lab/experiments/contrastive-probe.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from the probe accuracy on the NT-Xent encoder, the random encoder and the raw inputs. */
function metricsOf(trained: number, random: number, raw = 0.25): Metrics {
  const row = (probeAccuracy: number) => ({ probeAccuracy, viewCosine: 0.7 });
  return { 'nt-xent': row(trained), random: row(random), raw: row(raw) };
}

test('quick mode gives a finite probe accuracy in [0, 1] and a view cosine in [−1, 1] for every variant', () => {
  for (const variant of experiment.variants) {
    const m = run.metrics[variant.id];
    assert.ok(m.probeAccuracy >= 0 && m.probeAccuracy <= 1, `${variant.id} accuracy ${m.probeAccuracy}`);
    assert.ok(m.viewCosine >= -1 && m.viewCosine <= 1, `${variant.id} cosine ${m.viewCosine}`);
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
  const [accuracy, loss] = run.charts;
  assert.ok(accuracy.kind === 'line' && loss.kind === 'line');
  assert.equal(accuracy.series[0].points.length, 6);
  assert.ok(loss.series[0].points.every(([, v]) => Number.isFinite(v) && v > 0));
});

test('ringClusters: each class is two opposite clusters, so a linear probe on the raw points stays near chance', () => {
  const rng = rngFor(7, 'test');
  const spec = {
    clusters: 8,
    classes: 4,
    radius: 3,
    spread: 0.35,
    nuisanceDims: 4,
    nuisance: 1,
    dims: 16,
    noise: 0.1,
  };
  const lift = randomLift(rng, 16, 6);
  // The lift has orthonormal columns.
  for (let a = 0; a < 6; a++)
    for (let b = 0; b < 6; b++) {
      let dot = 0;
      for (let r = 0; r < 16; r++) dot += lift[r * 6 + a] * lift[r * 6 + b];
      assert.ok(Math.abs(dot - (a === b ? 1 : 0)) < 1e-12);
    }
  const train = ringClusters(rng, { ...spec, count: 800 }, lift);
  const test = ringClusters(rng, { ...spec, count: 800 }, lift);
  assert.ok(train.labels.every((l) => l >= 0 && l < 4));
  const raw = linearProbeAccuracy(train.features, train.labels, test.features, test.labels, 16, 1);
  assert.ok(raw < 0.4, `raw-input probe accuracy ${raw}`);
  // The probe itself works: on a one-hot code of the cluster's class it is perfect.
  const oneHot = (labels: Int32Array) =>
    Float64Array.from({ length: labels.length * 4 }, (_, k) => (labels[Math.floor(k / 4)] === k % 4 ? 1 : 0));
  assert.equal(
    linearProbeAccuracy(oneHot(train.labels), train.labels, oneHot(test.labels), test.labels, 4, 1),
    1,
  );
});

test('augmentedView masks about the given share of values and adds noise to the rest', () => {
  const x = new Float64Array(20000).fill(10);
  const view = augmentedView(rngFor(8, 'test'), x, 0.5, 0.2);
  const masked = view.filter((v) => v === 0).length / x.length;
  assert.ok(Math.abs(masked - 0.2) < 0.015, `masked share ${masked}`);
  const kept = view.filter((v) => v !== 0);
  const deviation = Math.sqrt(kept.reduce((s, v) => s + (v - 10) ** 2, 0) / kept.length);
  assert.ok(Math.abs(deviation - 0.5) < 0.02, `noise deviation ${deviation}`);
});

test('the claim holds when the NT-Xent probe beats the random one by at least 0.1', () => {
  const verdict = experiment.verdict(metricsOf(0.95, 0.6));
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /NT-Xent encoder 0\.95, random encoder 0\.6 \(margin 0\.35, needed 0\.1\); raw inputs 0\.25/,
  );
});

test('the claim fails when the random encoder is at least as good', () => {
  const worse = experiment.verdict(metricsOf(0.55, 0.6));
  assert.equal(worse.outcome, 'did not hold');
  assert.match(worse.explanation, /random encoder's features are at least as good/);
  assert.equal(experiment.verdict(metricsOf(0.6, 0.6)).outcome, 'did not hold');
});

test('the claim is inconclusive, never held, on a small margin, probes at chance, or an undefined metric', () => {
  const small = experiment.verdict(metricsOf(0.65, 0.6));
  assert.equal(small.outcome, 'inconclusive');
  assert.match(small.explanation, /ahead, but by less than 0\.1/);
  const chance = experiment.verdict(metricsOf(0.28, 0.25));
  assert.equal(chance.outcome, 'inconclusive');
  assert.match(chance.explanation, /neither probe beat chance/);
  const nan = experiment.verdict(metricsOf(Number.NaN, 0.6));
  assert.equal(nan.outcome, 'inconclusive');
  assert.match(nan.explanation, /NT-Xent encoder's probe accuracy is NaN/);
});
