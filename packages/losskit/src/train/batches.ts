import type { Rng } from '../nn/index.js';
import { LossInputError, Tensor, allocate, formatShape, shapeSize } from '../tensor/index.js';

/** Rows shorter than this are copied number by number, longer ones with `set`. */
const SHORT_ROW = 16;

/** The rows `index` of `t` (along its first axis), copied into a new tensor. */
export function takeRows(t: Tensor, index: Int32Array | readonly number[]): Tensor {
  const row = shapeSize(t.shape.slice(1));
  const out = allocate(t.dtype, index.length * row);
  const src = t.data;
  if (row < SHORT_ROW) {
    // A subarray view per row costs more than copying a few numbers one by one.
    for (let j = 0, to = 0; j < index.length; j++) {
      const from = index[j] * row;
      for (let c = 0; c < row; c++) out[to++] = src[from + c];
    }
  } else {
    for (let j = 0; j < index.length; j++) {
      const from = index[j] * row;
      out.set(src.subarray(from, from + row), j * row);
    }
  }
  return new Tensor(out, [index.length, ...t.shape.slice(1)]);
}

/** The number of samples of paired inputs and targets, checked to agree. */
export function sampleCount(where: string, x: Tensor, y: Tensor): number {
  if (x.rank === 0 || y.rank === 0)
    throw new LossInputError(where, x.rank === 0 ? 'x' : 'y', 'needs a first (sample) axis');
  if (x.shape[0] !== y.shape[0]) {
    throw new LossInputError(
      where,
      'y',
      `has ${y.shape[0]} samples (shape ${formatShape(y.shape)}) but x has ${x.shape[0]} (shape ${formatShape(x.shape)})`,
    );
  }
  return x.shape[0];
}

/** Options of `shuffledBatches`. */
export interface ShuffledBatchesOptions {
  /** Rows to draw from. */
  readonly count: number;
  /** Rows per batch (at most `count`). */
  readonly batchSize: number;
  /** Batches to yield. */
  readonly steps: number;
  /** Draws the permutations. */
  readonly rng: Rng;
}

/**
 * `steps` batches of row indices for a step-counted loop: consecutive slices of a permutation of
 * `count` rows, with a fresh permutation whenever fewer than a batch remain (the remainder is
 * skipped), so every batch has the same size. Each batch is a view into the current permutation.
 *
 * @example
 * for (const rows of shuffledBatches({ count: 1000, batchSize: 64, steps: 500, rng: new Rng(1) })) {
 *   trainStep(model, optimizer, () => mse(model.forward(takeRows(x, rows)), takeRows(y, rows)));
 * }
 */
export function* shuffledBatches(options: ShuffledBatchesOptions): Generator<Int32Array, void, undefined> {
  const { count, rng } = options;
  const size = Math.min(options.batchSize, count);
  let order = rng.permutation(count);
  let position = 0;
  for (let step = 0; step < options.steps; step++) {
    if (position + size > count) {
      order = rng.permutation(count);
      position = 0;
    }
    yield order.subarray(position, position + size);
    position += size;
  }
}
