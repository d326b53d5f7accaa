// The training-step benchmark: one forward + backward + Adam step of an MLP 784-256-256-10
// (ReLU, softmax cross-entropy, batch 128), in losskit, TF.js (cpu, wasm) and PyTorch.
import type * as TF from '@tensorflow/tfjs-core';
import { type Fill, generate } from './data.js';
import type { TrainJob } from './peers-external.js';

export const trainJob: TrainJob = {
  id: 'mlp-train-step',
  sizes: [784, 256, 256, 10],
  batch: 128,
  learningRate: 1e-3,
  inputFill: { kind: 'uniform', seed: 21, lo: 0, hi: 1 },
  labelFill: { kind: 'labels', seed: 22, classes: 10 },
};

export const trainLabel = 'MLP 784-256-256-10, batch 128: forward + backward + Adam';

/** Elements for ns/element: the parameter count (each is read, differentiated and updated). */
export function parameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + 1 < sizes.length; i++) n += sizes[i] * sizes[i + 1] + sizes[i + 1];
  return n;
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

/** TF.js: variables, `tf.train.adam`, `optimizer.minimize` over softmaxCrossEntropy. */
export function tfTrainStep(tf: typeof TF, job: TrainJob): StepRunner {
  tf.engine().startScope();
  const { sizes, batch } = job;
  const x = tf.tensor2d(generate(batch * sizes[0], job.inputFill), [batch, sizes[0]]);
  const labels = tf.tensor1d(generate(batch, job.labelFill), 'int32');
  const oneHot = tf.cast(tf.oneHot(labels, sizes[sizes.length - 1]), 'float32');
  const params: TF.Variable[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    params.push(tf.variable(tf.tensor2d(layerWeights(sizes, l), [sizes[l], sizes[l + 1]])));
    params.push(tf.variable(tf.zeros([sizes[l + 1]])));
  }
  const optimizer = tf.train.adam(job.learningRate);
  const forward = (): TF.Scalar => {
    let h: TF.Tensor = x;
    for (let l = 0; l + 1 < sizes.length; l++) {
      h = tf.add(tf.matMul(h, params[2 * l]), params[2 * l + 1]);
      if (l + 2 < sizes.length) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(oneHot, h) as TF.Scalar;
  };
  return {
    step: () => {
      const cost = optimizer.minimize(forward, true, params);
      const value = cost === null ? Number.NaN : cost.dataSync()[0];
      cost?.dispose();
      return value;
    },
    dispose: () => {
      optimizer.dispose();
      for (const p of params) p.dispose();
      tf.engine().endScope();
    },
  };
}
