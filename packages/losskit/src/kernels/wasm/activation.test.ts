// relu and its backward on the SIMD kernel (activation.wat) against a reference written from the
// definition, bit for bit: out = x where x > 0 or x is NaN, else +0; backward out = g where x is
// not ≤ 0, else +0. Special values (±0, NaNs with payloads and either sign, ±∞, subnormals, the
// extremes) sit at every lane of a vector and across chunk boundaries, in float32 and float64.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { Tensor, gradients, ops } from '../../index.js';
import { SIMD_RELU_MIN_LENGTH, simdRelu, simdReluGrad } from './activation.js';
import { simdAvailable } from './float32.js';

/** Bit patterns of the special values, as [high, low] words (float32 uses the high one). */
const SPECIAL32 = [
  0x00000000, 0x80000000, 0x7fc00000, 0xffc00000, 0x7fc00123, 0xffc00321, 0x7f800001, 0xff800001, 0x7f800000,
  0xff800000, 0x00000001, 0x80000001, 0x7f7fffff, 0xff7fffff, 0x3f800000, 0xbf800000,
];
const SPECIAL64: [number, number][] = [
  [0, 0],
  [0x80000000, 0],
  [0x7ff80000, 0],
  [0xfff80000, 0],
  [0x7ff80000, 0x123],
  [0xfff00000, 1],
  [0x7ff00000, 0],
  [0xfff00000, 0],
  [0, 1],
  [0x80000000, 1],
  [0x7fefffff, 0xffffffff],
  [0xffefffff, 0xffffffff],
  [0x3ff00000, 0],
  [0xbff00000, 0],
];

/** n values: random normals in [−1, 1), with the special values spread over every lane. */
function inputs(dtype: 'float32' | 'float64', n: number, seed: number): Float32Array | Float64Array {
  const next = random(seed);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * next() - 1;
  const words = new Uint32Array(out.buffer);
  const specials = dtype === 'float32' ? SPECIAL32.length : SPECIAL64.length;
  // Every special at positions 0..3 (mod 4) near the start, around the chunk edge and at the end.
  for (let s = 0; s < specials; s++)
    for (const at of [s * 5, 16384 - 37 + s * 5, n - 1 - s * 3])
      if (at >= 0 && at < n) {
        if (dtype === 'float32') words[at] = SPECIAL32[s];
        else [words[2 * at + 1], words[2 * at]] = SPECIAL64[s];
      }
  return out;
}

/** The definition on each value: kept where `keep(x)`, else +0 (all bits zero). */
function reference(
  source: Float32Array | Float64Array,
  x: Float32Array | Float64Array,
  keep: (v: number) => boolean,
): Uint32Array {
  const out =
    source instanceof Float32Array ? new Float32Array(source.length) : new Float64Array(source.length);
  for (let i = 0; i < x.length; i++) if (keep(x[i])) out[i] = source[i];
  // out[i] = source[i] copies bits for every value but NaN, whose payload a copy may change: set
  // those words from the source's own.
  const words = new Uint32Array(out.buffer);
  const from = new Uint32Array(source.buffer);
  const per = source instanceof Float32Array ? 1 : 2;
  for (let i = 0; i < x.length; i++)
    if (keep(x[i])) for (let w = 0; w < per; w++) words[per * i + w] = from[per * i + w];
  return words;
}

const reluKeeps = (v: number) => v > 0 || Number.isNaN(v);
const gradKeeps = (v: number) => !(v <= 0);
const relu = ops.relu;
const lengths = [SIMD_RELU_MIN_LENGTH, 257, 1023, 16384, 16385, 40_001];

for (const dtype of ['float32', 'float64'] as const)
  test(`relu and its backward on the kernel have the definition's bits (${dtype})`, {
    skip: !simdAvailable(),
  }, () => {
    for (const n of lengths) {
      const x = inputs(dtype, n, n);
      const g = inputs(dtype, n, n + 1);
      const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      assert.equal(simdRelu(x, out), true);
      assert.deepEqual(new Uint32Array(out.buffer), reference(x, x, reluKeeps), `relu, ${n} values`);
      out.fill(7);
      assert.equal(simdReluGrad(g, x, out), true);
      assert.deepEqual(new Uint32Array(out.buffer), reference(g, x, gradKeeps), `backward, ${n} values`);
    }
  });

test('below the minimum length the kernels leave the work to the caller', () => {
  const x = new Float32Array(SIMD_RELU_MIN_LENGTH - 1).fill(-1);
  const out = new Float32Array(x.length).fill(5);
  assert.equal(simdRelu(x, out), false);
  assert.equal(simdReluGrad(x, x, out), false);
  assert.ok(
    out.every((v) => v === 5),
    'nothing written',
  );
});

test('ops.relu and its gradient: the kernel (long arrays) and the JavaScript loops (short ones) agree bit for bit', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const n = 4 * (SIMD_RELU_MIN_LENGTH - 1);
    const values = inputs(dtype, n, 3);
    const upstream = inputs(dtype, n, 4);
    const whole = relu(new Tensor(values, [n]));
    const wholeGrad = vjp(values, upstream);
    const pieces = new (dtype === 'float32' ? Float32Array : Float64Array)(n);
    const pieceGrads = new (dtype === 'float32' ? Float32Array : Float64Array)(n);
    const short = SIMD_RELU_MIN_LENGTH - 1;
    for (let at = 0; at < n; at += short) {
      pieces.set(relu(new Tensor(values.subarray(at, at + short), [short])).data, at);
      pieceGrads.set(vjp(values.subarray(at, at + short), upstream.subarray(at, at + short)).data, at);
    }
    assert.deepEqual(new Uint32Array(whole.data.buffer), new Uint32Array(pieces.buffer), `relu ${dtype}`);
    assert.deepEqual(
      new Uint32Array(wholeGrad.data.buffer),
      new Uint32Array(pieceGrads.buffer),
      `backward ${dtype}`,
    );
  }
});

/** relu's vector-Jacobian product at x with upstream g, through the autograd engine. */
function vjp(x: Float32Array | Float64Array, g: Float32Array | Float64Array): Tensor {
  const leaf = new Tensor(x.slice(), [x.length]).requireGrad();
  return gradients(relu(leaf), [leaf], { upstream: new Tensor(g.slice(), [g.length]) })[0];
}
