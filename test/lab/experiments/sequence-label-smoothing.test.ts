import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { aliceText } from '../../../packages/lab/src/lab/data/alice-text.js';
import { charCorpus, charExamples } from '../../../packages/lab/src/lab/data/char-corpus.js';
import type { ExperimentRun, Metrics } from '../../../packages/lab/src/lab/experiment.js';
import { sequenceLabelSmoothing as experiment } from '../../../packages/lab/src/lab/experiments/sequence-label-smoothing.js';

let run: ExperimentRun;
const progress: number[] = [];

before(async () => {
  run = await experiment.run({ seed: 2, quick: true, onProgress: (f) => progress.push(f) });
});

/** Metrics from (ECE, perplexity) of token cross-entropy and of label smoothing. */
function metricsOf(ce: [number, number], ls: [number, number]): Metrics {
  const row = ([ece, perplexity]: [number, number]) => ({
    ece,
    perplexity,
    meanConfidence: 0.4,
    accuracy: 0.4,
  });
  return { 'token-ce': row(ce), 'label-smoothing': row(ls) };
}

test('quick mode gives a finite number for every variant and metric, in range', () => {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = run.metrics[variant.id]?.[metric.id];
      assert.equal(typeof value, 'number', `${variant.id}.${metric.id}`);
      assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
    }
    const m = run.metrics[variant.id];
    assert.ok(
      m.perplexity > 1 && m.perplexity < 38,
      'perplexity lies between a perfect model and a uniform guess',
    );
    for (const id of ['ece', 'meanConfidence', 'accuracy']) assert.ok(m[id] >= 0 && m[id] <= 1, id);
  }
  assert.ok(progress.length > 0 && progress.every((f) => f >= 0 && f <= 1));
});

test('label smoothing makes the model less confident than token cross-entropy', () => {
  assert.ok(run.metrics['label-smoothing'].meanConfidence < run.metrics['token-ce'].meanConfidence);
});

test('the charts carry data: perplexity and over-confidence curves, and a reliability diagram with its diagonal', () => {
  const [perplexity, overconfidence, reliability] = run.charts;
  for (const chart of [perplexity, overconfidence]) {
    assert.ok(chart.kind === 'line');
    assert.equal(chart.series.length, 2);
    for (const s of chart.series) assert.equal(s.points.length, 10);
  }
  assert.ok(overconfidence.kind === 'line');
  for (const s of overconfidence.series) assert.ok(s.points.every(([, gap]) => gap > -1 && gap < 1));
  assert.ok(reliability.kind === 'line');
  assert.equal(reliability.series.length, 3);
  for (const s of reliability.series) {
    assert.ok(s.points.length >= 2, s.name);
    assert.ok(s.points.every(([c, a]) => c >= 0 && c <= 1 && a >= 0 && a <= 1));
  }
});

test('the shipped corpus is a few KB of lower-cased text with one id per distinct character', () => {
  const corpus = charCorpus(aliceText);
  assert.ok(corpus.ids.length > 5000);
  assert.equal(new Set(corpus.vocabulary).size, corpus.vocabulary.length);
  assert.ok(corpus.vocabulary.every((c) => c === c.toLowerCase()));
  assert.deepEqual(
    corpus.vocabulary.filter((c) => /\s/.test(c)),
    [' '],
    'whitespace is normalised to single spaces',
  );
  assert.equal(corpus.vocabulary.length, Math.max(...corpus.ids) + 1);
});

test('charExamples pairs each position with the characters before it, padded at the start', () => {
  const { ids, vocabulary } = charCorpus('abcab');
  assert.deepEqual(vocabulary, ['a', 'b', 'c']);
  const ex = charExamples(ids, 3, 0, 5, 9);
  assert.equal(ex.count, 4);
  assert.deepEqual([...ex.contexts.subarray(0, 3)], [9, 9, 0]);
  assert.deepEqual([...ex.contexts.subarray(9, 12)], [1, 2, 0]);
  assert.deepEqual([...ex.targets], [1, 2, 0, 1]);
});

test('the claim holds when label smoothing has the lower ECE and a perplexity within 5%', () => {
  const verdict = experiment.verdict(metricsOf([0.08, 9], [0.04, 9.3]));
  assert.equal(verdict.outcome, 'held');
  assert.match(
    verdict.explanation,
    /token cross-entropy 0\.08, label smoothing 0\.04; validation perplexity 9 vs 9\.3/,
  );
});

test('the claim fails on a higher ECE or on a perplexity cost above 5%, naming which', () => {
  const worseEce = experiment.verdict(metricsOf([0.04, 9], [0.05, 9]));
  assert.equal(worseEce.outcome, 'did not hold');
  assert.match(worseEce.explanation, /calibration error is not lower/);
  const costly = experiment.verdict(metricsOf([0.08, 9], [0.04, 9.5]));
  assert.equal(costly.outcome, 'did not hold');
  assert.match(costly.explanation, /perplexity is more than 1\.05×/);
});

test('the claim is inconclusive, never held, when both models have ECE 0 or a metric is undefined', () => {
  const perfect = experiment.verdict(metricsOf([0, 9], [0, 9]));
  assert.equal(perfect.outcome, 'inconclusive');
  assert.match(perfect.explanation, /Inconclusive: both models are perfectly calibrated/);
  const undefinedEce = experiment.verdict(metricsOf([0.08, 9], [Number.NaN, 9.3]));
  assert.equal(undefinedEce.outcome, 'inconclusive');
  assert.match(undefinedEce.explanation, /label smoothing's ECE is NaN/);
});
