// The one table of other names for registry losses: fit's short names and the names PyTorch, Keras,
// TF.js, torchvision and Optax give the same loss. Below the training layer so that `fit` and the
// guide (`losskit explain`) share it. Browser-safe: data and string functions only.
import type { LossEntry } from './define.js';
import { isLossName, type LossName, losses, registryEntry } from './registry.js';

/** Another name for a registry loss, as some library spells it. */
export interface LossAlias {
  /** The name exactly as its library spells it: `'BCEWithLogitsLoss'`, `'sparse_categorical_crossentropy'`. */
  readonly name: string;
  /** Whose name it is: `'PyTorch'`, `'Keras'`, `'TF.js'`, `'Optax'`, or `'losskit'` for fit's short names. */
  readonly library: string;
  /**
   * The registry loss with the same semantics. It may not be in the registry (yet): the lookup
   * then says so instead of mapping the name to a loss that computes something else.
   */
  readonly loss: string;
  /** Where the library's defaults or inputs differ from the registry loss's, and how to match them. */
  readonly note?: string;
  /** Whether `fit` and `combine` accept it in place of the registry name (fit's short names). */
  readonly acceptedByFit?: boolean;
}

const CLASSES_LAST = 'classes are on the last axis here (PyTorch: axis 1)';
const NLL_NOTE = `it takes log-probabilities, ${CLASSES_LAST}; for logits, sparseCategoricalCrossEntropy is log-softmax followed by NLL`;
const KERAS_PROBABILITIES =
  "Keras defaults to from_logits=False: pass fromLogits: false for probabilities (losskit's default is logits)";

/**
 * The short names `fit` and `combine` accept in place of a registry name, and the loss each
 * names. The alias table lists them first, as the `'losskit'` library's names.
 */
export const fitLossAliases = {
  bce: 'binaryCrossEntropy',
  bceWithLogits: 'binaryCrossEntropyWithLogits',
  crossEntropy: 'sparseCategoricalCrossEntropy',
  kl: 'klDivergence',
} as const satisfies Readonly<Record<string, LossName>>;

/** One of fit's short names for a registry loss: `'bce'`, `'bceWithLogits'`, `'crossEntropy'`, `'kl'`. */
export type FitLossAlias = keyof typeof fitLossAliases;

/** Every alias, grouped by library. Names that normalise alike (see `normalizeLossName`) name one loss. */
export const lossAliasTable: readonly LossAlias[] = [
  // fit's short names.
  ...Object.entries(fitLossAliases).map(
    ([name, loss]): LossAlias => ({ name, library: 'losskit', loss, acceptedByFit: true }),
  ),
  // PyTorch (torch.nn classes and torch.nn.functional names).
  { name: 'MSELoss', library: 'PyTorch', loss: 'mse' },
  { name: 'mse_loss', library: 'PyTorch', loss: 'mse' },
  { name: 'L1Loss', library: 'PyTorch', loss: 'mae' },
  { name: 'l1_loss', library: 'PyTorch', loss: 'mae' },
  { name: 'l1', library: 'PyTorch', loss: 'mae' },
  { name: 'HuberLoss', library: 'PyTorch', loss: 'huber' },
  { name: 'huber_loss', library: 'PyTorch', loss: 'huber' },
  { name: 'SmoothL1Loss', library: 'PyTorch', loss: 'smoothL1' },
  { name: 'smooth_l1_loss', library: 'PyTorch', loss: 'smoothL1' },
  { name: 'BCELoss', library: 'PyTorch', loss: 'binaryCrossEntropy' },
  { name: 'BCEWithLogitsLoss', library: 'PyTorch', loss: 'binaryCrossEntropyWithLogits' },
  {
    name: 'CrossEntropyLoss',
    library: 'PyTorch',
    loss: 'sparseCategoricalCrossEntropy',
    note: `with class-index targets; ${CLASSES_LAST}; for probability targets use categoricalCrossEntropy`,
  },
  {
    name: 'cross_entropy',
    library: 'PyTorch',
    loss: 'sparseCategoricalCrossEntropy',
    note: `with class-index targets; ${CLASSES_LAST}; for probability targets use categoricalCrossEntropy`,
  },
  {
    name: 'NLLLoss',
    library: 'PyTorch',
    loss: 'negativeLogLikelihood',
    note: NLL_NOTE,
  },
  {
    name: 'nll_loss',
    library: 'PyTorch',
    loss: 'negativeLogLikelihood',
    note: NLL_NOTE,
  },
  {
    name: 'nll',
    library: 'PyTorch',
    loss: 'negativeLogLikelihood',
    note: NLL_NOTE,
  },
  {
    name: 'KLDivLoss',
    library: 'PyTorch',
    loss: 'klDivergence',
    note: "PyTorch's input is log-probabilities (inputKind: 'logProbs') and its default reduction 'mean' divides by every element; losskit defaults to inputKind 'logits' and reduction 'batchmean' (the true KL per sample)",
  },
  {
    name: 'kl_div',
    library: 'PyTorch',
    loss: 'klDivergence',
    note: "PyTorch's input is log-probabilities (inputKind: 'logProbs') and its default reduction 'mean' divides by every element; losskit defaults to inputKind 'logits' and reduction 'batchmean' (the true KL per sample)",
  },
  { name: 'TripletMarginLoss', library: 'PyTorch', loss: 'triplet' },
  { name: 'triplet_margin_loss', library: 'PyTorch', loss: 'triplet' },
  {
    name: 'MarginRankingLoss',
    library: 'PyTorch',
    loss: 'marginRanking',
    note: "pairwiseHinge is this loss with target 1 only (and margin 1 by default, PyTorch's is 0)",
  },
  { name: 'CosineEmbeddingLoss', library: 'PyTorch', loss: 'cosineEmbedding' },
  { name: 'HingeEmbeddingLoss', library: 'PyTorch', loss: 'hingeEmbedding' },
  { name: 'SoftMarginLoss', library: 'PyTorch', loss: 'softMargin' },
  { name: 'MultiMarginLoss', library: 'PyTorch', loss: 'multiMargin' },
  { name: 'MultiLabelSoftMarginLoss', library: 'PyTorch', loss: 'multiLabelSoftMargin' },
  { name: 'MultiLabelMarginLoss', library: 'PyTorch', loss: 'multiLabelMargin' },
  { name: 'PoissonNLLLoss', library: 'PyTorch', loss: 'poissonNll' },
  { name: 'GaussianNLLLoss', library: 'PyTorch', loss: 'gaussianNll' },
  { name: 'CTCLoss', library: 'PyTorch', loss: 'ctc', note: 'time is the second axis here (PyTorch: first)' },
  // torchvision and Optax.
  {
    name: 'sigmoid_focal_loss',
    library: 'torchvision / Optax',
    loss: 'focal',
    note: "torchvision's defaults (α = 0.25, γ = 2) are losskit's, with reduction 'none' there; Optax's applies no α by default (alpha: null)",
  },
  { name: 'sigmoid_binary_cross_entropy', library: 'Optax', loss: 'binaryCrossEntropyWithLogits' },
  { name: 'softmax_cross_entropy', library: 'Optax', loss: 'categoricalCrossEntropy' },
  {
    name: 'softmax_cross_entropy_with_integer_labels',
    library: 'Optax',
    loss: 'sparseCategoricalCrossEntropy',
  },
  {
    name: 'squared_error',
    library: 'Optax',
    loss: 'mse',
    note: "Optax returns the per-element errors: reduction: 'none'",
  },
  // Keras (function and class names).
  { name: 'mean_squared_error', library: 'Keras', loss: 'mse' },
  { name: 'MeanSquaredError', library: 'Keras', loss: 'mse' },
  { name: 'mean_absolute_error', library: 'Keras', loss: 'mae' },
  { name: 'MeanAbsoluteError', library: 'Keras', loss: 'mae' },
  {
    name: 'binary_crossentropy',
    library: 'Keras',
    loss: 'binaryCrossEntropy',
    note: 'Keras clips probabilities to [1e-7, 1 − 1e-7] (losskit clamps the log at −100, as PyTorch); with from_logits=True use binaryCrossEntropyWithLogits',
  },
  {
    name: 'BinaryCrossentropy',
    library: 'Keras',
    loss: 'binaryCrossEntropy',
    note: 'Keras clips probabilities to [1e-7, 1 − 1e-7] (losskit clamps the log at −100, as PyTorch); with from_logits=True use binaryCrossEntropyWithLogits',
  },
  {
    name: 'categorical_crossentropy',
    library: 'Keras',
    loss: 'categoricalCrossEntropy',
    note: KERAS_PROBABILITIES,
  },
  {
    name: 'CategoricalCrossentropy',
    library: 'Keras',
    loss: 'categoricalCrossEntropy',
    note: KERAS_PROBABILITIES,
  },
  {
    name: 'sparse_categorical_crossentropy',
    library: 'Keras',
    loss: 'sparseCategoricalCrossEntropy',
    note: KERAS_PROBABILITIES,
  },
  {
    name: 'SparseCategoricalCrossentropy',
    library: 'Keras',
    loss: 'sparseCategoricalCrossEntropy',
    note: KERAS_PROBABILITIES,
  },
  ...['kl_divergence', 'KLDivergence', 'kld', 'kullback_leibler_divergence'].map(
    (name): LossAlias => ({
      name,
      library: 'Keras',
      loss: 'klDivergence',
      note: "Keras takes probabilities for both arguments (inputKind: 'probs') and clips them to [1e-7, 1]; reduction 'batchmean' is Keras's sum over classes, mean over the batch",
    }),
  ),
  {
    name: 'binary_focal_crossentropy',
    library: 'Keras',
    loss: 'focal',
    note: 'Keras defaults to from_logits=False and to no α unless apply_class_balancing=True (then α = 0.25 for positives, as here): alpha: null, fromLogits: false match its defaults',
  },
  { name: 'categorical_focal_crossentropy', library: 'Keras', loss: 'categoricalFocal' },
  { name: 'hinge', library: 'Keras', loss: 'hinge' },
  { name: 'squared_hinge', library: 'Keras', loss: 'squaredHinge' },
  { name: 'categorical_hinge', library: 'Keras', loss: 'categoricalHinge' },
  { name: 'log_cosh', library: 'Keras / Optax', loss: 'logCosh' },
  { name: 'mean_absolute_percentage_error', library: 'Keras', loss: 'meanAbsolutePercentageError' },
  { name: 'mean_squared_logarithmic_error', library: 'Keras', loss: 'meanSquaredLogarithmicError' },
  { name: 'mape', library: 'Keras', loss: 'meanAbsolutePercentageError' },
  { name: 'msle', library: 'Keras', loss: 'meanSquaredLogarithmicError' },
  {
    name: 'poisson',
    library: 'Keras',
    loss: 'poissonNll',
    note: 'Keras takes the rate itself (logInput: false) and computes ŷ − y·log(ŷ + 1e-7); losskit adds eps = 1e-8 inside the log',
  },
  {
    name: 'cosine_similarity',
    library: 'Keras',
    loss: 'cosineDistance',
    note: 'Keras returns −cos; cosineDistance returns 1 − cos, the same gradient shifted by 1',
  },
  {
    name: 'CategoricalGeneralizedCrossEntropy',
    library: 'Keras',
    loss: 'generalizedCrossEntropy',
    note: KERAS_PROBABILITIES,
  },
  // Optax.
  { name: 'hinge_loss', library: 'Optax', loss: 'hinge' },
  { name: 'poly_loss_cross_entropy', library: 'Optax', loss: 'poly1CrossEntropy' },
  {
    name: 'cosine_distance',
    library: 'Optax',
    loss: 'cosineDistance',
    note: "Optax returns the per-row distances: reduction: 'none'",
  },
  {
    name: 'ctc_loss',
    library: 'Optax / PyTorch',
    loss: 'ctc',
    note: 'batch first here, as Optax (PyTorch puts time first); logits by default (inputKind), lengths instead of paddings',
  },
  // TF.js (tf.losses).
  { name: 'meanSquaredError', library: 'TF.js', loss: 'mse' },
  { name: 'absoluteDifference', library: 'TF.js', loss: 'mae' },
  { name: 'huberLoss', library: 'TF.js', loss: 'huber' },
  {
    name: 'logLoss',
    library: 'TF.js',
    loss: 'binaryCrossEntropy',
    note: 'TF.js adds ε = 1e-7 inside the logs; losskit clamps the log at −100 instead',
  },
  { name: 'sigmoidCrossEntropy', library: 'TF.js', loss: 'binaryCrossEntropyWithLogits' },
  { name: 'softmaxCrossEntropy', library: 'TF.js', loss: 'categoricalCrossEntropy' },
  { name: 'hingeLoss', library: 'TF.js', loss: 'hinge', note: 'TF.js also maps 0/1 labels to −1/1' },
];

/** A loss name without case or separators: `'BCEWithLogitsLoss'` → `'bcewithlogitsloss'`. */
export function normalizeLossName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/**
 * Levenshtein distance: the fewest single-element insertions, deletions and substitutions turning
 * `a` into `b` (characters of two strings, or labels of two sequences: the character error rate
 * of a CTC decoding is `editDistance(decoded, truth) / truth.length`).
 *
 * @example
 * editDistance('hubber', 'huber') // 1
 * editDistance([1, 2, 3], [2, 3]) // 1
 */
export function editDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

const registryNames = (): readonly string[] => Object.keys(losses);
const inRegistry = isLossName;

/**
 * The registry name an exact name stands for: itself when it is a registry name, the loss a fit
 * short name (`bce`) names when `aliases` is set, and undefined otherwise. Own properties only:
 * `'constructor'` and `'__proto__'` name nothing.
 *
 * @example
 * canonicalLossName('bce', { aliases: true }) // 'binaryCrossEntropy'
 * canonicalLossName('bce')                    // undefined
 */
export function canonicalLossName(
  name: string,
  options: { readonly aliases?: boolean } = {},
): LossName | undefined {
  if (isLossName(name)) return name;
  if (options.aliases === true && Object.hasOwn(fitLossAliases, name))
    return fitLossAliases[name as FitLossAlias];
  return undefined;
}

/**
 * The registry entry for an exact loss name, or undefined when there is none: with
 * `{ aliases: true }`, fit's short names (`bce`, `crossEntropy`, …) count too. For any case,
 * separators and other libraries' names, see `lookupLossName`.
 *
 * @example
 * lossByName('huber')?.name                   // 'huber'
 * lossByName('bce', { aliases: true })?.name  // 'binaryCrossEntropy'
 * lossByName('constructor')                   // undefined
 */
export function lossByName(
  name: string,
  options: { readonly aliases?: boolean } = {},
): LossEntry | undefined {
  const canonical = canonicalLossName(name, options);
  return canonical === undefined ? undefined : registryEntry(canonical);
}

/** What a name refers to. */
export type LossNameLookup =
  /** A registry loss: by its own name (any case or separators), or by an alias. */
  | { readonly kind: 'registry'; readonly loss: string; readonly alias?: LossAlias }
  /** A library's name for a loss with no registry entry yet (e.g. PyTorch's `NLLLoss`). */
  | { readonly kind: 'not in registry'; readonly alias: LossAlias }
  /** Nothing by that name; the nearest registry names, closest first. */
  | { readonly kind: 'unknown'; readonly suggestions: readonly string[] };

/**
 * The registry names nearest to `name` by edit distance (after `normalizeLossName`), through the
 * registry names themselves and every alias of a registry loss: the ones tied for nearest, at most
 * 3, and none when even the nearest differs in more than max(2, a third of the name's) characters.
 */
export function nearestLossNames(name: string): string[] {
  const key = normalizeLossName(name);
  const candidates = [
    ...registryNames().map((loss) => ({ spelling: loss, loss })),
    ...lossAliasTable.filter((a) => inRegistry(a.loss)).map((a) => ({ spelling: a.name, loss: a.loss })),
  ];
  let best = Number.POSITIVE_INFINITY;
  const nearest: string[] = [];
  for (const { spelling, loss } of candidates) {
    const d = editDistance(normalizeLossName(spelling), key);
    if (d < best) {
      best = d;
      nearest.length = 0;
    }
    if (d === best && !nearest.includes(loss)) nearest.push(loss);
  }
  return best <= Math.max(2, Math.floor(key.length / 3)) ? nearest.slice(0, 3) : [];
}

/**
 * What a loss name refers to: a registry name in any case or with any separators (`huber`,
 * `smooth_l1`), an alias (`bce`, `BCEWithLogitsLoss`, `sparse_categorical_crossentropy`), a
 * library's name for a loss the registry does not have yet, or nothing (with the nearest names).
 *
 * @example
 * lookupLossName('SmoothL1Loss') // { kind: 'registry', loss: 'smoothL1', alias: { name: 'SmoothL1Loss', library: 'PyTorch', … } }
 * lookupLossName('hubber')       // { kind: 'unknown', suggestions: ['huber'] }
 */
export function lookupLossName(name: string): LossNameLookup {
  if (inRegistry(name)) return { kind: 'registry', loss: name };
  const key = normalizeLossName(name);
  const exactAlias = lossAliasTable.find((a) => a.name === name);
  const alias = exactAlias ?? lossAliasTable.find((a) => normalizeLossName(a.name) === key);
  const registryMatch = registryNames().find((n) => normalizeLossName(n) === key);
  if (registryMatch !== undefined)
    return { kind: 'registry', loss: registryMatch, ...(alias ? { alias } : {}) };
  if (alias !== undefined) {
    return inRegistry(alias.loss)
      ? { kind: 'registry', loss: alias.loss, alias }
      : { kind: 'not in registry', alias };
  }
  return { kind: 'unknown', suggestions: nearestLossNames(name) };
}

/** `'huber'`, `'mse' or 'mae'`, `'a', 'b' or 'c'`. */
function quotedChoice(names: readonly string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/**
 * Why a name that is not a registry loss was rejected, in words, with the nearest registry
 * name (`unknown loss 'hubber'; did you mean 'huber'?`) or, for a library's name of a loss the
 * registry lacks, that there is none yet (rather than a loss that computes something else).
 */
export function unknownLossProblem(name: string, lookup: LossNameLookup = lookupLossName(name)): string {
  if (lookup.kind === 'not in registry') {
    const { alias } = lookup;
    return `'${name}' is ${alias.library}'s name for a loss with no registry equivalent yet: no registry loss has its semantics (it would be '${alias.loss}')${alias.note ? `; ${alias.note}` : ''}`;
  }
  const suggestions = lookup.kind === 'unknown' ? lookup.suggestions : [lookup.loss];
  return suggestions.length > 0
    ? `unknown loss '${name}'; did you mean ${quotedChoice(suggestions)}?`
    : `unknown loss '${name}', and no loss has a similar name`;
}
