import {
  gatherStagingFloats,
  gatherWindowsInPlace,
  rowsOutInPlace,
  rowsOutStagingFloats,
  simdGemmInPlace,
} from '../kernels/wasm/gemm.js';
import {
  ADD_ROWS,
  type Geometry,
  PACKED_COLUMNS,
  PACKED_ROWS,
  outputsAsBlock,
  validRanges,
} from './conv-blocks.js';

// conv2d's float32 products with their blocks written straight into the SIMD kernel's memory
// (`simdGemmInPlace`): the block's images are copied into the kernel's memory and its `gather`
// writes the im2col block into packed B there (and, for the input gradient, adds the product's
// rows back onto the images: `col2imAdd`), the output gradients go into A or packed B, and the
// product is read straight into the NCHW result. The JavaScript route (conv.ts) gathers the
// block into an array, which the kernel then copies in, packs and copies out: three passes over
// the largest array of the step instead of one, and JavaScript loops where the kernel's are
// about twice as fast. Same packed operands, products and additions in the same order, so the
// same bits. Each returns false (nothing written) where the kernel is unavailable or the block
// does not fit its memory.

/**
 * Output gradients of images first … first + count − 1 ([N, O, P]) as the plain rows
 * [O, count·P] of a block at `at` (rows count·P apart).
 */
function writeGradRows(
  g: Geometry,
  gy: Float32Array,
  first: number,
  count: number,
  view: Float32Array,
  at: number,
): void {
  const positions = g.oh * g.ow;
  const ld = count * positions;
  for (let o = 0; o < g.o; o++)
    for (let i = 0; i < count; i++) {
      const from = ((first + i) * g.o + o) * positions;
      view.set(gy.subarray(from, from + positions), at + o * ld + i * positions);
    }
}

/** Staging floats the gather of `count` images needs (`gatherStagingFloats`). */
function gatherStaging(g: Geometry, count: number): number {
  return gatherStagingFloats(2 * (g.kh + g.kw), count * g.c * g.h * g.w);
}

/**
 * The im2col block of images first … first + count − 1 written into packed B at `at` by the
 * kernel (gemm.wat's `gather`: `gatherWindows`' element for element, in the layout given), the
 * images copied through `staging`.
 */
function gatherBlock(
  g: Geometry,
  x: Float32Array,
  first: number,
  count: number,
  at: number,
  staging: number,
  layout: number,
  K: number,
): number {
  const image = g.c * g.h * g.w;
  const fields = [g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow, count, layout, K];
  return gatherWindowsInPlace(staging, at, fields, validRanges(g), x, first * image, count * image);
}

/**
 * gx[images first …] += col⁻¹ of the block at view[at …] (rows ld apart): `col2imAdd` on the
 * kernel, the images' gradients copied through `staging` and back.
 */
function addBlockBack(
  g: Geometry,
  gx: Float32Array,
  first: number,
  count: number,
  view: Float32Array,
  at: number,
  ld: number,
  staging: number,
): void {
  const image = g.c * g.h * g.w;
  const staged = gatherBlock(g, gx, first, count, at, staging, ADD_ROWS, ld);
  gx.set(view.subarray(staged, staged + count * image), first * image);
}

/** Y[images first …] = W · col(X) (+ bias) for one block of `count` images, into y. */
export function forwardPacked(
  g: Geometry,
  x: Float32Array,
  wt: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  first: number,
  count: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  return simdGemmInPlace(g.o, taps, count * g.oh * g.ow, {
    ta: false,
    writeA: (view, at) => view.set(wt, at),
    zeroB: g.ph > 0 || g.pw > 0,
    writePackedB: (_, at, staging) => gatherBlock(g, x, first, count, at, staging, PACKED_COLUMNS, taps),
    stagingFloats: Math.max(gatherStaging(g, count), rowsOutStagingFloats(g.o, count * g.o * g.oh * g.ow)),
    readC: (view, at, ldc, staging) => {
      const outputs = count * g.o * g.oh * g.ow;
      const staged = rowsOutInPlace(staging, at, ldc, g.o, count, g.oh * g.ow, bias);
      y.set(view.subarray(staged, staged + outputs), first * g.o * g.oh * g.ow);
    },
    start: null,
  });
}

/** gx[images first …] += col⁻¹(Wᵀ · G) for one block of `count` images. */
export function inputGradPacked(
  g: Geometry,
  gy: Float32Array,
  wt: Float32Array,
  gx: Float32Array,
  first: number,
  count: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  const rows = outputsAsBlock(g);
  return simdGemmInPlace(taps, g.o, count * g.oh * g.ow, {
    ta: true,
    writeA: (view, at) => view.set(wt, at),
    zeroB: false,
    writePackedB: (_, at, staging) => gatherBlock(rows, gy, first, count, at, staging, PACKED_COLUMNS, g.o),
    readC: (view, at, ldc, staging) => addBlockBack(g, gx, first, count, view, at, ldc, staging),
    stagingFloats: Math.max(gatherStaging(g, count), gatherStaging(rows, count)),
    start: null,
  });
}

/** gw = G · col(X)ᵀ for one block of `count` images (conv.ts adds the blocks' products). */
export function weightGradPacked(
  g: Geometry,
  x: Float32Array,
  gy: Float32Array,
  gw: Float32Array,
  first: number,
  count: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  return simdGemmInPlace(g.o, count * g.oh * g.ow, taps, {
    ta: false,
    writeA: (view, at) => writeGradRows(g, gy, first, count, view, at),
    zeroB: g.ph > 0 || g.pw > 0,
    writePackedB: (_, at, staging) =>
      gatherBlock(g, x, first, count, at, staging, PACKED_ROWS, count * g.oh * g.ow),
    stagingFloats: gatherStaging(g, count),
    readC: (view, at, ldc) => {
      for (let o = 0; o < g.o; o++) gw.set(view.subarray(at + o * ldc, at + o * ldc + taps), o * taps);
    },
    start: null,
  });
}
