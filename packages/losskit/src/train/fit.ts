import { noGrad, ops } from '../autograd/index.js';
import { numberOption } from '../losses/options.js';
import { type Module, Rng } from '../nn/index.js';
import type { Optimizer } from '../optim/index.js';
import { Arena, LossInputError, type Tensor, type TensorLike, toTensor } from '../tensor/index.js';
import { sampleCount, takeRows } from './batches.js';
import { type Checkpoint, type TrainingState, saveCheckpoint } from './checkpoint.js';
import { readCheckpoint } from './checkpoint-reader.js';
import { type GradientHealthOptions, GradientMonitor, type GradientWarning } from './gradient-health.js';
import { type History, type StepRecord, type StopReason, emptyHistory, pushColumn } from './history.js';
import { metricOptionsFor } from './metric-options.js';
import { type BuiltinMetric, type MetricFn, resolveMetrics } from './metrics.js';
import { type CombinedObjective, type LossFn, type LossSpec, resolveLoss } from './objective.js';
import { trainStep } from './train-step.js';

/** Progress of `fit`, once per batch: enough to draw a progress bar. */
export interface ProgressEvent {
  readonly epoch: number;
  readonly epochs: number;
  /** Batch within the epoch, from 1. */
  readonly batch: number;
  readonly batches: number;
  /** Global step, from 1, and the run's total. */
  readonly step: number;
  readonly totalSteps: number;
  /** Mean training loss of the epoch so far. */
  readonly loss: number;
}

/** The end-of-epoch numbers handed to callbacks. */
export interface EpochLogs {
  readonly epoch: number;
  readonly loss: number;
  readonly valLoss?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly valMetrics: Readonly<Record<string, number>>;
  readonly lr: number;
  readonly seconds: number;
}

/** What callbacks see and can do. */
export interface FitContext {
  readonly model: Module;
  readonly optimizer: Optimizer;
  readonly history: History;
  /** The current epoch (from 1); during `onTrainBegin`, the epochs already completed. */
  readonly epoch: number;
  /** Steps taken so far. */
  readonly step: number;
  /** Ends training after the current step. */
  stop(): void;
  /** A checkpoint to resume from; available between epochs (onTrainBegin, onEpochEnd, onTrainEnd). */
  checkpoint(): Checkpoint;
}

/** Hooks into the training loop; every method optional. */
export interface Callback {
  onTrainBegin?(context: FitContext): void;
  onEpochBegin?(context: FitContext): void;
  onStepEnd?(context: FitContext, step: StepRecord): void;
  onEpochEnd?(context: FitContext, logs: EpochLogs): void;
  /** A gradient problem seen for the first time for its layer. */
  onWarning?(context: FitContext, warning: GradientWarning): void;
  onTrainEnd?(context: FitContext): void;
}

/** Options of `fit`. */
export interface FitOptions {
  /** Inputs, samples along the first axis. */
  readonly x: TensorLike;
  /** Targets, samples along the first axis. */
  readonly y: TensorLike;
  /** A registry loss name (or alias), `{ loss, options }`, `combine(...)`, or any (prediction, target) => scalar. */
  readonly loss: LossSpec;
  readonly optimizer: Optimizer;
  /** Total epochs (a resumed run continues up to this number). */
  readonly epochs: number;
  /** Default 32. */
  readonly batchSize?: number;
  /** Reshuffle every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Seed of the shuffling. Default 0. */
  readonly seed?: number;
  readonly validation?: { readonly x: TensorLike; readonly y: TensorLike };
  /**
   * Named metric functions, or built-in names ('accuracy', 'binaryAccuracy', 'mae', 'rmse').
   * 'accuracy' follows the output's shape (one column: binary; several: arg-max against
   * one-hot rows or integer labels); a binary accuracy thresholds at 0 or 0.5 as the loss takes
   * logits or probabilities (`decisionThreshold`), and is an error when the loss does not say:
   * pass `{ acc: binaryAccuracyMetric({ threshold }) }` then.
   */
  readonly metrics?: Readonly<Record<string, MetricFn>> | readonly BuiltinMetric[];
  /** Clip the global gradient norm to this before each step. */
  readonly clipGradNorm?: number;
  /** Gradient health thresholds, or false to switch monitoring off. */
  readonly health?: GradientHealthOptions | false;
  /** Record every step in `history.steps` (default true). */
  readonly recordSteps?: boolean;
  readonly callbacks?: readonly Callback[];
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Continue from a checkpoint taken by `context.checkpoint()`: model, optimizer, shuffling and
   * history. It is checked whole first (as `loadCheckpoint` does); a bad one is a
   * `LossInputError` naming the field (`fit: options.resume.training.epoch: …`) and changes nothing.
   */
  readonly resume?: Checkpoint;
}

/** The declarations of `fit`'s and `predict`'s own numeric options (defaults applied by the caller). */
const COUNT_OPTIONS = {
  epochs: numberOption(0, { min: 0, integer: true }),
  batchSize: numberOption(32, { min: 1, integer: true }),
} as const;

function requireScalar(loss: Tensor): void {
  if (loss.size !== 1)
    throw new LossInputError(
      'fit',
      'options.loss',
      `must return a single value, got shape [${loss.shape.join(', ')}] (use a reducing loss)`,
    );
}

/**
 * Trains `model` on (x, y): seeded shuffling, mini-batches, `optimizer` steps (each one a
 * `trainStep`), optional gradient clipping, validation and metrics each epoch, gradient health
 * monitoring each step (warnings in `history.warnings`, never printed), callbacks and progress events. Returns the
 * history. Deterministic: the same seeds give the same parameters bit for bit, and a run
 * resumed from a checkpoint ends exactly where the uninterrupted run does.
 *
 * @example
 * const model = mlp([2, 16, 1], { rng: new Rng(0) });
 * const history = fit(model, { x, y, loss: 'binaryCrossEntropyWithLogits', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 20 });
 */
export function fit(model: Module, options: FitOptions): History {
  const { optimizer } = options;
  const epochs = COUNT_OPTIONS.epochs.parse(options.epochs, 'fit', 'epochs');
  const batchSize = COUNT_OPTIONS.batchSize.parse(options.batchSize ?? 32, 'fit', 'batchSize');
  if (options.clipGradNorm !== undefined && !(options.clipGradNorm > 0)) {
    throw new LossInputError('fit', 'options.clipGradNorm', `must be positive, got ${options.clipGradNorm}`);
  }
  const x = toTensor(options.x, 'fit', 'x');
  const y = toTensor(options.y, 'fit', 'y');
  const n = sampleCount('fit', x, y);
  const lossFn = resolveLoss(options.loss);
  const metrics = resolveMetrics(options.metrics, metricOptionsFor(options.loss));
  const callbacks = options.callbacks ?? [];
  const recordSteps = options.recordSteps ?? true;
  const shuffleRng = new Rng(options.seed ?? 0);

  let history = emptyHistory();
  let completed = 0;
  let step = 0;
  if (options.resume !== undefined) {
    // Checked whole before anything is written: a bad checkpoint leaves model and optimizer as they were.
    const checked = readCheckpoint(options.resume, model, optimizer, {
      where: 'fit',
      root: 'options.resume',
      requireTraining: true,
    });
    const state = checked.training as TrainingState;
    checked.apply();
    shuffleRng.setState(state.shuffleRng);
    history = state.history;
    completed = state.epoch;
    step = state.step;
  }
  const monitor =
    options.health === false
      ? null
      : new GradientMonitor(model.parameterGroups(), options.health ?? {}, history.warnings);
  const batches = Math.ceil(n / batchSize);
  const arena = new Arena();
  const totalSteps = epochs * batches;

  let epoch = completed;
  let stopRequested = false;
  let betweenEpochs = true;
  let stopReason: StopReason = 'completed';
  const context: FitContext = {
    model,
    optimizer,
    get history() {
      return history;
    },
    get epoch() {
      return epoch;
    },
    get step() {
      return step;
    },
    stop() {
      stopRequested = true;
    },
    checkpoint() {
      if (!betweenEpochs)
        throw new LossInputError(
          'fit',
          'checkpoint()',
          'is available between epochs only (onTrainBegin, onEpochEnd, onTrainEnd)',
        );
      return saveCheckpoint(model, optimizer, {
        epoch: completed,
        step,
        shuffleRng: shuffleRng.getState(),
        history,
      });
    },
  };

  const onWarning = (warning: GradientWarning) => {
    for (const cb of callbacks) cb.onWarning?.(context, warning);
  };
  for (const cb of callbacks) cb.onTrainBegin?.(context);
  while (completed < epochs && !stopRequested) {
    epoch = completed + 1;
    betweenEpochs = false;
    const started = performance.now();
    model.train();
    for (const cb of callbacks) cb.onEpochBegin?.(context);
    const order = options.shuffle === false ? identity(n) : shuffleRng.permutation(n);
    let seen = 0;
    let lossSum = 0;
    const metricSums: Record<string, number> = {};
    const partSums: Record<string, number> = {};
    for (let b = 0; b < batches && !stopRequested; b++) {
      const index = order.subarray(b * batchSize, Math.min(n, (b + 1) * batchSize));
      step++;
      // The batch's tensors (its rows, activations and gradients) come from the fit's arena, and
      // the next batch reuses their memory (tensor/arena.ts); the metrics read the prediction
      // before the run ends.
      const result = arena.run(() => {
        const xb = takeRows(x, index);
        const yb = takeRows(y, index);
        let prediction = xb;
        const done = trainStep(
          model,
          optimizer,
          () => {
            prediction = model.forward(xb);
            const loss = lossFn(prediction, yb);
            requireScalar(loss);
            return loss;
          },
          {
            clipGradNorm: options.clipGradNorm,
            monitor: monitor ?? undefined,
            step,
            epoch,
            onWarning,
          },
        );
        for (const [name, fn] of metrics)
          metricSums[name] = (metricSums[name] ?? 0) + fn(prediction, yb) * index.length;
        return done;
      });
      const { loss: lossValue, gradNorm, layerNorms, lr, skipped } = result;
      if (result.stop) {
        stopRequested = true;
        stopReason = 'non-finite';
      }
      const record: StepRecord = { step, epoch, loss: lossValue, gradNorm, layerNorms, lr, skipped };
      if (recordSteps) history.steps.push(record);
      const size = index.length;
      seen += size;
      lossSum += lossValue * size;
      const parts = (lossFn as Partial<CombinedObjective>).lastParts;
      if (parts !== undefined)
        for (const [name, v] of Object.entries(parts)) partSums[name] = (partSums[name] ?? 0) + v * size;
      options.onProgress?.({ epoch, epochs, batch: b + 1, batches, step, totalSteps, loss: lossSum / seen });
      for (const cb of callbacks) cb.onStepEnd?.(context, record);
    }
    const trainLoss = seen === 0 ? Number.NaN : lossSum / seen;
    history.loss.push(trainLoss);
    const epochMetrics: Record<string, number> = {};
    for (const [name] of metrics) {
      epochMetrics[name] = metricSums[name] / seen;
      pushColumn(history.metrics, name, epochMetrics[name]);
    }
    for (const [name, s] of Object.entries(partSums)) pushColumn(history.parts, name, s / seen);
    let valLoss: number | undefined;
    let valMetrics: Record<string, number> = {};
    if (options.validation !== undefined) {
      const result = evaluateWith(
        model,
        toTensor(options.validation.x, 'fit', 'validation.x'),
        toTensor(options.validation.y, 'fit', 'validation.y'),
        lossFn,
        metrics,
        Math.max(batchSize, 256),
        'fit',
      );
      valLoss = result.loss;
      valMetrics = result.metrics;
      history.valLoss.push(valLoss);
      for (const [name, v] of Object.entries(valMetrics)) pushColumn(history.valMetrics, name, v);
    }
    const seconds = (performance.now() - started) / 1000;
    history.lr.push(optimizer.lr);
    history.seconds.push(seconds);
    completed = epoch;
    history.epochsCompleted = completed;
    betweenEpochs = true;
    const logs: EpochLogs = {
      epoch,
      loss: trainLoss,
      valLoss,
      metrics: epochMetrics,
      valMetrics,
      lr: optimizer.lr,
      seconds,
    };
    for (const cb of callbacks) cb.onEpochEnd?.(context, logs);
  }
  // The arena's memory (resident arrays among it) goes back now, not when it is collected.
  arena.release();
  if (stopRequested && stopReason === 'completed') stopReason = 'callback';
  history.stopReason = stopReason;
  betweenEpochs = true;
  for (const cb of callbacks) cb.onTrainEnd?.(context);
  return history;
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/**
 * The model's outputs for `x`, in evaluation mode (dropout off) and without recording a
 * graph, computed in batches and joined along the first axis.
 */
export function predict(model: Module, x: TensorLike, options: { readonly batchSize?: number } = {}): Tensor {
  const input = toTensor(x, 'predict', 'x');
  const batchSize = COUNT_OPTIONS.batchSize.parse(options.batchSize ?? 256, 'predict', 'batchSize');
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const n = input.shape[0];
      if (n <= batchSize) return model.forward(input);
      const outputs: Tensor[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const index = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
        outputs.push(model.forward(takeRows(input, index)));
      }
      return ops.concat(outputs, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}

/**
 * Loss and metrics of `model` on (x, y), in evaluation mode, over the whole set at once. Built-in
 * binary accuracies take their threshold from `loss` as in `fit`.
 */
export function evaluate(
  model: Module,
  x: TensorLike,
  y: TensorLike,
  options: {
    readonly loss: LossSpec | LossFn;
    readonly metrics?: FitOptions['metrics'];
    readonly batchSize?: number;
  },
): { loss: number; metrics: Record<string, number> } {
  const target = toTensor(y, 'evaluate', 'y');
  const input = toTensor(x, 'evaluate', 'x');
  const lossFn = resolveLoss(options.loss);
  const metrics = resolveMetrics(options.metrics, metricOptionsFor(options.loss), 'evaluate');
  return evaluateWith(model, input, target, lossFn, metrics, options.batchSize, 'evaluate');
}

function evaluateWith(
  model: Module,
  input: Tensor,
  target: Tensor,
  lossFn: LossFn,
  metricFns: readonly [string, MetricFn][],
  batchSize: number | undefined,
  where: string,
): { loss: number; metrics: Record<string, number> } {
  sampleCount(where, input, target);
  const prediction = predict(model, input, { batchSize });
  const loss = noGrad(() => {
    const value = lossFn(prediction, target);
    requireScalar(value);
    return value.data[0];
  });
  const metrics: Record<string, number> = {};
  for (const [name, fn] of metricFns) metrics[name] = fn(prediction, target);
  return { loss, metrics };
}
