import { losses } from '../losses/registry.js';
import { evidenceCommand, labEvidence, type OptionValue } from './lab-evidence.js';
import {
  type ChoiceEvidence,
  type SelectionConditions,
  type SelectionRow,
  selectionTable,
  targetKinds,
  targetMetrics,
} from './selection-table.js';
import { isTask, tasks } from './tasks.js';

/** What the user knows about their problem. Only `task` is required. */
export type RecommendQuery = SelectionConditions;

/** What the lab measured for a suggestion: the run, the arm, and its metrics. */
export interface RecommendationEvidence {
  /** The lab experiment (`losskit lab --only <experiment>`). */
  readonly experiment: string;
  readonly seed: number;
  readonly quick: boolean;
  /** The experiment's variant id and label that is this suggestion. */
  readonly variant: string;
  readonly label: string;
  /** `metric label → value` as the lab measured it: `{ 'minority recall': 0.917, … }`. */
  readonly metrics: Readonly<Record<string, number>>;
  /** The command that reproduces the numbers. */
  readonly command: string;
}

/** One ranked suggestion. */
export interface Recommendation {
  /** 1 is the first choice. */
  readonly rank: number;
  /** Registry name. */
  readonly loss: string;
  readonly title: string;
  readonly summary: string;
  /** Why it suits this situation. */
  readonly reason: string;
  /** Options to start from (empty: the defaults). */
  readonly options: Readonly<Record<string, OptionValue>>;
  /** Options to compute from your data, and how (empty: none): `{ posWeight: 'negatives / positives' }`. */
  readonly optionsFromData: Readonly<Record<string, string>>;
  /** The lab's measurement of this suggestion, where it has one. */
  readonly evidence?: RecommendationEvidence;
  /** Whether the selection table chose it for this situation (otherwise it merely serves the task). */
  readonly fromTable: boolean;
}

const conditionKeys = ['imbalanced', 'outliers', 'noisyLabels', 'metric', 'target'] as const;

function checkQuery(query: RecommendQuery): void {
  if (!isTask(query.task))
    throw new Error(`unknown task '${String(query.task)}'; the tasks are: ${tasks.join(', ')}`);
  if (query.metric !== undefined && !(targetMetrics as readonly string[]).includes(query.metric)) {
    throw new Error(`unknown metric '${String(query.metric)}'; the metrics are: ${targetMetrics.join(', ')}`);
  }
  if (query.target !== undefined && !(targetKinds as readonly string[]).includes(query.target)) {
    throw new Error(
      `unknown target kind '${String(query.target)}'; the kinds are: ${targetKinds.join(', ')}`,
    );
  }
}

/** How many conditions a row names beyond the task, or -1 when one of them does not match the query. */
function specificity(row: SelectionRow, query: RecommendQuery): number {
  if (row.when.task !== query.task) return -1;
  let matched = 0;
  for (const key of conditionKeys) {
    const wanted = row.when[key];
    if (wanted === undefined) continue;
    const given = key === 'metric' || key === 'target' ? query[key] : (query[key] ?? false);
    if (given !== wanted) return -1;
    matched++;
  }
  return matched;
}

/**
 * The row of the selection table that applies to a query: the most specific one whose conditions
 * all match (a condition the table has no row for is ignored). Every task has a base row.
 */
export function selectRow(query: RecommendQuery): SelectionRow {
  checkQuery(query);
  let best: SelectionRow | undefined;
  let bestScore = -1;
  for (const row of selectionTable) {
    const score = specificity(row, query);
    if (score > bestScore) {
      best = row;
      bestScore = score;
    }
  }
  if (best === undefined) throw new Error(`the selection table has no row for task '${query.task}'`);
  return best;
}

/** A choice's lab evidence with the run and the metrics spelled out, for the CLI and `--json`. */
function describeEvidence(reference: ChoiceEvidence): RecommendationEvidence {
  const evidence = Object.hasOwn(labEvidence, reference.experiment)
    ? labEvidence[reference.experiment]
    : undefined;
  const arm = evidence?.variants[reference.variant];
  if (evidence === undefined || arm === undefined)
    throw new Error(`the selection table cites unknown lab evidence ${JSON.stringify(reference)}`);
  return {
    experiment: evidence.experiment,
    seed: evidence.seed,
    quick: evidence.quick,
    variant: reference.variant,
    label: arm.label,
    metrics: Object.fromEntries(
      Object.entries(arm.metrics).map(([id, value]) => [evidence.metricLabels[id] ?? id, value]),
    ),
    command: evidenceCommand(evidence),
  };
}

/**
 * Ranked loss suggestions for a problem: the selection table's choices for the most specific
 * matching row, with reason and starting options, then the task's other registry losses. Where
 * the lab measured a choice, the row is ranked by the measurement and the suggestion carries it.
 *
 * @example
 * recommend({ task: 'segmentation', metric: 'iou' })[0].loss // 'iou'
 */
export function recommend(query: RecommendQuery): Recommendation[] {
  const row = selectRow(query);
  const registry: Readonly<Record<string, (typeof losses)[keyof typeof losses]>> = losses;
  const out: Recommendation[] = [];
  const seen = new Set<string>();
  for (const choice of row.choose) {
    const entry = registry[choice.loss];
    if (entry === undefined || seen.has(choice.loss)) continue;
    seen.add(choice.loss);
    out.push({
      rank: out.length + 1,
      loss: choice.loss,
      title: entry.info.title,
      summary: entry.info.summary,
      reason: choice.reason,
      options: choice.options ?? {},
      optionsFromData: choice.optionsFromData ?? {},
      ...(choice.evidence ? { evidence: describeEvidence(choice.evidence) } : {}),
      fromTable: true,
    });
  }
  for (const [name, entry] of Object.entries(registry)) {
    if (seen.has(name) || !entry.info.tasks.includes(query.task)) continue;
    seen.add(name);
    out.push({
      rank: out.length + 1,
      loss: name,
      title: entry.info.title,
      summary: entry.info.summary,
      reason: entry.info.whenToUse[0] ?? entry.info.summary,
      options: {},
      optionsFromData: {},
      fromTable: false,
    });
  }
  return out;
}
