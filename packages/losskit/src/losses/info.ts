/** The families of the catalogue, as API.md groups them. */
export type LossFamily =
  | 'regression'
  | 'classification'
  | 'ranking'
  | 'sequence'
  | 'segmentation'
  | 'detection'
  | 'alignment'
  | 'gan'
  | 'rl'
  | 'autoencoder';

/** Tasks the selection guide matches losses against. */
export type Task =
  | 'regression'
  | 'binary'
  | 'multiclass'
  | 'multilabel'
  | 'ranking'
  | 'metric-learning'
  | 'sequence'
  | 'distillation'
  | 'segmentation'
  | 'detection'
  | 'alignment'
  | 'gan'
  | 'rl'
  | 'autoencoder';

/** A hyperparameter with the values people typically use and what it changes. */
export interface HyperparameterNote {
  readonly name: string;
  readonly typical: string;
  readonly effect: string;
}

/** The properties the catalogue compares losses on, each in a sentence. */
export interface LossProperties {
  readonly differentiability: string;
  readonly robustness: string;
  readonly gradientBehaviour: string;
  readonly scaleSensitivity: string;
  readonly classImbalance: string;
}

/**
 * What a loss author writes about a loss: the data behind `explain`, the selection guide and
 * the lab report. Plain data, not prose in a comment.
 */
export interface LossInfoText {
  /** Human title, e.g. "Huber loss". */
  readonly title: string;
  /** One-line summary. */
  readonly summary: string;
  /** Per-element (or per-sample) formula, in plain Unicode math. */
  readonly formula: string;
  readonly properties: LossProperties;
  readonly whenToUse: readonly string[];
  readonly limitations: readonly string[];
  /**
   * Notes on hyperparameters that are not options of the loss. The notes on its options are
   * written on the option specs (`withNote` of `options.ts`), and the entry's `info` lists both.
   */
  readonly hyperparameters?: readonly HyperparameterNote[];
  /** Papers or library documentation whose semantics the loss follows. */
  readonly references: readonly string[];
  /** Tasks this loss serves, for the selection guide. */
  readonly tasks: readonly Task[];
}

/** One option as `explain` shows it. */
export interface OptionInfo {
  readonly name: string;
  readonly default: unknown;
  readonly accepts: string;
}

/** One named input as `explain` shows it. */
export interface InputInfo {
  readonly name: string;
  readonly differentiable: boolean;
}

/** The full `info` of a registry entry: the author's text plus what the definition implies. */
export interface LossInfo extends LossInfoText {
  /** Typical values and effect of each noted option (from its spec), then the author's other notes. */
  readonly hyperparameters: readonly HyperparameterNote[];
  readonly name: string;
  readonly family: LossFamily;
  readonly inputs: readonly InputInfo[];
  readonly options: readonly OptionInfo[];
}
