import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../test/helpers/random.js';
import type { FloatArray } from '../tensor/float-array.js';
import { gemm, SIMD_GEMM_MIN_WORK } from './gemm.js';

/** Values uniform in ±1 in an array of `extra + count` slots (the first `extra` are offsets). */
function values(count: number, seed: number, extra: number, float32: boolean): FloatArray {
  const next = random(seed);
  const out = float32 ? new Float32Array(extra + count) : new Float64Array(extra + count);
  for (let i = 0; i < out.length; i++) out[i] = 2 * next() - 1;
  return out;
}

/**
 * The product by its definition, one output at a time (no tiles, no blocks): Σ_k op(a)_ik·op(b)_kj
 * and Σ_k |op(a)_ik·op(b)_kj| in float64, for op(a) = a stored [M, K] ([K, M] when ta) at ao and
 * op(b) = b stored [K, N] ([N, K] when tb) at bo.
 */
function definition(
  a: FloatArray,
  ao: number,
  b: FloatArray,
  bo: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
): { sum: Float64Array; magnitude: Float64Array } {
  const sum = new Float64Array(M * N);
  const magnitude = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++)
      for (let k = 0; k < K; k++) {
        const x = a[ao + (ta ? k * M + i : i * K + k)];
        const y = b[bo + (tb ? j * K + k : k * N + j)];
        sum[i * N + j] += x * y;
        magnitude[i * N + j] += Math.abs(x * y);
      }
  return { sum, magnitude };
}

// Sizes with every tail (M mod 4, N mod 2), a depth above one block (128), and K = 0.
const shapes: [number, number, number][] = [
  [1, 1, 1],
  [3, 5, 1],
  [4, 2, 2],
  [7, 9, 5],
  [9, 300, 3],
  [6, 130, 11],
  [5, 0, 3],
];

for (const [M, K, N] of shapes)
  for (const ta of [false, true])
    for (const tb of [false, true])
      for (const accumulate of [false, true])
        for (const cType of ['float64', 'float32'] as const)
          test(`gemm JS loops: [${M}, ${K}] × [${K}, ${N}], ta ${ta}, tb ${tb}, accumulate ${accumulate}, ${cType} c`, () => {
            // Float64 operands keep even a float32 c off the SIMD kernel: these are the loops.
            const a = values(M * K, 1 + M, 3, false);
            const b = values(K * N, 2 + N, 5, false);
            const start = values(M * N, 3, 7, cType === 'float32');
            const c = start.slice();
            gemm(a, 3, b, 5, c, 7, M, K, N, ta, tb, accumulate);
            const { sum, magnitude } = definition(a, 3, b, 5, M, K, N, ta, tb);
            for (let q = 0; q < 7; q++) assert.equal(c[q], start[q], `slot ${q} before c`);
            for (let q = 0; q < M * N; q++) {
              const exact = (accumulate ? start[7 + q] : 0) + sum[q];
              // Float64 sums in another order (K·2^-53 of Σ|ab|), then one float32 rounding.
              const rounding = cType === 'float32' ? 2 ** -24 * Math.abs(exact) : 0;
              const tol = (K + 2) * 2 ** -53 * (magnitude[q] + Math.abs(start[7 + q])) + rounding;
              assert.ok(
                Math.abs(c[7 + q] - exact) <= tol,
                `c[${q}] = ${c[7 + q]}, expected ${exact} ± ${tol}`,
              );
            }
          });

test('gemm rounds a float32 c once (float64 sums over a depth of many blocks)', () => {
  // 1 then 999 terms of 2^-25: a float32 running sum stays at 1 (each term is below half an
  // ulp), the float64 sum is 1 + 999·2^-25, which float32 holds to 2^-23.
  const K = 1000;
  const a = new Float64Array(K).fill(2 ** -25);
  a[0] = 1;
  const b = new Float64Array(K).fill(1);
  const c = new Float32Array(1);
  gemm(a, 0, b, 0, c, 0, 1, K, 1, false, false);
  assert.equal(c[0], Math.fround(1 + 999 * 2 ** -25));
  assert.notEqual(c[0], 1);
});

test('float32 operands below SIMD_GEMM_MIN_WORK run the loops (float64 sums, one rounding)', () => {
  const [M, K, N] = [4, 16, 8];
  assert.ok(M * K * N < SIMD_GEMM_MIN_WORK);
  const a = values(M * K, 11, 0, true);
  const b = values(K * N, 12, 0, true);
  const c = new Float32Array(M * N);
  gemm(a, 0, b, 0, c, 0, M, K, N, false, false);
  const { sum } = definition(a, 0, b, 0, M, K, N, false, false);
  for (let q = 0; q < M * N; q++) assert.equal(c[q], Math.fround(sum[q]), `c[${q}]`);
});
