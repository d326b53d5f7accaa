import type { DType, FloatArray } from '../tensor/index.js';

// The layouts of conv2d's matrix products (autograd/conv.ts): the geometry of one convolution,
// im2col blocks of several images side by side and their adjoint, and the moves between NCHW
// arrays and blocks of rows [O, images · OH·OW].

/** One convolution's sizes, checked: input [N, C, H, W], weight [O, C, KH, KW], output [N, O, OH, OW]. */
export interface Geometry {
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

/** Output rows (or columns) t in [lo, hi) whose input position t·s + k − p lies in [0, size). */
export function validRange(k: number, s: number, p: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - k) / s));
  const hi = Math.min(outSize, Math.floor((size - 1 + p - k) / s) + 1);
  return [Math.min(lo, hi), hi];
}

/** The valid output rows [lo, hi) of each ky, then the valid output columns of each kx. */
export function validRanges(g: Geometry): number[] {
  const ranges: number[] = [];
  for (let ky = 0; ky < g.kh; ky++) ranges.push(...validRange(ky, g.sh, g.ph, g.h, g.oh));
  for (let kx = 0; kx < g.kw; kx++) ranges.push(...validRange(kx, g.sw, g.pw, g.w, g.ow));
  return ranges;
}

/**
 * The geometry under which the output gradients [N, O, OH, OW] are their own im2col block: a
 * 1 × 1 window over O channels, so that gemm.wat's `gather` packs them as op(B) with K = O rows
 * (element (o, j) at (j − j mod 8)·O + 8o + j mod 8).
 */
export function outputsAsBlock(g: Geometry): Geometry {
  return { ...g, c: g.o, h: g.oh, w: g.ow, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0 };
}

/**
 * gemm.wat's `gather` layouts: the im2col block as the columns of packed B (PACKED_COLUMNS) or as
 * its rows (PACKED_ROWS, the block transposed), and the adjoint: a block of rows K apart added
 * back onto the pixels (ADD_ROWS, `col2imAdd`).
 */
export const PACKED_COLUMNS = 0;
export const PACKED_ROWS = 1;
export const ADD_ROWS = 2;

/**
 * Elements of one im2col block (the larger of its C·KH·KW and O rows times its columns) up to
 * which images are batched side by side: 2^17 (512 KiB in float32), so the block and its product
 * stay in a core's L2 cache while each product still spans several images (measured on the bench's
 * CNN step: 2^20, and one image per product, were no faster).
 */
const BATCH_ELEMENTS = 1 << 17;

/** Images per product: as many as fit BATCH_ELEMENTS, spread evenly over the batches. */
export function imagesPerBlock(g: Geometry): number {
  const perImage = Math.max(g.c * g.kh * g.kw, g.o) * g.oh * g.ow;
  const most = Math.max(1, Math.min(g.n, Math.floor(BATCH_ELEMENTS / perImage)));
  return Math.ceil(g.n / Math.ceil(g.n / most));
}

// Scratch kept between calls, grown on demand (the kernels are not re-entrant): the im2col
// block ('col') and the block of gradients or outputs laid out [O, images · OH·OW] ('rows'),
// per dtype.
const scratch = {
  col: { float32: new Float32Array(0) as FloatArray, float64: new Float64Array(0) as FloatArray },
  rows: { float32: new Float32Array(0) as FloatArray, float64: new Float64Array(0) as FloatArray },
};

function scratchOf(kind: 'col' | 'rows', dtype: DType, size: number): FloatArray {
  const kept = scratch[kind];
  if (kept[dtype].length < size)
    kept[dtype] = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  return kept[dtype];
}

/** The im2col scratch block, at least `size` long. */
export function colScratch(dtype: DType, size: number): FloatArray {
  return scratchOf('col', dtype, size);
}

/** The rows scratch block, at least `size` long. */
export function rowScratch(dtype: DType, size: number): FloatArray {
  return scratchOf('rows', dtype, size);
}

/**
 * The im2col block [C·KH·KW, count·OH·OW] of images first … first + count − 1, side by side
 * (zeros where a window hangs over the padding). Rows are (in-channel, ky, kx); columns are
 * (image, oy, ox). Bounds are solved once per tap, so the copies have no branches. (The float32
 * route writes the same block straight into the product's packed operand instead: gemm.wat's
 * `gather`.)
 */
export function im2col(g: Geometry, x: FloatArray, first: number, count: number, col: FloatArray): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const positions = oh * ow;
  const columns = count * positions;
  if (ph > 0 || pw > 0) col.fill(0, 0, c * kh * kw * columns);
  for (let ky = 0; ky < kh; ky++) {
    const [oyLo, oyHi] = validRange(ky, sh, ph, h, oh);
    for (let kx = 0; kx < kw; kx++) {
      const [oxLo, oxHi] = validRange(kx, sw, pw, w, ow);
      const run = oxHi - oxLo;
      if (run <= 0) continue;
      for (let ic = 0; ic < c; ic++) {
        const row = ((ic * kh + ky) * kw + kx) * columns;
        for (let i = 0; i < count; i++) {
          const image = ((first + i) * c + ic) * h * w;
          for (let oy = oyLo; oy < oyHi; oy++) {
            const to = row + i * positions + oy * ow + oxLo;
            const from = image + (oy * sh + ky - ph) * w + oxLo * sw + kx - pw;
            for (let t = 0; t < run; t++) col[to + t] = x[from + t * sw];
          }
        }
      }
    }
  }
}

/**
 * Adds an im2col block's gradient (layout of `im2col`, its rows `ld` apart from `at`) back onto
 * the pixels it was read from.
 */
export function col2imAdd(
  g: Geometry,
  col: FloatArray,
  at: number,
  ld: number,
  first: number,
  count: number,
  gx: FloatArray,
): void {
  const { c, h, w, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const positions = oh * ow;
  for (let ky = 0; ky < kh; ky++) {
    const [oyLo, oyHi] = validRange(ky, sh, ph, h, oh);
    for (let kx = 0; kx < kw; kx++) {
      const [oxLo, oxHi] = validRange(kx, sw, pw, w, ow);
      const run = oxHi - oxLo;
      if (run <= 0) continue;
      for (let ic = 0; ic < c; ic++) {
        const rowStart = at + ((ic * kh + ky) * kw + kx) * ld;
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
export function moveRowsIn(
  g: Geometry,
  images: FloatArray,
  first: number,
  count: number,
  rows: FloatArray,
): void {
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
 * The reverse of `moveRowsIn` (the block's rows `ld` apart from `at`), adding `bias[o]` to
 * channel o on the way (one rounding to the output's dtype, as a separate add would round);
 * `bias` null adds nothing.
 */
export function moveRowsOut(
  g: Geometry,
  rows: FloatArray,
  at: number,
  ld: number,
  first: number,
  count: number,
  images: FloatArray,
  bias: FloatArray | null,
): void {
  const positions = g.oh * g.ow;
  for (let o = 0; o < g.o; o++) {
    const b = bias === null ? 0 : bias[o];
    for (let j = 0; j < count; j++) {
      const r = at + o * ld + j * positions;
      const i = ((first + j) * g.o + o) * positions;
      if (bias === null) for (let t = 0; t < positions; t++) images[i + t] = rows[r + t];
      else for (let t = 0; t < positions; t++) images[i + t] = rows[r + t] + b;
    }
  }
}

/** Adds `bias[o]` to every output of channel o of images first … first + count − 1, in place. */
export function addBias(g: Geometry, y: FloatArray, first: number, count: number, bias: FloatArray): void {
  const positions = g.oh * g.ow;
  for (let j = first; j < first + count; j++)
    for (let o = 0; o < g.o; o++) {
      const b = bias[o];
      const start = (j * g.o + o) * positions;
      for (let t = start; t < start + positions; t++) y[t] += b;
    }
}
