import { LossInputError, Tensor, allocate, formatShape, shapeSize } from '../tensor/index.js';

/** The rows `index` of `t` (along its first axis), copied into a new tensor. */
export function takeRows(t: Tensor, index: Int32Array | readonly number[]): Tensor {
  const row = shapeSize(t.shape.slice(1));
  const out = allocate(t.dtype, index.length * row);
  const src = t.data;
  for (let j = 0; j < index.length; j++) {
    const from = index[j] * row;
    out.set(src.subarray(from, from + row), j * row);
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
