// Public API of src/guide: explicit re-exports.
export { describeLoss } from './describe-loss.js';
export { type FoundLoss, findLoss, resolveLossName } from './find-loss.js';
export {
  evidenceCommand,
  imbalancedBinaryEvidence,
  noisyLabelsEvidence,
  predictionIntervalsEvidence,
  type LabEvidence,
  labEvidence,
  type MeasuredVariant,
  measured,
} from './lab-evidence.js';
export {
  type Recommendation,
  type RecommendationEvidence,
  type RecommendQuery,
  recommend,
  selectRow,
} from './recommend.js';
export {
  type ChoiceEvidence,
  type SelectionChoice,
  type SelectionConditions,
  type SelectionRow,
  type TargetMetric,
  selectionTable,
  targetMetrics,
  type TargetKind,
  targetKinds,
} from './selection-table.js';
export { isTask, tasks } from './tasks.js';
