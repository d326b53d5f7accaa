import { type DType, Tensor, type TensorLike, allocate, toTensor } from '../tensor/index.js';

/** What an op accepts: a tensor, or anything `tensor()` accepts (numbers become constants). */
export type Operand = TensorLike;

/** `value` as a tensor; non-tensors take `dtype` (the dtype of the tensor they meet). */
export function asTensor(value: Operand, op: string, argument: string, dtype: DType = 'float64'): Tensor {
  return toTensor(value, op, argument, value instanceof Tensor ? undefined : dtype);
}

/** Both operands as tensors; a plain value adopts the dtype of the tensor operand. */
export function asPair(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  const dtype: DType = a instanceof Tensor ? a.dtype : b instanceof Tensor ? b.dtype : 'float64';
  return [asTensor(a, op, 'a', dtype), asTensor(b, op, 'b', dtype)];
}

/** The dtype of a result computed from tensors of these dtypes (float64 wins a mix). */
export function resultDtype(a: DType, b: DType): DType {
  return a === b ? a : 'float64';
}

/** A new zero-filled tensor with the shape and dtype of `a`. */
export function emptyLike(a: Tensor): Tensor {
  return new Tensor(allocate(a.dtype, a.size), a.shape);
}

/** A tensor sharing `a`'s storage but not its graph: gradients stop here. */
export function detach(a: Tensor): Tensor {
  return new Tensor(a.data, a.shape);
}
