// The training playground's model, data and metrics, free of the DOM: the Web Worker runs it
// (src/worker.ts), and so can a test in Node. Everything is seeded from one number.
import { averagePrecision } from '../../lab/src/lab/metrics.js';
import {
  Adam,
  findLoss,
  Lambda,
  losses,
  type Module,
  mlp,
  noGrad,
  ops,
  registryLoss,
  Rng,
  type Sequential,
  Tensor,
  trainStep,
} from 'losskit';

/** The data sets of the training view. */
export type DataSetName = 'line' | 'blobs' | 'spirals' | 'noisy' | 'objects';

/** Every data set, in the order of the page's menu. */
export const DATA_SETS: readonly DataSetName[] = ['line', 'blobs', 'spirals', 'noisy', 'objects'];

/** Classes of the noisy-labels data set. */
export const NOISY_CLASSES = 3;

export interface TrainConfig {
  readonly data: DataSetName;
  /**
   * In [0, 0.5]: the outlier share (line), the minority share (blobs), the noise's standard
   * deviation (spirals), the share of training labels flipped (noisy) or the foreground share
   * (objects, clamped to [OBJECT_SHARE.min, OBJECT_SHARE.max]).
   */
  readonly share: number;
  readonly seed: number;
  /** Registry names of the two losses. */
  readonly losses: readonly [string, string];
  readonly options: readonly [Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>];
  /** Steps of a full run. */
  readonly steps?: number;
}

/**
 * The points of a data set: x is [n, 2] for the 2-D sets and [n, 1] for the line; y is [n, 1] (a
 * class index for noisy). Objects: n images of IMAGE × IMAGE pixels, x the noisy intensities and y
 * the 0/1 masks, both [n, IMAGE²] (features = IMAGE²).
 */
export interface DataSet {
  readonly name: DataSetName;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly features: number;
  /** Per point: an outlier (line), a minority example (blobs), class 1 (spirals), a flipped label (noisy); objects: the mask. */
  readonly special: Uint8Array;
  /** Classes of the labels: 1 for the line, 2 for the binary sets, NOISY_CLASSES for noisy. */
  readonly classes: number;
  /** A held-out set from the same distribution with clean labels (spirals, noisy, objects): the metric's data. */
  readonly test?: { readonly x: Float64Array; readonly y: Float64Array; readonly n: number };
}

/** The line the outlier data set is drawn around: y = SLOPE · x + INTERCEPT. */
export const TRUE_LINE = { slope: 1.5, intercept: 0.5 } as const;
export const DEFAULT_STEPS = 300;
/**
 * Steps of a full run per data set. The spirals stop at 120: focal, which down-weights the points
 * already classified well, climbs them more slowly than cross-entropy, and at 120 steps the gap
 * is visible for every seed tried (1–8); by 300 steps both reach about the same accuracy. The
 * objects stop at 150 (a step costs more there).
 */
export const STEPS: Readonly<Record<DataSetName, number>> = {
  line: DEFAULT_STEPS,
  blobs: DEFAULT_STEPS,
  spirals: 120,
  noisy: DEFAULT_STEPS,
  objects: 150,
};
const N = 160;

/** A line with noise, where a share of the points is pushed far above it (one-sided, so MSE tilts). */
function lineData(share: number, rng: Rng): DataSet {
  const x = new Float64Array(N);
  const y = new Float64Array(N);
  const special = new Uint8Array(N);
  const outliers = Math.round(share * N);
  for (let i = 0; i < N; i++) {
    x[i] = rng.uniform(-2, 2);
    y[i] = TRUE_LINE.slope * x[i] + TRUE_LINE.intercept + rng.normal(0, 0.25);
    if (i < outliers) {
      // Gross errors, mostly on the right, so that they pull both the slope and the intercept.
      x[i] = rng.uniform(0, 2);
      y[i] = TRUE_LINE.slope * x[i] + TRUE_LINE.intercept - rng.uniform(4, 8);
      special[i] = 1;
    }
  }
  return { name: 'line', x, y, n: N, features: 1, special, classes: 1 };
}

/** Two Gaussian blobs: the majority (label 0) around (−0.8, 0), the minority (label 1) around (0.9, 0.5). */
function blobData(share: number, rng: Rng): DataSet {
  const x = new Float64Array(2 * N);
  const y = new Float64Array(N);
  const special = new Uint8Array(N);
  const minority = Math.max(1, Math.round(share * N));
  for (let i = 0; i < N; i++) {
    const positive = i < minority;
    x[2 * i] = rng.normal(positive ? 0.9 : -0.8, 0.75);
    x[2 * i + 1] = rng.normal(positive ? 0.5 : 0, 0.75);
    y[i] = positive ? 1 : 0;
    special[i] = positive ? 1 : 0;
  }
  return { name: 'blobs', x, y, n: N, features: 2, special, classes: 2 };
}

/** n points of two interleaved spirals (label = arm), with Gaussian noise of standard deviation `noise`. */
function spiralPoints(n: number, noise: number, rng: Rng): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const arm = i % 2;
    // Arc position in [0, 1], denser near the tips' start so that the centre is not empty.
    const t = 0.08 + 0.92 * Math.sqrt(rng.next());
    const angle = t * 3 * Math.PI + arm * Math.PI;
    const radius = 2.6 * t;
    x[2 * i] = radius * Math.cos(angle) + rng.normal(0, noise);
    x[2 * i + 1] = radius * Math.sin(angle) + rng.normal(0, noise);
    y[i] = arm;
  }
  return { x, y };
}

/** Two spirals, one and a half turns each, with a held-out set of the same size drawn after the training set. */
function spiralData(noise: number, rng: Rng): DataSet {
  const train = spiralPoints(N_SPIRALS, noise, rng);
  const test = spiralPoints(N_SPIRALS, noise, rng);
  const special = Uint8Array.from(train.y);
  return {
    name: 'spirals',
    ...train,
    n: N_SPIRALS,
    features: 2,
    special,
    classes: 2,
    test: { ...test, n: N_SPIRALS },
  };
}

const NOISY_CENTRES: readonly (readonly [number, number])[] = Array.from(
  { length: NOISY_CLASSES },
  (_, k) => {
    const angle = Math.PI / 2 + (2 * Math.PI * k) / NOISY_CLASSES;
    return [1.4 * Math.cos(angle), 1.4 * Math.sin(angle)] as const;
  },
);

function noisyPoints(n: number, rng: Rng): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(2 * n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const k = i % NOISY_CLASSES;
    x[2 * i] = rng.normal(NOISY_CENTRES[k][0], 0.7);
    x[2 * i + 1] = rng.normal(NOISY_CENTRES[k][1], 0.7);
    y[i] = k;
  }
  return { x, y };
}

/**
 * Three Gaussian blobs; a share `rate` of the training labels (exactly round(rate · n), chosen at
 * random) is flipped to one of the other classes, uniformly. The held-out set keeps its clean labels.
 */
function noisyData(rate: number, rng: Rng): DataSet {
  const train = noisyPoints(N, rng);
  const test = noisyPoints(N_TEST, rng);
  const special = new Uint8Array(N);
  const order = Array.from({ length: N }, (_, i) => i);
  for (let i = N - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const flips = Math.round(rate * N);
  for (let f = 0; f < flips; f++) {
    const i = order[f];
    train.y[i] = (train.y[i] + 1 + rng.int(NOISY_CLASSES - 1)) % NOISY_CLASSES;
    special[i] = 1;
  }
  return {
    name: 'noisy',
    ...train,
    n: N,
    features: 2,
    special,
    classes: NOISY_CLASSES,
    test: { ...test, n: N_TEST },
  };
}

const N_SPIRALS = 200;
const N_TEST = 300;

/** Side of an object image, in pixels. */
export const IMAGE = 16;
/** Training and held-out images of the objects set; the view draws the first SHOWN held-out ones. */
export const N_IMAGES = 48;
export const N_TEST_IMAGES = 16;
export const SHOWN = 4;
/** The foreground share the objects set accepts (the slider's range on that set). */
export const OBJECT_SHARE = { min: 0.02, max: 0.15 } as const;
/** Standard deviation of the pixel noise of the objects set (foreground 1, background 0 before it). */
export const OBJECT_NOISE = 0.6;

/**
 * n images with small objects on a large background: squares of side 2 to 4 placed at random
 * (they may touch or overlap) until the foreground reaches about `share` of the pixels; the
 * intensity is the mask plus Gaussian noise of standard deviation OBJECT_NOISE.
 */
function objectImages(n: number, share: number, rng: Rng): { x: Float64Array; y: Float64Array } {
  const area = IMAGE * IMAGE;
  const x = new Float64Array(n * area);
  const y = new Float64Array(n * area);
  const wanted = Math.max(1, Math.round(share * area));
  for (let k = 0; k < n; k++) {
    const base = k * area;
    let foreground = 0;
    for (let tries = 0; foreground < wanted && tries < 40; tries++) {
      const side = 2 + rng.int(3);
      const top = rng.int(IMAGE - side + 1);
      const left = rng.int(IMAGE - side + 1);
      for (let r = top; r < top + side; r++)
        for (let c = left; c < left + side; c++) {
          const i = base + r * IMAGE + c;
          if (y[i] === 0) foreground++;
          y[i] = 1;
        }
    }
    for (let i = base; i < base + area; i++) x[i] = y[i] + rng.normal(0, OBJECT_NOISE);
  }
  return { x, y };
}

/** Small objects on a grid (binary segmentation): N_IMAGES training images, N_TEST_IMAGES held out. */
function objectData(share: number, rng: Rng): DataSet {
  const clamped = Math.min(OBJECT_SHARE.max, Math.max(OBJECT_SHARE.min, share));
  const train = objectImages(N_IMAGES, clamped, rng);
  const test = objectImages(N_TEST_IMAGES, clamped, rng);
  return {
    name: 'objects',
    ...train,
    n: N_IMAGES,
    features: IMAGE * IMAGE,
    special: Uint8Array.from(train.y),
    classes: 2,
    test: { ...test, n: N_TEST_IMAGES },
  };
}

export function makeData(name: DataSetName, share: number, seed: number): DataSet {
  const rng = new Rng(seed);
  switch (name) {
    case 'line':
      return lineData(share, rng);
    case 'blobs':
      return blobData(share, rng);
    case 'spirals':
      return spiralData(share, rng);
    case 'noisy':
      return noisyData(share, rng);
    case 'objects':
      return objectData(share, rng);
  }
}

/** The task a data set poses, as the registry's `info.tasks` names it. */
export const taskOf = (name: DataSetName) =>
  name === 'line'
    ? 'regression'
    : name === 'noisy'
      ? 'multiclass'
      : name === 'objects'
        ? 'segmentation'
        : 'binary';

/**
 * Registry losses that can train on a data set: two inputs (prediction, target) and the right
 * task. Objects (a binary mask per image): the binary per-pixel losses and the binary
 * segmentation losses (not a reduction of units, but one value per batch); not the multi-class
 * segmentation losses, whose classes lie on an axis these masks do not have.
 */
export function trainableLosses(name: DataSetName): string[] {
  const task = taskOf(name);
  const out: string[] = [];
  for (const entry of Object.values(lossTable())) {
    if (entry.inputs.length !== 2) continue;
    const tasks = entry.info.tasks;
    if (task === 'segmentation') {
      if (tasks.includes('multiclass') || !(tasks.includes('binary') || tasks.includes('segmentation')))
        continue;
    } else if (!entry.reducible || !tasks.includes(task)) continue;
    if (UNTRAINABLE.has(entry.name)) continue;
    // Multi-class: the loss must take logits [n, C] and either class indices [n] or one-hot rows.
    if (task === 'multiclass' && multiclassTarget(entry.name) === undefined) continue;
    out.push(entry.name);
  }
  return out;
}

const targetKinds = new Map<string, 'index' | 'onehot' | undefined>();

/**
 * How a multi-class loss wants its target, found by calling it once on logits (values outside
 * [0, 1], so that a loss of probabilities without `fromLogits` refuses them): class indices [n],
 * else one-hot rows [n, C]; undefined when it takes neither.
 */
export function multiclassTarget(name: string): 'index' | 'onehot' | undefined {
  if (targetKinds.has(name)) return targetKinds.get(name);
  const logits = new Tensor(Float64Array.from([1.5, -2, 0.5, -1, 2.5, -0.5]), [2, NOISY_CLASSES]);
  const tries: ['index' | 'onehot', Tensor][] = [
    ['index', new Tensor(Float64Array.from([0, 2]), [2])],
    ['onehot', new Tensor(Float64Array.from([1, 0, 0, 0, 0, 1]), [2, NOISY_CLASSES])],
  ];
  let kind: 'index' | 'onehot' | undefined;
  for (const [k, target] of tries) {
    try {
      const value = registryLoss(name as never, trainingOptions(name, {}))(logits, target).data[0];
      if (Number.isFinite(value)) {
        kind = k;
        break;
      }
    } catch {
      // Not this target form.
    }
  }
  targetKinds.set(name, kind);
  return kind;
}

// Losses whose targets are not the playground's (a positive count, a unit vector, a pair
// similarity), or whose input is not the model's raw scores (negativeLogLikelihood takes
// log-probabilities: on logits it is −x_y, unbounded below).
const UNTRAINABLE = new Set([
  'negativeLogLikelihood',
  'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError',
  'poissonNll',
  'cosineDistance',
  'hingeEmbedding',
]);

/** Binary margin losses whose labels are −1 and 1: they train against 2y − 1. */
const SIGN_LABELS = new Set(['hinge', 'squaredHinge', 'softMargin']);

const lossTable = () => losses as unknown as Record<string, ReturnType<typeof findLoss>>;

/** One side of the comparison: a model, its optimizer and its history. */
interface Side {
  readonly model: Module;
  readonly optimizer: Adam;
  readonly lossFn: (prediction: Tensor) => Tensor;
  readonly losses: number[];
  readonly metrics: number[];
  readonly prAuc: number[];
  /** The model ends in a sigmoid (a loss of probabilities): the decision threshold is 0.5, not 0. */
  readonly sigmoid: boolean;
  error?: string;
}

/** What the page draws after each batch of steps. */
export interface Snapshot {
  readonly step: number;
  readonly steps: number;
  readonly done: boolean;
  readonly sides: readonly SideSnapshot[];
}

export interface SideSnapshot {
  readonly loss: string;
  /** The training loss per step. */
  readonly losses: readonly number[];
  /**
   * The task metric per step: coefficient error (line), minority recall (blobs), held-out
   * accuracy (spirals), clean held-out accuracy (noisy), held-out foreground IoU (objects).
   */
  readonly metrics: readonly number[];
  /** Blobs: the PR-AUC (average precision of the minority class on the training points) per step. */
  readonly prAuc?: readonly number[];
  /** Line: [slope, intercept]. */
  readonly line?: readonly [number, number];
  /** 2-D sets: the predicted class on a GRID × GRID lattice over [−3, 3]², row-major from the top left. */
  readonly regions?: readonly number[];
  /** Objects: the predicted 0/1 masks of the first SHOWN held-out images, [SHOWN, IMAGE²]. */
  readonly masks?: readonly number[];
  readonly error?: string;
}

export const GRID = 36;
export const EXTENT = 3;

/** Options a probability-taking loss needs here (the model gives logits). */
function trainingOptions(name: string, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const entry = findLoss(name);
  const out: Record<string, unknown> = { ...options };
  if ('reduction' in entry.optionSchema) out.reduction = 'mean';
  if ('fromLogits' in entry.optionSchema) out.fromLogits = true;
  return out;
}

/** Whether the loss takes probabilities with no `fromLogits` switch: the model then ends in a sigmoid. */
const needsSigmoid = (name: string) => {
  const entry = findLoss(name);
  return (
    name === 'binaryCrossEntropy' ||
    (entry.name === 'reconstruction' && !('fromLogits' in entry.optionSchema))
  );
};

/** Two models trained side by side on one data set from one seed. */
export class TrainingRun {
  readonly data: DataSet;
  readonly steps: number;
  private readonly sides: Side[];
  private readonly xs: Tensor;
  private readonly ys: Tensor;
  private readonly testXs: Tensor | undefined;
  private stepCount = 0;

  constructor(readonly config: TrainConfig) {
    this.data = makeData(config.data, config.share, config.seed);
    this.steps = config.steps ?? STEPS[config.data];
    const objects = config.data === 'objects';
    // Objects: the model's input is each pixel's 3×3 neighbourhood, [n · IMAGE², 9].
    const inputOf = (x: Float64Array, n: number) =>
      objects
        ? new Tensor(neighbourhoods(x, n), [n * IMAGE * IMAGE, 9])
        : new Tensor(x, [n, this.data.features]);
    this.xs = inputOf(this.data.x, this.data.n);
    this.ys = new Tensor(this.data.y, objects ? [this.data.n, 1, IMAGE, IMAGE] : [this.data.n, 1]);
    const test = this.data.test;
    this.testXs = test === undefined ? undefined : inputOf(test.x, test.n);
    const targets = new Map<string, Tensor>();
    this.sides = config.losses.map((name, i) => {
      const line = config.data === 'line';
      // The same initial weights for both sides: the seed alone decides them.
      const rng = new Rng(config.seed + 1);
      const sigmoid = this.data.classes === 2 && needsSigmoid(name);
      const options = {
        activation: 'tanh' as const,
        rng,
        ...(sigmoid ? { outputActivation: 'sigmoid' as const } : {}),
      };
      const model = line
        ? mlp([1, 1], { rng })
        : objects
          ? pixelModel(rng, sigmoid)
          : config.data === 'spirals'
            ? mlp([2, 32, 32, 1], options)
            : mlp([2, 16, this.data.classes === 2 ? 1 : this.data.classes], options);
      const optimizer = new Adam(model.parameters(), {
        lr: line ? 0.05 : config.data === 'spirals' ? 0.02 : 0.03,
      });
      const target = this.targetFor(name, targets);
      let lossFn: (prediction: Tensor, target: Tensor) => Tensor;
      let error: string | undefined;
      try {
        lossFn = registryLoss(name as never, trainingOptions(name, config.options[i]));
      } catch (e) {
        error = (e as Error).message;
        lossFn = () => {
          throw e;
        };
      }
      const fn = lossFn;
      return {
        model,
        optimizer,
        lossFn: (prediction: Tensor) => fn(prediction, target),
        losses: [],
        metrics: [],
        prAuc: [],
        sigmoid,
        error,
      };
    });
  }

  /**
   * The target tensor a loss trains against: y as [n, 1] (objects: the masks [n, 1, IMAGE, IMAGE]),
   * 2y − 1 for a margin loss of ±1 labels, or for noisy class indices [n] or one-hot [n, C].
   */
  private targetFor(name: string, cache: Map<string, Tensor>): Tensor {
    if (this.data.classes <= 2) {
      if (!SIGN_LABELS.has(findLoss(name).name)) return this.ys;
      let signs = cache.get('sign');
      if (signs === undefined) {
        signs = new Tensor(
          this.data.y.map((v) => 2 * v - 1),
          this.ys.shape,
        );
        cache.set('sign', signs);
      }
      return signs;
    }
    const kind = multiclassTarget(name) ?? 'index';
    let t = cache.get(kind);
    if (t === undefined) {
      const { n, classes, y } = this.data;
      if (kind === 'index') t = new Tensor(Float64Array.from(y), [n]);
      else {
        const hot = new Float64Array(n * classes);
        for (let i = 0; i < n; i++) hot[i * classes + y[i]] = 1;
        t = new Tensor(hot, [n, classes]);
      }
      cache.set(kind, t);
    }
    return t;
  }

  get step(): number {
    return this.stepCount;
  }

  get done(): boolean {
    return this.stepCount >= this.steps;
  }

  /** Runs up to `count` steps on each side (full batch), stopping at the end of the run. */
  advance(count = 1): void {
    for (let k = 0; k < count && !this.done; k++) {
      for (const side of this.sides) {
        if (side.error !== undefined) continue;
        try {
          const { loss } = trainStep(
            side.model,
            side.optimizer,
            () => side.lossFn(side.model.forward(this.xs)),
            {
              measureGradNorm: false,
            },
          );
          side.losses.push(loss);
          side.metrics.push(this.metric(side));
          if (this.data.name === 'blobs') side.prAuc.push(this.averagePrecision(side));
        } catch (e) {
          side.error = (e as Error).message;
        }
      }
      this.stepCount++;
    }
  }

  /** The task metric of each side's model as it is now (before the first step: the untrained model's). */
  currentMetrics(): number[] {
    return this.sides.map((side) => this.metric(side));
  }

  /**
   * Coefficient error ‖(slope, intercept) − truth‖ for the line, minority recall for the blobs,
   * accuracy on the held-out set for the spirals and for noisy (whose held-out labels are clean),
   * the foreground IoU over every held-out pixel for the objects.
   */
  private metric(side: Side): number {
    if (this.data.name === 'line') {
      const [slope, intercept] = lineOf(side.model);
      return Math.hypot(slope - TRUE_LINE.slope, intercept - TRUE_LINE.intercept);
    }
    if (this.data.name === 'objects') return this.heldOutIou(side).iou;
    const test = this.data.test;
    if (test !== undefined && this.testXs !== undefined) {
      const testXs = this.testXs;
      const predicted = classesOf(
        noGrad(() => side.model.forward(testXs)).data,
        this.data.classes,
        side.sigmoid,
      );
      let right = 0;
      for (let i = 0; i < test.n; i++) if (predicted[i] === test.y[i]) right++;
      return right / test.n;
    }
    const scores = noGrad(() => side.model.forward(this.xs)).data;
    const threshold = side.sigmoid ? 0.5 : 0;
    let found = 0;
    let positives = 0;
    for (let i = 0; i < this.data.n; i++) {
      if (this.data.y[i] !== 1) continue;
      positives++;
      if (scores[i] > threshold) found++;
    }
    return positives === 0 ? 0 : found / positives;
  }

  /**
   * Objects: |predicted ∩ true| / |predicted ∪ true| over the foreground pixels of every held-out
   * image (1 when both are empty), and the predicted masks.
   */
  private heldOutIou(side: Side): { iou: number; predicted: Uint8Array } {
    const test = this.data.test;
    const testXs = this.testXs;
    if (test === undefined || testXs === undefined) throw new Error('objects: no held-out images');
    const predicted = classesOf(noGrad(() => side.model.forward(testXs)).data, 2, side.sigmoid);
    let intersection = 0;
    let union = 0;
    for (let i = 0; i < predicted.length; i++) {
      const truth = test.y[i] === 1;
      if (predicted[i] === 1 && truth) intersection++;
      if (predicted[i] === 1 || truth) union++;
    }
    return { iou: union === 0 ? 1 : intersection / union, predicted };
  }

  /** Blobs: the average precision of the minority class over the training points, ranked by score. */
  private averagePrecision(side: Side): number {
    const scores = noGrad(() => side.model.forward(this.xs)).data;
    return averagePrecision(scores, this.data.y);
  }

  snapshot(): Snapshot {
    return {
      step: this.stepCount,
      steps: this.steps,
      done: this.done,
      sides: this.sides.map((side, i) => {
        const base = {
          loss: this.config.losses[i],
          losses: side.losses.slice(),
          metrics: side.metrics.slice(),
          ...(side.error !== undefined ? { error: side.error } : {}),
        };
        if (this.data.name === 'line') return { ...base, line: lineOf(side.model) };
        if (this.data.name === 'objects')
          return {
            ...base,
            masks: Array.from(this.heldOutIou(side).predicted.subarray(0, SHOWN * IMAGE * IMAGE)),
          };
        return {
          ...base,
          ...(this.data.name === 'blobs' ? { prAuc: side.prAuc.slice() } : {}),
          regions: regionsOf(side.model, this.data.classes, side.sigmoid),
        };
      }),
    };
  }
}

/**
 * The per-pixel model of the objects set: an MLP 9 → 8 (ReLU) → 1 applied to every pixel's 3×3
 * neighbourhood, the same function as a 3×3 convolution to 8 channels, ReLU and a 1×1
 * convolution, with a sigmoid after it for a loss of probabilities; the logits come out as the
 * masks' shape [n, 1, IMAGE, IMAGE].
 */
function pixelModel(rng: Rng, sigmoid: boolean): Sequential {
  const model = mlp([9, 8, 1], { rng, ...(sigmoid ? { outputActivation: 'sigmoid' as const } : {}) });
  return model.append(new Lambda((x) => ops.reshape(x, [-1, 1, IMAGE, IMAGE]), 'Reshape(masks)'));
}

/** Every pixel's 3×3 neighbourhood (zero outside the image), row-major: [n · IMAGE², 9]. */
function neighbourhoods(images: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * IMAGE * IMAGE * 9);
  let o = 0;
  for (let k = 0; k < n; k++) {
    const base = k * IMAGE * IMAGE;
    for (let r = 0; r < IMAGE; r++)
      for (let c = 0; c < IMAGE; c++)
        for (let dr = -1; dr <= 1; dr++)
          for (let dc = -1; dc <= 1; dc++) {
            const rr = r + dr;
            const cc = c + dc;
            out[o++] = rr < 0 || rr >= IMAGE || cc < 0 || cc >= IMAGE ? 0 : images[base + rr * IMAGE + cc];
          }
  }
  return out;
}

function lineOf(model: Module): [number, number] {
  const [weight, bias] = model.parameters();
  return [weight.data[0], bias.data[0]];
}

/** Predicted classes from the model's outputs: a threshold for one output, the argmax otherwise. */
function classesOf(scores: ArrayLike<number>, classes: number, sigmoid: boolean): Uint8Array {
  if (classes <= 2) {
    const threshold = sigmoid ? 0.5 : 0;
    return Uint8Array.from(Array.from(scores, (s) => (s > threshold ? 1 : 0)));
  }
  const n = scores.length / classes;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (scores[i * classes + k] > scores[i * classes + best]) best = k;
    out[i] = best;
  }
  return out;
}

function regionsOf(model: Module, classes: number, sigmoid: boolean): number[] {
  const grid = new Float64Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = r * GRID + c;
      grid[2 * i] = -EXTENT + (2 * EXTENT * (c + 0.5)) / GRID;
      grid[2 * i + 1] = EXTENT - (2 * EXTENT * (r + 0.5)) / GRID;
    }
  }
  const scores = noGrad(() => model.forward(new Tensor(grid, [GRID * GRID, 2]))).data;
  return Array.from(classesOf(scores, classes, sigmoid));
}

export { averagePrecision };
