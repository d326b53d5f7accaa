import { simdGemm } from '../kernels/wasm/gemm.js';
import {
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  formatShape,
  shapeSize,
} from '../tensor/index.js';
import { sumTo } from './broadcast.js';
import { record } from './engine.js';
import { type Operand, asPair, resultDtype } from './operand.js';
import { broadcastMap, broadcastShapes } from './shape-math.js';

/**
 * Matrix product over the last two axes, leading (batch) axes broadcast:
 * [..., M, K] × [..., K, N] → [..., M, N]. Sums accumulate in float64, except for float32
 * operands of SIMD_GEMM_MIN_WORK multiply-adds or more, which take the WebAssembly SIMD kernel
 * and accumulate in float32 (as PyTorch and TF.js do for float32).
 *
 * @example
 * matmul(tensor([[1, 2]]), tensor([[3], [4]])).toArray() // [[11]]
 */
export function matmul(a: Operand, b: Operand): Tensor {
  return matmulTransposed(a, b, false, false);
}

/**
 * op(a) × op(b) where op transposes the last two axes when its flag is set: the primitive
 * behind `matmul`. Its backward rule is four cases of itself, so no transposed copy is made.
 */
export function matmulTransposed(a: Operand, b: Operand, transposeA: boolean, transposeB: boolean): Tensor {
  const [x, y] = asPair('matmul', a, b);
  if (x.rank < 2 || y.rank < 2) {
    throw new LossInputError(
      'matmul',
      x.rank < 2 ? 'a' : 'b',
      `needs at least 2 axes, got shape ${formatShape(x.rank < 2 ? x.shape : y.shape)}`,
    );
  }
  const ra = x.rank;
  const rb = y.rank;
  const M = transposeA ? x.shape[ra - 1] : x.shape[ra - 2];
  const K = transposeA ? x.shape[ra - 2] : x.shape[ra - 1];
  const Kb = transposeB ? y.shape[rb - 1] : y.shape[rb - 2];
  const N = transposeB ? y.shape[rb - 2] : y.shape[rb - 1];
  if (K !== Kb) {
    throw new LossInputError(
      'matmul',
      'shapes',
      `inner dimensions differ: ${formatShape(x.shape)} × ${formatShape(y.shape)} (${K} vs ${Kb})`,
    );
  }
  const batchA = x.shape.slice(0, -2);
  const batchB = y.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const mapA = broadcastMap(batch, batchA);
  const mapB = broadcastMap(batch, batchB);
  const out = allocate(resultDtype(x.dtype, y.dtype), shapeSize(batch) * M * N);
  const scratch = new Float64Array(N);
  for (let p = 0; p < mapA.length; p++) {
    gemm(
      x.data,
      mapA[p] * M * K,
      y.data,
      mapB[p] * K * N,
      out,
      p * M * N,
      M,
      K,
      N,
      transposeA,
      transposeB,
      scratch,
    );
  }
  const result = new Tensor(out, [...batch, M, N]);
  return record('matmul', result, [x, y], (g, needs) => [
    needs[0]
      ? sumTo(
          transposeA ? matmulTransposed(y, g, transposeB, true) : matmulTransposed(g, y, false, !transposeB),
          x.shape,
        )
      : null,
    needs[1]
      ? sumTo(
          transposeB ? matmulTransposed(g, x, true, transposeA) : matmulTransposed(x, g, !transposeA, false),
          y.shape,
        )
      : null,
  ]);
}

/**
 * Multiply-adds (M·K·N) from which float32 blocks take the WebAssembly SIMD kernel
 * (src/kernels/wasm/gemm.ts, float32 accumulation); smaller ones keep the loop below, whose
 * copies and packing would cost more than they save.
 */
export const SIMD_GEMM_MIN_WORK = 2048;

/**
 * One [M, N] block: c = op(a)·op(b), or c += op(a)·op(b) with `accumulate`. Float32 blocks of at
 * least SIMD_GEMM_MIN_WORK multiply-adds go to the SIMD kernel where WebAssembly SIMD is
 * available (sums in float32); the rest run here. `row` is float64 scratch of length N. Loop
 * orders keep the innermost loop contiguous, and four terms are combined per pass so that each
 * partial sum is loaded and stored a quarter as often.
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
  row: Float64Array,
  accumulate = false,
): void {
  if (
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    M * K * N >= SIMD_GEMM_MIN_WORK &&
    simdGemm(a, ao, b, bo, c, co, M, K, N, ta, tb, accumulate)
  )
    return;
  const ai = ta ? 1 : K;
  const ak = ta ? M : 1;
  if (!tb) {
    // c[i, :] = Σ_k a(i, k) · b[k, :]   (i-k-j order; a(i, k) is a[i, k] or a[k, i])
    for (let i = 0; i < M; i++) {
      row.fill(0);
      const base = ao + i * ai;
      let k = 0;
      for (; k + 3 < K; k += 4) {
        const a0 = a[base + k * ak];
        const a1 = a[base + (k + 1) * ak];
        const a2 = a[base + (k + 2) * ak];
        const a3 = a[base + (k + 3) * ak];
        const b0 = bo + k * N;
        const b1 = b0 + N;
        const b2 = b1 + N;
        const b3 = b2 + N;
        for (let j = 0; j < N; j++)
          row[j] += a0 * b[b0 + j] + a1 * b[b1 + j] + a2 * b[b2 + j] + a3 * b[b3 + j];
      }
      for (; k < K; k++) {
        const v = a[base + k * ak];
        const bk = bo + k * N;
        for (let j = 0; j < N; j++) row[j] += v * b[bk + j];
      }
      const ci = co + i * N;
      if (accumulate) for (let j = 0; j < N; j++) c[ci + j] += row[j];
      else for (let j = 0; j < N; j++) c[ci + j] = row[j];
    }
    return;
  }
  // c[i, j] = Σ_k a(i, k) · b[j, k]   (dot products along b's contiguous rows, four at a time)
  for (let i = 0; i < M; i++) {
    const base = ao + i * ai;
    const ci = co + i * N;
    let j = 0;
    for (; j + 3 < N; j += 4) {
      const b0 = bo + j * K;
      const b1 = b0 + K;
      const b2 = b1 + K;
      const b3 = b2 + K;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0, ap = base; k < K; k++, ap += ak) {
        const v = a[ap];
        s0 += v * b[b0 + k];
        s1 += v * b[b1 + k];
        s2 += v * b[b2 + k];
        s3 += v * b[b3 + k];
      }
      if (accumulate) {
        c[ci + j] += s0;
        c[ci + j + 1] += s1;
        c[ci + j + 2] += s2;
        c[ci + j + 3] += s3;
      } else {
        c[ci + j] = s0;
        c[ci + j + 1] = s1;
        c[ci + j + 2] = s2;
        c[ci + j + 3] = s3;
      }
    }
    for (; j < N; j++) {
      const bj = bo + j * K;
      let s = 0;
      for (let k = 0, ap = base; k < K; k++, ap += ak) s += a[ap] * b[bj + k];
      if (accumulate) c[ci + j] += s;
      else c[ci + j] = s;
    }
  }
}
