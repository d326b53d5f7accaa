// The SIMD product on resident operands (gemm.ts): resident A and B are packed from where they
// are and a resident C is written in place when the kernel's 4 × 8 tiles cover it, with the bits
// of the same product on ordinary arrays, for every transpose, with and without accumulation, at
// offsets, on one thread and two; and nothing outside C's block is written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { setThreads } from '../../index.js';
import { simdGemm, simdGemmAvailable } from './gemm.js';
import { allocateResidentArray, releaseResidentArray } from './resident.js';

function fill(a: Float32Array, seed: number): Float32Array {
  const next = random(seed);
  for (let i = 0; i < a.length; i++) a[i] = (2 * next() - 1) * 2 ** (8 * next() - 4);
  return a;
}

const skip =
  (allocateResidentArray(16) === null || !simdGemmAvailable()) && 'no resident memory or SIMD here';

test('products of resident operands have the bits of the same products of ordinary arrays', { skip }, () => {
  const made: Float32Array[] = [];
  const resident = (n: number) => {
    const a = allocateResidentArray(n) as Float32Array;
    made.push(a);
    return a;
  };
  try {
    // [M, K, N]: tiles that cover C exactly (written in place) and ones that do not (copied out);
    // 64 × 96 × 128 is large enough to be split over two threads.
    const shapes: [number, number, number][] = [
      [8, 20, 16],
      [7, 20, 13],
      [12, 33, 8],
      [64, 96, 128],
    ];
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const [M, K, N] of shapes)
        for (const ta of [false, true])
          for (const tb of [false, true])
            for (const accumulate of [false, true]) {
              const seed = M * 1000 + K * 10 + N + (ta ? 1 : 0) + (tb ? 2 : 0);
              const ao = 3;
              const bo = 5;
              const co = 8;
              const guard = 8;
              const a = fill(new Float32Array(ao + M * K), seed);
              const b = fill(new Float32Array(bo + K * N), seed + 1);
              const c0 = fill(new Float32Array(co + M * N + guard), seed + 2);
              const expected = c0.slice();
              assert.equal(simdGemm(a, ao, b, bo, expected, co, M, K, N, ta, tb, accumulate), true);
              const ra = resident(a.length);
              const rb = resident(b.length);
              const rc = resident(c0.length);
              ra.set(a);
              rb.set(b);
              rc.set(c0);
              for (const [x, y] of [
                [ra, b],
                [a, rb],
                [ra, rb],
              ]) {
                rc.set(c0);
                assert.equal(simdGemm(x, ao, y, bo, rc, co, M, K, N, ta, tb, accumulate), true);
                const what = `${M}×${K}×${N} ta=${ta} tb=${tb} acc=${accumulate} threads=${threads}`;
                assert.deepEqual(Array.from(rc), Array.from(expected), what);
              }
              const plain = c0.slice();
              assert.equal(simdGemm(ra, ao, rb, bo, plain, co, M, K, N, ta, tb, accumulate), true);
              assert.deepEqual(Array.from(plain), Array.from(expected), 'resident A and B, ordinary C');
            }
    }
  } finally {
    setThreads('auto');
    for (const a of made) releaseResidentArray(a);
  }
});
