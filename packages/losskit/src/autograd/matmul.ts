import { gemm } from '../kernels/gemm.js';
import { LossInputError, Tensor, allocateForOverwrite, formatShape, shapeSize } from '../tensor/index.js';
import { rowLoop } from './arithmetic.js';
import { sumTo } from './broadcast.js';
import { record } from './engine.js';
import { type Operand, asPair, resultDtype } from './operand.js';
import { broadcastMap, broadcastShapes } from './shape-math.js';

/**
 * Matrix product over the last two axes, leading (batch) axes broadcast:
 * [..., M, K] × [..., K, N] → [..., M, N]. Sums accumulate in float64, except for float32
 * operands of SIMD_GEMM_MIN_WORK multiply-adds or more, which take the WebAssembly SIMD kernel
 * and accumulate in float32 (as PyTorch and TF.js do for float32): see `gemm` (kernels/gemm.ts).
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
  const out = allocateForOverwrite(resultDtype(x.dtype, y.dtype), shapeSize(batch) * M * N);
  for (let p = 0; p < mapA.length; p++)
    gemm(x.data, mapA[p] * M * K, y.data, mapB[p] * K * N, out, p * M * N, M, K, N, transposeA, transposeB);
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
 * x·w + b for x [M, K], w [K, N] and b [N] of one dtype, as one op: the Linear layer's forward.
 * The bias is added in place to the product's fresh output, out[i, j] = (x·w)[i, j] + b[j] in the
 * dtype's arithmetic, so the values are those of `add(matmul(x, w), b)` without its second array
 * and pass; the backward gives that pair's gradients with the same calls (g·wᵀ, xᵀ·g, and the
 * column sums of g through `sumTo`), so the gradients are the same bits too.
 *
 * @example
 * matmulBias(tensor([[1, 2]]), tensor([[3], [4]]), tensor([0.5])).toArray() // [[11.5]]
 */
export function matmulBias(x: Tensor, w: Tensor, b: Tensor): Tensor {
  if (
    x.rank !== 2 ||
    w.rank !== 2 ||
    b.rank !== 1 ||
    b.size !== w.shape[1] ||
    x.dtype !== w.dtype ||
    b.dtype !== w.dtype
  ) {
    throw new LossInputError(
      'matmulBias',
      'shapes',
      `needs x [M, K], w [K, N] and b [N] of one dtype, got ${formatShape(x.shape)} ${x.dtype}, ${formatShape(w.shape)} ${w.dtype}, ${formatShape(b.shape)} ${b.dtype}`,
    );
  }
  const product = matmulTransposed(x, w, false, false);
  // The bias add's own loop, in place: out[r·N + j] = out[r·N + j] + b[j].
  rowLoop('add', product.data, b.data, product.data, true);
  const out = new Tensor(product.data, product.shape);
  return record('matmulBias', out, [x, w, b], (g, needs) => [
    needs[0] ? matmulTransposed(g, w, false, true) : null,
    needs[1] ? matmulTransposed(x, g, true, false) : null,
    needs[2] ? sumTo(g, b.shape) : null,
  ]);
}
