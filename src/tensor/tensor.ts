import { autogradHooks } from './autograd-hooks.js';
import { type DType, type FloatArray, allocate, dtypeOf } from './dtype.js';
import { LossInputError } from './errors.js';
import { formatShape, isValidShape, shapeSize } from './shape.js';

/** Nested arrays of numbers, as `toArray()` returns them and `tensor()` accepts them. */
export type NestedNumbers = number | NestedNumbers[];

/**
 * Opaque record the autograd engine attaches to a tensor it computed. The tensor layer only
 * stores it; `src/autograd` gives it meaning.
 */
export interface GradNode {
  readonly op: string;
}

/**
 * A dense, row-major, contiguous array of float32 or float64 numbers with a shape.
 *
 * Tensors are plain data: losses read them and return new ones. The autograd fields
 * (`requiresGrad`, `grad`, `gradNode`) are used only by `src/autograd`.
 */
export class Tensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: FloatArray;
  readonly size: number;
  /** Whether the autograd engine records operations on this tensor. */
  requiresGrad = false;
  /** The accumulated gradient after `backward()`, for tensors that require grad. */
  grad: Tensor | null = null;
  /** Set by the autograd engine on tensors it computed from tracked inputs. */
  gradNode: GradNode | null = null;

  /** Wraps `data` (not copied) as a tensor of `shape`; `data.length` must equal the shape's size. */
  constructor(data: FloatArray, shape: readonly number[]) {
    if (!isValidShape(shape)) throw new LossInputError('tensor', 'shape', `${String(shape)} is not a list of non-negative integers`);
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new LossInputError('tensor', 'data', `has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.size = size;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The value of a 0-d or single-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new LossInputError('tensor', 'item()', `needs a single element, but shape ${formatShape(this.shape)} has ${this.size}`);
    }
    return this.data[0];
  }

  /** The values as nested arrays (a plain number for a 0-d tensor). */
  toArray(): NestedNumbers {
    if (this.shape.length === 0) return this.data[0];
    const build = (axis: number, offset: number): NestedNumbers[] => {
      const n = this.shape[axis];
      const out: NestedNumbers[] = new Array(n);
      if (axis === this.shape.length - 1) {
        for (let i = 0; i < n; i++) out[i] = this.data[offset + i];
        return out;
      }
      const stride = shapeSize(this.shape.slice(axis + 1));
      for (let i = 0; i < n; i++) out[i] = build(axis + 1, offset + i * stride);
      return out;
    };
    return build(0, 0);
  }

  /** A copy with its own storage, detached from any autograd graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice() as FloatArray, this.shape);
  }

  /** Marks this tensor as a leaf whose gradient the autograd engine accumulates. Returns `this`. */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    return this;
  }

  /**
   * Reverse-mode differentiation from this tensor (PyTorch's `loss.backward()`): every leaf that
   * requires grad gets `d(sum(upstream * this)) / d(leaf)` added to its `.grad`.
   * `createGraph` records the backward pass itself, for higher-order gradients.
   */
  backward(upstream?: Tensor, options: { createGraph?: boolean } = {}): void {
    const hooks = autogradHooks();
    if (hooks === null || (this.gradNode === null && !this.requiresGrad)) {
      throw new LossInputError('backward', 'this', 'tensor was not computed from tensors that require grad');
    }
    hooks.backward(this, upstream ?? null, { createGraph: options.createGraph ?? false });
  }

  /** Zero-filled tensor of the given shape and dtype. */
  static zeros(shape: readonly number[], dtype: DType = 'float64'): Tensor {
    return new Tensor(allocate(dtype, shapeSize(shape)), shape);
  }

  /** Tensor of the given shape and dtype filled with `value`. */
  static full(shape: readonly number[], value: number, dtype: DType = 'float64'): Tensor {
    const data = allocate(dtype, shapeSize(shape));
    data.fill(value);
    return new Tensor(data, shape);
  }
}
