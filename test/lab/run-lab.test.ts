import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type Experiment,
  type Metrics,
  decided,
  defineExperiment,
  formatClaimsMarkdown,
  formatSummary,
  inconclusive,
  metricOf,
  runLab,
  selectExperiments,
  summarize,
} from '../../packages/lab/src/lab/index.js';

/**
 * A fake experiment whose metrics are a function of the seed, with a threshold verdict that is
 * inconclusive when both errors are 0 or one is NaN.
 */
function fake(name: string, errorOf: (seed: number) => { a: number; b: number }): Experiment {
  return defineExperiment({
    name,
    title: `Fake ${name}`,
    claim: 'Variant A has a lower error than variant B.',
    setup: 'No training: the metrics are made up from the seed.',
    variants: [
      { id: 'a', label: 'A', losses: ['mse'] },
      { id: 'b', label: 'B', losses: ['mae'] },
    ],
    metrics: [{ id: 'error', label: 'error', better: 'lower' }],
    run({ seed, onProgress }) {
      onProgress(0.5, 'half way');
      const e = errorOf(seed);
      return { metrics: { a: { error: e.a }, b: { error: e.b } }, charts: [] };
    },
    verdict(metrics: Metrics) {
      const a = metricOf(metrics, 'a', 'error');
      const b = metricOf(metrics, 'b', 'error');
      if (Number.isNaN(a) || Number.isNaN(b) || (a === 0 && b === 0))
        return inconclusive(`A ${a} vs B ${b}.`, 'no error to compare');
      return decided(a < b, `A ${a} vs B ${b}`);
    },
  });
}

test('runLab repeats each experiment per seed and reports the mean and sample standard deviation', async () => {
  const result = await runLab({
    experiments: [fake('one', (s) => ({ a: s, b: 10 }))],
    seeds: 3,
    firstSeed: 1,
  });
  assert.deepEqual(result.seeds, [1, 2, 3]);
  const [e] = result.experiments;
  assert.equal(e.status, 'ok');
  assert.equal(e.summary.a.error.mean, 2);
  assert.equal(e.summary.a.error.spread, 1);
  assert.deepEqual(e.summary.a.error.values, [1, 2, 3]);
  assert.equal(e.summary.b.error.spread, 0);
  assert.equal(e.verdict.outcome, 'held');
  assert.equal(e.verdict.heldOnSeeds, 3);
  assert.equal(e.verdict.inconclusiveOnSeeds, 0);
  assert.deepEqual(e.headline, ['error']);
});

test('the verdict is computed on the mean metrics, and the seeds it held on are counted one by one', async () => {
  // Seed 1: a=1 < b=5 holds; seed 2: a=20 > b=5 fails; mean a=10.5 > 5 fails.
  const result = await runLab({
    experiments: [fake('mixed', (s) => ({ a: s === 1 ? 1 : 20, b: 5 }))],
    seeds: 2,
  });
  const [e] = result.experiments;
  assert.equal(e.verdict.outcome, 'did not hold');
  assert.equal(e.verdict.heldOnSeeds, 1);
  assert.match(formatSummary(result), /DID NOT HOLD \(held on 1 of 2 seeds\)/);
});

test('seeds are counted by outcome: held, inconclusive, and the rest did not hold', async () => {
  // Seed 1: 1 < 5 holds; seed 2: 0 and 0 is inconclusive; seed 3: 20 > 5 fails; mean 7 > 3.33 fails.
  const errors = [
    { a: 1, b: 5 },
    { a: 0, b: 0 },
    { a: 20, b: 5 },
  ];
  const result = await runLab({ experiments: [fake('three', (s) => errors[s - 1])], seeds: 3 });
  const [e] = result.experiments;
  assert.equal(e.verdict.outcome, 'did not hold');
  assert.equal(e.verdict.heldOnSeeds, 1);
  assert.equal(e.verdict.inconclusiveOnSeeds, 1);
  assert.match(formatSummary(result), /DID NOT HOLD \(held on 1 of 3 seeds, inconclusive on 1\)/);
  assert.match(
    formatClaimsMarkdown(result),
    /\| \*\*did not hold\*\* \(held on 1 of 3 seeds, inconclusive on 1\) \|/,
  );
});

test('a run that reports NaN for a metric is judged, and its claim is inconclusive rather than held or failed', async () => {
  const result = await runLab({
    experiments: [
      fake('undefined-metric', () => ({ a: Number.NaN, b: 2 })),
      fake('fine', () => ({ a: 1, b: 2 })),
    ],
  });
  const [nan, fine] = result.experiments;
  assert.equal(nan.status, 'ok');
  assert.equal(nan.verdict.outcome, 'inconclusive');
  assert.match(nan.verdict.explanation, /Inconclusive: no error to compare/);
  const summary = formatSummary(result);
  assert.match(summary, /\[undefined-metric\] — INCONCLUSIVE/);
  assert.match(summary, /1 of 2 claims held \(seed 1, [\d.]+ s\); 1 inconclusive\./);
  assert.match(formatClaimsMarkdown(result), /\| \*\*inconclusive\*\* \| A NaN vs B 2\./);
  assert.equal(fine.verdict.outcome, 'held');
});

test('an experiment that throws or omits a metric is reported as failed, and the others still run', async () => {
  const broken = {
    ...fake('broken', () => ({ a: 1, b: 2 })),
    run: () => ({ metrics: { a: { error: 1 } }, charts: [] }),
  };
  const throwing = {
    ...fake('throwing', () => ({ a: 1, b: 2 })),
    run: () => {
      throw new Error('diverged');
    },
  };
  const result = await runLab({ experiments: [broken, throwing, fake('fine', () => ({ a: 1, b: 2 }))] });
  assert.deepEqual(
    result.experiments.map((e) => e.status),
    ['failed', 'failed', 'ok'],
  );
  assert.match(result.experiments[0].error ?? '', /variant 'b', metric 'error'/);
  assert.match(result.experiments[1].verdict.explanation, /failed before it could be judged: diverged/);
  assert.match(formatSummary(result), /FAILED TO RUN/);
});

test('progress is reported per experiment and seed as a fraction over all seeds', async () => {
  const events: { experiment: string; fraction: number; stage?: string }[] = [];
  await runLab({
    experiments: [fake('p', () => ({ a: 1, b: 2 }))],
    seeds: 2,
    onProgress: (p) => events.push(p),
  });
  assert.ok(events.some((e) => e.fraction === 0.25 && e.stage === 'half way'));
  assert.ok(events.some((e) => e.fraction === 0.75));
  assert.equal(events.at(-1)?.fraction, 1);
});

test('--only keeps the named experiments and rejects unknown names with the list of known ones', () => {
  const all = [fake('one', () => ({ a: 1, b: 2 })), fake('two', () => ({ a: 1, b: 2 }))];
  assert.deepEqual(
    selectExperiments(all, ['two']).map((e) => e.name),
    ['two'],
  );
  assert.throws(
    () => selectExperiments(all, ['three']),
    /unknown experiment 'three'; the experiments are: one, two/,
  );
});

test('defineExperiment rejects a name that is not kebab-case and a headline naming an unknown metric', () => {
  assert.throws(() => fake('Not Kebab', () => ({ a: 1, b: 2 })), /must be kebab-case/);
  assert.throws(
    () => defineExperiment({ ...fake('x', () => ({ a: 1, b: 2 })), headline: ['nope'] }),
    /unknown metric 'nope'/,
  );
});

test('metricOf names the missing variant or metric', () => {
  assert.throws(() => metricOf({ a: { x: 1 } }, 'b', 'x'), /no metrics for variant 'b'/);
  assert.throws(() => metricOf({ a: { x: 1 } }, 'a', 'y'), /variant 'a' has no metric 'y'/);
});

test('summarize gives the sample standard deviation', () => {
  const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
  assert.equal(s.mean, 5);
  assert.ok(Math.abs(s.spread - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(s.min, 2);
  assert.equal(s.max, 9);
});
