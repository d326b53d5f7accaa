import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  preferencePairs,
  preferenceTask,
  sequenceReward,
} from '../../../packages/lab/src/lab/data/preference-pairs.js';
import { rngFor } from '../../../packages/lab/src/lab/data/rng-for.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { preferenceDpo as experiment } from '../../../packages/lab/src/lab/experiments/preference-dpo.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from the greedy reward of the reference and of DPO (β = 0.1), and the large-β run's KL. */
function metricsOf(reference: number, dpo: number, largeBetaKl: number): Metrics {
  return {
    reference: { greedyReward: reference, expectedReward: 0, kl: 0 },
    dpo: { greedyReward: dpo, expectedReward: dpo - 0.2, kl: 2 },
    'dpo-large-beta': { greedyReward: reference + 0.05, expectedReward: 0.05, kl: largeBetaKl },
  };
}

test('quick mode gives finite metrics; KL is 0 for the reference and non-negative for the DPO runs', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
  }
  assert.equal(run.metrics.reference.kl, 0);
  assert.ok(run.metrics.dpo.kl >= 0 && run.metrics['dpo-large-beta'].kl >= 0);
  // Even a short run with β = 0.1 moves further from the reference than β = 50.
  assert.ok(run.metrics.dpo.kl > run.metrics['dpo-large-beta'].kl);
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
  for (const chart of run.charts) {
    assert.ok(chart.kind === 'line');
    assert.equal(chart.series.length, 2);
    for (const s of chart.series) assert.equal(s.points.length, 11, s.name);
  }
});

test('preferencePairs: sequences in the vocabulary; the chosen one wins about σ(ΔR) of the time (Bradley–Terry)', () => {
  const task = preferenceTask(rngFor(5, 'test'), { contexts: 8, length: 3, vocabulary: 5, sharpness: 1 });
  for (let row = 0; row < 8 * 3; row++) {
    const total = task.referenceProbs.subarray(row * 5, row * 5 + 5).reduce((s, p) => s + p, 0);
    assert.ok(Math.abs(total - 1) < 1e-12);
  }
  const pairs = preferencePairs(rngFor(6, 'test'), task, 20000);
  // Among pairs whose rewards differ, the higher-reward sequence should be chosen with probability
  // σ(|ΔR|): compare the observed share with the mean of σ(|ΔR|) over the same pairs.
  let wins = 0;
  let expectedWins = 0;
  let distinct = 0;
  for (let i = 0; i < pairs.count; i++) {
    for (let p = 0; p < 3; p++) {
      assert.ok(pairs.chosen[i * 3 + p] >= 0 && pairs.chosen[i * 3 + p] < 5);
      assert.ok(pairs.rejected[i * 3 + p] >= 0 && pairs.rejected[i * 3 + p] < 5);
    }
    const diff =
      sequenceReward(task, pairs.context[i], pairs.chosen, i * 3) -
      sequenceReward(task, pairs.context[i], pairs.rejected, i * 3);
    if (diff === 0) continue;
    distinct++;
    if (diff > 0) wins++;
    expectedWins += 1 / (1 + Math.exp(-Math.abs(diff)));
  }
  // Within 4 binomial standard errors (about 0.3% each on 20,000 pairs).
  assert.ok(
    Math.abs(wins / distinct - expectedWins / distinct) < 0.015,
    `${wins / distinct} vs ${expectedWins / distinct}`,
  );
});

test('the claim holds when DPO gains at least 0.5 reward and the large-β run stays within 0.05 nats', () => {
  const verdict = experiment.verdict(metricsOf(0.1, 2.1, 0.01));
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /reference 0\.1, DPO β = 0\.1 2\.1 \(gain 2, needed 0\.5\).*β = 50 0\.01 \(at most 0\.05 needed\)/,
  );
});

test('the claim fails when DPO does not raise the reward or the large-β run leaves the reference', () => {
  const noGain = experiment.verdict(metricsOf(0.5, 0.4, 0.01));
  assert.equal(noGain.outcome, 'did not hold');
  assert.match(noGain.explanation, /DPO did not raise the greedy reward/);
  const drift = experiment.verdict(metricsOf(0.1, 2.1, 0.5));
  assert.equal(drift.outcome, 'did not hold');
  assert.match(drift.explanation, /the β = 50 run left the reference/);
  // A clear failure decides even when the other condition is near its threshold.
  assert.equal(experiment.verdict(metricsOf(0.1, 0.3, 0.5)).outcome, 'did not hold');
});

test('the claim is inconclusive, never held, near a threshold or on an undefined metric', () => {
  const smallGain = experiment.verdict(metricsOf(0.1, 0.4, 0.01));
  assert.equal(smallGain.outcome, 'inconclusive');
  assert.match(smallGain.explanation, /the gain is positive but below 0\.5/);
  const nearKl = experiment.verdict(metricsOf(0.1, 2.1, 0.07));
  assert.equal(nearKl.outcome, 'inconclusive');
  assert.match(nearKl.explanation, /KL is between 0\.05 and 0\.1/);
  const nan = experiment.verdict(metricsOf(0.1, 2.1, Number.NaN));
  assert.equal(nan.outcome, 'inconclusive');
  assert.match(nan.explanation, /large-β run's KL is NaN/);
});
