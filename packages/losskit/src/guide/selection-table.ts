import type { Task } from '../losses/info.js';
import type { LossName } from '../losses/registry.js';
import {
  imbalancedBinaryEvidence,
  measured,
  noisyLabelsEvidence,
  type OptionValue,
  predictionIntervalsEvidence,
} from './lab-evidence.js';

/** Metrics a user can say they are judged on; some change the recommended loss. */
export const targetMetrics = [
  'mse',
  'mae',
  'accuracy',
  'f1',
  'pr-auc',
  'recall',
  'calibration',
  'perplexity',
  'recall-at-k',
  'ndcg',
  'iou',
  'dice',
] as const;
export type TargetMetric = (typeof targetMetrics)[number];

/**
 * What the targets are, or what the model must give beyond a point estimate, where that changes
 * the loss: `counts` (non-negative integer targets, Poisson-like), `intervals` (prediction
 * intervals: quantiles), `variance` (the noise level varies with the input and the model should
 * predict it: heteroscedastic regression), `unaligned` (each input sequence has a shorter label
 * sequence with no frame-level alignment: speech, handwriting).
 */
export const targetKinds = ['counts', 'intervals', 'variance', 'unaligned'] as const;
export type TargetKind = (typeof targetKinds)[number];

/** The conditions of a row. A row applies when every condition it names matches the query. */
export interface SelectionConditions {
  readonly task: Task;
  readonly imbalanced?: boolean;
  readonly outliers?: boolean;
  readonly noisyLabels?: boolean;
  readonly metric?: TargetMetric;
  readonly target?: TargetKind;
}

/** Where the lab measured a choice: an experiment of `labEvidence` and the variant that is this choice. */
export interface ChoiceEvidence {
  readonly experiment: string;
  readonly variant: string;
}

/** One suggested loss of a row, with the options to start from and why. */
export interface SelectionChoice {
  /** Registry name (a misspelt one does not compile). */
  readonly loss: LossName;
  /** Options to start from (only values that do not depend on the data). */
  readonly options?: Readonly<Record<string, OptionValue>>;
  /** Options to compute from your data, and how: `{ posWeight: 'negatives / positives' }`. */
  readonly optionsFromData?: Readonly<Record<string, string>>;
  /** Why; where the lab measured the choice, the reason quotes its numbers. */
  readonly reason: string;
  /** The lab's measurement of this very choice (same loss and options), if it has one. */
  readonly evidence?: ChoiceEvidence;
}

/** A row of the selection table: a situation and the losses to try, best first. */
export interface SelectionRow {
  readonly when: SelectionConditions;
  readonly choose: readonly [SelectionChoice, ...SelectionChoice[]];
  /**
   * The lab metric that orders the row's measured choices: choices with `evidence` from this
   * experiment are listed best first by it (test/lab/recommend.test.ts checks the order).
   */
  readonly rankedBy?: { readonly experiment: string; readonly metric: string };
}

// The imbalanced-binary lab numbers the binary and multi-label rows quote (src/guide/lab-evidence.ts).
const IB = imbalancedBinaryEvidence.experiment;
const ib = (variant: string, metric: string): number => measured(IB, variant, metric);
const IB_RUN = `lab, ${IB}, seed ${imbalancedBinaryEvidence.seed}`;
// The noisy-labels and prediction-intervals lab numbers the multi-class and regression rows quote.
const NL = noisyLabelsEvidence.experiment;
const nl = (variant: string, metric: string): number => measured(NL, variant, metric);
const NL_RUN = `${NL}, seed ${noisyLabelsEvidence.seed}`;
const PI = predictionIntervalsEvidence.experiment;
const pi = (metric: string, variant = 'quantile'): number => measured(PI, variant, metric);
const PI_RUN = `${PI}, seed ${predictionIntervalsEvidence.seed}`;

/**
 * The catalogue's selection table, as data: `recommend()` picks the most specific row whose
 * conditions all match, then adds the task's other registry losses. Order does not matter;
 * specificity (the number of conditions) does.
 */
export const selectionTable: readonly SelectionRow[] = [
  // Regression.
  {
    when: { task: 'regression' },
    choose: [
      {
        loss: 'mse',
        reason:
          'Gaussian noise and no gross outliers: the squared error is the maximum-likelihood choice and optimises RMSE directly.',
      },
      {
        loss: 'huber',
        options: { delta: 1 },
        reason: 'A safe default when you are unsure about outliers: quadratic near zero, linear beyond δ.',
      },
      { loss: 'mae', reason: 'Predicts the median; use it when the metric is MAE.' },
    ],
  },
  {
    when: { task: 'regression', outliers: true },
    choose: [
      {
        loss: 'huber',
        options: { delta: 1 },
        reason:
          'Bounded gradient for gross outliers while staying smooth near the optimum; set δ to about 1.35 × the noise standard deviation.',
      },
      {
        loss: 'mae',
        reason:
          'Fully robust (the median), at the price of a constant-size gradient that makes the last steps noisy.',
      },
      {
        loss: 'smoothL1',
        options: { beta: 1 },
        reason:
          'Huber divided by β: the same robustness with a gradient bounded by 1 (the detection convention).',
      },
    ],
  },
  {
    when: { task: 'regression', metric: 'mae' },
    choose: [
      {
        loss: 'mae',
        reason: 'Train on the metric you are judged on: the absolute error is minimised by the median.',
      },
      {
        loss: 'huber',
        options: { delta: 1 },
        reason: 'Close to MAE for large errors with smoother convergence near zero.',
      },
    ],
  },
  {
    when: { task: 'regression', target: 'counts' },
    choose: [
      {
        loss: 'poissonNll',
        options: { logInput: true },
        reason:
          'Counts (events, clicks, cases) have a variance that grows with the mean: the Poisson likelihood weighs each error by it, and a log-rate output is always a valid rate.',
      },
      {
        loss: 'meanSquaredLogarithmicError',
        reason: 'Relative errors on non-negative targets spanning orders of magnitude, without a likelihood.',
      },
      { loss: 'mse', reason: 'Only when the counts are large and their spread is about constant.' },
    ],
  },
  {
    when: { task: 'regression', target: 'intervals' },
    choose: [
      {
        loss: 'quantile',
        options: { quantile: [0.05, 0.95] },
        reason: `Two outputs trained with the pinball loss at 5% and 95% give a 90% interval whose width follows the noise: in the lab (${PI_RUN}) it covered ${pi('coverage')} of held-out points and ${pi('coverageHighNoise')} on the noisy half, where MSE ± 1.645σ covers ${pi('coverageHighNoise', 'mse')} (and ${pi('coverageLowNoise', 'mse')} on the quiet half).`,
        evidence: { experiment: PI, variant: 'quantile' },
      },
      {
        loss: 'gaussianNll',
        reason:
          'Predicts a mean and a variance per input: intervals as mean ± 1.645σ if the noise is Gaussian.',
      },
    ],
  },
  {
    when: { task: 'regression', target: 'variance' },
    choose: [
      {
        loss: 'gaussianNll',
        reason:
          'Heteroscedastic regression: the model outputs a mean and a variance, and the likelihood weights each residual by the variance it predicts.',
      },
      {
        loss: 'quantile',
        options: { quantile: [0.05, 0.5, 0.95] },
        reason: 'The spread as quantiles instead of a variance, when the noise is skewed or heavy-tailed.',
      },
    ],
  },
  // Binary classification.
  {
    when: { task: 'binary' },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        reason:
          'The standard for binary outputs: calibrated probabilities, and stable because it works on logits.',
      },
      {
        loss: 'focal',
        options: { alpha: 0.25, gamma: 2 },
        reason:
          'Worth trying when easy examples dominate the batch. α = 0.25 weights the positives down: when they are rare, see --imbalanced (α = 0.75).',
      },
    ],
  },
  {
    when: { task: 'binary', imbalanced: true },
    rankedBy: { experiment: IB, metric: 'recall' },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        optionsFromData: { posWeight: 'negatives / positives' },
        evidence: { experiment: IB, variant: 'bce-pos-weight' },
        reason: `posWeight = negatives / positives: the simplest fix, and the one that finds the rare positives (${IB_RUN}: minority recall ${ib('bce-pos-weight', 'recall')} against plain BCE's ${ib('bce', 'recall')}, PR-AUC ${ib('bce-pos-weight', 'prAuc')} vs ${ib('bce', 'prAuc')}), at the price of precision (${ib('bce-pos-weight', 'precision')}): tune the threshold if false alarms cost.`,
      },
      {
        loss: 'focal',
        options: { alpha: 0.75, gamma: 2 },
        evidence: { experiment: IB, variant: 'focal-alpha-75' },
        reason: `Focal with α = 0.75 (the positives weighted up) balances precision and recall (${IB_RUN}: recall ${ib('focal-alpha-75', 'recall')}, the best F1, ${ib('focal-alpha-75', 'f1')}, against BCE's ${ib('bce', 'f1')}). Not torchvision's default α = 0.25: it weights the rare positives down and lowered recall to ${ib('focal', 'recall')} (BCE ${ib('bce', 'recall')}).`,
      },
    ],
  },
  {
    when: { task: 'binary', imbalanced: true, metric: 'recall' },
    rankedBy: { experiment: IB, metric: 'recall' },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        optionsFromData: { posWeight: 'negatives / positives' },
        evidence: { experiment: IB, variant: 'bce-pos-weight' },
        reason: `posWeight = negatives / positives moves the decision threshold toward the minority class, trading precision for recall (${IB_RUN}: recall ${ib('bce-pos-weight', 'recall')} against plain BCE's ${ib('bce', 'recall')}; precision ${ib('bce-pos-weight', 'precision')}).`,
      },
      {
        loss: 'focal',
        options: { alpha: 0.75, gamma: 2 },
        evidence: { experiment: IB, variant: 'focal-alpha-75' },
        reason: `α = 0.75 weights the positives up: more recall than BCE, far less than posWeight (${IB_RUN}: recall ${ib('focal-alpha-75', 'recall')}). Avoid α = 0.25 here: it lowered recall to ${ib('focal', 'recall')}.`,
      },
    ],
  },
  {
    when: { task: 'binary', imbalanced: true, metric: 'f1' },
    rankedBy: { experiment: IB, metric: 'f1' },
    choose: [
      {
        loss: 'focal',
        options: { alpha: 0.75, gamma: 2 },
        evidence: { experiment: IB, variant: 'focal-alpha-75' },
        reason: `The best F1 at the 0.5 threshold (${IB_RUN}: ${ib('focal-alpha-75', 'f1')} against BCE's ${ib('bce', 'f1')}, posWeight's ${ib('bce-pos-weight', 'f1')} and ${ib('focal', 'f1')} with α = 0.25).`,
      },
      {
        loss: 'binaryCrossEntropyWithLogits',
        evidence: { experiment: IB, variant: 'bce' },
        reason: `Plain BCE keeps precision high (${IB_RUN}: F1 ${ib('bce', 'f1')}, precision ${ib('bce', 'precision')}, recall ${ib('bce', 'recall')}); choose the threshold that maximises F1 on validation data.`,
      },
    ],
  },
  {
    when: { task: 'binary', metric: 'calibration' },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        reason: 'A proper scoring rule: its minimiser is the true probability, so scores stay calibrated.',
      },
    ],
  },
  // Multi-class classification.
  {
    when: { task: 'multiclass' },
    choose: [
      {
        loss: 'sparseCategoricalCrossEntropy',
        reason: 'The standard for one label per example; takes integer labels and logits directly.',
      },
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'Curbs over-confidence and helps with noisy labels.',
      },
      {
        loss: 'categoricalCrossEntropy',
        reason: 'When targets are distributions (soft labels, mixup) rather than indices.',
      },
    ],
  },
  {
    when: { task: 'multiclass', imbalanced: true },
    choose: [
      {
        loss: 'sparseCategoricalCrossEntropy',
        reason: 'With weight set to the inverse class frequency (or its square root) so rare classes count.',
      },
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'Less over-confident on the frequent classes.',
      },
    ],
  },
  {
    when: { task: 'multiclass', noisyLabels: true },
    choose: [
      {
        loss: 'generalizedCrossEntropy',
        options: { q: 0.7 },
        reason: `Between cross-entropy (q → 0) and MAE (q = 1): a wrong label the model contradicts gets a bounded gradient. With 40% of labels flipped (lab, ${NL_RUN}) it reached clean accuracy ${nl('gce', 'accuracy')} against cross-entropy's ${nl('cross-entropy', 'accuracy')}, fitting ${nl('gce', 'memorized')} of the wrong labels against ${nl('cross-entropy', 'memorized')}.`,
        evidence: { experiment: NL, variant: 'gce' },
      },
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'Caps the confidence the loss rewards, so wrong labels cannot push logits to infinity.',
      },
      {
        loss: 'sparseCategoricalCrossEntropy',
        options: { labelSmoothing: 0.1 },
        reason: 'The same smoothing on the standard loss (uniform distribution).',
      },
    ],
  },
  {
    when: { task: 'multiclass', metric: 'calibration' },
    choose: [
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'Lower confidence on training labels gives a smaller calibration error on held-out data.',
      },
      {
        loss: 'sparseCategoricalCrossEntropy',
        reason: 'A proper scoring rule; calibrate afterwards with temperature scaling.',
      },
    ],
  },
  // Multi-label.
  {
    when: { task: 'multilabel' },
    choose: [
      { loss: 'binaryCrossEntropyWithLogits', reason: 'One independent sigmoid per label.' },
      {
        loss: 'focal',
        options: { alpha: 0.75, gamma: 2 },
        reason: `When most labels are absent most of the time: α = 0.75 weights the rare present labels up (α = 0.25 weights them down; on binary data it lowered recall to ${ib('focal', 'recall')}, ${IB_RUN}).`,
      },
    ],
  },
  {
    when: { task: 'multilabel', imbalanced: true },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        optionsFromData: { posWeight: 'negatives / positives of each label' },
        reason: `posWeight per label, [C] along the last axis. Each label is a binary problem; on single-label binary data with 1% positives it raised minority recall from ${ib('bce', 'recall')} to ${ib('bce-pos-weight', 'recall')} (${IB_RUN}).`,
      },
      {
        loss: 'focal',
        options: { alpha: 0.75, gamma: 2 },
        reason: `With α = 0.75 the rare present labels are weighted up; torchvision's default α = 0.25 weights them down (on binary data it lowered recall to ${ib('focal', 'recall')}, against ${ib('focal-alpha-75', 'recall')} with α = 0.75; ${IB_RUN}).`,
      },
    ],
  },
  // Ranking and metric learning.
  {
    when: { task: 'ranking' },
    choose: [
      {
        loss: 'pairwiseHinge',
        options: { margin: 1 },
        reason: 'Learns to order a relevant item above an irrelevant one (RankNet-style pairs).',
      },
      {
        loss: 'triplet',
        options: { margin: 1 },
        reason: 'When the scores are distances between embeddings.',
      },
    ],
  },
  {
    when: { task: 'metric-learning' },
    choose: [
      {
        loss: 'triplet',
        options: { margin: 0.2 },
        reason: 'Relative constraint (positive closer than negative); mine hard triplets within the batch.',
      },
      {
        loss: 'contrastive',
        options: { margin: 1 },
        reason:
          'Simple pairs; pulls similar pairs to zero distance and pushes dissimilar ones beyond the margin.',
      },
    ],
  },
  // Sequences and distillation.
  {
    when: { task: 'sequence' },
    choose: [
      {
        loss: 'tokenCrossEntropy',
        reason:
          'Next-token cross-entropy over the vocabulary, padding ignored; its exponential is the perplexity.',
      },
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'The Transformer recipe: slightly worse perplexity, better calibration and BLEU.',
      },
    ],
  },
  {
    when: { task: 'sequence', target: 'unaligned' },
    choose: [
      {
        loss: 'ctc',
        reason:
          'Speech or handwriting: the label sequence is shorter than the input and its alignment to the frames is unknown; CTC sums over every alignment with a blank symbol.',
      },
      {
        loss: 'tokenCrossEntropy',
        reason: 'Only when every frame has its own label (a known alignment).',
      },
    ],
  },
  {
    when: { task: 'sequence', metric: 'calibration' },
    choose: [
      {
        loss: 'labelSmoothingCrossEntropy',
        options: { smoothing: 0.1 },
        reason: 'Keeps token probabilities away from 0 and 1.',
      },
      { loss: 'tokenCrossEntropy', reason: 'The plain objective; best perplexity.' },
    ],
  },
  {
    when: { task: 'distillation' },
    choose: [
      {
        loss: 'klDivergence',
        options: { inputKind: 'logits', targetKind: 'probs', reduction: 'batchmean' },
        reason:
          "Matches the student's distribution to the teacher's softened one (divide both logits by a temperature, scale by T²).",
      },
      {
        loss: 'categoricalCrossEntropy',
        reason:
          'Cross-entropy with soft targets: the same gradient as KL, without the constant teacher entropy.',
      },
    ],
  },
  // Segmentation.
  {
    when: { task: 'segmentation' },
    choose: [
      {
        loss: 'bceDice',
        options: { alpha: 0.5, fromLogits: true },
        reason: 'Pixel-wise BCE for stable early training plus Dice for the overlap the metric measures.',
      },
      {
        loss: 'dice',
        options: { fromLogits: true },
        reason: 'Directly optimises overlap and is insensitive to the background size.',
      },
      { loss: 'sparseCategoricalCrossEntropy', reason: 'Multi-class pixels with balanced classes.' },
    ],
  },
  {
    when: { task: 'segmentation', imbalanced: true },
    choose: [
      {
        loss: 'dice',
        options: { fromLogits: true },
        reason: 'Small objects: the overlap ratio ignores the ocean of background pixels that swamps BCE.',
      },
      {
        loss: 'bceDice',
        options: { alpha: 0.5, fromLogits: true },
        reason: 'Adds BCE for smoother early gradients when the objects are tiny.',
      },
    ],
  },
  {
    when: { task: 'segmentation', metric: 'iou' },
    choose: [
      {
        loss: 'iou',
        options: { fromLogits: true },
        reason: 'A soft Jaccard loss optimises the metric you are judged on.',
      },
      {
        loss: 'bceIou',
        options: { alpha: 0.5, fromLogits: true },
        reason: 'The IoU loss with a BCE term for stable early training.',
      },
    ],
  },
  {
    when: { task: 'segmentation', metric: 'recall' },
    choose: [
      {
        loss: 'tversky',
        options: { alpha: 0.3, beta: 0.7, fromLogits: true },
        reason:
          'Weights missed foreground (false negatives, β) above false alarms (α): recall-critical masks such as lesions; γ < 1 (focal Tversky) adds weight to hard examples.',
      },
      {
        loss: 'dice',
        options: { fromLogits: true },
        reason: 'The symmetric case (α = β = 0.5): Tversky reduces to Dice.',
      },
    ],
  },
  {
    when: { task: 'segmentation', metric: 'dice' },
    choose: [
      { loss: 'dice', options: { fromLogits: true }, reason: 'Optimises the Dice score directly.' },
      {
        loss: 'bceDice',
        options: { alpha: 0.5, fromLogits: true },
        reason: 'Dice plus BCE for smoother optimisation.',
      },
    ],
  },
  // Detection (box regression on matched pairs).
  {
    when: { task: 'detection' },
    choose: [
      {
        loss: 'giou',
        reason:
          'Trains the overlap the IoU metrics judge, with the same weight for small and large boxes, and still pulls disjoint boxes together.',
      },
      {
        loss: 'ciou',
        reason:
          'Adds the centre distance and the aspect ratio: faster when predictions start inside their targets.',
      },
      { loss: 'diou', reason: 'GIoU with a centre-distance term instead of the enclosing-area one.' },
      {
        loss: 'smoothL1',
        options: { beta: 1 },
        reason:
          'On the coordinates (or their offsets): the classic Faster R-CNN choice, but large boxes dominate unless the targets are normalised.',
      },
    ],
  },
  // Alignment (preference optimisation of a policy).
  {
    when: { task: 'alignment' },
    choose: [
      {
        loss: 'dpo',
        options: { beta: 0.1 },
        reason:
          'The standard: preference pairs and a frozen reference model, no reward model; β sets how far the policy may move from the reference.',
      },
      {
        loss: 'simpo',
        options: { beta: 2, gamma: 1 },
        reason:
          'No reference model and length-normalised rewards: cheaper, and no bias towards long answers.',
      },
      {
        loss: 'orpo',
        options: { beta: 0.1 },
        reason: 'Added to supervised fine-tuning in one stage, without a reference model.',
      },
    ],
  },
  // Generative and reinforcement learning.
  {
    when: { task: 'gan' },
    choose: [
      {
        loss: 'wganCritic',
        reason:
          'With wganGenerator and gradientPenalty (λ = 10): the most stable of the three, with a critic value that tracks sample quality.',
      },
      {
        loss: 'lsganDiscriminator',
        reason: 'With lsganGenerator: least squares gives non-vanishing gradients and is cheap.',
      },
      {
        loss: 'ganDiscriminator',
        reason: 'With the non-saturating ganGenerator: the original GAN; simple but prone to mode collapse.',
      },
    ],
  },
  {
    when: { task: 'rl' },
    choose: [
      {
        loss: 'ppoClip',
        options: { clipEpsilon: 0.2 },
        reason:
          'With valueLoss and GAE advantages: clipped ratios allow several epochs per batch without collapse.',
      },
      {
        loss: 'policyGradient',
        options: { normalizeAdvantages: true },
        reason: 'REINFORCE with a value baseline: simplest, one update per batch.',
      },
      { loss: 'valueLoss', reason: 'The critic half of any actor-critic method.' },
    ],
  },
  {
    when: { task: 'autoencoder' },
    choose: [
      {
        loss: 'vaeLoss',
        options: { beta: 1, reconstruction: 'mse' },
        reason:
          'For a VAE: reconstruction plus β·KL; raise β for smoother latents, lower it for sharper reconstructions.',
      },
      {
        loss: 'reconstruction',
        options: { kind: 'mse' },
        reason: "A plain autoencoder; use kind 'bce' for pixels in [0, 1].",
      },
    ],
  },
];
