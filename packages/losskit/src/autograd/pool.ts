import {
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  allocateForOverwrite,
  formatShape,
} from '../tensor/index.js';
import { simdMaxPool2x2, simdMaxUnpool2x2 } from '../kernels/wasm/pool.js';
import { record } from './engine.js';
import { gatherFlat } from './indexing.js';
import { type Operand, asTensor } from './operand.js';

// Pooling and upsampling for NCHW images: max pooling gathers each window's arg-max, average
// pooling is a direct window kernel with its adjoint as backward, nearest upsampling gathers
// each source pixel several times (its gradient sums them back).

function imageShape(op: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4)
    throw new LossInputError(op, 'input', `must be [N, C, H, W], got ${formatShape(x.shape)}`);
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

function positive(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new LossInputError(op, `options.${name}`, `must be an integer ≥ 1, got ${v}`);
  return v;
}

/** Window size and step of max pooling. */
export interface MaxPool2dOptions {
  /** Window height and width. Default 2. */
  readonly kernel?: number;
  /** Step between windows. Default: the kernel (non-overlapping windows). */
  readonly stride?: number;
}

/**
 * Maximum over each kernel × kernel window (no padding): [N, C, H, W] → [N, C, OH, OW] with
 * OH = ⌊(H − k)/s⌋ + 1 (PyTorch's max_pool2d without padding, floor mode); windows overlap when
 * s < k. One pass per window records the arg-max (the only allocation besides the output);
 * float32 with kernel 2 and stride 2 runs on the WebAssembly SIMD kernel (kernels/wasm/pool.ts),
 * which gives the same values and indices.
 * Backward: the gradient goes to each window's (first) maximum, summed where windows share it.
 */
export function maxPool2d(input: Operand, options: MaxPool2dOptions = {}): Tensor {
  const x = asTensor(input, 'maxPool2d', 'input');
  const [n, c, h, w] = imageShape('maxPool2d', x);
  const k = positive('maxPool2d', 'kernel', options.kernel ?? 2);
  const s = positive('maxPool2d', 'stride', options.stride ?? k);
  if (h < k || w < k)
    throw new LossInputError('maxPool2d', 'input', `${formatShape(x.shape)} is smaller than the window ${k}`);
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  // The indices live in a float32 array of the arena's (every one is written), which a training
  // step then reuses instead of a fresh Int32Array each step.
  const store = allocateForOverwrite('float32', n * c * oh * ow);
  const index = new Int32Array(store.buffer, store.byteOffset, store.length);
  const out = allocateForOverwrite(x.dtype, index.length);
  const data = x.data;
  const simd =
    k === 2 &&
    s === 2 &&
    data instanceof Float32Array &&
    out instanceof Float32Array &&
    simdMaxPool2x2(data, n * c, h, w, out, index, store as Float32Array);
  if (!simd) windowMaxima(data, n * c, h, w, k, s, oh, ow, out, index);
  return record('maxPool2d', new Tensor(out, [n, c, oh, ow]), [x], (g) => [
    scatterMax(g, index, store as Float32Array, x.shape, k === 2 && s === 2),
  ]);
}

/**
 * Each window's maximum into `out` and its flat input index into `index`, one pass over the
 * windows. The first NaN of a window wins (PyTorch's max_pool2d propagates NaN): a value
 * replaces the best so far when it is not ≤ it (larger, or NaN) and the best is not NaN.
 */
function windowMaxima(
  data: FloatArray,
  planes: number,
  h: number,
  w: number,
  k: number,
  s: number,
  oh: number,
  ow: number,
  out: FloatArray,
  index: Int32Array,
): void {
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const top = base + oy * s * w;
      for (let ox = 0; ox < ow; ox++) {
        let best = top + ox * s;
        let bestValue = data[best];
        for (let ky = 0; ky < k; ky++) {
          const row = top + ky * w + ox * s;
          for (let kx = 0; kx < k; kx++) {
            const v = data[row + kx];
            if (!(v <= bestValue) && !Number.isNaN(bestValue)) {
              bestValue = v;
              best = row + kx;
            }
          }
        }
        out[p] = bestValue;
        index[p++] = best;
      }
    }
  }
}

/**
 * maxPool2d's backward: each window's gradient added to its maximum's pixel, in the gradient's
 * dtype (a pixel receives one term per window it is the maximum of). For 2×2 windows with
 * stride 2 (`nonOverlapping`) on float32, the WebAssembly kernel writes every pixel once with the
 * same bits, instead of a zero-fill and a scatter. `indexStore` is the float32 array `index`
 * views (the kernel's test for resident arrays). Backward: `gatherFlat`.
 */
function scatterMax(
  g: Tensor,
  index: Int32Array,
  indexStore: Float32Array,
  inputShape: readonly number[],
  nonOverlapping: boolean,
): Tensor {
  const [n, c, h, w] = inputShape;
  const size = n * c * h * w;
  const unpooled =
    nonOverlapping && g.data instanceof Float32Array ? allocateForOverwrite('float32', size) : null;
  let out: FloatArray;
  if (
    unpooled instanceof Float32Array &&
    simdMaxUnpool2x2(g.data as Float32Array, index, n * c, h, w, unpooled, indexStore)
  ) {
    out = unpooled;
  } else {
    out = allocate(g.dtype, size);
    scatterAdd(g.data, index, out);
  }
  return record('maxPool2dGrad', new Tensor(out, inputShape), [g], (gz) => [gatherFlat(gz, index, g.shape)]);
}

/** out[index[i]] += src[i] for every i (a loop function of its own: see autograd/unary.ts). */
function scatterAdd(src: FloatArray, index: Int32Array, out: FloatArray): void {
  for (let i = 0; i < index.length; i++) out[index[i]] += src[i];
}

/** Window size and step of average pooling (as for max pooling). */
export interface AvgPool2dOptions {
  /** Window height and width. Default 2. */
  readonly kernel?: number;
  /** Step between windows. Default: the kernel (non-overlapping windows). */
  readonly stride?: number;
}

/** The geometry of one pooling: planes N·C of H × W, windows k × k every s, output OH × OW. */
interface PoolGeometry {
  readonly planes: number;
  readonly h: number;
  readonly w: number;
  readonly k: number;
  readonly s: number;
  readonly oh: number;
  readonly ow: number;
}

/**
 * Mean over each kernel × kernel window, one every `stride` pixels (PyTorch's avg_pool2d without
 * padding, floor mode: windows that do not fit are dropped): [N, C, H, W] → [N, C, OH, OW] with
 * OH = ⌊(H − k)/s⌋ + 1, y = (1/k²)·Σ_window x. `avgPool2d(x, k)` is `{ kernel: k }` (stride k).
 * Backward: each window's gradient spread evenly over its k² pixels (summed where windows
 * overlap); the two are each other's adjoints, so gradients of every order stay in them.
 */
export function avgPool2d(input: Operand, options: number | AvgPool2dOptions = {}): Tensor {
  const x = asTensor(input, 'avgPool2d', 'input');
  const [n, c, h, w] = imageShape('avgPool2d', x);
  const o = typeof options === 'number' ? { kernel: options } : options;
  const k = positive('avgPool2d', 'kernel', o.kernel ?? 2);
  const s = positive('avgPool2d', 'stride', o.stride ?? k);
  if (h < k || w < k)
    throw new LossInputError('avgPool2d', 'input', `${formatShape(x.shape)} is smaller than the window ${k}`);
  const g: PoolGeometry = {
    planes: n * c,
    h,
    w,
    k,
    s,
    oh: Math.floor((h - k) / s) + 1,
    ow: Math.floor((w - k) / s) + 1,
  };
  return averageWindows(x, g);
}

/** The forward kernel: window sums in float64, scaled by 1/k² and rounded once. */
function averageWindows(x: Tensor, g: PoolGeometry): Tensor {
  const { planes, h, w, k, s, oh, ow } = g;
  const out = allocate(x.dtype, planes * oh * ow);
  const data = x.data;
  const scale = 1 / (k * k);
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let sum = 0;
        for (let ky = 0; ky < k; ky++) {
          const row = base + (oy * s + ky) * w + ox * s;
          for (let kx = 0; kx < k; kx++) sum += data[row + kx];
        }
        out[p++] = sum * scale;
      }
    }
  }
  const shape = [x.shape[0], x.shape[1], oh, ow];
  return record('avgPool2d', new Tensor(out, shape), [x], (gy) => [spreadWindows(gy, g, x.shape)]);
}

/** The adjoint of `averageWindows`: each output gradient times 1/k² added to its window's pixels. */
function spreadWindows(gy: Tensor, g: PoolGeometry, inputShape: readonly number[]): Tensor {
  const { planes, h, w, k, s, oh, ow } = g;
  const out = allocate(gy.dtype, planes * h * w);
  const data = gy.data;
  const scale = 1 / (k * k);
  let p = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const v = data[p++] * scale;
        for (let ky = 0; ky < k; ky++) {
          const row = base + (oy * s + ky) * w + ox * s;
          for (let kx = 0; kx < k; kx++) out[row + kx] += v;
        }
      }
    }
  }
  return record('avgPool2dGrad', new Tensor(out, inputShape), [gy], (gz) => [averageWindows(gz, g)]);
}

/**
 * Nearest-neighbour upsampling by an integer `scale`: [N, C, H, W] → [N, C, H·s, W·s].
 * Backward: each source pixel receives the sum over its s × s copies.
 */
export function upsample2d(input: Operand, scale = 2): Tensor {
  const x = asTensor(input, 'upsample2d', 'input');
  const [n, c, h, w] = imageShape('upsample2d', x);
  const s = positive('upsample2d', 'scale', scale);
  const oh = h * s;
  const ow = w * s;
  const index = new Int32Array(n * c * oh * ow);
  let p = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const row = base + Math.floor(oy / s) * w;
      for (let ox = 0; ox < ow; ox++) index[p++] = row + Math.floor(ox / s);
    }
  }
  return gatherFlat(x, index, [n, c, oh, ow]);
}
