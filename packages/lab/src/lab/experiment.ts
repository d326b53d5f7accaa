// The contract every lab experiment follows. An experiment file exports one `Experiment` (made with
// `defineExperiment`) and is listed once in `src/lab/experiments/index.ts`; the runner, the terminal
// summary, the JSON file and the HTML report know nothing else about it.
//
// Everything an experiment returns is plain JSON data (numbers, strings, arrays), so a run can be
// saved, compared across seeds and rendered without the experiment's code.

import type { LossName } from 'losskit';

/** A loss a lab variant trains with: a registry loss, or batch-hard triplet mining. */
export type LabLossName = LossName | 'tripletBatchHard';

/** One competitor in an experiment: a loss, or a loss with particular options. */
export interface Variant {
  /** Key of this variant in `Metrics`, kebab-case: `'mse'`, `'bce-pos-weight'`. */
  readonly id: string;
  /** How the report and the terminal name it: `'BCE + posWeight'`. */
  readonly label: string;
  /**
   * The losses it trains with: registry names (the report links them to their `info`), or an
   * exported training function outside the registry (`tripletBatchHard`, shown by name).
   */
  readonly losses: readonly LabLossName[];
  /** The options that make this variant, as a reader should see them: `'posWeight = 99'`. */
  readonly options?: string;
}

/** One measured quantity, the same for every variant. */
export interface MetricSpec {
  /** Key in `Metrics`, camelCase: `'slopeError'`. */
  readonly id: string;
  /** Column heading: `'slope error'`. */
  readonly label: string;
  /** Which direction is good; `'neither'` for descriptive numbers such as mean confidence. */
  readonly better: 'higher' | 'lower' | 'neither';
  /** Digits after the decimal point in tables (default 3). */
  readonly digits?: number;
  /** A sentence defining it, shown in the report. */
  readonly description?: string;
}

/** `metrics[variantId][metricId]`: every variant has a number for every metric. */
export type Metrics = Readonly<Record<string, Readonly<Record<string, number>>>>;

/**
 * What a verdict found: the claim `'held'`, it `'did not hold'`, or the metrics could not decide
 * (`'inconclusive'`: a metric the comparison needs is NaN or infinite, or every arm failed alike,
 * e.g. no variant covered a single mode, so there is nothing to compare).
 */
export type Outcome = 'held' | 'did not hold' | 'inconclusive';

/** Every outcome, in the order reports list them. */
export const outcomes: readonly Outcome[] = ['held', 'did not hold', 'inconclusive'];

/** Whether the experiment's claim held on a set of metrics, and why, with the numbers. */
export interface Verdict {
  readonly outcome: Outcome;
  /** One or two sentences quoting the metrics and the threshold they were compared with. */
  readonly explanation: string;
}

/** An axis of a chart. */
export interface Axis {
  readonly label: string;
  /** Default `'linear'`. */
  readonly scale?: 'linear' | 'log';
  /** Fixed extent; computed from the data when absent. */
  readonly domain?: readonly [number, number];
}

/** A named list of (x, y) points: one line of a line chart, one colour of a scatter plot. */
export interface Series {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
}

/** Lines over a shared x axis: training curves, loss against error, returns per episode. */
export interface LineChart {
  readonly kind: 'line';
  readonly title: string;
  readonly caption?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
}

/**
 * Points: a data set, embeddings, generated samples. `panels: 'separate'` draws one panel per
 * series. `lines` are drawn over the points (fitted curves, a true function), in every panel.
 */
export interface ScatterChart {
  readonly kind: 'scatter';
  readonly title: string;
  readonly caption?: string;
  readonly x: Axis;
  readonly y: Axis;
  readonly series: readonly Series[];
  readonly panels?: 'overlay' | 'separate';
  readonly lines?: readonly Series[];
}

/** Grouped bars: one group per category, one bar per series inside it. */
export interface BarChart {
  readonly kind: 'bars';
  readonly title: string;
  readonly caption?: string;
  readonly y: Axis;
  readonly bars: readonly {
    readonly group: string;
    readonly series: string;
    readonly value: number;
    readonly spread?: number;
  }[];
}

/** Small grey-scale images in a grid (rows × columns): inputs, masks, reconstructions, samples. */
export interface ImageGrid {
  readonly kind: 'images';
  readonly title: string;
  readonly caption?: string;
  /** Pixels per image side. */
  readonly width: number;
  readonly height: number;
  /** Value range mapped to black…white (default [0, 1]). */
  readonly range?: readonly [number, number];
  /** Row-major pixels, `width * height` of them per image. */
  readonly images: readonly {
    readonly row: string;
    readonly column: string;
    readonly pixels: readonly number[];
  }[];
}

/** What an experiment can draw. The report renders each kind; the data is plain JSON. */
export type Chart = LineChart | ScatterChart | BarChart | ImageGrid;

/** What `run` receives. */
export interface ExperimentContext {
  /** Seeds every random choice of the run: data, initialisation, shuffling. Same seed, same numbers. */
  readonly seed: number;
  /** Smaller data and fewer steps: a few seconds per experiment, for tests and `--quick`. */
  readonly quick: boolean;
  /** Report progress in [0, 1], optionally naming the current stage (e.g. the variant training). */
  readonly onProgress: (fraction: number, stage?: string) => void;
}

/** What one run (one seed) produces. */
export interface ExperimentRun {
  /** A number for every variant and metric the experiment declares. */
  readonly metrics: Metrics;
  /** Charts of this run (the report shows those of the first seed). */
  readonly charts: readonly Chart[];
  /** Remarks about this run worth showing under the charts. */
  readonly notes?: readonly string[];
}

/** One experiment of the lab: a claim from the catalogue, the losses it compares, and how it decides. */
export interface Experiment {
  /** Kebab-case, unique; what `--only` takes: `'regression-outliers'`. */
  readonly name: string;
  readonly title: string;
  /** The claim it tests, one sentence, falsifiable by its metrics. */
  readonly claim: string;
  /** Data, model and training, in a few sentences, for the report. */
  readonly setup: string;
  readonly variants: readonly Variant[];
  readonly metrics: readonly MetricSpec[];
  /** Metric ids the report charts as bars (default: the first metric). */
  readonly headline?: readonly string[];
  /** Trains every variant on seeded data and measures them. */
  run(context: ExperimentContext): ExperimentRun | Promise<ExperimentRun>;
  /**
   * Pure: decides from the metrics alone (the mean over seeds) whether the claim held, with
   * its threshold written in the code; `'inconclusive'` when the metrics leave nothing to compare
   * (never `'held'` on NaN metrics or on arms that all failed). Tests feed it contradicting and
   * degenerate metrics to see it fail or abstain.
   */
  verdict(metrics: Metrics): Verdict;
}

/** Types an experiment literal and checks its declarations are consistent; returns it unchanged. */
export function defineExperiment<E extends Experiment>(experiment: E): E {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(experiment.name)) {
    throw new Error(`experiment name '${experiment.name}' must be kebab-case (it is what --only takes)`);
  }
  const ids = (list: readonly { id: string }[]) => new Set(list.map((x) => x.id));
  if (ids(experiment.variants).size !== experiment.variants.length) {
    throw new Error(`experiment '${experiment.name}' declares a variant id twice`);
  }
  const metricIds = ids(experiment.metrics);
  if (metricIds.size !== experiment.metrics.length)
    throw new Error(`experiment '${experiment.name}' declares a metric id twice`);
  for (const id of experiment.headline ?? []) {
    if (!metricIds.has(id))
      throw new Error(`experiment '${experiment.name}' headline names unknown metric '${id}'`);
  }
  return experiment;
}
