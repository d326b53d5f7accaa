// The training-step benchmarks: one forward + backward + Adam step of an MLP 784-256-256-10
// (ReLU, softmax cross-entropy, batch 128) and of a small CNN (28×28×1 → conv 3×3×16 → ReLU →
// max pool 2 → conv 3×3×32 → ReLU → max pool 2 → dense 10, batch 64), in losskit, TF.js (cpu,
// wasm) and PyTorch, all from the same initial weights.
import type * as TF from '@tensorflow/tfjs-core';
import { type Fill, generate } from './data.js';
import type { ConvStack, TrainJob } from './peers-external.js';

export const trainJob: TrainJob = {
  id: 'mlp-train-step',
  sizes: [784, 256, 256, 10],
  batch: 128,
  learningRate: 1e-3,
  inputFill: { kind: 'uniform', seed: 21, lo: 0, hi: 1 },
  labelFill: { kind: 'labels', seed: 22, classes: 10 },
};

export const trainLabel = 'MLP 784-256-256-10, batch 128: forward + backward + Adam';

const cnnStack: ConvStack = { image: [1, 28, 28], channels: [16, 32], kernel: 3, pool: 2 };

/** The CNN job: 28×28×1 → conv 3×3×16 → ReLU → pool 2 → conv 3×3×32 → ReLU → pool 2 → dense 10. */
export const cnnTrainJob: TrainJob = {
  id: 'cnn-train-step',
  conv: cnnStack,
  sizes: [convFeatures(cnnStack), 10],
  batch: 64,
  learningRate: 1e-3,
  inputFill: { kind: 'uniform', seed: 23, lo: 0, hi: 1 },
  labelFill: { kind: 'labels', seed: 24, classes: 10 },
};

export const cnnTrainLabel =
  'CNN 28×28×1 → conv 3×3×16 → pool 2 → conv 3×3×32 → pool 2 → dense 10, batch 64: forward + backward + Adam';

/** The training jobs the bench runs, with their labels: the MLP first. */
export const trainJobs: readonly { readonly job: TrainJob; readonly label: string }[] = [
  { job: trainJob, label: trainLabel },
  { job: cnnTrainJob, label: cnnTrainLabel },
];

/** [C, H, W] after each conv block of `stack` (valid convolution, then floor-mode pooling). */
export function convShapes(stack: ConvStack): [number, number, number][] {
  const out: [number, number, number][] = [];
  let [, h, w] = stack.image;
  for (const c of stack.channels) {
    h = Math.floor((h - stack.kernel + 1) / stack.pool);
    w = Math.floor((w - stack.kernel + 1) / stack.pool);
    out.push([c, h, w]);
  }
  return out;
}

/** Features the conv stack hands to the dense layers (C·H·W of its last block). */
export function convFeatures(stack: ConvStack): number {
  const [c, h, w] = convShapes(stack)[stack.channels.length - 1];
  return c * h * w;
}

/** Elements for ns/element: the parameter count (each is read, differentiated and updated). */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return n;
}

/** A job's parameter count: its conv kernels and biases, then its dense layers. */
export function jobParameterCount(job: TrainJob): number {
  let n = parameterCount(job.sizes);
  const stack = job.conv;
  if (stack !== undefined) {
    let c = stack.image[0];
    for (const o of stack.channels) {
      n += o * c * stack.kernel * stack.kernel + o;
      c = o;
    }
  }
  return n;
}

/**
 * He-uniform kernels [O, C, k, k] (PyTorch's layout) of conv block `layer`, from the shared
 * generator (seed 200 + layer); biases start at zero.
 */
export function convWeights(stack: ConvStack, layer: number): Float32Array {
  const c = layer === 0 ? stack.image[0] : stack.channels[layer - 1];
  const fanIn = c * stack.kernel * stack.kernel;
  const limit = Math.sqrt(6 / fanIn);
  const fill: Fill = { kind: 'uniform', seed: 200 + layer, lo: -limit, hi: limit };
  return generate(stack.channels[layer] * fanIn, fill);
}

/** He-uniform weights [fanIn, fanOut] for layer `layer`, from the shared generator. */
export function layerWeights(sizes: readonly number[], layer: number): Float32Array {
  const fanIn = sizes[layer];
  const limit = Math.sqrt(6 / fanIn);
  const fill: Fill = { kind: 'uniform', seed: 100 + layer, lo: -limit, hi: limit };
  return generate(fanIn * sizes[layer + 1], fill);
}

export interface StepRunner {
  /** One training step; returns the loss before the update. */
  readonly step: () => number;
  readonly dispose: () => void;
}

/**
 * TF.js: variables, `tf.train.adam`, `optimizer.minimize` over softmaxCrossEntropy. A CNN job runs
 * NHWC (TF.js's layout): kernels transposed from [O, C, k, k] to [k, k, C, O] and the last block
 * transposed back to NCHW before flattening, so the dense weights see losskit's feature order.
 */
export function tfTrainStep(tf: typeof TF, job: TrainJob): StepRunner {
  tf.engine().startScope();
  const { sizes, batch } = job;
  const stack = job.conv;
  const x =
    stack === undefined
      ? tf.tensor2d(generate(batch * sizes[0], job.inputFill), [batch, sizes[0]])
      : tf.transpose(
          tf.tensor4d(generate(batch * stack.image[0] * stack.image[1] * stack.image[2], job.inputFill), [
            batch,
            ...stack.image,
          ]),
          [0, 2, 3, 1],
        );
  const labels = tf.tensor1d(generate(batch, job.labelFill), 'int32');
  const oneHot = tf.cast(tf.oneHot(labels, sizes[sizes.length - 1]), 'float32');
  const params: TF.Variable[] = [];
  const convParams: TF.Variable[] = [];
  if (stack !== undefined) {
    let c = stack.image[0];
    stack.channels.forEach((o, l) => {
      const k = stack.kernel;
      const oihw = tf.tensor4d(convWeights(stack, l), [o, c, k, k]);
      convParams.push(tf.variable(tf.transpose(oihw, [2, 3, 1, 0])));
      convParams.push(tf.variable(tf.zeros([o])));
      c = o;
    });
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(tf.variable(tf.tensor2d(layerWeights(sizes, l), [sizes[l], sizes[l + 1]])));
    params.push(tf.variable(tf.zeros([sizes[l + 1]])));
  }
  const optimizer = tf.train.adam(job.learningRate);
  const forward = (): TF.Scalar => {
    let h: TF.Tensor = x;
    if (stack !== undefined) {
      for (let l = 0; l < stack.channels.length; l++) {
        const y = tf.add(
          tf.conv2d(h as TF.Tensor4D, convParams[2 * l] as TF.Tensor4D, 1, 'valid'),
          convParams[2 * l + 1],
        );
        h = tf.maxPool(tf.relu(y) as TF.Tensor4D, stack.pool, stack.pool, 'valid');
      }
      h = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [batch, sizes[0]]);
    }
    for (let l = 0; l + 1 < sizes.length; l++) {
      h = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
      if (l + 2 < sizes.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(oneHot, h) as TF.Scalar;
  };
  return {
    step: () => {
      const cost = optimizer.minimize(forward, true, [...convParams, ...params]);
      const value = cost === null ? Number.NaN : cost.dataSync()[0];
      cost?.dispose();
      return value;
    },
    dispose: () => {
      optimizer.dispose();
      for (const p of [...convParams, ...params]) p.dispose();
      tf.engine().endScope();
    },
  };
}
