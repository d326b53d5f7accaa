// conv2d's in-place float32 routes against the route through arrays (conv-blocks.ts's im2col and
// moves around gemm): block by block from JavaScript (conv-packed.ts: im2col written straight
// into packed B, the product read straight into the result), and the whole batch in one call of
// the kernel on one and on two threads (conv-batch.ts). The same packed operands and the same
// products, so the same bits, forward and both gradients, with and without padding and stride,
// over several blocks; the weight gradient's block products are added in block order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemm } from '../kernels/gemm.js';
import { simdGemmAvailable } from '../kernels/wasm/gemm.js';
import { random } from '../../../../test/helpers/random.js';
import { type Geometry, col2imAdd, im2col, imagesPerBlock, moveRowsIn, moveRowsOut } from './conv-blocks.js';
import { setThreads } from '../threads.js';
import { addBlockProducts, forwardBatch, inputGradBatch, weightGradBatch } from './conv-batch.js';
import { forwardPacked, inputGradPacked, weightGradPacked } from './conv-packed.js';

function values(n: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: n }, () => 2 * next() - 1);
}

/** Seeded input, weight, bias and output gradient of a geometry. */
function operands(g: Geometry) {
  return {
    x: values(g.n * g.c * g.h * g.w, 1),
    w: values(g.o * g.c * g.kh * g.kw, 2),
    b: values(g.o, 3),
    gy: values(g.n * g.o * g.oh * g.ow, 4),
  };
}

/** The route through arrays, for one geometry: y (+ bias), dX and dW, block by block. */
function throughArrays(g: Geometry, x: Float32Array, w: Float32Array, b: Float32Array, gy: Float32Array) {
  const taps = g.c * g.kh * g.kw;
  const positions = g.oh * g.ow;
  const nb = imagesPerBlock(g);
  const y = new Float32Array(g.n * g.o * positions);
  const unbiased = new Float32Array(g.n * g.o * positions);
  const gx = new Float32Array(g.n * g.c * g.h * g.w);
  const gw = new Float32Array(g.o * taps);
  const col = new Float32Array(taps * nb * positions);
  const rows = new Float32Array(g.o * nb * positions);
  const product = new Float32Array(g.o * taps);
  for (let first = 0, block = 0; first < g.n; first += nb, block++) {
    const count = Math.min(nb, g.n - first);
    const ld = count * positions;
    im2col(g, x, first, count, col);
    gemm(w, 0, col, 0, rows, 0, g.o, taps, ld, false, false);
    moveRowsOut(g, rows, 0, ld, first, count, y, b);
    moveRowsOut(g, rows, 0, ld, first, count, unbiased, null);
    moveRowsIn(g, gy, first, count, rows);
    gemm(rows, 0, col, 0, product, 0, g.o, ld, taps, false, true);
    addBlockProducts(gw, product, 0, taps, g.o, taps, block);
    gemm(w, 0, rows, 0, col, 0, taps, g.o, ld, true, false);
    col2imAdd(g, col, 0, ld, first, count, gx);
  }
  return { y, unbiased, gx, gw };
}

const cases: [string, Geometry][] = [
  // The bench CNN's two layers (several blocks each; 16 × 9 × 8112 and 32 × 144 × 7744 products).
  ['28×28×1 → 3×3×16, batch 64', geometryOf(64, 1, 28, 28, 16, 3, 1, 0)],
  ['13×13×16 → 3×3×32, batch 64', geometryOf(64, 16, 13, 13, 32, 3, 1, 0)],
  // Padding (the packed block zeroed first), stride 2, taps and columns not multiples of 8.
  ['15×15×5 → 3×3×7, batch 100, stride 2, padding 1', geometryOf(100, 5, 15, 15, 7, 3, 2, 1)],
  // Every size different along the two axes (the kernel's gather reads each one separately).
  [
    '12×17×3 → 2×4×5, batch 100, stride 1×3, padding 0×2',
    { n: 100, c: 3, h: 12, w: 17, o: 5, kh: 2, kw: 4, sh: 1, sw: 3, ph: 0, pw: 2, oh: 11, ow: 6 },
  ],
];

function geometryOf(
  n: number,
  c: number,
  h: number,
  w: number,
  o: number,
  k: number,
  s: number,
  p: number,
): Geometry {
  const oh = Math.floor((h + 2 * p - k) / s) + 1;
  const ow = Math.floor((w + 2 * p - k) / s) + 1;
  return { n, c, h, w, o, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, oh, ow };
}

for (const [label, g] of cases) {
  test(`the in-place route gives the bits of the route through arrays: ${label}`, {
    skip: !simdGemmAvailable(),
  }, () => {
    const { x, w, b, gy } = operands(g);
    const want = throughArrays(g, x, w, b, gy);
    // The in-place route, block by block; each call must take it (return true).
    const positions = g.oh * g.ow;
    const nb = imagesPerBlock(g);
    const y = new Float32Array(want.y.length);
    const unbiased = new Float32Array(want.y.length);
    const gx = new Float32Array(want.gx.length);
    const gw = new Float32Array(want.gw.length);
    const product = new Float32Array(want.gw.length);
    for (let first = 0, block = 0; first < g.n; first += nb, block++) {
      const count = Math.min(nb, g.n - first);
      assert.ok(forwardPacked(g, x, w, b, y, first, count), 'forward in place');
      assert.ok(forwardPacked(g, x, w, null, unbiased, first, count), 'forward without a bias');
      assert.ok(inputGradPacked(g, gy, w, gx, first, count), 'input gradient in place');
      assert.ok(weightGradPacked(g, x, gy, product, first, count), 'weight gradient in place');
      addBlockProducts(gw, product, 0, product.length / g.o, g.o, product.length / g.o, block);
    }
    assert.ok(positions > 0 && g.n > nb, 'several blocks');
    assert.deepEqual(y, want.y, 'forward');
    assert.deepEqual(unbiased, want.unbiased, 'forward without a bias');
    assert.deepEqual(gx, want.gx, 'input gradient');
    assert.deepEqual(gw, want.gw, 'weight gradient');
  });
}

for (const [label, g] of cases) {
  test(`the whole batch in one kernel call gives the same bits, on one and on two threads: ${label}`, {
    skip: !simdGemmAvailable(),
  }, () => {
    const { x, w, b, gy } = operands(g);
    const want = throughArrays(g, x, w, b, gy);
    const nb = imagesPerBlock(g);
    try {
      for (const threads of [1, 2]) {
        setThreads(threads);
        const y = new Float32Array(want.y.length);
        const unbiased = new Float32Array(want.y.length);
        // Garbage in the outputs: every element must be written.
        const gx = new Float32Array(want.gx.length).fill(Number.NaN);
        const gw = new Float32Array(want.gw.length).fill(Number.NaN);
        assert.ok(forwardBatch(g, x, w, b, y, nb), 'forward');
        assert.ok(forwardBatch(g, x, w, null, unbiased, nb), 'forward without a bias');
        assert.ok(inputGradBatch(g, gy, w, gx, nb), 'input gradient');
        assert.ok(weightGradBatch(g, x, gy, gw, nb), 'weight gradient');
        assert.deepEqual(y, want.y, `forward, ${threads} thread(s)`);
        assert.deepEqual(unbiased, want.unbiased, `forward without a bias, ${threads} thread(s)`);
        assert.deepEqual(gx, want.gx, `input gradient, ${threads} thread(s)`);
        assert.deepEqual(gw, want.gw, `weight gradient, ${threads} thread(s)`);
      }
    } finally {
      setThreads('auto');
    }
  });
}
