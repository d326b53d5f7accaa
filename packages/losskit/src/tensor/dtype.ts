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
