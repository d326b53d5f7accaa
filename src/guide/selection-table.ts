import type { Task } from '../losses/info.js';

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

/** The conditions of a row. A row applies when every condition it names matches the query. */
export interface SelectionConditions {
  readonly task: Task;
  readonly imbalanced?: boolean;
  readonly outliers?: boolean;
  readonly noisyLabels?: boolean;
  readonly metric?: TargetMetric;
}

/** One suggested loss of a row, with the options to start from and why. */
export interface SelectionChoice {
  /** Registry name. */
  readonly loss: string;
  /** Options to start from (only values that do not depend on the data). */
  readonly options?: Readonly<Record<string, number | string | boolean | null>>;
  readonly reason: string;
}

/** A row of the selection table: a situation and the losses to try, best first. */
export interface SelectionRow {
  readonly when: SelectionConditions;
  readonly choose: readonly [SelectionChoice, ...SelectionChoice[]];
}

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
        reason: 'Worth trying when easy examples dominate the batch.',
      },
    ],
  },
  {
    when: { task: 'binary', imbalanced: true },
    choose: [
      {
        loss: 'focal',
        options: { alpha: 0.25, gamma: 2 },
        reason: 'Down-weights the many easy negatives so the rare positives drive the gradient.',
      },
      {
        loss: 'binaryCrossEntropyWithLogits',
        reason:
          'With posWeight set to (number of negatives) / (number of positives): the simplest fix, and it raises minority recall.',
      },
    ],
  },
  {
    when: { task: 'binary', imbalanced: true, metric: 'recall' },
    choose: [
      {
        loss: 'binaryCrossEntropyWithLogits',
        reason:
          'posWeight = negatives / positives moves the decision threshold toward the minority class, trading precision for recall.',
      },
      {
        loss: 'focal',
        options: { alpha: 0.25, gamma: 2 },
        reason:
          'Focuses on hard examples; better ranking (PR-AUC) than plain BCE, less recall than posWeight.',
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
        options: { alpha: 0.25, gamma: 2 },
        reason: 'When most labels are absent most of the time.',
      },
    ],
  },
  {
    when: { task: 'multilabel', imbalanced: true },
    choose: [
      {
        loss: 'focal',
        options: { alpha: 0.25, gamma: 2 },
        reason: 'Down-weights the flood of easy absent labels.',
      },
      {
        loss: 'binaryCrossEntropyWithLogits',
        reason: 'With posWeight per label (negatives / positives of each label).',
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
