// Public API of src/lab: explicit re-exports. (The HTML report, src/lab/report, depends on
// Observable Plot and linkedom and is reached only from the CLI, so the core stays dependency-free.)
export {
  type Axis,
  type BarChart,
  type Chart,
  type Experiment,
  type ExperimentContext,
  type ExperimentRun,
  type ImageGrid,
  type LineChart,
  type MetricSpec,
  type Metrics,
  type Outcome,
  type ScatterChart,
  type Series,
  type LabLossName,
  type Variant,
  type Verdict,
  defineExperiment,
  outcomes,
} from './experiment.js';
export {
  type Baseline,
  type BaselineResult,
  type Candidate,
  type CandidateResult,
  type CompareModel,
  type CompareOptions,
  type ComparisonResult,
  compareLimits,
  compareLosses,
  formatComparison,
  type Lead,
  type SeedMetrics,
  type WinnerDecision,
} from './compare/compare-losses.js';
export {
  type ColumnChoice,
  type CompareTask,
  DataError,
  type Dataset,
  type TextTable,
  compareTasks,
  tableToDataset,
} from './compare/dataset.js';
export { experiments } from './experiments/index.js';
export { type CurveRequest, type LossCurves, type OptionValue, lossCurves } from './curves.js';
export { formatMetric } from './format-metric.js';
export {
  averagePrecision,
  binaryScores,
  calibration,
  meanAbsoluteError,
  precisionRecallCurve,
  reliabilityCurve,
  rootMeanSquaredError,
  softmaxRows,
} from './metrics.js';
export {
  type ExperimentResult,
  type LabOptions,
  type LabProgress,
  type LabResult,
  type MetricSummary,
  runExperiment,
  runLab,
  selectExperiments,
  summarize,
} from './run-lab.js';
export {
  countVerdicts,
  formatClaimsMarkdown,
  formatExperimentSummary,
  formatSummary,
  formatVerdictCounts,
  seedsNote,
  verdictLabel,
} from './summary-table.js';
export {
  decided,
  formatNumber,
  inconclusive,
  inconclusiveUnlessFinite,
  metricOf,
  outcomeLabel,
} from './verdict.js';
