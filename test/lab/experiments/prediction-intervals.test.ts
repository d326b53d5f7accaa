import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  CURVE_X_MAX,
  heteroscedasticCurve,
} from '../../../packages/lab/src/lab/data/heteroscedastic-curve.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { predictionIntervals as experiment } from '../../../packages/lab/src/lab/experiments/prediction-intervals.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from (overall, low-noise, high-noise) coverage of the quantile and the MSE intervals. */
function metricsOf(quantile: [number, number, number], mse: [number, number, number]): Metrics {
  const row = ([coverage, low, high]: [number, number, number]) => ({
    coverage,
    coverageLowNoise: low,
    coverageHighNoise: high,
    widthLowNoise: 1,
    widthHighNoise: 2,
  });
  return { quantile: row(quantile), mse: row(mse) };
}

test('quick mode gives a finite number for every variant and metric, coverages in [0, 1], widths positive', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    for (const id of ['coverage', 'coverageLowNoise', 'coverageHighNoise'])
      assert.ok(m[id] >= 0 && m[id] <= 1, `${variant.id}.${id}`);
    assert.ok(m.widthLowNoise > 0 && m.widthHighNoise > 0, variant.id);
    // Overall coverage is the average of the halves, weighted by their (about equal) sizes.
    assert.ok(m.coverage >= Math.min(m.coverageLowNoise, m.coverageHighNoise) - 1e-12);
    assert.ok(m.coverage <= Math.max(m.coverageLowNoise, m.coverageHighNoise) + 1e-12);
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
});

test('the MSE interval has one width everywhere; the quantile interval widens where the noise grows', () => {
  const mse = run.metrics.mse;
  assert.ok(Math.abs(mse.widthLowNoise - mse.widthHighNoise) < 1e-9);
  const q = run.metrics.quantile;
  assert.ok(q.widthHighNoise > 1.5 * q.widthLowNoise, `${q.widthHighNoise} vs ${q.widthLowNoise}`);
  // The constant interval over-covers where the noise is small.
  assert.ok(mse.coverageLowNoise > mse.coverageHighNoise);
});

test('the charts carry data: held-out points under six interval lines, and coverage in ten bins of x', () => {
  const [scatter, bins] = run.charts;
  assert.ok(scatter.kind === 'scatter');
  assert.equal(scatter.series[0].points.length, 800);
  assert.equal(scatter.lines?.length, 6);
  for (const line of scatter.lines ?? [])
    assert.ok(
      line.points.every(([x, y]) => x >= 0 && x <= CURVE_X_MAX && Number.isFinite(y)),
      line.name,
    );
  assert.ok(bins.kind === 'line');
  assert.equal(bins.series.length, 3);
  for (const s of bins.series.slice(0, 2)) {
    assert.equal(s.points.length, 10);
    assert.ok(
      s.points.every(([, c]) => c >= 0 && c <= 1),
      s.name,
    );
  }
});

test('heteroscedasticCurve: x in range, noise deviation near its linear formula at each end', () => {
  const data = heteroscedasticCurve(rngFor(1, 'test'), { count: 40000, noiseAtStart: 0.1, noiseAtEnd: 0.5 });
  assert.ok(data.x.every((x) => x >= 0 && x < CURVE_X_MAX));
  // σ(x) = 0.1 + 0.2x: within 0.1 of an end it is 0.1–0.12 (x ≈ 0) and 0.48–0.5 (x ≈ 2).
  const rms = (keep: (x: number) => boolean) => {
    let sum = 0;
    let n = 0;
    data.x.forEach((x, i) => {
      if (!keep(x)) return;
      sum += (data.y[i] - Math.sin(Math.PI * x)) ** 2;
      n++;
    });
    return Math.sqrt(sum / n);
  };
  const low = rms((x) => x < 0.1);
  const high = rms((x) => x > 1.9);
  assert.ok(low > 0.1 && low < 0.12, `low-end deviation ${low}`);
  assert.ok(high > 0.47 && high < 0.51, `high-end deviation ${high}`);
});

test('the claim holds when the quantile intervals are in the band overall and on the high-noise half and MSE misses it there', () => {
  const verdict = experiment.verdict(metricsOf([0.9, 0.905, 0.895], [0.9, 0.99, 0.8]));
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /quantile 90% overall, 90\.5% on the low-noise half, 89\.5% on the high-noise half; MSE ± 1\.645σ 90% overall, 99% on the low-noise half, 80% on the high-noise half/,
  );
});

test('the claim fails when the quantile intervals leave the band, or MSE stays inside it on the high-noise half, naming which', () => {
  const narrow = experiment.verdict(metricsOf([0.8, 0.8, 0.8], [0.9, 0.99, 0.8]));
  assert.equal(narrow.outcome, 'did not hold');
  assert.match(
    narrow.explanation,
    /not quantile's overall coverage inside the band; not quantile's high-noise/,
  );
  const mseFine = experiment.verdict(metricsOf([0.9, 0.9, 0.9], [0.9, 0.91, 0.89]));
  assert.equal(mseFine.outcome, 'did not hold');
  assert.match(mseFine.explanation, /not MSE's high-noise coverage outside the band/);
  // A clear failure decides even when another coverage is too close to call.
  const mixed = experiment.verdict(metricsOf([0.861, 0.86, 0.862], [0.9, 0.91, 0.89]));
  assert.equal(mixed.outcome, 'did not hold');
});

test('the claim is inconclusive, never held, when a coverage is undefined or within two standard errors of the band edge', () => {
  const undefinedCoverage = experiment.verdict(metricsOf([0.9, 0.9, Number.NaN], [0.9, 0.99, 0.8]));
  assert.equal(undefinedCoverage.outcome, 'inconclusive');
  assert.match(undefinedCoverage.explanation, /quantile's high-noise coverage is NaN/);
  // 86.5% on 2,000 points is 0.5 points inside the band: the standard error is about 0.67 points.
  const edge = experiment.verdict(metricsOf([0.9, 0.935, 0.865], [0.9, 0.99, 0.8]));
  assert.equal(edge.outcome, 'inconclusive');
  assert.match(
    edge.explanation,
    /quantile's high-noise coverage inside the band \(±1\.34%\) is within 2 binomial standard errors/,
  );
  const mseEdge = experiment.verdict(metricsOf([0.9, 0.9, 0.9], [0.9, 0.96, 0.855]));
  assert.equal(mseEdge.outcome, 'inconclusive');
});
