import type { Chart, Experiment, MetricSpec, Metrics, Variant, Verdict } from './experiment.js';
import { experiments as builtInExperiments } from './experiments/index.js';

/** Mean and spread of one metric over the seeds. */
export interface MetricSummary {
  readonly mean: number;
  /** Sample standard deviation over the seeds (0 for a single seed). */
  readonly spread: number;
  readonly min: number;
  readonly max: number;
  /** One value per seed, in seed order. */
  readonly values: readonly number[];
}

/** The outcome of one experiment over every seed: plain JSON, what the report and the JSON file hold. */
export interface ExperimentResult {
  readonly name: string;
  readonly title: string;
  readonly claim: string;
  readonly setup: string;
  readonly variants: readonly Variant[];
  readonly metricSpecs: readonly MetricSpec[];
  readonly headline: readonly string[];
  readonly status: 'ok' | 'failed';
  /** The error message when `status` is `'failed'`. */
  readonly error?: string;
  /** `summary[variant][metric]`. Empty when the experiment failed. */
  readonly summary: Readonly<Record<string, Readonly<Record<string, MetricSummary>>>>;
  /**
   * The verdict on the mean metrics, and how many seeds it held on (and was inconclusive on) taken
   * one at a time. A failed experiment is `'inconclusive'` (nothing was measured) with `status: 'failed'`.
   */
  readonly verdict: Verdict & {
    readonly heldOnSeeds: number;
    readonly inconclusiveOnSeeds: number;
    readonly seeds: number;
  };
  /** Charts of the first seed. */
  readonly charts: readonly Chart[];
  readonly notes: readonly string[];
  readonly seconds: number;
}

/** Everything one `losskit lab` run measured. */
export interface LabResult {
  readonly quick: boolean;
  readonly seeds: readonly number[];
  readonly seconds: number;
  readonly experiments: readonly ExperimentResult[];
}

/** A progress event: which experiment, which seed, how far. */
export interface LabProgress {
  readonly experiment: string;
  /** 0-based index of the seed being run, out of `seeds`. */
  readonly seedIndex: number;
  readonly seeds: number;
  /** Progress of this experiment over all its seeds, in [0, 1]. */
  readonly fraction: number;
  readonly stage?: string;
}

export interface LabOptions {
  /** Default: every built-in experiment. */
  readonly experiments?: readonly Experiment[];
  /** Names to keep (`--only`); unknown names are an error listing the known ones. */
  readonly only?: readonly string[];
  /** Smaller runs (`--quick`). */
  readonly quick?: boolean;
  /** How many seeds to repeat each experiment with (default 1). */
  readonly seeds?: number;
  /** The first seed; the others follow it (default 1). */
  readonly firstSeed?: number;
  readonly onProgress?: (progress: LabProgress) => void;
  /** Called when an experiment finishes, e.g. to print its line. */
  readonly onExperimentDone?: (result: ExperimentResult) => void;
}

/** Keeps the experiments named in `only`, in registry order; throws on an unknown name. */
export function selectExperiments(
  all: readonly Experiment[],
  only: readonly string[] | undefined,
): readonly Experiment[] {
  if (only === undefined || only.length === 0) return all;
  const known = new Set(all.map((e) => e.name));
  const unknown = only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown experiment ${unknown.map((n) => `'${n}'`).join(', ')}; the experiments are: ${[...known].join(', ')}`,
    );
  }
  return all.filter((e) => only.includes(e.name));
}

/** Mean, sample standard deviation, min and max of per-seed values. */
export function summarize(values: readonly number[]): MetricSummary {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return {
    mean,
    spread: Math.sqrt(variance),
    min: Math.min(...values),
    max: Math.max(...values),
    values: [...values],
  };
}

/**
 * Checks a run reported a number for every declared variant and metric. NaN is a number here: a
 * metric the run could not define (the verdict then calls the claim inconclusive), not a crash.
 */
function checkMetrics(experiment: Experiment, metrics: Metrics): void {
  for (const variant of experiment.variants) {
    for (const metric of experiment.metrics) {
      const value = metrics[variant.id]?.[metric.id];
      if (typeof value !== 'number') {
        throw new Error(
          `run reported no number for variant '${variant.id}', metric '${metric.id}' (got ${String(value)})`,
        );
      }
    }
  }
}

/** Runs one experiment over the seeds; a thrown error becomes a `'failed'` result, not a crash. */
export async function runExperiment(
  experiment: Experiment,
  seeds: readonly number[],
  quick: boolean,
  onProgress: (progress: LabProgress) => void = () => {},
): Promise<ExperimentResult> {
  const started = performance.now();
  const headline = experiment.headline ?? experiment.metrics.slice(0, 1).map((m) => m.id);
  const base = {
    name: experiment.name,
    title: experiment.title,
    claim: experiment.claim,
    setup: experiment.setup,
    variants: experiment.variants,
    metricSpecs: experiment.metrics,
    headline,
  };
  const perSeed: Metrics[] = [];
  let charts: readonly Chart[] = [];
  let notes: readonly string[] = [];
  try {
    for (let i = 0; i < seeds.length; i++) {
      const report = (fraction: number, stage?: string) =>
        onProgress({
          experiment: experiment.name,
          seedIndex: i,
          seeds: seeds.length,
          fraction: (i + Math.min(1, Math.max(0, fraction))) / seeds.length,
          stage,
        });
      report(0);
      const run = await experiment.run({ seed: seeds[i], quick, onProgress: report });
      checkMetrics(experiment, run.metrics);
      perSeed.push(run.metrics);
      if (i === 0) {
        charts = run.charts;
        notes = run.notes ?? [];
      }
      report(1);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ...base,
      status: 'failed',
      error: message,
      summary: {},
      verdict: {
        outcome: 'inconclusive',
        explanation: `The experiment failed before it could be judged: ${message}`,
        heldOnSeeds: 0,
        inconclusiveOnSeeds: 0,
        seeds: seeds.length,
      },
      charts,
      notes,
      seconds: (performance.now() - started) / 1000,
    };
  }
  const summary: Record<string, Record<string, MetricSummary>> = {};
  const means: Record<string, Record<string, number>> = {};
  for (const variant of experiment.variants) {
    summary[variant.id] = {};
    means[variant.id] = {};
    for (const metric of experiment.metrics) {
      const s = summarize(perSeed.map((m) => m[variant.id][metric.id]));
      summary[variant.id][metric.id] = s;
      means[variant.id][metric.id] = s.mean;
    }
  }
  const perSeedOutcomes = perSeed.map((m) => experiment.verdict(m).outcome);
  const count = (outcome: Verdict['outcome']) => perSeedOutcomes.filter((o) => o === outcome).length;
  return {
    ...base,
    status: 'ok',
    summary,
    verdict: {
      ...experiment.verdict(means),
      heldOnSeeds: count('held'),
      inconclusiveOnSeeds: count('inconclusive'),
      seeds: seeds.length,
    },
    charts,
    notes,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Runs the lab: every selected experiment with every seed. Experiments run one after another. */
export async function runLab(options: LabOptions = {}): Promise<LabResult> {
  const seedCount = options.seeds ?? 1;
  if (!Number.isInteger(seedCount) || seedCount < 1)
    throw new Error(`seeds must be a positive integer, got ${seedCount}`);
  const firstSeed = options.firstSeed ?? 1;
  const seeds = Array.from({ length: seedCount }, (_, i) => firstSeed + i);
  const selected = selectExperiments(options.experiments ?? builtInExperiments, options.only);
  const quick = options.quick ?? false;
  const started = performance.now();
  const results: ExperimentResult[] = [];
  for (const experiment of selected) {
    const result = await runExperiment(experiment, seeds, quick, options.onProgress);
    results.push(result);
    options.onExperimentDone?.(result);
  }
  return { quick, seeds, seconds: (performance.now() - started) / 1000, experiments: results };
}
