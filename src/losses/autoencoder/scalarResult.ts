import { type DType, Tensor, allocate } from '../../tensor/index.js';

/** A 0-d tensor of `dtype` holding `value`. */
export function scalarResult(value: number, dtype: DType): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return new Tensor(data, []);
}
