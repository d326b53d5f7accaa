// Small helpers the experiments share: seeded generators, batches of rows, a minibatch loop.
import { Rng } from '../nn/index.js';
import type { Optimizer } from '../optim/index.js';
import { Tensor } from '../tensor/index.js';

/** A generator for one purpose of one run, so data, weights and shuffling draw independent streams. */
export function rngFor(seed: number, purpose: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 16777619) >>> 0;
  return new Rng(seed * 1000003 + h);
}

/** Rows `indices` of a row-major `count × width` array, as a float64 `[indices.length, width]` tensor. */
export function takeRows(data: ArrayLike<number>, width: number, indices: ArrayLike<number>): Tensor {
  const out = new Float64Array(indices.length * width);
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * width;
    for (let c = 0; c < width; c++) out[r * width + c] = data[from + c];
  }
  return new Tensor(out, [indices.length, width]);
}

/**
 * Runs `steps` updates on shuffled minibatches of `count` examples (a new permutation each epoch).
 * `update` does the forward pass, the backward pass and the optimizer step for a batch and
 * returns the loss value; `onStep` sees each step's loss.
 */
export function minibatches(options: {
  readonly count: number;
  readonly batchSize: number;
  readonly steps: number;
  readonly rng: Rng;
  update(indices: Int32Array, step: number): number;
  onStep?(step: number, loss: number): void;
}): void {
  const size = Math.min(options.batchSize, options.count);
  let order = options.rng.permutation(options.count);
  let position = 0;
  for (let step = 0; step < options.steps; step++) {
    if (position + size > options.count) {
      order = options.rng.permutation(options.count);
      position = 0;
    }
    const loss = options.update(order.subarray(position, position + size), step);
    position += size;
    options.onStep?.(step, loss);
  }
}

/** One training step on `loss`: clears the gradients, back-propagates, steps and returns the loss value. */
export function descend(optimizer: Optimizer, loss: Tensor): number {
  optimizer.zeroGrad();
  loss.backward();
  optimizer.step();
  return loss.item();
}
