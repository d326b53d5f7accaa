import { gemm } from '../kernels/gemm.js';
import {
  type DType,
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  formatShape,
} from '../tensor/index.js';
import { sum } from './broadcast.js';
import { isGradEnabled, record } from './engine.js';
import { type Operand, asPair, asTensor, resultDtype } from './operand.js';

/** Stride and zero padding of a 2-D convolution. */
export interface Conv2dOptions {
  /** Step between windows, one number or [vertical, horizontal]. Default 1. */
  readonly stride?: number | readonly [number, number];
  /** Zeros added on each side, one number, [vertical, horizontal], or 'same' (stride 1, odd kernel). Default 0. */
  readonly padding?: number | readonly [number, number] | 'same';
}

/** Options of `conv2d`: stride and padding, and a bias added to every output channel. */
export interface Conv2dForwardOptions extends Conv2dOptions {
  /** One value per output channel, [O], added to each channel's outputs (PyTorch's `bias`). */
  readonly bias?: Operand | null;
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
 * Elements of one im2col block (the larger of its C·KH·KW and O rows times its columns) up to
 * which images are batched side by side: 2^17 (512 KiB in float32), so the block and its product
 * stay in a core's L2 cache while each product still spans several images (measured on the bench's
 * CNN step: 2^20, and one image per product, were no faster).
 */
const BATCH_ELEMENTS = 1 << 17;

/** Images per product: as many as fit BATCH_ELEMENTS, spread evenly over the batches. */
function imagesPerBlock(g: Geometry): number {
  const perImage = Math.max(g.c * g.kh * g.kw, g.o) * g.oh * g.ow;
  const most = Math.max(1, Math.min(g.n, Math.floor(BATCH_ELEMENTS / perImage)));
  return Math.ceil(g.n / Math.ceil(g.n / most));
}

// Scratch kept between calls, grown on demand (the kernels are not re-entrant): the im2col
// block and the block of gradients (or outputs) laid out [O, images · OH·OW], per dtype.
let col32 = new Float32Array(0);
let col64 = new Float64Array(0);
let rows32 = new Float32Array(0);
let rows64 = new Float64Array(0);

function colScratch(dtype: DType, size: number): FloatArray {
  if (dtype === 'float32') {
    if (col32.length < size) col32 = new Float32Array(size);
    return col32;
  }
  if (col64.length < size) col64 = new Float64Array(size);
  return col64;
}

function rowScratch(dtype: DType, size: number): FloatArray {
  if (dtype === 'float32') {
    if (rows32.length < size) rows32 = new Float32Array(size);
    return rows32;
  }
  if (rows64.length < size) rows64 = new Float64Array(size);
  return rows64;
}

/**
 * The im2col block [C·KH·KW, count·OH·OW] of images first … first + count − 1, side by side
 * (zeros where a window hangs over the padding). Rows are (in-channel, ky, kx); columns are
 * (image, oy, ox). Bounds are solved once per tap, so the copies have no branches.
 */
function im2col(g: Geometry, x: FloatArray, first: number, count: number, col: FloatArray): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const positions = oh * ow;
  const ld = count * positions;
  if (ph > 0 || pw > 0) col.fill(0, 0, c * kh * kw * ld);
  for (let ky = 0; ky < kh; ky++) {
    const [oyLo, oyHi] = validRange(ky, sh, ph, h, oh);
    for (let kx = 0; kx < kw; kx++) {
      const [oxLo, oxHi] = validRange(kx, sw, pw, w, ow);
      const run = oxHi - oxLo;
      if (run <= 0) continue;
      for (let ic = 0; ic < c; ic++) {
        const rowStart = ((ic * kh + ky) * kw + kx) * ld;
        for (let j = 0; j < count; j++) {
          const image = ((first + j) * c + ic) * h * w;
          for (let oy = oyLo; oy < oyHi; oy++) {
            const to = rowStart + j * positions + oy * ow + oxLo;
            const from = image + (oy * sh + ky - ph) * w + oxLo * sw + kx - pw;
            if (sw === 1) for (let t = 0; t < run; t++) col[to + t] = x[from + t];
            else for (let t = 0; t < run; t++) col[to + t] = x[from + t * sw];
          }
        }
      }
    }
  }
}

/** Adds an im2col block's gradient (layout of `im2col`) back onto the pixels it was read from. */
function col2imAdd(g: Geometry, col: FloatArray, first: number, count: number, gx: FloatArray): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const positions = oh * ow;
  const ld = count * positions;
  for (let ky = 0; ky < kh; ky++) {
    const [oyLo, oyHi] = validRange(ky, sh, ph, h, oh);
    for (let kx = 0; kx < kw; kx++) {
      const [oxLo, oxHi] = validRange(kx, sw, pw, w, ow);
      const run = oxHi - oxLo;
      if (run <= 0) continue;
      for (let ic = 0; ic < c; ic++) {
        const rowStart = ((ic * kh + ky) * kw + kx) * ld;
        for (let j = 0; j < count; j++) {
          const image = ((first + j) * c + ic) * h * w;
          for (let oy = oyLo; oy < oyHi; oy++) {
            const from = rowStart + j * positions + oy * ow + oxLo;
            const to = image + (oy * sh + ky - ph) * w + oxLo * sw + kx - pw;
            if (sw === 1) for (let t = 0; t < run; t++) gx[to + t] += col[from + t];
            else for (let t = 0; t < run; t++) gx[to + t * sw] += col[from + t];
          }
        }
      }
    }
  }
}

/**
 * Copies images first … first + count − 1 of an [N, O, P] array into a block [O, count·P]: the
 * layout of a product with an im2col block.
 */
function moveRowsIn(g: Geometry, images: FloatArray, first: number, count: number, rows: FloatArray): void {
  const positions = g.oh * g.ow;
  const ld = count * positions;
  for (let o = 0; o < g.o; o++)
    for (let j = 0; j < count; j++) {
      const r = o * ld + j * positions;
      const i = ((first + j) * g.o + o) * positions;
      for (let t = 0; t < positions; t++) rows[r + t] = images[i + t];
    }
}

/**
 * The reverse of `moveRowsIn`, adding `bias[o]` to channel o on the way (one rounding to the
 * output's dtype, as a separate add would round); `bias` null adds nothing.
 */
function moveRowsOut(
  g: Geometry,
  rows: FloatArray,
  first: number,
  count: number,
  images: FloatArray,
  bias: FloatArray | null,
): void {
  const positions = g.oh * g.ow;
  const ld = count * positions;
  for (let o = 0; o < g.o; o++) {
    const b = bias === null ? 0 : bias[o];
    for (let j = 0; j < count; j++) {
      const r = o * ld + j * positions;
      const i = ((first + j) * g.o + o) * positions;
      if (bias === null) for (let t = 0; t < positions; t++) images[i + t] = rows[r + t];
      else for (let t = 0; t < positions; t++) images[i + t] = rows[r + t] + b;
    }
  }
}

/** Adds `bias[o]` to every output of channel o of images first … first + count − 1, in place. */
function addBias(g: Geometry, y: FloatArray, first: number, count: number, bias: FloatArray): void {
  const positions = g.oh * g.ow;
  for (let j = first; j < first + count; j++)
    for (let o = 0; o < g.o; o++) {
      const b = bias[o];
      const start = (j * g.o + o) * positions;
      for (let t = start; t < start + positions; t++) y[t] += b;
    }
}

// The three kernels are matrix products over im2col blocks of several images side by side:
//   Y = W · col(X),   dW = Σ_blocks G · col(X)ᵀ,   dX = col⁻¹(Wᵀ · G),
// with G the block's output gradients as [O, images·OH·OW]. Every buffer has the result's dtype,
// so float32 operands stay in float32 and reach gemm's SIMD kernel; float64 ones sum in float64.

function forwardKernel(
  g: Geometry,
  x: FloatArray,
  wt: FloatArray,
  bias: FloatArray | null,
  dtype: DType,
): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const y = allocate(dtype, g.n * g.o * positions);
  const nb = imagesPerBlock(g);
  const col = colScratch(dtype, taps * nb * positions);
  const rows = nb > 1 ? rowScratch(dtype, g.o * nb * positions) : y;
  for (let first = 0; first < g.n; first += nb) {
    const count = Math.min(nb, g.n - first);
    im2col(g, x, first, count, col);
    if (nb === 1) {
      gemm(wt, 0, col, 0, y, first * g.o * positions, g.o, taps, positions, false, false);
      if (bias !== null) addBias(g, y, first, 1, bias);
    } else {
      gemm(wt, 0, col, 0, rows, 0, g.o, taps, count * positions, false, false);
      moveRowsOut(g, rows, first, count, y, bias);
    }
  }
  return y;
}

function inputGradKernel(g: Geometry, gy: FloatArray, wt: FloatArray, dtype: DType): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const gx = allocate(dtype, g.n * g.c * g.h * g.w);
  const nb = imagesPerBlock(g);
  const col = colScratch(dtype, taps * nb * positions);
  const rows = nb > 1 ? rowScratch(dtype, g.o * nb * positions) : gy;
  for (let first = 0; first < g.n; first += nb) {
    const count = Math.min(nb, g.n - first);
    const ro = nb > 1 ? 0 : first * g.o * positions;
    if (nb > 1) moveRowsIn(g, gy, first, count, rows);
    gemm(wt, 0, rows, ro, col, 0, taps, g.o, count * positions, true, false);
    col2imAdd(g, col, first, count, gx);
  }
  return gx;
}

function weightGradKernel(g: Geometry, x: FloatArray, gy: FloatArray, dtype: DType): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const gw = allocate(dtype, g.o * taps);
  const nb = imagesPerBlock(g);
  const col = colScratch(dtype, taps * nb * positions);
  const rows = nb > 1 ? rowScratch(dtype, g.o * nb * positions) : gy;
  for (let first = 0; first < g.n; first += nb) {
    const count = Math.min(nb, g.n - first);
    const ro = nb > 1 ? 0 : first * g.o * positions;
    im2col(g, x, first, count, col);
    if (nb > 1) moveRowsIn(g, gy, first, count, rows);
    gemm(rows, ro, col, 0, gw, 0, g.o, count * positions, taps, false, true, first > 0);
  }
  return gw;
}

/** `bias` checked against the O output channels: a tensor of shape [O]. */
function biasOperand(bias: Operand, channels: number): Tensor {
  const b = asTensor(bias, 'conv2d', 'options.bias');
  if (b.rank !== 1 || b.shape[0] !== channels)
    throw new LossInputError(
      'conv2d',
      'options.bias',
      `must have shape [${channels}] (one value per output channel), got ${formatShape(b.shape)}`,
    );
  return b;
}

/**
 * The bias gradient of a convolution: Σ over images and positions of each channel of `grad`
 * [N, O, OH, OW] → [O], in float64, rounded once to the gradient's dtype. Recorded (for a second
 * derivative) it is `sum` over axes 0, 2 and 3, whose backward broadcasts back.
 */
function channelSums(grad: Tensor): Tensor {
  if (isGradEnabled()) return sum(grad, { axis: [0, 2, 3] });
  const [n, o, oh, ow] = grad.shape;
  const positions = oh * ow;
  const out = allocate(grad.dtype, o);
  const g = grad.data;
  for (let c = 0; c < o; c++) {
    let total = 0;
    for (let j = 0; j < n; j++) {
      const start = (j * o + c) * positions;
      for (let t = start; t < start + positions; t++) total += g[t];
    }
    out[c] = total;
  }
  return new Tensor(out, [o]);
}

/**
 * 2-D cross-correlation (PyTorch's conv2d): input [N, C, H, W], weight [O, C, KH, KW], optional
 * `options.bias` [O] → [N, O, OH, OW] with OH = ⌊(H + 2p − KH)/s⌋ + 1 and
 * y[n, o] = Σ_c W[o, c] ⋆ x[n, c] + b[o], computed as matrix products of the weight
 * with im2col blocks of several images (`gemm`): float32 operands run in float32 throughout
 * (im2col, products on the WebAssembly SIMD kernel, outputs), whose sums carry the float32
 * product bound of kernels/wasm/gemm.ts; float64 (or mixed) operands sum in float64. The bias is
 * added as the outputs leave the product block (one rounding, as a separate add).
 * Backward: `conv2dInputGrad` and `conv2dWeightGrad`, which are each other's and conv2d's
 * adjoints, so gradients of every order stay inside these three primitives; the bias gradient
 * is the per-channel sum of the output gradient.
 */
export function conv2d(input: Operand, weight: Operand, options: Conv2dForwardOptions = {}): Tensor {
  const [x, wt] = asPair('conv2d', input, weight);
  const conv: Conv2dOptions = { stride: options.stride, padding: options.padding };
  const geo = geometry(x.shape, wt.shape, conv);
  const b = options.bias === undefined || options.bias === null ? null : biasOperand(options.bias, geo.o);
  const dtype =
    b === null ? resultDtype(x.dtype, wt.dtype) : resultDtype(resultDtype(x.dtype, wt.dtype), b.dtype);
  // A bias of another dtype is converted once (a copy of O values).
  const biasData = b === null ? null : b.dtype === dtype ? b.data : allocateCopy(dtype, b.data);
  const y = forwardKernel(geo, x.data, wt.data, biasData, dtype);
  const out = new Tensor(y, [geo.n, geo.o, geo.oh, geo.ow]);
  return record('conv2d', out, b === null ? [x, wt] : [x, wt, b], (g, needs) => [
    needs[0] ? conv2dInputGrad(g, wt, x.shape, conv) : null,
    needs[1] ? conv2dWeightGrad(x, g, wt.shape, conv) : null,
    needs[2] ? channelSums(g) : null,
  ]);
}

function allocateCopy(dtype: DType, data: FloatArray): FloatArray {
  const out = allocate(dtype, data.length);
  out.set(data);
  return out;
}

/** The gradient of conv2d with respect to its input (a transposed convolution of `grad` by `weight`). */
export function conv2dInputGrad(
  grad: Tensor,
  weight: Tensor,
  inputShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const geo = geometry(inputShape, weight.shape, options);
  const data = inputGradKernel(geo, grad.data, weight.data, resultDtype(grad.dtype, weight.dtype));
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
  const data = weightGradKernel(geo, input.data, grad.data, resultDtype(input.dtype, grad.dtype));
  return record('conv2dWeightGrad', new Tensor(data, weightShape), [input, grad], (gz, needs) => [
    needs[0] ? conv2dInputGrad(grad, gz, input.shape, options) : null,
    needs[1] ? conv2d(input, gz, options) : null,
  ]);
}
