import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { cartpoleRl as experiment } from '../../../packages/lab/src/lab/experiments/cartpole-rl.js';

let run: ExperimentRun;
let again: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 5, quick: true, onProgress: (f) => progress.push(f) });
  again = await experiment.run({ seed: 5, quick: true, onProgress: () => {} });
});

/** Metrics with the given final returns of PPO and REINFORCE. */
function metricsWith(ppo: number, reinforce: number): Metrics {
  return {
    reinforce: { finalReturn: reinforce, greedyReturn: 300, updates: 20 },
    ppo: { finalReturn: ppo, greedyReturn: 300, updates: 200 },
  };
}

test('quick mode gives both learners a number for every metric, returns within [1, 500]', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    for (const r of [m.finalReturn, m.greedyReturn]) assert.ok(r >= 1 && r <= 500, `${variant.id}: ${r}`);
    assert.ok(Number.isInteger(m.updates) && m.updates > 0);
  }
  assert.ok(
    run.metrics.ppo.updates > run.metrics.reinforce.updates,
    'PPO reuses each rollout for several minibatch updates',
  );
  assert.ok(progress.length > 3 && progress.every((f) => f >= 0 && f <= 1));
  assert.equal(progress.at(-1), 1);
});

test('the same seed gives the same numbers and curves', () => {
  assert.deepEqual(again.metrics, run.metrics);
  assert.deepEqual(again.charts, run.charts);
});

test('the return curves cover both learners over the same budget of environment steps', () => {
  const [chart] = run.charts;
  assert.ok(chart.kind === 'line');
  assert.deepEqual(
    chart.series.map((s) => s.name),
    ['REINFORCE + baseline', 'PPO (clip)'],
  );
  for (const s of chart.series) {
    assert.ok(s.points.length >= 10, `${s.name} has ${s.points.length} points`);
    assert.ok(
      s.points.every(([step, ret], i) => ret >= 1 && ret <= 500 && (i === 0 || step >= s.points[i - 1][0])),
    );
    const lastStep = s.points.at(-1)?.[0] ?? 0;
    assert.ok(lastStep >= 11_000 && lastStep <= 12_000 + 8 * 500, `${s.name} ends at step ${lastStep}`);
  }
  assert.ok(
    run.notes?.some((n) => /clip fraction \d/.test(n)),
    'the notes report ppoStats',
  );
});

test('the verdict holds when PPO ends at least 25 above REINFORCE', () => {
  const v = experiment.verdict(metricsWith(450, 300));
  assert.equal(v.outcome, 'held');
  assert.match(v.explanation, /PPO's final return 450 vs REINFORCE's 300/);
  assert.equal(experiment.verdict(metricsWith(325, 300)).outcome, 'held');
});

test('the verdict fails when REINFORCE ends ahead, level, or less than 25 behind', () => {
  assert.equal(experiment.verdict(metricsWith(200, 420)).outcome, 'did not hold');
  assert.equal(experiment.verdict(metricsWith(300, 300)).outcome, 'did not hold');
  assert.equal(experiment.verdict(metricsWith(480, 500)).outcome, 'did not hold', 'one learner at the cap');
  const close = experiment.verdict(metricsWith(320, 300));
  assert.equal(close.outcome, 'did not hold');
  assert.match(close.explanation, /at least 25.*did not hold/);
});

test('the verdict is inconclusive, never held, when both learners hit the 500-step cap or a return is undefined', () => {
  const capped = experiment.verdict(metricsWith(500, 500));
  assert.equal(capped.outcome, 'inconclusive');
  assert.match(
    capped.explanation,
    /Inconclusive: both learners balance the pole for the whole 500-step episode/,
  );
  const undefinedReturn = experiment.verdict(metricsWith(Number.NaN, 300));
  assert.equal(undefinedReturn.outcome, 'inconclusive');
  assert.match(undefinedReturn.explanation, /PPO's final return is NaN \(not a finite number\)/);
});
