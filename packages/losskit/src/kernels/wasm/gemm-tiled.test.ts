// The SIMD product of operands too large for the kernel's memory in one piece (`simdGemmTiled`):
// with the memory limit lowered, gemm computes it in tiles of rows × columns, and C has the bits
// of the untiled product, for every transpose and with accumulate; a K too large for even the
// smallest tile is refused (the JavaScript loops take it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { gemm } from '../gemm.js';
import { setGemmMemoryLimitForTests, simdGemm, simdGemmAvailable, simdGemmTiled } from './gemm.js';

function values(count: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () => 2 * next() - 1);
}

test('a product too large for the memory is computed in tiles, with the bits of the untiled product', {
  skip: !simdGemmAvailable(),
}, () => {
  const [M, K, N] = [130, 96, 300];
  let seed = 1;
  for (const ta of [false, true])
    for (const tb of [false, true])
      for (const accumulate of [false, true]) {
        const a = values(M * K, seed++);
        const b = values(K * N, seed++);
        const start = values(M * N, seed++);
        const whole = Float32Array.from(start);
        assert.equal(simdGemm(a, 0, b, 0, whole, 0, M, K, N, ta, tb, accumulate), true);
        const previous = setGemmMemoryLimitForTests(256 * 1024);
        try {
          const refused = Float32Array.from(start);
          assert.equal(
            simdGemm(a, 0, b, 0, refused, 0, M, K, N, ta, tb, accumulate),
            false,
            'too large in one piece',
          );
          assert.deepEqual(refused, start, 'a refused product leaves C untouched');
          const tiled = Float32Array.from(start);
          gemm(a, 0, b, 0, tiled, 0, M, K, N, ta, tb, accumulate);
          assert.deepEqual(tiled, whole, `ta ${ta} tb ${tb} accumulate ${accumulate}`);
        } finally {
          setGemmMemoryLimitForTests(previous);
        }
      }
});

test('operand offsets are honoured, and a K too large for the smallest tile is refused', {
  skip: !simdGemmAvailable(),
}, () => {
  const [M, K, N] = [37, 64, 90];
  const a = values(5 + M * K, 7);
  const b = values(3 + K * N, 8);
  const whole = new Float32Array(11 + M * N);
  assert.equal(simdGemm(a, 5, b, 3, whole, 11, M, K, N, false, false), true);
  const previous = setGemmMemoryLimitForTests(64 * 1024);
  try {
    const tiled = new Float32Array(11 + M * N);
    assert.equal(simdGemmTiled(a, 5, b, 3, tiled, 11, M, K, N, false, false), true);
    assert.deepEqual(tiled, whole);
    const deep = 40000;
    const c = new Float32Array(4 * 8);
    assert.equal(
      simdGemmTiled(values(4 * deep, 9), 0, values(deep * 8, 10), 0, c, 0, 4, deep, 8, false, false),
      false,
    );
    assert.ok(
      c.every((v) => v === 0),
      'C untouched',
    );
  } finally {
    setGemmMemoryLimitForTests(previous);
  }
});
