import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { symmetricLabelNoise } from '../../../packages/lab/src/lab/data/label-noise.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { noisyLabels as experiment } from '../../../packages/lab/src/lab/experiments/noisy-labels.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from the clean test accuracy of cross-entropy and GCE and GCE's share of draws won. */
function metricsOf(ce: number, gce: number, gceWins: number): Metrics {
  const row = (accuracy: number, winShare: number) => ({
    accuracy,
    peakAccuracy: Math.max(accuracy, 0.8),
    memorized: 0.3,
    winShare,
  });
  return { 'cross-entropy': row(ce, 1 - gceWins), gce: row(gce, gceWins) };
}

test('quick mode gives a finite number in [0, 1] for every variant and metric', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(value >= 0 && value <= 1, `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    assert.ok(m.peakAccuracy >= m.accuracy, 'the peak includes the final evaluation');
  }
  const wins = run.metrics.gce.winShare + run.metrics['cross-entropy'].winShare;
  assert.equal(wins, 1, 'each draw is won by one loss (or split in a tie)');
  assert.ok(
    progress.length > 0 && progress.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= progress[i - 1])),
  );
  assert.equal(progress.at(-1), 1);
});

test('both models learn the classes: clean test accuracy well above chance (0.2)', () => {
  for (const variant of experiment.variants)
    assert.ok(run.metrics[variant.id].peakAccuracy > 0.4, variant.id);
});

test('the charts carry data: accuracy and memorisation curves with ten evaluations per loss', () => {
  assert.equal(run.charts.length, 2);
  for (const chart of run.charts) {
    assert.ok(chart.kind === 'line');
    assert.equal(chart.series.length, 2);
    for (const s of chart.series) {
      assert.equal(s.points.length, 10);
      assert.ok(
        s.points.every(([, y]) => y >= 0 && y <= 1),
        s.name,
      );
    }
  }
});

test('symmetricLabelNoise changes exactly the given share of labels, each to a different class, uniformly', () => {
  const classes = 5;
  const n = 20000;
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  const before = Int32Array.from(labels);
  const { labels: noisy, flipped } = symmetricLabelNoise(rngFor(4, 'test'), labels, classes, 0.4);
  assert.deepEqual(labels, before, 'the input is not modified');
  assert.equal(
    flipped.reduce((s, f) => s + f, 0),
    8000,
  );
  // Each (true, noisy) pair among the flipped labels: every wrong class about equally often.
  const pairs = new Float64Array(classes * classes);
  for (let i = 0; i < n; i++) {
    if (flipped[i] === 1) {
      assert.notEqual(noisy[i], labels[i], `label ${i} was flipped to itself`);
      pairs[labels[i] * classes + noisy[i]]++;
    } else assert.equal(noisy[i], labels[i]);
    assert.ok(noisy[i] >= 0 && noisy[i] < classes);
  }
  // 8000 flips over 20 (true, wrong) pairs: 400 each, standard deviation about 20.
  for (let k = 0; k < classes; k++) {
    for (let c = 0; c < classes; c++) {
      if (k !== c)
        assert.ok(Math.abs(pairs[k * classes + c] - 400) < 100, `${k} → ${c}: ${pairs[k * classes + c]}`);
    }
  }
});

test('the claim holds when GCE is at least 0.02 more accurate and wins most draws', () => {
  const verdict = experiment.verdict(metricsOf(0.55, 0.78, 1));
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /cross-entropy 0\.55, generalized CE 0\.78 \(gain 0\.23, needed 0\.02\); GCE won 100%/,
  );
});

test('the claim fails when cross-entropy is at least as accurate', () => {
  const worse = experiment.verdict(metricsOf(0.8, 0.75, 0));
  assert.equal(worse.outcome, 'did not hold');
  assert.match(worse.explanation, /cross-entropy is at least as accurate/);
  assert.equal(experiment.verdict(metricsOf(0.7, 0.7, 0.5)).outcome, 'did not hold');
});

test('the claim is inconclusive, never held, on a gain within the noise, no learning, or an undefined metric', () => {
  const small = experiment.verdict(metricsOf(0.7, 0.71, 1));
  assert.equal(small.outcome, 'inconclusive');
  assert.match(small.explanation, /ahead, but by less than 0\.02/);
  const split = experiment.verdict(metricsOf(0.7, 0.75, 1 / 3));
  assert.equal(split.outcome, 'inconclusive');
  assert.match(split.explanation, /not in most draws/);
  const chance = experiment.verdict(metricsOf(0.2, 0.24, 1));
  assert.equal(chance.outcome, 'inconclusive');
  assert.match(chance.explanation, /neither model learned the classes/);
  const nan = experiment.verdict(metricsOf(0.7, Number.NaN, 1));
  assert.equal(nan.outcome, 'inconclusive');
  assert.match(nan.explanation, /generalized CE's accuracy is NaN/);
});
