// Public API of src/train: explicit re-exports. Checkpoints are JSON text, never files, so the
// training loop runs in browsers too; the caller (or the CLI) decides where the text goes.
export { type ShuffledBatchesOptions, sampleCount, shuffledBatches, takeRows } from './batches.js';
export { type EarlyStoppingOptions, earlyStopping } from './callbacks.js';
export {
  type Checkpoint,
  type EncodedArray,
  type TrainingState,
  decodeTensor,
  loadCheckpoint,
  parseCheckpoint,
  saveCheckpoint,
  serializeCheckpoint,
} from './checkpoint.js';
export {
  type Callback,
  type EpochLogs,
  type FitContext,
  type FitOptions,
  type ProgressEvent,
  evaluate,
  fit,
  predict,
} from './fit.js';
export {
  type GradientHealthOptions,
  GradientMonitor,
  type GradientNorms,
  type GradientProblem,
  type GradientWarning,
  gradientNorms,
} from './gradient-health.js';
export { type GradientPenaltyOptions, gradientPenalty } from './gradient-penalty.js';
export { type R1PenaltyOptions, r1Penalty } from './r1-penalty.js';
export type { History, StepRecord, StopReason } from './history.js';
export { decisionThreshold, metricOptionsFor } from './metric-options.js';
export {
  type AccuracyOptions,
  type BuiltinMetric,
  type MetricFactory,
  type MetricFn,
  accuracyMetric,
  binaryAccuracyMetric,
  builtinMetrics,
} from './metrics.js';
export {
  type CombineTerm,
  type CombinedObjective,
  type LossFn,
  type LossSpec,
  type NamedLoss,
  combine,
  lossAliases,
  registryLoss,
} from './objective.js';
export { type StepResult, type TrainStepOptions, trainStep } from './train-step.js';
