import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { sequenceDistillation as experiment } from '../../../packages/lab/src/lab/experiments/sequence-distillation.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 4, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics with the given validation perplexities. */
function metricsOf(teacher: number, hard: number, distilled: number, klOnly: number): Metrics {
  const row = (perplexity: number, parameters: number) => ({ perplexity, accuracy: 0.4, parameters });
  return {
    teacher: row(teacher, 6000),
    'student-hard': row(hard, 1200),
    'student-distilled': row(distilled, 1200),
    'student-kl-only': row(klOnly, 1200),
  };
}

test('quick mode gives a finite number for every variant and metric, and reports progress', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value) && value >= 0, `${variant.id}.${metric.id} = ${value}`);
    }
    assert.ok(run.metrics[variant.id].perplexity > 1);
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
  assert.ok(Math.abs(progress[progress.length - 1] - 1) < 1e-9, 'progress ends at 1');
});

test('the students share one size, smaller than the teacher', () => {
  const p = (id: string) => run.metrics[id].parameters;
  assert.equal(p('student-hard'), p('student-distilled'));
  assert.equal(p('student-hard'), p('student-kl-only'));
  assert.ok(p('student-hard') * 3 < p('teacher'));
});

test('the charts carry data: four perplexity curves and the teacher’s soft targets beside the hard label', () => {
  const [curves, targets] = run.charts;
  assert.ok(curves.kind === 'line');
  assert.deepEqual(
    curves.series.map((s) => s.name),
    experiment.variants.map((v) => v.label),
  );
  for (const s of curves.series) assert.equal(s.points.length, 10);
  assert.ok(targets.kind === 'bars');
  const bySeries = (name: string) => targets.bars.filter((b) => b.series === name).map((b) => b.value);
  assert.equal(
    bySeries('hard label').reduce((a, b) => a + b, 0),
    1,
    'the hard label is one-hot',
  );
  const sharp = bySeries('teacher, T = 1');
  const soft = bySeries('teacher, T = 2');
  assert.equal(sharp.length, 6);
  assert.ok(Math.max(...soft) < Math.max(...sharp), 'a higher temperature flattens the top probability');
});

test('the claim holds when the distilled student is at most 1% worse than the hard-label student', () => {
  const beats = experiment.verdict(metricsOf(8.5, 9.2, 8.9, 9.4));
  assert.equal(beats.outcome, 'held');
  assert.match(
    beats.explanation,
    /distilled student 8\.9, hard-label student 9\.2 \(at most 9\.29 allowed\)/,
  );
  assert.equal(
    experiment.verdict(metricsOf(8.5, 9.2, 9.25, 9.4)).outcome,
    'held',
    'within 1% counts as a match',
  );
});

test('the claim fails when the distilled student is more than 1% worse', () => {
  const verdict = experiment.verdict(metricsOf(8.5, 9.0, 9.2, 9.1));
  assert.equal(verdict.outcome, 'did not hold');
  assert.match(verdict.explanation, /more than 1% worse/);
});

test('the claim is inconclusive, never held, when a student perplexity is undefined', () => {
  const diverged = experiment.verdict(metricsOf(8.5, 9.2, Number.NaN, 9.4));
  assert.equal(diverged.outcome, 'inconclusive');
  assert.match(diverged.explanation, /the distilled student's perplexity is NaN \(not a finite number\)/);
  assert.equal(experiment.verdict(metricsOf(8.5, Number.POSITIVE_INFINITY, 9, 9.4)).outcome, 'inconclusive');
});
