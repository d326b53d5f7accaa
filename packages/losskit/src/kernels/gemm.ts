import type { FloatArray } from '../tensor/float-array.js';
import { simdGemm, simdGemmTiled } from './wasm/gemm.js';

/**
 * The matrix product on plain typed arrays, shared by `ops.matmul` (autograd/matmul.ts), the
 * convolutions (autograd/conv.ts) and `linearCrossEntropy`'s chunked products: float32 blocks of
 * at least SIMD_GEMM_MIN_WORK multiply-adds go to the WebAssembly SIMD kernel (wasm/gemm.ts, sums
 * in float32, as PyTorch and TF.js do); the rest run the loops below, which sum in float64 and
 * round each output once. No validation, no allocation per call.
 */

/**
 * Multiply-adds (M·K·N) from which float32 blocks take the WebAssembly SIMD kernel; smaller ones
 * keep the loops below, whose copies and packing would cost more than they save.
 */
export const SIMD_GEMM_MIN_WORK = 2048;

/**
 * Depth (shared index) of one pass when B is not transposed: a block of 128 rows of B stays in
 * cache while every row tile of A runs over it.
 */
const DEPTH_BLOCK = 128;

/** Float64 sums of up to 4 rows of a float32 C (grown on demand, kept: gemm is not re-entrant). */
let strip = new Float64Array(0);

/**
 * One [M, N] block: c = op(a)·op(b), or c += op(a)·op(b) with `accumulate`. op(a) is a's [M, K]
 * block at ao (stored [K, M] when `ta`), op(b) is b's [K, N] block at bo (stored [N, K] when
 * `tb`), c is [M, N] at co. Float32 operands of at least SIMD_GEMM_MIN_WORK multiply-adds take
 * the SIMD kernel where WebAssembly SIMD is available: in one piece where the operands fit its
 * memory, else in tiles that do (`simdGemmTiled`, the same bits).
 *
 * The loops: register tiles of 4 rows × 2 columns summed in float64 over the shared index.
 * With `tb` both operands are contiguous along it: each tile sums the whole depth and adds to c
 * once, column pairs outside (B is read once, A stays in cache). Otherwise a float64 c takes
 * the depth in blocks of DEPTH_BLOCK (row tiles inside, so the block of B stays in cache), and a
 * float32 c is summed 4 rows at a time into a float64 strip, rounded once into c.
 */
export function gemm(
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  c: FloatArray,
  co: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
  accumulate = false,
): void {
  if (
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    M * K * N >= SIMD_GEMM_MIN_WORK &&
    (simdGemm(a, ao, b, bo, c, co, M, K, N, ta, tb, accumulate) ||
      simdGemmTiled(a, ao, b, bo, c, co, M, K, N, ta, tb, accumulate))
  )
    return;
  if (!accumulate) c.fill(0, co, co + M * N);
  // a(i, k) = a[ao + i·ai + k·ak]; b(k, j) = b[bo + k·bk + j·bj].
  const ai = ta ? 1 : K;
  const ak = ta ? M : 1;
  const bk = tb ? 1 : N;
  const bj = tb ? K : 1;
  if (tb) {
    addTiles(a, ao, ai, ak, b, bo, bk, bj, K, c, co, N, M, N, true);
    return;
  }
  if (c instanceof Float64Array) {
    for (let k0 = 0; k0 < K; k0 += DEPTH_BLOCK)
      addTiles(
        a,
        ao + k0 * ak,
        ai,
        ak,
        b,
        bo + k0 * bk,
        bk,
        bj,
        Math.min(DEPTH_BLOCK, K - k0),
        c,
        co,
        N,
        M,
        N,
        false,
      );
    return;
  }
  if (strip.length < 4 * N) strip = new Float64Array(4 * N);
  const t = strip;
  for (let i0 = 0; i0 < M; i0 += 4) {
    const rows = Math.min(4, M - i0);
    t.fill(0, 0, rows * N);
    addTiles(a, ao + i0 * ai, ai, ak, b, bo, bk, bj, K, t, 0, N, rows, N, false);
    const ci = co + i0 * N;
    for (let q = 0; q < rows * N; q++) c[ci + q] += t[q];
  }
}

/**
 * t[to + i·ldt + j] += Σ_{k < depth} a(i, k)·b(k, j) for i < M, j < N, where a(i, k) is
 * a[pa + i·ai + k·ak] and b(k, j) is b[pb + k·bk + j·bj]: 4 × 2 register tiles (column pairs
 * outside when `columnsOutside`, else row tiles), then the rows and the column past the tiles.
 */
function addTiles(
  a: FloatArray,
  pa: number,
  ai: number,
  ak: number,
  b: FloatArray,
  pb: number,
  bk: number,
  bj: number,
  depth: number,
  t: FloatArray,
  to: number,
  ldt: number,
  M: number,
  N: number,
  columnsOutside: boolean,
): void {
  const m4 = M - (M % 4);
  const n2 = N - (N % 2);
  if (columnsOutside) {
    for (let j = 0; j < n2; j += 2)
      for (let i = 0; i < m4; i += 4)
        tile(a, pa + i * ai, ai, ak, b, pb + j * bj, bk, bj, depth, t, to + i * ldt + j, ldt);
  } else {
    for (let i = 0; i < m4; i += 4)
      for (let j = 0; j < n2; j += 2)
        tile(a, pa + i * ai, ai, ak, b, pb + j * bj, bk, bj, depth, t, to + i * ldt + j, ldt);
  }
  for (let i = 0; i < M; i++)
    for (let j = i < m4 ? n2 : 0; j < N; j++) {
      let s = 0;
      for (let k = 0, p = pa + i * ai, q = pb + j * bj; k < depth; k++, p += ak, q += bk) s += a[p] * b[q];
      t[to + i * ldt + j] += s;
    }
}

/** One 4 × 2 tile of `addTiles`: rows from a[p], columns from b[q], sums added to t[o]. */
function tile(
  a: FloatArray,
  p: number,
  ai: number,
  ak: number,
  b: FloatArray,
  q: number,
  bk: number,
  bj: number,
  depth: number,
  t: FloatArray,
  o: number,
  ldt: number,
): void {
  const ai2 = 2 * ai;
  const ai3 = 3 * ai;
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  let s20 = 0;
  let s21 = 0;
  let s30 = 0;
  let s31 = 0;
  for (let k = 0; k < depth; k++, p += ak, q += bk) {
    const w0 = b[q];
    const w1 = b[q + bj];
    const x0 = a[p];
    const x1 = a[p + ai];
    const x2 = a[p + ai2];
    const x3 = a[p + ai3];
    s00 += x0 * w0;
    s01 += x0 * w1;
    s10 += x1 * w0;
    s11 += x1 * w1;
    s20 += x2 * w0;
    s21 += x2 * w1;
    s30 += x3 * w0;
    s31 += x3 * w1;
  }
  t[o] += s00;
  t[o + 1] += s01;
  t[o + ldt] += s10;
  t[o + ldt + 1] += s11;
  t[o + 2 * ldt] += s20;
  t[o + 2 * ldt + 1] += s21;
  t[o + 3 * ldt] += s30;
  t[o + 3 * ldt + 1] += s31;
}
