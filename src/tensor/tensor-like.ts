import type { DType, FloatArray } from './dtype.js';
import { LossInputError } from './errors.js';
import { formatIndex, formatShape, isValidShape, shapeSize } from './shape.js';
import { type NestedNumbers, Tensor } from './tensor.js';

/** A 1-D typed array accepted as tensor data. */
export type NumericTypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | Uint8ClampedArray;

/** Anything a loss accepts as an input: see API.md "Tensors". */
export type TensorLike =
  | Tensor
  | number
  | NestedNumbers[]
  | NumericTypedArray
  | { readonly shape: readonly number[]; readonly data: ArrayLike<number> };

function isTypedArray(x: unknown): x is NumericTypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function nestedShape(values: NestedNumbers[], where: string, argument: string): number[] {
  const shape: number[] = [];
  let level: NestedNumbers = values;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0];
  }
  return shape.length === 0 ? [0] : shape;
}

function flattenNested(values: NestedNumbers[], shape: number[], where: string, argument: string): Float64Array {
  const out = new Float64Array(shapeSize(shape));
  let k = 0;
  const walk = (v: NestedNumbers, axis: number): void => {
    if (axis === shape.length) {
      if (typeof v !== 'number') throw new LossInputError(where, argument, `nested array is ragged: expected a number at depth ${axis}`);
      out[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) {
      throw new LossInputError(where, argument, `nested array is ragged: expected ${shape[axis]} entries at depth ${axis}`);
    }
    for (const x of v) walk(x, axis + 1);
  };
  walk(values, 0);
  return out;
}

function toFloatArray(data: ArrayLike<number>, dtype: DType | undefined): FloatArray {
  const target: DType = dtype ?? (data instanceof Float32Array ? 'float32' : 'float64');
  if (target === 'float32') return data instanceof Float32Array ? data : Float32Array.from(data);
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/**
 * Coerces any TensorLike to a `Tensor`, without copying where the storage already fits.
 * `where` and `argument` name the caller in the `LossInputError` thrown for malformed input.
 *
 * dtype rule (API.md): numbers, nested arrays and `Float64Array` are float64, `Float32Array`
 * is float32, other typed arrays (integer labels) are float64.
 */
export function toTensor(value: TensorLike, where: string, argument: string, dtype?: DType): Tensor {
  if (value instanceof Tensor) {
    if (dtype === undefined || value.dtype === dtype) return value;
    return new Tensor(toFloatArray(value.data, dtype), value.shape);
  }
  if (typeof value === 'number') return new Tensor(toFloatArray([value], dtype), []);
  if (Array.isArray(value)) {
    const shape = nestedShape(value, where, argument);
    return new Tensor(toFloatArray(flattenNested(value, shape, where, argument), dtype), shape);
  }
  if (isTypedArray(value)) return new Tensor(toFloatArray(value, dtype), [value.length]);
  if (value !== null && typeof value === 'object' && 'shape' in value && 'data' in value) {
    const { shape, data } = value;
    if (!isValidShape(shape)) throw new LossInputError(where, argument, `shape ${String(shape)} is not a list of non-negative integers`);
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
      throw new LossInputError(where, argument, 'data is not an array of numbers');
    }
    if (data.length !== shapeSize(shape)) {
      throw new LossInputError(where, argument, `data has ${data.length} elements but shape ${formatShape(shape)} needs ${shapeSize(shape)}`);
    }
    return new Tensor(toFloatArray(data, dtype), shape);
  }
  throw new LossInputError(where, argument, `expected a Tensor, number, nested number array, typed array or {shape, data}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

/**
 * Makes a tensor from a number, nested arrays or a typed array, optionally reshaped to `shape`
 * (same element count) and converted to `dtype`.
 *
 * @example
 * tensor([[1, 2], [3, 4]]).shape          // [2, 2]
 * tensor(new Float32Array(6), [2, 3]).dtype // 'float32'
 */
export function tensor(values: TensorLike, shape?: readonly number[], dtype?: DType): Tensor {
  const t = toTensor(values, 'tensor', 'values', dtype);
  if (shape === undefined) return t;
  if (!isValidShape(shape)) throw new LossInputError('tensor', 'shape', `${String(shape)} is not a list of non-negative integers`);
  if (shapeSize(shape) !== t.size) {
    throw new LossInputError('tensor', 'shape', `${formatShape(shape)} needs ${shapeSize(shape)} elements but the values have ${t.size}`);
  }
  return new Tensor(t.data, shape);
}

/** Throws a `LossInputError` naming the first NaN or ±Infinity of `t`, with its index. */
export function assertFinite(t: Tensor, where: string, argument: string): void {
  const d = t.data;
  // Fast pass without a per-element branch: v·0 is ±0 for finite v and NaN for NaN and ±∞, so
  // the sums stay 0 exactly when every value is finite (four sums for instruction-level
  // parallelism; 2.3× faster than the branching loop). Only a failing input takes the second
  // loop, which finds the first offender's index for the message.
  let p0 = 0;
  let p1 = 0;
  let p2 = 0;
  let p3 = 0;
  const n4 = d.length - (d.length % 4);
  let k = 0;
  for (; k < n4; k += 4) {
    p0 += d[k] * 0;
    p1 += d[k + 1] * 0;
    p2 += d[k + 2] * 0;
    p3 += d[k + 3] * 0;
  }
  for (; k < d.length; k++) p0 += d[k] * 0;
  if (p0 + p1 + p2 + p3 === 0) return;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) {
      throw new LossInputError(where, argument, `${Number.isNaN(v) ? 'NaN' : String(v)} at index ${formatIndex(i, t.shape)}`);
    }
  }
}
