// What the lab measured, as data the selection table cites. The guide sits below the lab, so it
// keeps the numbers rather than importing the experiments; test/lab/evidence.test.ts re-runs each
// experiment with the seed and mode recorded here and checks every number, so they cannot go stale.

/** A number the guide may quote. */
export type OptionValue = number | string | boolean | null | readonly number[];

/** One arm of a lab experiment and what it measured. */
export interface MeasuredVariant {
  /** How the lab report names it: `'BCE + posWeight'`. */
  readonly label: string;
  /** The registry loss it trains with. */
  readonly loss: string;
  /** Its options that do not depend on the data (the experiment's variant lists the same values). */
  readonly options: Readonly<Record<string, OptionValue>>;
  /** Options the experiment computed from its data, and how: `{ posWeight: 'negatives / positives' }`. */
  readonly optionsFromData?: Readonly<Record<string, string>>;
  /** `metric id → value`, at the three significant digits the lab's explanations quote. */
  readonly metrics: Readonly<Record<string, number>>;
}

/** One lab experiment's measurement: which run, and every arm's metrics. */
export interface LabEvidence {
  /** The experiment's name, as `losskit lab --only` takes it. */
  readonly experiment: string;
  /** The seed of the run (the lab's default is 1). */
  readonly seed: number;
  /** Whether the run was `--quick`. */
  readonly quick: boolean;
  /** How a reader names each metric: `{ recall: 'minority recall' }`. */
  readonly metricLabels: Readonly<Record<string, string>>;
  /** `variant id → measurement`, the ids being the experiment's. */
  readonly variants: Readonly<Record<string, MeasuredVariant>>;
}

/**
 * Experiment `imbalanced-binary`, seed 1, full mode: 1% positives, a 2 → 16 → 1 MLP, recall,
 * precision and F1 of the positive class at p ≥ 0.5 on 20 000 test points.
 */
export const imbalancedBinaryEvidence: LabEvidence = {
  experiment: 'imbalanced-binary',
  seed: 1,
  quick: false,
  metricLabels: { prAuc: 'PR-AUC', recall: 'minority recall', precision: 'precision', f1: 'F1' },
  variants: {
    bce: {
      label: 'BCE',
      loss: 'binaryCrossEntropyWithLogits',
      options: {},
      metrics: { prAuc: 0.429, recall: 0.11, precision: 0.889, f1: 0.196 },
    },
    focal: {
      label: 'Focal (α = 0.25)',
      loss: 'focal',
      options: { alpha: 0.25, gamma: 2 },
      metrics: { prAuc: 0.407, recall: 0.0138, precision: 1, f1: 0.0271 },
    },
    'bce-pos-weight': {
      label: 'BCE + posWeight',
      loss: 'binaryCrossEntropyWithLogits',
      options: {},
      optionsFromData: { posWeight: 'negatives / positives' },
      metrics: { prAuc: 0.455, recall: 0.917, precision: 0.0683, f1: 0.127 },
    },
    'focal-alpha-75': {
      label: 'Focal (α = 0.75)',
      loss: 'focal',
      options: { alpha: 0.75, gamma: 2 },
      metrics: { prAuc: 0.435, recall: 0.193, precision: 0.764, f1: 0.308 },
    },
  },
};

/**
 * Experiment `noisy-labels`, seed 1, full mode: 40% symmetric label noise on a multi-class
 * problem, means of three data draws; accuracy on clean test labels at the end and at its peak,
 * the share of wrong training labels the model fits, and the share of draws each loss won.
 */
export const noisyLabelsEvidence: LabEvidence = {
  experiment: 'noisy-labels',
  seed: 1,
  quick: false,
  metricLabels: {
    accuracy: 'clean test accuracy',
    peakAccuracy: 'peak test accuracy',
    memorized: 'noise memorized',
    winShare: 'draws won',
  },
  variants: {
    'cross-entropy': {
      label: 'Cross-entropy',
      loss: 'sparseCategoricalCrossEntropy',
      options: {},
      metrics: { accuracy: 0.533, peakAccuracy: 0.758, memorized: 0.698, winShare: 0 },
    },
    gce: {
      label: 'Generalized CE (q = 0.7)',
      loss: 'generalizedCrossEntropy',
      options: { q: 0.7 },
      metrics: { accuracy: 0.772, peakAccuracy: 0.812, memorized: 0.175, winShare: 1 },
    },
  },
};

/**
 * Experiment `prediction-intervals`, seed 1, full mode: a 1-D regression whose noise grows with
 * x; coverage of held-out points by the 5–95% interval, overall and on each half of the inputs,
 * and the mean interval width on each half.
 */
export const predictionIntervalsEvidence: LabEvidence = {
  experiment: 'prediction-intervals',
  seed: 1,
  quick: false,
  metricLabels: {
    coverage: 'coverage',
    coverageLowNoise: 'coverage, low-noise half',
    coverageHighNoise: 'coverage, high-noise half',
    widthLowNoise: 'width, low-noise half',
    widthHighNoise: 'width, high-noise half',
  },
  variants: {
    quantile: {
      label: 'Quantile (pinball)',
      loss: 'quantile',
      options: { quantile: [0.05, 0.95] },
      metrics: {
        coverage: 0.902,
        coverageLowNoise: 0.911,
        coverageHighNoise: 0.894,
        widthLowNoise: 0.922,
        widthHighNoise: 2.38,
      },
    },
    mse: {
      label: 'MSE ± 1.645σ',
      loss: 'mse',
      options: {},
      metrics: {
        coverage: 0.899,
        coverageLowNoise: 0.991,
        coverageHighNoise: 0.807,
        widthLowNoise: 1.87,
        widthHighNoise: 1.87,
      },
    },
  },
};

/** Every measurement the selection table cites, by experiment name. */
export const labEvidence: Readonly<Record<string, LabEvidence>> = {
  [imbalancedBinaryEvidence.experiment]: imbalancedBinaryEvidence,
  [noisyLabelsEvidence.experiment]: noisyLabelsEvidence,
  [predictionIntervalsEvidence.experiment]: predictionIntervalsEvidence,
};

/** A measured number, or an error naming what is missing (a table row citing a typo fails loudly). */
export function measured(experiment: string, variant: string, metric: string): number {
  const evidence = Object.hasOwn(labEvidence, experiment) ? labEvidence[experiment] : undefined;
  if (evidence === undefined)
    throw new Error(`the guide has no lab evidence from experiment '${experiment}'`);
  const arm = Object.hasOwn(evidence.variants, variant) ? evidence.variants[variant] : undefined;
  const value = arm?.metrics[metric];
  if (value === undefined)
    throw new Error(`lab evidence '${experiment}' has no metric '${metric}' for variant '${variant}'`);
  return value;
}

/** The command that reproduces a measurement: `losskit lab --only imbalanced-binary` (plus `--quick`). */
export function evidenceCommand(evidence: LabEvidence): string {
  return `losskit lab --only ${evidence.experiment}${evidence.quick ? ' --quick' : ''}${evidence.seed === 1 ? '' : ` (seed ${evidence.seed})`}`;
}
