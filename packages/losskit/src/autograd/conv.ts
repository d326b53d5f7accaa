import { SIMD_GEMM_MIN_WORK, gemm } from '../kernels/gemm.js';
import {
  type DType,
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  allocateForOverwrite,
  formatShape,
} from '../tensor/index.js';
import { sum } from './broadcast.js';
import {
  type Geometry,
  addBias,
  col2imAdd,
  colScratch,
  im2col,
  imagesPerBlock,
  moveRowsIn,
  moveRowsOut,
  rowScratch,
} from './conv-blocks.js';
import { forwardPacked, inputGradPacked, weightGradPacked } from './conv-packed.js';
import { addBlockProducts, forwardBatch, inputGradBatch, weightGradBatch } from './conv-batch.js';
import { record } from './engine.js';
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

// The three kernels are matrix products over im2col blocks of several images side by side:
//   Y = W · col(X),   dW = Σ_blocks G · col(X)ᵀ,   dX = col⁻¹(Wᵀ · G),
// with G the block's output gradients as [O, images·OH·OW]. Every buffer has the result's dtype,
// so float32 operands stay in float32 and reach the SIMD kernel, written into its memory in
// place (conv-packed.ts); float64 ones sum in float64 through gemm's loops.

/**
 * Whether a convolution's products take the in-place SIMD route (conv-packed.ts): every array
 * float32 and the products as large as gemm's SIMD threshold (smaller ones keep gemm's loops).
 */
function packedRoute(g: Geometry, ...arrays: (FloatArray | null)[]): boolean {
  const work = g.o * g.c * g.kh * g.kw * g.oh * g.ow * imagesPerBlock(g);
  return work >= SIMD_GEMM_MIN_WORK && arrays.every((a) => a === null || a instanceof Float32Array);
}

function forwardKernel(
  g: Geometry,
  x: FloatArray,
  wt: FloatArray,
  bias: FloatArray | null,
  dtype: DType,
): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  // Every output is written (moveRowsOut, or gemm's product and addBias).
  const y = allocateForOverwrite(dtype, g.n * g.o * positions);
  const nb = imagesPerBlock(g);
  const packed = packedRoute(g, x, wt, bias, y);
  if (
    packed &&
    forwardBatch(g, x as Float32Array, wt as Float32Array, bias as Float32Array | null, y as Float32Array, nb)
  )
    return y;
  for (let first = 0; first < g.n; first += nb) {
    const count = Math.min(nb, g.n - first);
    if (
      packed &&
      forwardPacked(
        g,
        x as Float32Array,
        wt as Float32Array,
        bias as Float32Array | null,
        y as Float32Array,
        first,
        count,
      )
    )
      continue;
    const col = colScratch(dtype, taps * nb * positions);
    im2col(g, x, first, count, col);
    if (nb === 1) {
      gemm(wt, 0, col, 0, y, first * g.o * positions, g.o, taps, positions, false, false);
      if (bias !== null) addBias(g, y, first, 1, bias);
    } else {
      const rows = rowScratch(dtype, g.o * nb * positions);
      gemm(wt, 0, col, 0, rows, 0, g.o, taps, count * positions, false, false);
      moveRowsOut(g, rows, 0, count * positions, first, count, y, bias);
    }
  }
  return y;
}

function inputGradKernel(g: Geometry, gy: FloatArray, wt: FloatArray, dtype: DType): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  // The batch route writes every element; the block routes add onto zeros.
  const gx = allocateForOverwrite(dtype, g.n * g.c * g.h * g.w);
  const nb = imagesPerBlock(g);
  const packed = packedRoute(g, gy, wt, gx);
  if (packed && inputGradBatch(g, gy as Float32Array, wt as Float32Array, gx as Float32Array, nb)) return gx;
  gx.fill(0);
  for (let first = 0; first < g.n; first += nb) {
    const count = Math.min(nb, g.n - first);
    if (
      packed &&
      inputGradPacked(g, gy as Float32Array, wt as Float32Array, gx as Float32Array, first, count)
    )
      continue;
    const col = colScratch(dtype, taps * nb * positions);
    const rows = nb > 1 ? rowScratch(dtype, g.o * nb * positions) : gy;
    const ro = nb > 1 ? 0 : first * g.o * positions;
    if (nb > 1) moveRowsIn(g, gy, first, count, rows);
    gemm(wt, 0, rows, ro, col, 0, taps, g.o, count * positions, true, false);
    col2imAdd(g, col, 0, count * positions, first, count, gx);
  }
  return gx;
}

function weightGradKernel(g: Geometry, x: FloatArray, gy: FloatArray, dtype: DType): FloatArray {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const gw = allocate(dtype, g.o * taps);
  const nb = imagesPerBlock(g);
  const packed = packedRoute(g, x, gy, gw);
  if (packed && weightGradBatch(g, x as Float32Array, gy as Float32Array, gw as Float32Array, nb)) return gw;
  // Each block's product G · col(X)ᵀ on its own, then added to gw in block order
  // (`addBlockProducts`), as the batch route adds them.
  const product = g.n > nb ? allocate(dtype, g.o * taps) : gw;
  for (let first = 0, block = 0; first < g.n; first += nb, block++) {
    const count = Math.min(nb, g.n - first);
    const into = block === 0 ? gw : product;
    if (
      !(
        packed &&
        weightGradPacked(g, x as Float32Array, gy as Float32Array, into as Float32Array, first, count)
      )
    ) {
      const col = colScratch(dtype, taps * nb * positions);
      const rows = nb > 1 ? rowScratch(dtype, g.o * nb * positions) : gy;
      const ro = nb > 1 ? 0 : first * g.o * positions;
      im2col(g, x, first, count, col);
      if (nb > 1) moveRowsIn(g, gy, first, count, rows);
      gemm(rows, ro, col, 0, into, 0, g.o, count * positions, taps, false, true);
    }
    if (block > 0) addBlockProducts(gw, product, 0, taps, g.o, taps, block);
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
 * 2-D cross-correlation (PyTorch's conv2d): input [N, C, H, W], weight [O, C, KH, KW], optional
 * `options.bias` [O] → [N, O, OH, OW] with OH = ⌊(H + 2p − KH)/s⌋ + 1 and
 * y[n, o] = Σ_c W[o, c] ⋆ x[n, c] + b[o], computed as matrix products of the weight
 * with im2col blocks of several images (`gemm`): float32 operands run in float32 throughout
 * (im2col, products on the WebAssembly SIMD kernel, outputs), whose sums carry the float32
 * product bound of kernels/wasm/gemm.ts; float64 (or mixed) operands sum in float64. The bias is
 * added as the outputs leave the product block (one rounding, as a separate add).
 * Backward: `conv2dInputGrad` and `conv2dWeightGrad`, which are each other's and conv2d's
 * adjoints, so gradients of every order stay inside these three primitives; the bias gradient
 * is the per-channel sum of the output gradient (`sum` over axes 0, 2 and 3).
 *
 * @example
 * const x = tensor([[[[1, 2, 3], [4, 5, 6], [7, 8, 9]]]]); // [1, 1, 3, 3]
 * const w = tensor([[[[1, 0], [0, 1]]]]); // [1, 1, 2, 2]
 * conv2d(x, w, { bias: tensor([10]) }).toArray() // [[[[16, 18], [22, 24]]]]
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
    needs[2] ? sum(g, { axis: [0, 2, 3] }) : null,
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
