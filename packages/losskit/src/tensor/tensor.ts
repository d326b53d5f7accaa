import { RELEASED, isReleased, keepTensor, noteTensor } from './arena.js';
import { autogradHooks } from './autograd-hooks.js';
import { type DType, type FloatArray, allocate, dtypeOf } from './float-array.js';
import { LossInputError } from './errors.js';
import { formatShape, isValidShape, shapeProblem, shapeSize } from './shape.js';

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
    if (!isValidShape(shape)) {
      throw new LossInputError(
        'tensor',
        'shape',
        shapeProblem(shape) ?? 'is not a list of non-negative integers',
      );
    }
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new LossInputError(
        'tensor',
        'data',
        `has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtypeOf(data);
    this.size = size;
    noteTensor(this);
  }

  /** Throws if this tensor was released at the end of an arena run (tensor/arena.ts). */
  private assertLive(method: string): void {
    if (isReleased(this)) throw new LossInputError('tensor', method, `this tensor ${RELEASED}`);
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** The value of a 0-d or single-element tensor. */
  item(): number {
    this.assertLive('item()');
    if (this.size !== 1) {
      throw new LossInputError(
        'tensor',
        'item()',
        `needs a single element, but shape ${formatShape(this.shape)} has ${this.size}`,
      );
    }
    return this.data[0];
  }

  /** The values as nested arrays (a plain number for a 0-d tensor). */
  toArray(): NestedNumbers {
    this.assertLive('toArray()');
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
    this.assertLive('clone()');
    return new Tensor(this.data.slice() as FloatArray, this.shape);
  }

  /** Marks this tensor as a leaf whose gradient the autograd engine accumulates. Returns `this`. */
  requireGrad(flag = true): this {
    this.requiresGrad = flag;
    // A leaf (a parameter) outlives the arena run it was made in.
    if (flag) keepTensor(this);
    return this;
  }

  /**
   * Reverse-mode differentiation from this tensor (PyTorch's `loss.backward()`): every leaf that
   * requires grad gets `d(sum(upstream * this)) / d(leaf)` added to its `.grad`. `upstream` may be
   * left out only for a single-element tensor (a loss), as in PyTorch; any other shape needs it.
   * `createGraph` records the backward pass itself, for higher-order gradients.
   */
  backward(upstream?: Tensor, options: { createGraph?: boolean } = {}): void {
    const hooks = autogradHooks();
    if (hooks === null || (this.gradNode === null && !this.requiresGrad)) {
      throw new LossInputError('backward', 'this', 'tensor was not computed from tensors that require grad');
    }
    if (upstream === undefined && this.size !== 1) {
      throw new LossInputError(
        'backward',
        'upstream',
        `grad can be implicitly created only for scalar outputs, and this tensor has shape ${formatShape(this.shape)}: pass an upstream gradient of that shape, or reduce first (ops.sum, ops.mean)`,
      );
    }
    hooks.backward(this, upstream ?? null, { createGraph: options.createGraph ?? false });
  }

  /**
   * A readable summary, like PyTorch's: the values (rows aligned, and for more than 1000
   * elements only the first and last three along each axis), then the shape, dtype, and
   * `requiresGrad` / the op that computed it when set.
   *
   * @example
   * String(tensor([[1, 2], [3, 4.5]]))
   * // Tensor([[1.0000, 2.0000],
   * //         [3.0000, 4.5000]], shape=[2, 2], dtype=float64)
   */
  toString(): string {
    const prefix = 'Tensor(';
    const values = isReleased(this) ? '<released>' : formatValues(this.data, this.shape, prefix.length);
    const extras = [`shape=${formatShape(this.shape)}`, `dtype=${this.dtype}`];
    if (this.requiresGrad) extras.push('requiresGrad=true');
    if (this.gradNode !== null) extras.push(`gradFn=${this.gradNode.op}`);
    return `${prefix}${values}, ${extras.join(', ')})`;
  }

  /** What Node's `console.log` and `util.inspect` print: `toString()` (no node import needed). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
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

/** Tensors with more elements than this print only `EDGE_ITEMS` at each end of every axis. */
const SUMMARY_THRESHOLD = 1000;
const EDGE_ITEMS = 3;
const LINE_WIDTH = 80;

/** The flat indices shown along an axis of length `n` (-1 marks the '...'). */
function shownIndices(n: number, summarise: boolean): number[] {
  if (!summarise || n <= 2 * EDGE_ITEMS) return Array.from({ length: n }, (_, i) => i);
  const head = Array.from({ length: EDGE_ITEMS }, (_, i) => i);
  const tail = Array.from({ length: EDGE_ITEMS }, (_, i) => n - EDGE_ITEMS + i);
  return [...head, -1, ...tail];
}

/** One formatter for every shown value: integers as `3.`, else 4 decimals, else scientific. */
function numberFormatter(values: readonly number[]): (v: number) => string {
  const finite = values.filter((v) => Number.isFinite(v));
  const maxAbs = finite.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const minAbs = finite.reduce((m, v) => (v !== 0 ? Math.min(m, Math.abs(v)) : m), Number.POSITIVE_INFINITY);
  const integral = finite.every((v) => Number.isInteger(v));
  const scientific = maxAbs >= 1e8 || (!integral && minAbs < 1e-4);
  return (v) => {
    if (Number.isNaN(v)) return 'nan';
    if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
    if (scientific) return v.toExponential(4);
    return integral ? `${v}.` : v.toFixed(4);
  };
}

/** The values of a tensor as nested brackets, continuation lines indented by `indent`. */
function formatValues(data: ArrayLike<number>, shape: readonly number[], indent: number): string {
  const size = shapeSize(shape);
  const summarise = size > SUMMARY_THRESHOLD;
  const strides = shape.map((_, axis) => shapeSize(shape.slice(axis + 1)));
  const shown: number[] = [];
  const collect = (axis: number, offset: number): void => {
    if (axis === shape.length) {
      shown.push(data[offset]);
      return;
    }
    for (const i of shownIndices(shape[axis], summarise))
      if (i >= 0) collect(axis + 1, offset + i * strides[axis]);
  };
  if (size > 0) collect(0, 0);
  const format = numberFormatter(shown);
  const width = shown.reduce((w, v) => Math.max(w, format(v).length), 0);
  const cell = (v: number) => format(v).padStart(width);
  if (shape.length === 0) return format(data[0]);
  const build = (axis: number, offset: number, column: number): string => {
    const indices = shownIndices(shape[axis], summarise);
    if (axis === shape.length - 1) {
      const items = indices.map((i) => (i < 0 ? '...' : cell(data[offset + i])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - column - 1) / (width + 2)));
      const lines: string[] = [];
      for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(', '));
      return `[${lines.join(`,\n${' '.repeat(column + 1)}`)}]`;
    }
    const gap = `,${'\n'.repeat(shape.length - 1 - axis)}${' '.repeat(column + 1)}`;
    const parts = indices.map((i) =>
      i < 0 ? '...' : build(axis + 1, offset + i * strides[axis], column + 1),
    );
    return `[${parts.join(gap)}]`;
  };
  return build(0, 0, indent);
}
