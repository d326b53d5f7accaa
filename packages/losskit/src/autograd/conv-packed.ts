import { simdGemmInPlace } from '../kernels/wasm/gemm.js';
import { type Geometry, col2imAdd, gatherWindows, moveRowsOut, packedColumnsRun } from './conv-blocks.js';

// conv2d's float32 products with their blocks written straight into the SIMD kernel's memory
// (`simdGemmInPlace`): the im2col block goes into packed B as it is gathered, the output
// gradients go into A or packed B, and the product is read straight into the NCHW result. The
// JavaScript route (conv.ts) gathers the block into an array, which the kernel then copies in,
// packs and copies out: three passes over the largest array of the step instead of one. Same
// packed operands and products, so the same bits. Each returns false (nothing written) where the
// kernel is unavailable or the block does not fit its memory.

/**
 * Output gradients of images first … first + count − 1 ([N, O, P]) as the rows [O, count·P]
 * of a block: written plain at `at` (rows count·P apart, `packed` false), or packed as op(B)
 * with K = O rows (element (o, j) at (j − j mod 8)·O + 8o + j mod 8).
 */
function writeGradRows(
  g: Geometry,
  gy: Float32Array,
  first: number,
  count: number,
  view: Float32Array,
  at: number,
  packed: boolean,
): void {
  const positions = g.oh * g.ow;
  const ld = count * positions;
  for (let o = 0; o < g.o; o++)
    for (let i = 0; i < count; i++) {
      const from = ((first + i) * g.o + o) * positions;
      if (!packed) view.set(gy.subarray(from, from + positions), at + o * ld + i * positions);
      else packedColumnsRun(gy, from, 1, view, at + 8 * o, g.o, i * positions, positions);
    }
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
    writePackedB: (view, at) => gatherWindows(g, x, first, count, view, at, 'packedColumns'),
    readC: (view, at, ldc) => moveRowsOut(g, view, at, ldc, first, count, y, bias),
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
  return simdGemmInPlace(taps, g.o, count * g.oh * g.ow, {
    ta: true,
    writeA: (view, at) => view.set(wt, at),
    zeroB: false,
    writePackedB: (view, at) => writeGradRows(g, gy, first, count, view, at, true),
    readC: (view, at, ldc) => col2imAdd(g, view, at, ldc, first, count, gx),
    start: null,
  });
}

/** gw = (gw +, with `accumulate`) G · col(X)ᵀ for one block of `count` images. */
export function weightGradPacked(
  g: Geometry,
  x: Float32Array,
  gy: Float32Array,
  gw: Float32Array,
  first: number,
  count: number,
  accumulate: boolean,
): boolean {
  const taps = g.c * g.kh * g.kw;
  return simdGemmInPlace(g.o, count * g.oh * g.ow, taps, {
    ta: false,
    writeA: (view, at) => writeGradRows(g, gy, first, count, view, at, false),
    zeroB: g.ph > 0 || g.pw > 0,
    writePackedB: (view, at) => gatherWindows(g, x, first, count, view, at, 'packedRows'),
    readC: (view, at, ldc) => {
      for (let o = 0; o < g.o; o++) gw.set(view.subarray(at + o * ldc, at + o * ldc + taps), o * taps);
    },
    start: accumulate ? gw : null,
  });
}
