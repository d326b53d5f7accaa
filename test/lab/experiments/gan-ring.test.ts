import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { modeCoverage, ringCentre, sampleRing } from '../../../packages/lab/src/lab/data/ring-of-gaussians.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { ganRing as experiment } from '../../../packages/lab/src/lab/experiments/gan-ring.js';
import { Rng } from '../../../packages/losskit/src/nn/index.js';

const RING = { modes: 8, radius: 2, std: 0.05 };

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 3, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics with the given modes covered by WGAN-GP and the minimax GAN (LSGAN in between). */
function metricsWith(wgan: number, minimax: number): Metrics {
  const row = (modes: number) => ({ modesCovered: modes, highQualityShare: 0.5, modeKl: 0.2 });
  return { minimax: row(minimax), lsgan: row(4), 'wgan-gp': row(wgan) };
}

test('quick mode gives every variant a number for every metric, within its range', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    assert.ok(Number.isInteger(m.modesCovered) && m.modesCovered >= 0 && m.modesCovered <= 8);
    assert.ok(m.highQualityShare >= 0 && m.highQualityShare <= 1);
    assert.ok(m.modeKl >= 0 && m.modeKl <= Math.log(8) + 1e-12);
  }
  assert.ok(progress.length > 3 && progress.every((f) => f >= 0 && f <= 1));
  assert.ok(
    progress.every((f, i) => i === 0 || f >= progress[i - 1]),
    'progress never goes back',
  );
  assert.equal(progress.at(-1), 1);
});

test('the charts carry data: one scatter of generated over real samples per variant, and both loss curves', () => {
  const scatters = run.charts.filter((c) => c.kind === 'scatter');
  assert.equal(scatters.length, 3);
  for (const chart of scatters) {
    assert.ok(chart.kind === 'scatter');
    assert.deepEqual(
      chart.series.map((s) => s.points.length),
      [400, 600],
    );
    assert.equal(chart.series[0].name, 'real data');
    for (const s of chart.series)
      assert.ok(s.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y)));
  }
  const lines = run.charts.filter((c) => c.kind === 'line');
  assert.deepEqual(
    lines.map((c) => c.title),
    ['Discriminator / critic loss', 'Generator loss'],
  );
  for (const chart of lines) {
    assert.ok(chart.kind === 'line');
    assert.equal(chart.series.length, 3);
    for (const s of chart.series)
      assert.ok(s.points.length >= 20 && s.points.every(([, y]) => Number.isFinite(y)), s.name);
  }
});

test('the verdict holds when WGAN-GP covers at least as many modes as the minimax GAN, ties included', () => {
  const more = experiment.verdict(metricsWith(8, 5));
  assert.equal(more.outcome, 'held');
  assert.match(more.explanation, /WGAN-GP covered 8 of 8 modes and the minimax GAN 5/);
  assert.equal(experiment.verdict(metricsWith(6, 6)).outcome, 'held');
});

test('the verdict fails when the minimax GAN covers more modes than WGAN-GP', () => {
  const fewer = experiment.verdict(metricsWith(3, 7));
  assert.equal(fewer.outcome, 'did not hold');
  assert.match(fewer.explanation, /covered 3 of 8 modes and the minimax GAN 7.*did not hold/);
  assert.equal(
    experiment.verdict(metricsWith(5.5, 5.6)).outcome,
    'did not hold',
    'means over seeds compare as numbers',
  );
  assert.equal(
    experiment.verdict(metricsWith(0, 1)).outcome,
    'did not hold',
    'WGAN-GP at 0 against 1 is a real loss',
  );
});

test('the verdict is inconclusive, never held, when neither GAN covers a mode or a count is undefined', () => {
  const none = experiment.verdict(metricsWith(0, 0));
  assert.equal(none.outcome, 'inconclusive');
  assert.match(
    none.explanation,
    /WGAN-GP covered 0 of 8 modes and the minimax GAN 0\. Inconclusive: neither GAN covered a single mode/,
  );
  assert.doesNotMatch(none.explanation, /so it held/);
  assert.equal(experiment.verdict(metricsWith(Number.NaN, 3)).outcome, 'inconclusive');
});

test('the ring data is seeded and every sample lies near one of the 8 centres at radius 2', () => {
  const a = sampleRing(new Rng(9), RING, 2000);
  assert.deepEqual(sampleRing(new Rng(9), RING, 2000), a);
  const coverage = modeCoverage(a, RING, { minPerMode: 25 });
  // Within 3 std in each of 2 dimensions: P(χ²₂ ≤ 9) = 1 − e^(−4.5) ≈ 0.989.
  assert.ok(Math.abs(coverage.highQualityShare - 0.989) < 0.01, `share ${coverage.highQualityShare}`);
  assert.equal(coverage.modesCovered, 8);
  assert.ok(coverage.modeKl < 0.01, `real data is balanced over the modes, KL ${coverage.modeKl}`);
  assert.deepEqual(
    ringCentre(RING, 2).map((v) => Math.round(v * 1e12) / 1e12),
    [0, 2],
  );
});

test('mode coverage counts samples within 3 std of a centre, and a mode only with enough of them', () => {
  const [cx, cy] = ringCentre(RING, 0); // (2, 0)
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) samples.push(cx + 0.14, cy); // inside 3 std = 0.15
  for (let i = 0; i < 10; i++) samples.push(...ringCentre(RING, 3)); // on mode 3, too few to cover it
  for (let i = 0; i < 60; i++) samples.push(0, 0); // the centre of the ring: far from every mode
  const coverage = modeCoverage(samples, RING, { minPerMode: 25 });
  assert.equal(coverage.modesCovered, 1);
  assert.equal(coverage.highQualityShare, 0.4);
  assert.deepEqual(coverage.perMode, [30, 0, 0, 10, 0, 0, 0, 0]);
  // q = (0.75, 0.25) on two of 8 modes: KL = 0.75·log(6) + 0.25·log(2).
  assert.ok(Math.abs(coverage.modeKl - (0.75 * Math.log(6) + 0.25 * Math.log(2))) < 1e-12);
  const collapsed = modeCoverage([cx + 0.16, cy, 5, 5], RING, { minPerMode: 1 });
  assert.deepEqual(
    [collapsed.modesCovered, collapsed.highQualityShare, collapsed.modeKl],
    [0, 0, Math.log(8)],
  );
});
