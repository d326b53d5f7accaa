import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { ops, Tensor } from '../../index.js';
import { gemm, SIMD_GEMM_MIN_WORK } from '../gemm.js';
import { simdGemm, simdGemmAvailable } from './gemm.js';

/** Float32 values uniform in ±1 with magnitudes spread over 2^±4, and `extra` leading slots. */
function values(count: number, seed: number, extra = 0): Float32Array {
  const next = random(seed);
  const out = new Float32Array(extra + count);
  for (let i = 0; i < out.length; i++) out[i] = (2 * next() - 1) * 2 ** (8 * next() - 4);
  return out;
}

interface Product {
  readonly M: number;
  readonly K: number;
  readonly N: number;
  readonly ta: boolean;
  readonly tb: boolean;
}

/** Element (i, j) of op(x)·op(y) and Σ_k |op(x)_ik|·|op(y)_kj|, in float64. */
function reference(
  { M, K, N, ta, tb }: Product,
  x: Float32Array,
  xo: number,
  y: Float32Array,
  yo: number,
): { product: Float64Array; magnitude: Float64Array } {
  const product = new Float64Array(M * N);
  gemm(
    Float64Array.from(x.subarray(xo)),
    0,
    Float64Array.from(y.subarray(yo)),
    0,
    product,
    0,
    M,
    K,
    N,
    ta,
    tb,
  );
  const magnitude = new Float64Array(M * N);
  gemm(
    Float64Array.from(x.subarray(xo), Math.abs),
    0,
    Float64Array.from(y.subarray(yo), Math.abs),
    0,
    magnitude,
    0,
    M,
    K,
    N,
    ta,
    tb,
  );
  return { product, magnitude };
}

/**
 * Float32 accumulation of K products: each product and each of the K − 1 additions rounds once
 * (2^-24 relative), so |error| ≤ (K + 1)·2^-24·Σ|a||b|, plus the rounding of an accumulated c.
 */
function bound(K: number, magnitude: number, start: number): number {
  return (K + 1) * 2 ** -24 * (magnitude + Math.abs(start)) + 2 ** -24 * Math.abs(start);
}

const transposes = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

// Sizes not multiples of the 4×8 tile (or of 4 in K), single rows and columns, K = 1, and the
// benchmark's layers.
const sizes: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [1, 37, 1],
  [1, 300, 23],
  [7, 1, 9],
  [1, 1, 64],
  [5, 7, 9],
  [13, 3, 17],
  [4, 8, 8],
  [16, 16, 16],
  [33, 65, 31],
  [64, 130, 3],
  [128, 256, 10],
  [128, 784, 256],
];

test('simdGemm matches the float64 product within float32 accumulation error, for all four transposes and odd sizes', () => {
  assert.equal(simdGemmAvailable(), true, 'Node has WebAssembly SIMD');
  let seed = 1;
  for (const [M, K, N] of sizes) {
    for (const [ta, tb] of transposes) {
      const p = { M, K, N, ta, tb };
      const x = values(M * K, seed++);
      const y = values(K * N, seed++);
      const { product, magnitude } = reference(p, x, 0, y, 0);
      const c = new Float32Array(M * N).fill(Number.NaN);
      assert.equal(simdGemm(x, 0, y, 0, c, 0, M, K, N, ta, tb), true);
      for (let i = 0; i < M * N; i++) {
        const error = Math.abs(c[i] - product[i]);
        assert.ok(
          error <= bound(K, magnitude[i], 0),
          `${M}×${K}×${N} ta=${ta} tb=${tb}: c[${i}] = ${c[i]}, float64 ${product[i]}`,
        );
      }
    }
  }
});

test('small integer matrices give the exact product in every transpose case (no misplaced term)', () => {
  // Integers in [-8, 8]: every partial sum is an integer below 2^24, exact in float32.
  const next = random(99);
  for (const [M, K, N] of [
    [9, 11, 13],
    [4, 5, 8],
    [17, 4, 33],
    [2, 3, 1],
  ] as const) {
    for (const [ta, tb] of transposes) {
      const x = Float32Array.from({ length: M * K }, () => Math.floor(17 * next()) - 8);
      const y = Float32Array.from({ length: K * N }, () => Math.floor(17 * next()) - 8);
      const { product } = reference({ M, K, N, ta, tb }, x, 0, y, 0);
      const c = new Float32Array(M * N);
      assert.equal(simdGemm(x, 0, y, 0, c, 0, M, K, N, ta, tb), true);
      assert.deepEqual([...c], [...product], `${M}×${K}×${N} ta=${ta} tb=${tb}`);
    }
  }
});

test('accumulate adds op(a)·op(b) to c, and offsets select blocks of larger arrays leaving the rest of c alone', () => {
  let seed = 500;
  for (const [M, K, N] of [
    [3, 5, 7],
    [12, 40, 16],
    [37, 19, 45],
  ] as const) {
    for (const [ta, tb] of transposes) {
      const [ao, bo, co] = [3, 5, 11];
      const x = values(M * K + 4, seed++, ao);
      const y = values(K * N + 6, seed++, bo);
      const start = values(M * N + 9, seed++, co);
      const { product, magnitude } = reference({ M, K, N, ta, tb }, x, ao, y, bo);
      for (const accumulate of [false, true]) {
        const c = Float32Array.from(start);
        assert.equal(simdGemm(x, ao, y, bo, c, co, M, K, N, ta, tb, accumulate), true);
        for (let i = 0; i < c.length; i++) {
          if (i < co || i >= co + M * N) {
            assert.equal(c[i], start[i], `c[${i}] outside the block is untouched`);
            continue;
          }
          const s = accumulate ? start[i] : 0;
          const expected = s + product[i - co];
          assert.ok(
            Math.abs(c[i] - expected) <= bound(K, magnitude[i - co], s),
            `${M}×${K}×${N} ta=${ta} tb=${tb} accumulate=${accumulate}: c[${i}] = ${c[i]} vs ${expected}`,
          );
        }
      }
    }
  }
});

test('a product larger than every earlier one grows the memory, and later small products still run', () => {
  const run = (M: number, K: number, N: number, seed: number) => {
    const x = values(M * K, seed);
    const y = values(K * N, seed + 1);
    const { product, magnitude } = reference({ M, K, N, ta: false, tb: true }, x, 0, y, 0);
    const c = new Float32Array(M * N);
    assert.equal(simdGemm(x, 0, y, 0, c, 0, M, K, N, false, true), true);
    for (let i = 0; i < M * N; i++) assert.ok(Math.abs(c[i] - product[i]) <= bound(K, magnitude[i], 0));
  };
  run(8, 8, 8, 1);
  run(400, 500, 300, 2); // about 3 MB of packed operands and scratch, past the first 1 MiB
  run(9, 10, 11, 3);
});

test('NaN and infinity reach exactly the entries of C whose row or column holds them', () => {
  const [M, K, N] = [6, 9, 10];
  for (const [ta, tb] of transposes) {
    const x = values(M * K, 7);
    const y = values(K * N, 8);
    x[4] = Number.NaN;
    y[13] = Number.POSITIVE_INFINITY;
    const { product } = reference({ M, K, N, ta, tb }, x, 0, y, 0);
    const c = new Float32Array(M * N);
    simdGemm(x, 0, y, 0, c, 0, M, K, N, ta, tb);
    for (let i = 0; i < M * N; i++) {
      assert.equal(Number.isNaN(c[i]), Number.isNaN(product[i]), `NaN at ${i}`);
      if (!Number.isNaN(product[i]) && !Number.isFinite(product[i])) assert.equal(c[i], product[i]);
    }
    assert.ok(c.some((v) => Number.isNaN(v)) && c.some(Number.isFinite));
  }
});

test('float32 matmul above the size threshold (batched, broadcast, transposed) agrees with float64 matmul', () => {
  assert.ok(2 * 40 * 24 * 30 >= SIMD_GEMM_MIN_WORK, 'the blocks below take the SIMD kernel');
  const cases = [
    { a: [2, 40, 24], b: [2, 24, 30], ta: false, tb: false },
    { a: [3, 1, 24, 40], b: [2, 24, 30], ta: true, tb: false },
    { a: [40, 24], b: [2, 30, 24], ta: false, tb: true },
    { a: [2, 24, 40], b: [30, 24], ta: true, tb: true },
  ];
  let seed = 900;
  for (const { a, b, ta, tb } of cases) {
    const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);
    const x = values(size(a), seed++);
    const y = values(size(b), seed++);
    const c32 = ops.matmulTransposed(new Tensor(x, a), new Tensor(y, b), ta, tb);
    const abs = (t: Float32Array) => Float64Array.from(t, Math.abs);
    const c64 = ops.matmulTransposed(
      new Tensor(Float64Array.from(x), a),
      new Tensor(Float64Array.from(y), b),
      ta,
      tb,
    );
    const m64 = ops.matmulTransposed(new Tensor(abs(x), a), new Tensor(abs(y), b), ta, tb);
    assert.equal(c32.dtype, 'float32');
    assert.deepEqual([...c32.shape], [...c64.shape]);
    for (let i = 0; i < c64.size; i++) {
      assert.ok(
        Math.abs(c32.data[i] - c64.data[i]) <= bound(24, m64.data[i], 0),
        `${a} × ${b} ta=${ta} tb=${tb}: [${i}] ${c32.data[i]} vs ${c64.data[i]}`,
      );
    }
  }
});

test('float64 matmul keeps its float64 sums (not the float32 kernel)', () => {
  // 1 + 2^-30 is not a float32: a float32 sum would round it to 1.
  const K = 64;
  const a = new Float64Array(64 * K).fill(1 / K);
  const b = new Float64Array(K * 64).fill(1 + 2 ** -30);
  const c = ops.matmul(new Tensor(a, [64, K]), new Tensor(b, [K, 64]));
  assert.equal(c.dtype, 'float64');
  assert.ok(Math.abs(c.data[0] - (1 + 2 ** -30)) < 2 ** -40, String(c.data[0] - 1));
});
