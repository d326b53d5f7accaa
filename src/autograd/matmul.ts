import { type FloatArray, LossInputError, Tensor, allocate, formatShape, shapeSize } from '../tensor/index.js';
import { sumTo } from './broadcast.js';
import { record } from './engine.js';
import { type Operand, asPair, resultDtype } from './operand.js';
import { broadcastMap, broadcastShapes } from './shape-math.js';

/**
 * Matrix product over the last two axes, leading (batch) axes broadcast:
 * [..., M, K] × [..., K, N] → [..., M, N]. Sums accumulate in float64.
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
    throw new LossInputError('matmul', x.rank < 2 ? 'a' : 'b', `needs at least 2 axes, got shape ${formatShape(x.rank < 2 ? x.shape : y.shape)}`);
  }
  const ra = x.rank;
  const rb = y.rank;
  const M = transposeA ? x.shape[ra - 1] : x.shape[ra - 2];
  const K = transposeA ? x.shape[ra - 2] : x.shape[ra - 1];
  const Kb = transposeB ? y.shape[rb - 1] : y.shape[rb - 2];
  const N = transposeB ? y.shape[rb - 2] : y.shape[rb - 1];
  if (K !== Kb) {
    throw new LossInputError('matmul', 'shapes', `inner dimensions differ: ${formatShape(x.shape)} × ${formatShape(y.shape)} (${K} vs ${Kb})`);
  }
  const batchA = x.shape.slice(0, -2);
  const batchB = y.shape.slice(0, -2);
  const batch = broadcastShapes('matmul', batchA, batchB);
  const mapA = broadcastMap(batch, batchA);
  const mapB = broadcastMap(batch, batchB);
  const out = allocate(resultDtype(x.dtype, y.dtype), shapeSize(batch) * M * N);
  const scratch = new Float64Array(N);
  for (let p = 0; p < mapA.length; p++) {
    multiply(x.data, mapA[p] * M * K, y.data, mapB[p] * K * N, out, p * M * N, M, K, N, transposeA, transposeB, scratch);
  }
  const result = new Tensor(out, [...batch, M, N]);
  return record('matmul', result, [x, y], (g, needs) => [
    needs[0] ? sumTo(transposeA ? matmulTransposed(y, g, transposeB, true) : matmulTransposed(g, y, false, !transposeB), x.shape) : null,
    needs[1] ? sumTo(transposeB ? matmulTransposed(g, x, true, transposeA) : matmulTransposed(x, g, !transposeA, false), y.shape) : null,
  ]);
}

/** One [M, N] block: c = op(a) op(b). Loop orders keep the innermost loop contiguous. */
function multiply(
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
): void {
  if (!tb) {
    // c[i, :] = Σ_k a(i, k) · b[k, :]   (i-k-j order; a(i, k) is a[i, k] or a[k, i])
    const ai = ta ? 1 : K;
    const ak = ta ? M : 1;
    for (let i = 0; i < M; i++) {
      row.fill(0);
      for (let k = 0; k < K; k++) {
        const v = a[ao + i * ai + k * ak];
        const bk = bo + k * N;
        for (let j = 0; j < N; j++) row[j] += v * b[bk + j];
      }
      const ci = co + i * N;
      for (let j = 0; j < N; j++) c[ci + j] = row[j];
    }
    return;
  }
  // c[i, j] = Σ_k a(i, k) · b[j, k]   (dot products; b's rows are contiguous)
  const ai = ta ? 1 : K;
  const ak = ta ? M : 1;
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      const bj = bo + j * K;
      let ap = ao + i * ai;
      for (let k = 0; k < K; k++, ap += ak) s += a[ap] * b[bj + k];
      c[co + i * N + j] = s;
    }
  }
}
