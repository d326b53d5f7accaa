// `losskit compare`: the lab's comparison on the user's own data. Trains the same small model with
// each loss suited to the task, over several seeds, next to a constant and a linear baseline, and
// says which loss did best only when its lead is larger than the seed-to-seed spread.
import { Rng, type RngState, mlp } from 'losskit';
import { Adam } from 'losskit';
import { LossInputError, Tensor } from 'losskit';
import { fit, predict } from 'losskit';
import type { MetricSpec } from '../experiment.js';
import { softmaxRows } from '../metrics.js';
import type { MetricSummary } from '../run-lab.js';
import { type Baseline, baselinePredictions, baselinesFor } from './baselines.js';
import { type Candidate, candidatesFor, compareMetrics } from './candidates.js';
import { checkDataset } from './check-dataset.js';
import { type CompareTask, DataError, type Dataset } from './dataset.js';
import { type WinnerDecision, baselinesAhead, decideWinner } from './decide-winner.js';
import { heldOutMetrics } from './held-out-metrics.js';
import { type HeldOutSplit, heldOutCount, heldOutSplit } from './held-out-split.js';
import { summarizeSeeds } from './summarize-seeds.js';

export type { Candidate } from './candidates.js';
export type { Baseline } from './baselines.js';
export type { Lead, WinnerDecision } from './decide-winner.js';
export { formatComparison } from './format-comparison.js';

/** Held-out metrics of one model over the seeds. */
export interface SeedMetrics {
  /** Mean over the seeds, by `MetricSpec.id`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** Mean, spread, min, max and per-seed values, by `MetricSpec.id`. */
  readonly summary: Readonly<Record<string, MetricSummary>>;
}

/** One loss and how the model trained with it did. */
export interface CandidateResult extends Candidate, SeedMetrics {}

/** One baseline and how it did. */
export interface BaselineResult extends Baseline, SeedMetrics {}

/** The network every loss trains. */
export interface CompareModel {
  /** Layer widths: inputs, hidden…, outputs (ReLU between layers). */
  readonly layers: readonly number[];
  readonly optimizer: 'Adam';
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
}

export interface ComparisonResult {
  readonly task: CompareTask;
  readonly target: string;
  readonly features: readonly string[];
  /** One split, initialisation and shuffling per seed. */
  readonly seeds: readonly number[];
  readonly trainRows: number;
  readonly testRows: number;
  readonly model: CompareModel;
  /** The metric that decides which loss did best. */
  readonly primary: MetricSpec;
  readonly metricSpecs: readonly MetricSpec[];
  readonly candidates: readonly CandidateResult[];
  readonly baselines: readonly BaselineResult[];
  /** The leader on the primary metric and its lead over every other loss. */
  readonly decision: WinnerDecision;
  /** `id` of the loss that is clearly better than every other; absent when none is. */
  readonly best?: string;
  /** Ids of the losses equal to the leader on every seed (including it). */
  readonly tied: readonly string[];
  /** Ids of the baselines whose mean primary metric beats every loss's. */
  readonly baselinesAhead: readonly string[];
  /** For a binary task, the class name treated as positive (1). */
  readonly positiveClass?: string;
}

export interface CompareOptions {
  readonly task: CompareTask;
  /** The first seed (default 1); seed k of `seeds` is `seed + k`. A non-negative integer. */
  readonly seed?: number;
  /** How many seeds to run (default 5): each draws its own split, initialisation and shuffling. */
  readonly seeds?: number;
  /** Share of rows held out for testing, in (0, 1) (default 0.25). */
  readonly testFraction?: number;
  /** Training epochs (default: about 1500 optimiser steps, between 2 and 200 epochs). */
  readonly epochs?: number;
  /** Hidden layer widths (default [32]). */
  readonly hidden?: readonly number[];
  /** Called with the fraction done and what is being trained. */
  readonly onProgress?: (fraction: number, stage: string) => void;
}

const batchSize = 32;
const learningRate = 0.01;

/** The largest values `compareLosses` accepts: beyond them a run would take hours or exhaust memory. */
export const compareLimits = { seeds: 1000, epochs: 100_000, hiddenWidth: 4096, hiddenLayers: 16 } as const;

function checkedOptions(options: CompareOptions) {
  const fail = (argument: string, problem: string) => {
    throw new LossInputError('compareLosses', `options.${argument}`, problem);
  };
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed) || seed < 0) fail('seed', `must be a non-negative integer, got ${seed}`);
  const seeds = options.seeds ?? 5;
  if (!Number.isSafeInteger(seeds) || seeds < 1 || seeds > compareLimits.seeds)
    fail('seeds', `must be an integer from 1 to ${compareLimits.seeds}, got ${seeds}`);
  const testFraction = options.testFraction ?? 0.25;
  if (!(testFraction > 0 && testFraction < 1))
    fail('testFraction', `must be a number in (0, 1), got ${testFraction}`);
  const { epochs } = options;
  if (
    epochs !== undefined &&
    !(Number.isSafeInteger(epochs) && epochs >= 1 && epochs <= compareLimits.epochs)
  )
    fail('epochs', `must be an integer from 1 to ${compareLimits.epochs}, got ${epochs}`);
  const hidden = options.hidden ?? [32];
  const { hiddenLayers, hiddenWidth } = compareLimits;
  if (
    hidden.length === 0 ||
    hidden.length > hiddenLayers ||
    !hidden.every((h) => Number.isSafeInteger(h) && h >= 1 && h <= hiddenWidth)
  ) {
    fail(
      'hidden',
      `must be 1 to ${hiddenLayers} layer widths, each an integer from 1 to ${hiddenWidth}, got [${hidden.join(', ')}]`,
    );
  }
  return { seed, seeds, testFraction, hidden };
}

/**
 * For each seed: splits the rows, standardises features (and a regression target) on the
 * training split, trains an MLP (inputs → hidden… → outputs, ReLU) with Adam under each suitable
 * loss from the same initial weights, fits the baselines, and measures everything on the held-out
 * rows in the data's own units. Class weights (`posWeight`, `weight`) come from the class
 * frequencies of all rows, so each loss is the same on every seed. Reports the mean and spread over the seeds and names a best loss
 * only when it is clearly ahead (see `decideWinner`).
 *
 * A metric that is not a finite number (errors beyond double precision) is a `DataError` naming
 * the target column; bad options are a `LossInputError`.
 *
 * @example
 * const result = compareLosses(dataset, { task: 'regression', seeds: 3 });
 * console.log(formatComparison(result));
 */
export function compareLosses(dataset: Dataset, options: CompareOptions): ComparisonResult {
  const { task } = options;
  const { seed, seeds, testFraction, hidden } = checkedOptions(options);
  checkDataset(dataset, task);
  const rows = dataset.features.length;
  const testRows = heldOutCount(rows, testFraction);
  const trainRows = rows - testRows;
  const classes = dataset.classes?.length ?? 0;
  const outputs = task === 'multiclass' ? classes : 1;
  const model: CompareModel = {
    layers: [dataset.featureNames.length, ...hidden, outputs],
    optimizer: 'Adam',
    learningRate,
    epochs: options.epochs ?? Math.max(2, Math.min(200, Math.round(1500 / Math.ceil(trainRows / batchSize)))),
    batchSize,
  };
  const metricSpecs = compareMetrics[task];
  const target = dataset.targetName ?? 'target';
  const finiteMetrics = (metrics: Record<string, number>, label: string) => {
    for (const spec of metricSpecs) {
      if (!Number.isFinite(metrics[spec.id])) {
        throw new DataError(
          `column '${target}': the held-out ${spec.label} of ${label} is ${metrics[spec.id]}, not a finite number (its errors are too large for double precision)`,
        );
      }
    }
    return metrics;
  };
  const seedList = Array.from({ length: seeds }, (_, k) => seed + k);
  const candidates = candidatesFor(task, dataset.target, classes);
  const baselines = baselinesFor(task);
  const candidateValues: Record<string, number>[][] = candidates.map(() => []);
  const baselineValues: Record<string, number>[][] = baselines.map(() => []);
  seedList.forEach((s, seedIndex) => {
    const root = new Rng(s);
    const split = heldOutSplit(dataset, task, root.permutation(rows), testRows);
    const init = root.fork().getState();
    const shuffleSeed = root.nextUint32();
    candidates.forEach((candidate, k) => {
      const report = (fraction: number) =>
        options.onProgress?.(
          (seedIndex + (k + fraction) / candidates.length) / seeds,
          `${seeds > 1 ? `seed ${seedIndex + 1}/${seeds}: ` : ''}training ${candidate.label}`,
        );
      const predictions = trainAndPredict(candidate, split, model, { init, shuffleSeed, s, task, report });
      candidateValues[k].push(
        finiteMetrics(
          heldOutMetrics(task, predictions, split.yTest, classes, split.targetScale),
          candidate.label,
        ),
      );
    });
    baselines.forEach((baseline, b) => {
      const predictions = baselinePredictions(baseline, task, split, classes);
      baselineValues[b].push(
        finiteMetrics(
          heldOutMetrics(task, predictions, split.yTest, classes, split.targetScale),
          baseline.label,
        ),
      );
    });
  });
  options.onProgress?.(1, 'done');
  const summaryOf = (perSeed: readonly Record<string, number>[]): SeedMetrics => {
    const summary: Record<string, MetricSummary> = {};
    const metrics: Record<string, number> = {};
    for (const spec of metricSpecs) {
      summary[spec.id] = summarizeSeeds(perSeed.map((m) => m[spec.id]));
      metrics[spec.id] = summary[spec.id].mean;
    }
    return { metrics, summary };
  };
  const candidateResults = candidates.map((c, k) => ({ ...c, ...summaryOf(candidateValues[k]) }));
  const baselineResults = baselines.map((b, k) => ({ ...b, ...summaryOf(baselineValues[k]) }));
  const primary = metricSpecs[0];
  const primaryValues = (r: SeedMetrics & { id: string }) => ({
    id: r.id,
    values: r.summary[primary.id].values,
  });
  const decision = decideWinner(candidateResults.map(primaryValues), primary);
  return {
    task,
    target,
    features: dataset.featureNames,
    seeds: seedList,
    trainRows,
    testRows,
    model,
    primary,
    metricSpecs,
    candidates: candidateResults,
    baselines: baselineResults,
    decision,
    ...(decision.clear ? { best: decision.leader } : {}),
    tied: decision.tied,
    baselinesAhead: baselinesAhead(
      candidateResults.map(primaryValues),
      baselineResults.map(primaryValues),
      primary,
    ),
    ...(task === 'binary' && dataset.classes ? { positiveClass: dataset.classes[1] } : {}),
  };
}

interface TrainingRun {
  readonly init: RngState;
  readonly shuffleSeed: number;
  /** The seed, for messages. */
  readonly s: number;
  readonly task: CompareTask;
  readonly report: (fraction: number) => void;
}

/** Trains the model under one loss and returns its held-out predictions as `heldOutMetrics` takes them. */
function trainAndPredict(
  candidate: Candidate,
  split: HeldOutSplit,
  spec: CompareModel,
  run: TrainingRun,
): Float64Array {
  const trainCount = split.yTrain.length;
  const model = mlp(spec.layers, { rng: Rng.fromState(run.init), dtype: 'float64' });
  const y =
    run.task === 'multiclass'
      ? new Tensor(split.yTrain, [trainCount])
      : new Tensor(split.yTrain, [trainCount, 1]);
  try {
    fit(model, {
      x: new Tensor(split.xTrain, [trainCount, split.width]),
      y,
      loss: { loss: candidate.loss, options: candidate.options },
      optimizer: new Adam(model.parameters(), { lr: spec.learningRate }),
      epochs: spec.epochs,
      batchSize: spec.batchSize,
      seed: run.shuffleSeed,
      health: false,
      recordSteps: false,
      onProgress: (e) => run.report(e.step / e.totalSteps),
    });
  } catch (error) {
    if (!(error instanceof LossInputError)) throw error;
    throw new DataError(`training with ${candidate.label} diverged on seed ${run.s}: ${error.message}`);
  }
  const out = predict(model, new Tensor(split.xTest, [split.yTest.length, split.width])).data;
  if (!out.every(Number.isFinite))
    throw new DataError(`training with ${candidate.label} diverged on seed ${run.s}: non-finite predictions`);
  if (run.task === 'regression') return Float64Array.from(out);
  if (run.task === 'binary') return Float64Array.from(out, (z) => 1 / (1 + Math.exp(-z)));
  return softmaxRows(out, spec.layers[spec.layers.length - 1]);
}
