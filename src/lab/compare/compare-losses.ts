// `losskit compare`: the lab's comparison on the user's own data. Trains the same small model with
// each loss suited to the task and reports which did best on a held-out split.
import { Rng, mlp } from '../../nn/index.js';
import { Adam } from '../../optim/index.js';
import { Tensor } from '../../tensor/index.js';
import { fit, predict } from '../../train/index.js';
import type { MetricSpec } from '../experiment.js';
import {
  averagePrecision,
  binaryScores,
  calibration,
  meanAbsoluteError,
  rootMeanSquaredError,
  softmaxRows,
} from '../metrics.js';
import type { CompareTask, Dataset } from './dataset.js';

/** One loss tried on the data. */
export interface Candidate {
  readonly id: string;
  readonly label: string;
  /** Registry name. */
  readonly loss: string;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface CandidateResult extends Candidate {
  /** Test-split metrics, by `MetricSpec.id`. */
  readonly metrics: Readonly<Record<string, number>>;
}

export interface ComparisonResult {
  readonly task: CompareTask;
  readonly trainRows: number;
  readonly testRows: number;
  /** The metric that decides which loss did best. */
  readonly primary: MetricSpec;
  readonly metricSpecs: readonly MetricSpec[];
  readonly candidates: readonly CandidateResult[];
  /** `id` of the candidate with the best primary metric (the first listed on a tie). */
  readonly best: string;
  /** Ids of every candidate that ties with the best on the primary metric (including it). */
  readonly tied: readonly string[];
  /** For a binary task, the class name treated as positive (1). */
  readonly positiveClass?: string;
}

export interface CompareOptions {
  readonly task: CompareTask;
  /** Seeds the split, the initialisation and the shuffling (default 1). */
  readonly seed?: number;
  /** Share of rows held out for testing (default 0.25). */
  readonly testFraction?: number;
  /** Called with the fraction done and the loss being trained. */
  readonly onProgress?: (fraction: number, stage: string) => void;
}

const metricSpecs: Record<CompareTask, readonly MetricSpec[]> = {
  regression: [
    { id: 'mae', label: 'MAE', better: 'lower' },
    { id: 'rmse', label: 'RMSE', better: 'lower' },
  ],
  binary: [
    { id: 'prAuc', label: 'PR-AUC', better: 'higher' },
    { id: 'f1', label: 'F1', better: 'higher' },
    { id: 'recall', label: 'recall', better: 'higher' },
    { id: 'accuracy', label: 'accuracy', better: 'higher' },
  ],
  multiclass: [
    { id: 'accuracy', label: 'accuracy', better: 'higher' },
    { id: 'ece', label: 'ECE', better: 'lower' },
  ],
};

function candidatesFor(task: CompareTask, target: Float64Array, classes: number): Candidate[] {
  if (task === 'regression') {
    return [
      { id: 'mse', label: 'MSE', loss: 'mse', options: {} },
      { id: 'mae', label: 'MAE', loss: 'mae', options: {} },
      { id: 'huber', label: 'Huber', loss: 'huber', options: { delta: 1 } },
      { id: 'smooth-l1', label: 'Smooth L1', loss: 'smoothL1', options: { beta: 1 } },
    ];
  }
  if (task === 'binary') {
    const positives = target.reduce((s, y) => s + y, 0);
    const posWeight = (target.length - positives) / Math.max(1, positives);
    return [
      { id: 'bce', label: 'BCE', loss: 'binaryCrossEntropyWithLogits', options: {} },
      { id: 'focal', label: 'Focal', loss: 'focal', options: { alpha: 0.25, gamma: 2 } },
      {
        id: 'bce-pos-weight',
        label: 'BCE + posWeight',
        loss: 'binaryCrossEntropyWithLogits',
        options: { posWeight: [Number(posWeight.toFixed(3))] },
      },
    ];
  }
  const counts = new Float64Array(classes);
  for (const y of target) counts[y]++;
  const weight = Array.from(counts, (c) => Number((target.length / (classes * Math.max(1, c))).toFixed(3)));
  return [
    { id: 'cross-entropy', label: 'Cross-entropy', loss: 'sparseCategoricalCrossEntropy', options: {} },
    {
      id: 'label-smoothing',
      label: 'Label smoothing',
      loss: 'labelSmoothingCrossEntropy',
      options: { smoothing: 0.1 },
    },
    {
      id: 'weighted-cross-entropy',
      label: 'Class-weighted CE',
      loss: 'sparseCategoricalCrossEntropy',
      options: { weight },
    },
  ];
}

/** Column means and standard deviations of the training rows (std 1 for constant columns). */
function standardizer(rows: readonly Float64Array[]): (row: Float64Array) => Float64Array {
  const width = rows[0].length;
  const mean = new Float64Array(width);
  const std = new Float64Array(width);
  for (const r of rows) for (let c = 0; c < width; c++) mean[c] += r[c] / rows.length;
  for (const r of rows) for (let c = 0; c < width; c++) std[c] += (r[c] - mean[c]) ** 2 / rows.length;
  for (let c = 0; c < width; c++) std[c] = Math.sqrt(std[c]) || 1;
  return (row) => row.map((v, c) => (v - mean[c]) / std[c]);
}

function matrix(rows: readonly Float64Array[]): Tensor {
  const width = rows[0].length;
  const data = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) data.set(rows[i], i * width);
  return new Tensor(data, [rows.length, width]);
}

/**
 * Splits the rows (seeded), standardises features (and a regression target) on the training
 * split, trains an MLP (inputs → 32 → outputs) with Adam under each suitable loss, and measures
 * every candidate on the held-out split in the data's own units.
 */
export function compareLosses(dataset: Dataset, options: CompareOptions): ComparisonResult {
  const { task } = options;
  const seed = options.seed ?? 1;
  const count = dataset.features.length;
  const testCount = Math.max(1, Math.round(count * (options.testFraction ?? 0.25)));
  const order = new Rng(seed).permutation(count);
  const testIdx = Array.from(order.subarray(0, testCount));
  const trainIdx = Array.from(order.subarray(testCount));
  const scale = standardizer(trainIdx.map((i) => dataset.features[i]));
  const xTrain = matrix(trainIdx.map((i) => scale(dataset.features[i])));
  const xTest = matrix(testIdx.map((i) => scale(dataset.features[i])));
  const yTrainRaw = Float64Array.from(trainIdx, (i) => dataset.target[i]);
  const yTest = Float64Array.from(testIdx, (i) => dataset.target[i]);
  const classes = dataset.classes?.length ?? 0;

  let yMean = 0;
  let yStd = 1;
  if (task === 'regression') {
    yMean = yTrainRaw.reduce((s, v) => s + v, 0) / yTrainRaw.length;
    yStd = Math.sqrt(yTrainRaw.reduce((s, v) => s + (v - yMean) ** 2, 0) / yTrainRaw.length) || 1;
  }
  const yTrain =
    task === 'multiclass'
      ? new Tensor(yTrainRaw, [yTrainRaw.length])
      : new Tensor(task === 'regression' ? yTrainRaw.map((v) => (v - yMean) / yStd) : yTrainRaw, [
          yTrainRaw.length,
          1,
        ]);

  const outputs = task === 'multiclass' ? classes : 1;
  const batchSize = 32;
  const stepsPerEpoch = Math.ceil(trainIdx.length / batchSize);
  const epochs = Math.max(2, Math.min(200, Math.round(1500 / stepsPerEpoch)));
  const candidates = candidatesFor(task, yTrainRaw, classes);
  const results: CandidateResult[] = candidates.map((candidate, k) => {
    options.onProgress?.(k / candidates.length, `training ${candidate.label}`);
    const model = mlp([xTrain.shape[1], 32, outputs], { rng: new Rng(seed + 1), dtype: 'float64' });
    fit(model, {
      x: xTrain,
      y: yTrain,
      loss: { loss: candidate.loss, options: candidate.options },
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      epochs,
      batchSize,
      seed: seed + 2,
      health: false,
      recordSteps: false,
      onProgress: (e) =>
        options.onProgress?.((k + e.step / e.totalSteps) / candidates.length, `training ${candidate.label}`),
    });
    model.eval();
    const out = predict(model, xTest).data;
    return { ...candidate, metrics: evaluateOn(task, out, yTest, classes, yMean, yStd) };
  });
  options.onProgress?.(1, 'done');
  const primary = metricSpecs[task][0];
  const sign = primary.better === 'higher' ? -1 : 1;
  const bestValue = [...results].sort((a, b) => sign * (a.metrics[primary.id] - b.metrics[primary.id]))[0]
    .metrics[primary.id];
  const tied = results.filter((r) => Math.abs(r.metrics[primary.id] - bestValue) <= 1e-12).map((r) => r.id);
  return {
    task,
    trainRows: trainIdx.length,
    testRows: testIdx.length,
    primary,
    metricSpecs: metricSpecs[task],
    candidates: results,
    best: tied[0],
    tied,
    ...(task === 'binary' && dataset.classes ? { positiveClass: dataset.classes[1] } : {}),
  };
}

function evaluateOn(
  task: CompareTask,
  out: ArrayLike<number>,
  y: Float64Array,
  classes: number,
  yMean: number,
  yStd: number,
): Record<string, number> {
  if (task === 'regression') {
    const predictions = Float64Array.from(out, (v) => v * yStd + yMean);
    return { mae: meanAbsoluteError(predictions, y), rmse: rootMeanSquaredError(predictions, y) };
  }
  if (task === 'binary') {
    const scores = Float64Array.from(out, (z) => 1 / (1 + Math.exp(-z)));
    let correct = 0;
    for (let i = 0; i < y.length; i++) correct += (scores[i] >= 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    const atHalf = binaryScores(scores, y, 0.5);
    return {
      prAuc: averagePrecision(scores, y),
      f1: atHalf.f1,
      recall: atHalf.recall,
      accuracy: correct / y.length,
    };
  }
  const c = calibration(softmaxRows(out, classes), y, classes);
  return { accuracy: c.accuracy, ece: c.ece };
}

/** The comparison as a terminal table, best loss first named. */
export function formatComparison(result: ComparisonResult): string {
  const header = [
    'loss',
    ...result.metricSpecs.map((m) => `${m.label} ${m.better === 'higher' ? '↑' : '↓'}`),
  ];
  const rows = result.candidates.map((c) => [
    `${c.id === result.best ? '* ' : '  '}${c.label}`,
    ...result.metricSpecs.map((m) => c.metrics[m.id].toFixed(4)),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
  const best = result.candidates.find((c) => c.id === result.best);
  const positive = result.positiveClass !== undefined ? ` Positive class: '${result.positiveClass}'.` : '';
  const tie =
    result.tied.length > 1
      ? ` Tied on ${result.primary.label}: ${result.candidates
          .filter((c) => result.tied.includes(c.id))
          .map((c) => c.label)
          .join(', ')}.`
      : '';
  return [
    `${result.task}: trained on ${result.trainRows} rows, tested on ${result.testRows} held-out rows.${positive}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `Best on ${result.primary.label}: ${best?.label} (${best?.loss}${best && Object.keys(best.options).length > 0 ? ` ${JSON.stringify(best.options)}` : ''}).${tie}`,
  ].join('\n');
}
