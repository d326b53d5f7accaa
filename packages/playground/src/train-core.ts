// The training playground's model, data and metrics, free of the DOM: the Web Worker runs it
// (src/worker.ts), and so can a test in Node. Everything is seeded from one number.
import { Adam, findLoss, losses, type Module, mlp, noGrad, registryLoss, Rng, Tensor, trainStep } from 'losskit';

/** The data sets of the training view. */
export type DataSetName = 'line' | 'blobs';

export interface TrainConfig {
  readonly data: DataSetName;
  /** Outlier share (line) or minority share (blobs), in [0, 0.5]. */
  readonly share: number;
  readonly seed: number;
  /** Registry names of the two losses. */
  readonly losses: readonly [string, string];
  readonly options: readonly [Readonly<Record<string, unknown>>, Readonly<Record<string, unknown>>];
  /** Steps of a full run. */
  readonly steps?: number;
}

/** The points of a data set: x is [n, 2] for blobs and [n, 1] for the line; y is [n, 1]. */
export interface DataSet {
  readonly name: DataSetName;
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly n: number;
  readonly features: number;
  /** Per point: an outlier (line) or a minority example (blobs). */
  readonly special: Uint8Array;
}

/** The line the outlier data set is drawn around: y = SLOPE · x + INTERCEPT. */
export const TRUE_LINE = { slope: 1.5, intercept: 0.5 } as const;
export const DEFAULT_STEPS = 300;
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
  return { name: 'line', x, y, n: N, features: 1, special };
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
  return { name: 'blobs', x, y, n: N, features: 2, special };
}

export function makeData(name: DataSetName, share: number, seed: number): DataSet {
  const rng = new Rng(seed);
  return name === 'line' ? lineData(share, rng) : blobData(share, rng);
}

/** Registry losses that can train on a data set: two inputs (prediction, target) and the right task. */
export function trainableLosses(name: DataSetName): string[] {
  const task = name === 'line' ? 'regression' : 'binary';
  const out: string[] = [];
  for (const entry of Object.values(lossTable())) {
    if (entry.inputs.length !== 2 || !entry.reducible) continue;
    if (!entry.info.tasks.includes(task)) continue;
    if (UNTRAINABLE.has(entry.name)) continue;
    out.push(entry.name);
  }
  return out;
}

// Losses whose targets are not the playground's (a label of ±1, a positive count, a unit vector).
const UNTRAINABLE = new Set([
  'meanAbsolutePercentageError',
  'meanSquaredLogarithmicError',
  'poissonNll',
  'cosineDistance',
  'hingeEmbedding',
  'softMargin',
  'hinge',
  'squaredHinge',
]);

const lossTable = () => losses as unknown as Record<string, ReturnType<typeof findLoss>>;

/** One side of the comparison: a model, its optimizer and its history. */
interface Side {
  readonly model: Module;
  readonly optimizer: Adam;
  readonly lossFn: (prediction: Tensor, target: Tensor) => Tensor;
  readonly losses: number[];
  readonly metrics: number[];
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
  /** The task metric per step: coefficient error (line) or minority recall (blobs). */
  readonly metrics: readonly number[];
  /** Line: [slope, intercept]. */
  readonly line?: readonly [number, number];
  /** Blobs: the predicted class on a GRID × GRID lattice over [−3, 3]², row-major from the top left. */
  readonly regions?: readonly number[];
  readonly error?: string;
}

export const GRID = 36;
export const EXTENT = 3;

/** Options a probability-taking loss needs here (the model gives logits). */
function trainingOptions(name: string, options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const entry = findLoss(name);
  const out: Record<string, unknown> = { ...options, reduction: 'mean' };
  if ('fromLogits' in entry.optionSchema) out.fromLogits = true;
  return out;
}

/** Whether the loss takes probabilities with no `fromLogits` switch: the model then ends in a sigmoid. */
const needsSigmoid = (name: string) => {
  const entry = findLoss(name);
  return name === 'binaryCrossEntropy' || (entry.name === 'reconstruction' && !('fromLogits' in entry.optionSchema));
};

/** Two models trained side by side on one data set from one seed. */
export class TrainingRun {
  readonly data: DataSet;
  readonly steps: number;
  private readonly sides: Side[];
  private readonly xs: Tensor;
  private readonly ys: Tensor;
  private stepCount = 0;

  constructor(readonly config: TrainConfig) {
    this.data = makeData(config.data, config.share, config.seed);
    this.steps = config.steps ?? DEFAULT_STEPS;
    this.xs = new Tensor(this.data.x, [this.data.n, this.data.features]);
    this.ys = new Tensor(this.data.y, [this.data.n, 1]);
    this.sides = config.losses.map((name, i) => {
      const line = config.data === 'line';
      // The same initial weights for both sides: the seed alone decides them.
      const rng = new Rng(config.seed + 1);
      const sigmoid = !line && needsSigmoid(name);
      const model = line
        ? mlp([1, 1], { rng })
        : mlp([2, 16, 1], { activation: 'tanh', rng, ...(sigmoid ? { outputActivation: 'sigmoid' as const } : {}) });
      const optimizer = new Adam(model.parameters(), { lr: line ? 0.05 : 0.03 });
      let lossFn: Side['lossFn'];
      let error: string | undefined;
      try {
        lossFn = registryLoss(name as never, trainingOptions(name, config.options[i]));
      } catch (e) {
        error = (e as Error).message;
        lossFn = () => {
          throw e;
        };
      }
      return { model, optimizer, lossFn, losses: [], metrics: [], sigmoid, error };
    });
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
          const { loss } = trainStep(side.model, side.optimizer, () => side.lossFn(side.model.forward(this.xs), this.ys), {
            measureGradNorm: false,
          });
          side.losses.push(loss);
          side.metrics.push(this.metric(side));
        } catch (e) {
          side.error = (e as Error).message;
        }
      }
      this.stepCount++;
    }
  }

  /** Coefficient error ‖(slope, intercept) − truth‖ for the line, minority recall for the blobs. */
  private metric(side: Side): number {
    if (this.data.name === 'line') {
      const [slope, intercept] = lineOf(side.model);
      return Math.hypot(slope - TRUE_LINE.slope, intercept - TRUE_LINE.intercept);
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
        return { ...base, regions: regionsOf(side.model, side.sigmoid ? 0.5 : 0) };
      }),
    };
  }
}

function lineOf(model: Module): [number, number] {
  const [weight, bias] = model.parameters();
  return [weight.data[0], bias.data[0]];
}

function regionsOf(model: Module, threshold: number): number[] {
  const grid = new Float64Array(GRID * GRID * 2);
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      const i = r * GRID + c;
      grid[2 * i] = -EXTENT + (2 * EXTENT * (c + 0.5)) / GRID;
      grid[2 * i + 1] = EXTENT - (2 * EXTENT * (r + 0.5)) / GRID;
    }
  }
  const scores = noGrad(() => model.forward(new Tensor(grid, [GRID * GRID, 2]))).data;
  return Array.from(scores, (s) => (s > threshold ? 1 : 0));
}
