import { gemm } from '../kernels/gemm.js';
import {
  type DType,
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  formatShape,
} from '../tensor/index.js';
import { record } from './engine.js';
import { type Operand, asPair, resultDtype } from './operand.js';

/** Stride and zero padding of a 2-D convolution. */
export interface Conv2dOptions {
  /** Step between windows, one number or [vertical, horizontal]. Default 1. */
  readonly stride?: number | readonly [number, number];
  /** Zeros added on each side, one number, [vertical, horizontal], or 'same' (stride 1, odd kernel). Default 0. */
  readonly padding?: number | readonly [number, number] | 'same';
}

interface Geometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly oh: number;
  readonly ow: number;
}

function pair(
  op: string,
  name: string,
  v: number | readonly [number, number],
  min: number,
): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new LossInputError(
      op,
      `options.${name}`,
      `must be an integer ≥ ${min} or a pair of them, got ${String(v)}`,
    );
  }
  return p;
}

/** Shapes and options checked once; `input` [N, C, H, W], `weight` [O, C, KH, KW]. */
function geometry(input: readonly number[], weight: readonly number[], options: Conv2dOptions): Geometry {
  if (input.length !== 4)
    throw new LossInputError('conv2d', 'input', `must be [N, C, H, W], got ${formatShape(input)}`);
  if (weight.length !== 4)
    throw new LossInputError('conv2d', 'weight', `must be [O, C, KH, KW], got ${formatShape(weight)}`);
  const [n, c, h, w] = input;
  const [o, cw, kh, kw] = weight;
  if (c !== cw)
    throw new LossInputError(
      'conv2d',
      'weight',
      `has ${cw} input channels but the input ${formatShape(input)} has ${c}`,
    );
  const [sh, sw] = pair('conv2d', 'stride', options.stride ?? 1, 1);
  let ph: number;
  let pw: number;
  if (options.padding === 'same') {
    if (sh !== 1 || sw !== 1 || kh % 2 === 0 || kw % 2 === 0) {
      throw new LossInputError(
        'conv2d',
        'options.padding',
        `'same' needs stride 1 and an odd kernel, got stride [${sh}, ${sw}] and kernel [${kh}, ${kw}]`,
      );
    }
    ph = (kh - 1) / 2;
    pw = (kw - 1) / 2;
  } else {
    [ph, pw] = pair('conv2d', 'padding', options.padding ?? 0, 0);
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw new LossInputError(
      'conv2d',
      'input',
      `${formatShape(input)} is smaller than the kernel [${kh}, ${kw}] with padding [${ph}, ${pw}]`,
    );
  }
  return { n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow };
}

/** Output rows (or columns) t in [lo, hi) whose input position t·s + k − p lies in [0, size). */
function validRange(k: number, s: number, p: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - k) / s));
  const hi = Math.min(outSize, Math.floor((size - 1 + p - k) / s) + 1);
  return [Math.min(lo, hi), hi];
}

/**
 * Calls `visit(row, colStart, xStart, count)` for every run of one im2col row that maps to
 * input pixels: `count` consecutive columns from `colStart` read x[xStart + t·sw] (relative
 * to the image). Rows are (in-channel, ky, kx); columns are output positions (oy, ox).
 * Bounds are solved once per tap, so the runs have no branches.
 */
function forEachRun(
  g: Geometry,
  visit: (row: number, colStart: number, xStart: number, count: number) => void,
): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  for (let ky = 0; ky < kh; ky++) {
    const [oyLo, oyHi] = validRange(ky, sh, ph, h, oh);
    for (let kx = 0; kx < kw; kx++) {
      const [oxLo, oxHi] = validRange(kx, sw, pw, w, ow);
      if (oxLo >= oxHi) continue;
      for (let ic = 0; ic < c; ic++) {
        const row = (ic * kh + ky) * kw + kx;
        for (let oy = oyLo; oy < oyHi; oy++) {
          visit(row, oy * ow + oxLo, ic * h * w + (oy * sh + ky - ph) * w + oxLo * sw + kx - pw, oxHi - oxLo);
        }
      }
    }
  }
}

/** The im2col matrix [C·KH·KW, OH·OW] of image `n` (zeros where the window hangs over the padding). */
function im2col(g: Geometry, x: FloatArray, n: number, col: Float64Array): void {
  const positions = g.oh * g.ow;
  const xo = n * g.c * g.h * g.w;
  const { sw } = g;
  col.fill(0);
  forEachRun(g, (row, colStart, xStart, count) => {
    const to = row * positions + colStart;
    const from = xo + xStart;
    for (let t = 0; t < count; t++) col[to + t] = x[from + t * sw];
  });
}

/** Adds an im2col-shaped gradient back onto the pixels of image `n` it was read from. */
function col2imAdd(g: Geometry, col: Float64Array, n: number, gx: Float64Array): void {
  const positions = g.oh * g.ow;
  const xo = n * g.c * g.h * g.w;
  const { sw } = g;
  forEachRun(g, (row, colStart, xStart, count) => {
    const from = row * positions + colStart;
    const to = xo + xStart;
    for (let t = 0; t < count; t++) gx[to + t * sw] += col[from + t];
  });
}

function toDtype(acc: Float64Array, dtype: DType): FloatArray {
  if (dtype === 'float64') return acc;
  const out = allocate('float32', acc.length);
  out.set(acc);
  return out;
}

// The three kernels are matrix products over im2col matrices, one image at a time:
//   y_n = W · col(x_n),   dW = Σ_n g_n · col(x_n)ᵀ,   dx_n = col⁻¹(Wᵀ · g_n).

function forwardKernel(g: Geometry, x: FloatArray, wt: FloatArray): Float64Array {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const y = new Float64Array(g.n * g.o * positions);
  const col = new Float64Array(taps * positions);
  for (let n = 0; n < g.n; n++) {
    im2col(g, x, n, col);
    gemm(wt, 0, col, 0, y, n * g.o * positions, g.o, taps, positions, false, false);
  }
  return y;
}

function inputGradKernel(g: Geometry, gy: FloatArray, wt: FloatArray): Float64Array {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const gx = new Float64Array(g.n * g.c * g.h * g.w);
  const col = new Float64Array(taps * positions);
  for (let n = 0; n < g.n; n++) {
    gemm(wt, 0, gy, n * g.o * positions, col, 0, taps, g.o, positions, true, false);
    col2imAdd(g, col, n, gx);
  }
  return gx;
}

function weightGradKernel(g: Geometry, x: FloatArray, gy: FloatArray): Float64Array {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const gw = new Float64Array(g.o * taps);
  const col = new Float64Array(taps * positions);
  for (let n = 0; n < g.n; n++) {
    im2col(g, x, n, col);
    gemm(gy, n * g.o * positions, col, 0, gw, 0, g.o, positions, taps, false, true, true);
  }
  return gw;
}

/**
 * 2-D cross-correlation (PyTorch's conv2d, no bias): input [N, C, H, W], weight [O, C, KH, KW]
 * → [N, O, OH, OW] with OH = ⌊(H + 2p − KH)/s⌋ + 1. Sums accumulate in float64, or in float32
 * for float32 operands large enough for `gemm`'s WebAssembly SIMD kernel (see `matmul`).
 * Backward: `conv2dInputGrad` and `conv2dWeightGrad`, which are each other's and conv2d's
 * adjoints, so gradients of every order stay inside these three primitives.
 */
export function conv2d(input: Operand, weight: Operand, options: Conv2dOptions = {}): Tensor {
  const [x, wt] = asPair('conv2d', input, weight);
  const geo = geometry(x.shape, wt.shape, options);
  const y = forwardKernel(geo, x.data, wt.data);
  const out = new Tensor(toDtype(y, resultDtype(x.dtype, wt.dtype)), [geo.n, geo.o, geo.oh, geo.ow]);
  return record('conv2d', out, [x, wt], (g, needs) => [
    needs[0] ? conv2dInputGrad(g, wt, x.shape, options) : null,
    needs[1] ? conv2dWeightGrad(x, g, wt.shape, options) : null,
  ]);
}

/** The gradient of conv2d with respect to its input (a transposed convolution of `grad` by `weight`). */
export function conv2dInputGrad(
  grad: Tensor,
  weight: Tensor,
  inputShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const geo = geometry(inputShape, weight.shape, options);
  const data = toDtype(inputGradKernel(geo, grad.data, weight.data), resultDtype(grad.dtype, weight.dtype));
  return record('conv2dInputGrad', new Tensor(data, inputShape), [grad, weight], (gz, needs) => [
    needs[0] ? conv2d(gz, weight, options) : null,
    needs[1] ? conv2dWeightGrad(gz, grad, weight.shape, options) : null,
  ]);
}

/** The gradient of conv2d with respect to its weight (the correlation of `input` with `grad`). */
export function conv2dWeightGrad(
  input: Tensor,
  grad: Tensor,
  weightShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const geo = geometry(input.shape, weightShape, options);
  const data = toDtype(weightGradKernel(geo, input.data, grad.data), resultDtype(input.dtype, grad.dtype));
  return record('conv2dWeightGrad', new Tensor(data, weightShape), [input, grad], (gz, needs) => [
    needs[0] ? conv2dInputGrad(grad, gz, input.shape, options) : null,
    needs[1] ? conv2d(input, gz, options) : null,
  ]);
}
