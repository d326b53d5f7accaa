// The workload table: every benchmarked loss call, its inputs, and TF.js's equivalent.
//
// To add a workload: append an entry to `workloads` (the loss's registry name in `loss`), then
// give it a fused kernel in reference.c (`kernels[]`, same name) and a PyTorch expression in
// torch_peer.py (`build`). A loss missing from the registry, C or Python is reported as skipped
// for that column, never as a crash.
import type * as TF from '@tensorflow/tfjs-core';
import type { Fill } from './data.js';

export interface InputSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly fill: Fill;
  /** Whether the loss returns a gradient for this input (API.md's `*`). */
  readonly differentiable: boolean;
}

export type OptionValue = number | string | boolean | null;

/** TF.js's loss over the differentiable inputs (in table order); the other tensors are closed over. */
export type TfLoss = (...differentiable: TF.Tensor[]) => TF.Scalar;

/**
 * Builds TF.js's loss for a workload from its input tensors (by name, on the active backend).
 * Label-derived tensors (one-hot rows, ignore masks) are made here, outside the timed calls.
 */
export type TfLossBuilder = (tf: typeof TF, t: Readonly<Record<string, TF.Tensor>>) => TfLoss;

export interface Workload {
  /** Unique id, used by `--only` and in the JSON. */
  readonly id: string;
  /** The losskit registry name; also the kernel name in reference.c and torch_peer.py. */
  readonly loss: string;
  /** The size as the table prints it. */
  readonly size: string;
  readonly inputs: readonly InputSpec[];
  /** Options passed to losskit (and, where numeric, to the C and PyTorch peers). */
  readonly options: Readonly<Record<string, OptionValue>>;
  /** TF.js's loss, or null where TF.js has none (CTC): its columns show as skipped. */
  readonly tfjs: TfLossBuilder | null;
}

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Elements the timing is divided by: the total size of the differentiable inputs. */
export function elementsOf(w: Workload): number {
  return w.inputs.filter((i) => i.differentiable).reduce((n, i) => n + product(i.shape), 0);
}

/**
 * The least memory traffic of one value + gradient call in bytes: every input read once and
 * every gradient written once, 4 bytes per element (float32, labels counted as 4 bytes).
 */
export function bytesOf(w: Workload): number {
  const read = w.inputs.reduce((n, i) => n + product(i.shape), 0);
  return 4 * (read + elementsOf(w));
}

export function sizeOf(spec: InputSpec): number {
  return product(spec.shape);
}

// ---- input makers ----

const real = (name: string, shape: readonly number[], seed: number, lo: number, hi: number): InputSpec => ({
  name,
  shape,
  fill: { kind: 'uniform', seed, lo, hi },
  differentiable: true,
});
const binary = (name: string, shape: readonly number[], seed: number): InputSpec => ({
  name,
  shape,
  fill: { kind: 'bits', seed },
  differentiable: false,
});
const labels = (shape: readonly number[], seed: number, classes: number, ignoreRate = 0): InputSpec => ({
  name: 'target',
  shape,
  fill:
    ignoreRate > 0
      ? { kind: 'labels', seed, classes, ignoreSeed: seed + 1000, ignoreRate, ignoreIndex: -100 }
      : { kind: 'labels', seed, classes },
  differentiable: false,
});
const integers = (
  name: string,
  shape: readonly number[],
  seed: number,
  lo: number,
  hi: number,
): InputSpec => ({
  name,
  shape,
  fill: { kind: 'integers', seed, lo, hi },
  differentiable: false,
});
const regressionPair = (shape: readonly number[]): InputSpec[] => [
  real('input', shape, 1, -2, 2),
  { ...real('target', shape, 2, -2, 2), differentiable: false },
];
const logitsAndBits = (shape: readonly number[]): InputSpec[] => [
  real('input', shape, 3, -6, 6),
  binary('target', shape, 4),
];

// ---- TF.js equivalents ----

const tfMse: TfLossBuilder = (tf, t) => (x) => tf.losses.meanSquaredError(t.target, x) as TF.Scalar;

const tfHuber =
  (delta: number): TfLossBuilder =>
  (tf, t) =>
  (x) =>
    tf.losses.huberLoss(t.target, x, undefined, delta) as TF.Scalar;

const tfBceLogits: TfLossBuilder = (tf, t) => (x) => tf.losses.sigmoidCrossEntropy(t.target, x) as TF.Scalar;

/** torchvision's sigmoid_focal_loss composed from TF.js ops (γ = 2 as a square). */
const tfFocal =
  (alpha: number): TfLossBuilder =>
  (tf, t) =>
  (x) => {
    const y = t.target;
    const p = tf.sigmoid(x);
    const ce = tf.losses.sigmoidCrossEntropy(y, x, undefined, 0, tf.Reduction.NONE);
    const pT = tf.add(tf.mul(p, y), tf.mul(tf.sub(1, p), tf.sub(1, y)));
    const alphaT = tf.add(tf.mul(y, alpha), tf.mul(tf.sub(1, y), 1 - alpha));
    return tf.mean(tf.mul(alphaT, tf.mul(ce, tf.square(tf.sub(1, pT))))) as TF.Scalar;
  };

/** Softmax cross-entropy over the last axis with integer labels; ignored labels weigh 0. */
const tfSoftmaxCe =
  (ignoreIndex: number | null): TfLossBuilder =>
  (tf, t) => {
    const logits = t.input;
    const classes = logits.shape[logits.shape.length - 1];
    const rows = logits.size / classes;
    const labelsInt = tf.cast(tf.reshape(t.target, [rows]), 'int32');
    const oneHot = tf.cast(tf.oneHot(labelsInt, classes), 'float32');
    const weights =
      ignoreIndex === null ? undefined : tf.cast(tf.notEqual(labelsInt, ignoreIndex), 'float32');
    return (x) => tf.losses.softmaxCrossEntropy(oneHot, tf.reshape(x, [rows, classes]), weights) as TF.Scalar;
  };

const tfDice =
  (eps: number): TfLossBuilder =>
  (tf, t) =>
  (p) => {
    const y = t.target;
    const numerator = tf.add(tf.mul(tf.sum(tf.mul(p, y)), 2), eps);
    const denominator = tf.add(tf.add(tf.sum(p), tf.sum(y)), eps);
    return tf.sub(1, tf.div(numerator, denominator)) as TF.Scalar;
  };

/** torch's triplet_margin_loss (p = 2, ε added to the difference) from TF.js ops. */
const tfTriplet =
  (margin: number, eps: number): TfLossBuilder =>
  (tf) =>
  (a, p, n) => {
    const distance = (u: TF.Tensor, v: TF.Tensor) =>
      tf.sqrt(tf.sum(tf.square(tf.add(tf.sub(u, v), eps)), -1));
    return tf.mean(tf.relu(tf.add(tf.sub(distance(a, p), distance(a, n)), margin))) as TF.Scalar;
  };

// ---- workload makers: one per loss, any size (the table and the equality test share them) ----

const pow2 = (n: number) => (Number.isInteger(Math.log2(n)) ? `2^${Math.log2(n)}` : String(n));
const dims = (shape: readonly number[]) => shape.join('x');

export const makers = {
  mse: (n: number): Workload => ({
    id: `mse-${pow2(n)}`,
    loss: 'mse',
    size: `N = ${pow2(n)}`,
    inputs: regressionPair([n]),
    options: {},
    tfjs: tfMse,
  }),
  huber: (n: number, delta = 1): Workload => ({
    id: `huber-${pow2(n)}`,
    loss: 'huber',
    size: `N = ${pow2(n)}`,
    inputs: regressionPair([n]),
    options: { delta },
    tfjs: tfHuber(delta),
  }),
  binaryCrossEntropyWithLogits: (n: number): Workload => ({
    id: `bceLogits-${pow2(n)}`,
    loss: 'binaryCrossEntropyWithLogits',
    size: `N = ${pow2(n)}`,
    inputs: logitsAndBits([n]),
    options: {},
    tfjs: tfBceLogits,
  }),
  focal: (n: number, alpha = 0.25): Workload => ({
    id: `focal-${pow2(n)}`,
    loss: 'focal',
    size: `N = ${pow2(n)}`,
    inputs: logitsAndBits([n]),
    options: { alpha, gamma: 2 },
    tfjs: tfFocal(alpha),
  }),
  sparseCategoricalCrossEntropy: (rows: number, classes: number): Workload => ({
    id: `sparseCE-${rows}x${classes}`,
    loss: 'sparseCategoricalCrossEntropy',
    size: `[${rows}, ${classes}]`,
    inputs: [real('input', [rows, classes], 5, -4, 4), labels([rows], 6, classes)],
    options: {},
    tfjs: tfSoftmaxCe(null),
  }),
  tokenCrossEntropy: (batch: number, time: number, vocab: number, ignoreRate = 0.1): Workload => ({
    id: `tokenCE-${batch}x${time}x${vocab}`,
    loss: 'tokenCrossEntropy',
    size: `[${batch}, ${time}, ${vocab}], ${Math.round(ignoreRate * 100)}% ignored`,
    inputs: [real('input', [batch, time, vocab], 9, -4, 4), labels([batch, time], 10, vocab, ignoreRate)],
    options: { ignoreIndex: -100 },
    tfjs: tfSoftmaxCe(-100),
  }),
  dice: (shape: readonly number[]): Workload => ({
    id: `dice-${dims(shape)}`,
    loss: 'dice',
    size: `[${shape.join(', ')}]`,
    inputs: [real('input', shape, 11, 0, 1), binary('target', shape, 12)],
    options: { eps: 1e-5 },
    tfjs: tfDice(1e-5),
  }),
  triplet: (rows: number, dim: number): Workload => ({
    id: `triplet-${rows}x${dim}`,
    loss: 'triplet',
    size: `[${rows}, ${dim}] ×3`,
    inputs: [
      real('anchor', [rows, dim], 13, -1, 1),
      real('positive', [rows, dim], 14, -1, 1),
      real('negative', [rows, dim], 15, -1, 1),
    ],
    options: { margin: 1, eps: 1e-6 },
    tfjs: tfTriplet(1, 1e-6),
  }),
  /**
   * CTC over [batch, time, classes] logits with blank 0: labels in [1, C), input lengths in
   * [0.8·T, T] and target lengths in [S/2, S], so every sample has an alignment. TF.js has none.
   */
  ctc: (batch: number, time: number, classes: number, labels: number): Workload => ({
    id: `ctc-${batch}x${time}x${classes}`,
    loss: 'ctc',
    size: `[${batch}, ${time}, ${classes}], S ≤ ${labels}`,
    inputs: [
      real('input', [batch, time, classes], 16, -4, 4),
      integers('targets', [batch, labels], 17, 1, classes - 1),
      integers('inputLengths', [batch], 18, Math.ceil(0.8 * time), time),
      integers('targetLengths', [batch], 19, Math.ceil(labels / 2), labels),
    ],
    options: {},
    tfjs: null,
  }),
} as const;

// ---- the table (issue 6) ----

const N20 = 1 << 20;
const N24 = 1 << 24;

export const workloads: readonly Workload[] = [
  makers.mse(N20),
  makers.mse(N24),
  makers.huber(N20),
  makers.huber(N24),
  makers.binaryCrossEntropyWithLogits(N20),
  makers.binaryCrossEntropyWithLogits(N24),
  makers.focal(N24),
  makers.sparseCategoricalCrossEntropy(4096, 1000),
  makers.sparseCategoricalCrossEntropy(512, 32768),
  makers.tokenCrossEntropy(8, 512, 8192),
  makers.dice([16, 1, 256, 256]),
  makers.triplet(4096, 128),
  makers.ctc(32, 200, 30, 40),
];

/** One small workload per maker: the equality test runs these against TF.js. */
export const smallWorkloads: readonly Workload[] = [
  makers.mse(1000),
  makers.huber(1000),
  makers.binaryCrossEntropyWithLogits(1000),
  makers.focal(1000),
  makers.sparseCategoricalCrossEntropy(16, 50),
  makers.tokenCrossEntropy(2, 8, 40, 0.25),
  makers.dice([2, 1, 8, 8]),
  makers.triplet(16, 8),
  makers.ctc(2, 12, 5, 4),
];

/** Keeps the workloads whose id or loss name is in `only` (all when `only` is empty). */
export function selectWorkloads(all: readonly Workload[], only: readonly string[]): Workload[] {
  if (only.length === 0) return [...all];
  return all.filter((w) => only.some((o) => o === w.id || o === w.loss || w.id.startsWith(`${o}-`)));
}
