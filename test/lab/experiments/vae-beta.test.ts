import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { strokeImages } from '../../../packages/lab/src/lab/data/stroke-images.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { vaeBeta as experiment } from '../../../packages/lab/src/lab/experiments/vae-beta.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 7, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from [KL, reconstruction] per β (0.5, 1, 4). */
function metricsOf(points: readonly (readonly [number, number])[]): Metrics {
  const ids = ['beta-0.5', 'beta-1', 'beta-4'];
  return Object.fromEntries(
    ids.map((id, i) => [
      id,
      { kl: points[i][0], recon: points[i][1], negElbo: points[i][0] + points[i][1], activeUnits: 4 },
    ]),
  );
}

test('quick mode gives a finite, non-negative number for every variant and metric', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value) && value >= 0, `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    assert.ok(Math.abs(m.negElbo - (m.recon + m.kl)) < 1e-9, '−ELBO is reconstruction + KL');
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
});

test('the charts carry data: the rate–distortion points, training curves, reconstructions and samples', () => {
  const scatter = run.charts.find((c) => c.kind === 'scatter');
  assert.ok(scatter !== undefined && scatter.kind === 'scatter');
  assert.equal(scatter.series.length, 3);
  for (const s of scatter.series) {
    assert.ok(s.points.length > 10, `${s.name} has one dot per test image`);
    assert.ok(s.points.every(([kl, recon]) => kl >= 0 && recon > 0));
  }
  const [path] = scatter.lines ?? [];
  assert.deepEqual(
    path.points,
    experiment.variants.map((v) => [run.metrics[v.id].kl, run.metrics[v.id].recon]),
    'the line joins the mean (KL, reconstruction) of each β',
  );
  const lines = run.charts.filter((c) => c.kind === 'line');
  assert.equal(lines.length, 2);
  for (const chart of lines)
    if (chart.kind === 'line') for (const s of chart.series) assert.ok(s.points.length >= 2);
  const grids = run.charts.filter((c) => c.kind === 'images');
  assert.equal(grids.length, 2);
  const [reconstructions, samples] = grids;
  assert.ok(reconstructions.kind === 'images' && samples.kind === 'images');
  assert.deepEqual(
    [...new Set(reconstructions.images.map((i) => i.row))],
    ['input', 'β = 0.5', 'β = 1', 'β = 4'],
  );
  assert.deepEqual([...new Set(samples.images.map((i) => i.row))], ['β = 0.5', 'β = 1', 'β = 4']);
  for (const image of [...reconstructions.images, ...samples.images]) {
    assert.equal(image.pixels.length, reconstructions.width * reconstructions.height);
    assert.ok(image.pixels.every((p) => p >= 0 && p <= 1));
  }
});

test('the stroke images are binary, never empty, and reproducible from the seed', () => {
  const a = strokeImages(rngFor(5, 'x'), { count: 100, size: 8 });
  const b = strokeImages(rngFor(5, 'x'), { count: 100, size: 8 });
  assert.deepEqual(a.images, b.images);
  assert.ok(a.images.every((p) => p === 0 || p === 1));
  for (let i = 0; i < a.count; i++)
    assert.ok(
      a.images.subarray(i * 64, (i + 1) * 64).some((p) => p === 1),
      `image ${i} is empty`,
    );
});

test('the claim holds when KL falls and reconstruction error rises with each step up in β', () => {
  const verdict = experiment.verdict(
    metricsOf([
      [6, 9],
      [4, 11],
      [1, 18],
    ]),
  );
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /β = 0\.5 6, β = 1 4, β = 4 1; reconstruction: β = 0\.5 9, β = 1 11, β = 4 18/,
  );
});

test('the claim fails when the KL does not fall or the reconstruction does not rise, naming the step', () => {
  const klRises = experiment.verdict(
    metricsOf([
      [4, 9],
      [6, 11],
      [1, 18],
    ]),
  );
  assert.equal(klRises.outcome, 'did not hold');
  assert.match(klRises.explanation, /the KL does not fall by 2% from β = 0\.5 to β = 1/);
  const reconFlat = experiment.verdict(
    metricsOf([
      [6, 9],
      [4, 11],
      [1, 11.1],
    ]),
  );
  assert.equal(reconFlat.outcome, 'did not hold');
  assert.match(reconFlat.explanation, /reconstruction error does not rise by 2% from β = 1 to β = 4/);
});

test('the claim is inconclusive, never held, when the posterior collapsed at every β or a metric is undefined', () => {
  const collapsed = experiment.verdict(
    metricsOf([
      [0, 9],
      [0, 11],
      [0, 18],
    ]),
  );
  assert.equal(collapsed.outcome, 'inconclusive');
  assert.match(collapsed.explanation, /Inconclusive: the posterior collapsed at every β/);
  const undefinedKl = experiment.verdict(
    metricsOf([
      [6, 9],
      [Number.NaN, 11],
      [1, 18],
    ]),
  );
  assert.equal(undefinedKl.outcome, 'inconclusive');
  assert.match(undefinedKl.explanation, /the KL at β = 1 is NaN/);
});
