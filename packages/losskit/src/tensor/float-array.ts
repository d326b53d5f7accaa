/**
 * The bottom of the core: the storage types and their allocation, with no imports. Both
 * `tensor/` (the Tensor class and its input boundary) and `kernels/` (typed-array kernels, which
 * never see a Tensor) import this module; `kernels/` imports nothing else from `tensor/`, and
 * `tensor/tensor.ts` and this module import nothing from `kernels/`. So the layers are
 * float-array ← kernels ← the input boundary (`tensor/tensor-like.ts`, whose finite scan uses the
 * SIMD probe of `kernels/wasm/float32.ts`) ← losses ← autograd, with no cycle.
 */

/** The two floating-point types losskit computes in. */
export type DType = 'float32' | 'float64';

/** The contiguous, row-major storage of a tensor of either dtype. */
export type FloatArray = Float32Array | Float64Array;

/** A new zero-filled array of `size` elements of `dtype`. */
export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/** The dtype that stores values of the given typed array. */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}
