// The SIMD 2×2 max pooling kernel against the JavaScript window loop (maxPool2d in float64 on the
// same float32 values): the same maxima, bit for bit (−0 and NaN kept), and the same indices
// (through the gradient), with ties, NaN of either sign and infinities; planes of odd and even
// sides, spanning several chunks, and planes too large for a chunk (the kernel declines); and
// on resident arrays, pooled where they are, the bits of the chunked copies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { Tensor, gradients, ops } from '../../index.js';
import { simdMaxPool2x2, simdMaxUnpool2x2 } from './pool.js';
import { allocateResidentArray, releaseResidentArray } from './resident.js';

/** float32 planes with ties (values on a coarse grid), ±0, ±∞ and NaN of both signs sprinkled in. */
function planes(shape: [number, number, number, number], seed: number): Float32Array {
  const next = random(seed);
  const negativeNaN = new Float32Array([Number.NaN]);
  new Uint8Array(negativeNaN.buffer)[3] |= 0x80;
  const specials = [0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, negativeNaN[0]];
  const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < x.length; i++) {
    const u = next();
    x[i] = u < 0.02 ? specials[Math.floor(next() * specials.length)] : Math.round((2 * next() - 1) * 4) / 2;
  }
  return x;
}

const shapes: [string, [number, number, number, number]][] = [
  ['64 × 16 planes of 26 × 26 (the CNN bench layer, several chunks)', [64, 16, 26, 26]],
  ['odd sides 11 × 13 (a row and a column dropped)', [3, 5, 11, 13]],
  ['OW a multiple of 4 (no tail)', [2, 3, 6, 16]],
  ['OW below 4 (tail only)', [2, 2, 5, 7]],
  ['one plane of 256 × 256 (exactly a chunk)', [1, 1, 256, 256]],
];

for (const [label, shape] of shapes) {
  test(`simdMaxPool2x2 equals the JavaScript loop: ${label}`, () => {
    const data = planes(shape, shape[2] * 31 + shape[3]);
    const x32 = new Tensor(data, shape).requireGrad();
    const x64 = new Tensor(Float64Array.from(data), shape).requireGrad();
    const y32 = ops.maxPool2d(x32);
    const y64 = ops.maxPool2d(x64);
    assert.equal(y32.size, y64.size);
    for (let i = 0; i < y32.size; i++) {
      const [got, want] = [y32.data[i], y64.data[i]];
      assert.ok(
        Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want)),
        `[${i}]: ${got} ≠ ${want}`,
      );
    }
    // The same window maxima receive the gradient (indices equal).
    const up = Float32Array.from({ length: y32.size }, (_, i) => (i % 7) + 1);
    const [g32] = gradients(y32, [x32], { upstream: new Tensor(up, y32.shape) });
    const [g64] = gradients(y64, [x64], { upstream: new Tensor(Float64Array.from(up), y64.shape) });
    assert.deepEqual([...g32.data], [...g64.data]);
  });
}

test('simdMaxPool2x2 writes every window and declines planes larger than a chunk', () => {
  const [n, h, w] = [5, 9, 10];
  const data = planes([1, n, h, w], 7);
  const out = new Float32Array(n * 4 * 5).fill(123);
  const index = new Int32Array(n * 4 * 5).fill(-1);
  assert.ok(simdMaxPool2x2(data, n, h, w, out, index));
  assert.ok(index.every((i) => i >= 0 && i < data.length));
  assert.ok(!out.includes(123));
  const big = new Float32Array(257 * 256);
  assert.equal(
    simdMaxPool2x2(big, 1, 257, 256, new Float32Array(128 * 128), new Int32Array(128 * 128)),
    false,
  );
});

test('simdMaxUnpool2x2 writes every pixel with the bits of scattering onto zeros (−0, NaN, ∞ upstream)', () => {
  let checked = 0;
  for (const [, shape] of shapes) {
    const [n, c, h, w] = shape;
    const data = planes(shape, h * 17 + w);
    const windows = n * c * (h >> 1) * (w >> 1);
    const maxima = new Float32Array(windows);
    const index = new Int32Array(windows);
    assert.ok(simdMaxPool2x2(data, n * c, h, w, maxima, index));
    // Upstream gradients with −0, ±∞ and NaN of both signs among ordinary values.
    const up = planes([1, 1, 1, windows], windows);
    for (let i = 0; i < windows; i += 5) up[i] = -0;
    const scattered = new Float32Array(data.length);
    for (let i = 0; i < windows; i++) scattered[index[i]] += up[i];
    const out = new Float32Array(data.length).fill(123);
    assert.ok(simdMaxUnpool2x2(up, index, n * c, h, w, out));
    const got = new Int32Array(out.buffer);
    const want = new Int32Array(scattered.buffer);
    for (let i = 0; i < got.length; i++) assert.equal(got[i], want[i], `pixel ${i} of ${shape}`);
    checked++;
  }
  assert.equal(checked, shapes.length);
  const big = new Float32Array(257 * 256);
  assert.equal(
    simdMaxUnpool2x2(new Float32Array(128 * 128), new Int32Array(128 * 128), 1, 257, 256, big),
    false,
  );
});

test('on resident arrays the kernels run in place with the bits of the chunked copies', {
  skip: allocateResidentArray(16) === null && 'no resident memory here',
}, () => {
  const made: Float32Array[] = [];
  const resident = (from: Float32Array | number) => {
    const n = typeof from === 'number' ? from : from.length;
    const a = allocateResidentArray(n) as Float32Array;
    if (typeof from !== 'number') a.set(from);
    made.push(a);
    return a;
  };
  try {
    // The shapes above, and a plane larger than a chunk (which only the in-place route takes).
    for (const shape of [...shapes.map(([, s]) => s), [1, 2, 300, 301] as [number, number, number, number]]) {
      const [n, c, h, w] = shape;
      const data = planes(shape, h * 13 + w);
      const windows = n * c * (h >> 1) * (w >> 1);
      const chunked = h * w <= 65536;
      const maxima = new Float32Array(windows);
      const index = new Int32Array(windows);
      if (chunked) assert.ok(simdMaxPool2x2(data, n * c, h, w, maxima, index));
      const x = resident(data);
      const out = resident(windows).fill(123);
      const store = resident(windows);
      const residentIndex = new Int32Array(store.buffer, store.byteOffset, windows);
      assert.ok(simdMaxPool2x2(x, n * c, h, w, out, residentIndex, store), `in place: ${shape}`);
      if (chunked) {
        assert.deepEqual(
          new Int32Array(out.slice().buffer),
          new Int32Array(maxima.buffer),
          `maxima: ${shape}`,
        );
        assert.deepEqual(Array.from(residentIndex), Array.from(index), `indices: ${shape}`);
      } else {
        assert.ok(!out.includes(123) && residentIndex.every((i) => i >= 0 && i < data.length));
      }
      const up = planes([1, 1, 1, windows], windows + 1);
      for (let i = 0; i < windows; i += 5) up[i] = -0;
      const scattered = new Float32Array(data.length);
      for (let i = 0; i < windows; i++) scattered[residentIndex[i]] += up[i];
      const g = resident(up);
      const unpooled = resident(data.length).fill(123);
      assert.ok(
        simdMaxUnpool2x2(g, residentIndex, n * c, h, w, unpooled, store),
        `unpool in place: ${shape}`,
      );
      assert.deepEqual(
        new Int32Array(unpooled.slice().buffer),
        new Int32Array(scattered.buffer),
        `unpooled: ${shape}`,
      );
    }
  } finally {
    for (const a of made) releaseResidentArray(a);
  }
});
