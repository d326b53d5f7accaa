// Public API of src/guide: explicit re-exports.
export { describeLoss } from './describe-loss.js';
export { findLoss } from './find-loss.js';
export { type Recommendation, type RecommendQuery, recommend, selectRow } from './recommend.js';
export {
  type SelectionChoice,
  type SelectionConditions,
  type SelectionRow,
  type TargetMetric,
  selectionTable,
  targetMetrics,
} from './selection-table.js';
export { isTask, tasks } from './tasks.js';
