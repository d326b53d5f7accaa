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
  type ScatterChart,
  type Series,
  type Variant,
  type Verdict,
  defineExperiment,
} from './experiment.js';
export {
  type CandidateResult,
  type CompareOptions,
  type ComparisonResult,
  compareLosses,
  formatComparison,
} from './compare/compare-losses.js';
export {
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
export { formatClaimsMarkdown, formatExperimentSummary, formatSummary } from './summary-table.js';
export { formatNumber, metricOf } from './verdict.js';
