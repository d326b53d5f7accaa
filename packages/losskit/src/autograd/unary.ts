import { simdRelu, simdReluGrad } from '../kernels/wasm/activation.js';
import { type FloatArray, LossInputError, Tensor, allocateForOverwrite } from '../tensor/index.js';
import { add, div, mul, square, sub, where } from './arithmetic.js';
import { isGradEnabled, record } from './engine.js';
import { type Operand, asTensor, emptyLike, resultDtype } from './operand.js';

// Element-wise functions. Each forward loop is followed by its backward rule, written in ops
// (so that it can be differentiated again). Masks such as relu's are constants: their
// derivative is zero almost everywhere.

/** eˣ. Backward: g·eˣ (the output itself). */
export function exp(a: Operand): Tensor {
  const x = asTensor(a, 'exp', 'a');
  const out = emptyLike(x);
  expLoop(x.data, out.data);
  return record('exp', out, [x], (g) => [mul(g, out)]);
}

/** Natural log. Backward: g / x. */
export function log(a: Operand): Tensor {
  const x = asTensor(a, 'log', 'a');
  const out = emptyLike(x);
  logLoop(x.data, out.data);
  return record('log', out, [x], (g) => [div(g, x)]);
}

/** log(1 + x), accurate near 0. Backward: g / (1 + x). */
export function log1p(a: Operand): Tensor {
  const x = asTensor(a, 'log1p', 'a');
  const out = emptyLike(x);
  log1pLoop(x.data, out.data);
  return record('log1p', out, [x], (g) => [div(g, add(x, 1))]);
}

/** √x. Backward: g / (2√x). */
export function sqrt(a: Operand): Tensor {
  const x = asTensor(a, 'sqrt', 'a');
  const out = emptyLike(x);
  sqrtLoop(x.data, out.data);
  return record('sqrt', out, [x], (g) => [div(g, mul(out, 2))]);
}

/** −1, 0 or 1 (a constant). */
export function sign(a: Operand): Tensor {
  const x = asTensor(a, 'sign', 'a');
  const out = emptyLike(x);
  signLoop(x.data, out.data);
  return out;
}

/** |x|. Backward: g·sign(x) (0 at 0, as PyTorch). */
export function abs(a: Operand): Tensor {
  const x = asTensor(a, 'abs', 'a');
  const out = emptyLike(x);
  absLoop(x.data, out.data);
  return record('abs', out, [x], (g) => [mul(g, sign(x))]);
}

/** tanh x. Backward: g·(1 − tanh²x). */
export function tanh(a: Operand): Tensor {
  const x = asTensor(a, 'tanh', 'a');
  const out = emptyLike(x);
  tanhLoop(x.data, out.data);
  return record('tanh', out, [x], (g) => [mul(g, sub(1, square(out)))]);
}

/** σ(x) = 1 / (1 + e^(−x)), without overflow for either sign. Backward: g·σ(1 − σ). */
export function sigmoid(a: Operand): Tensor {
  const x = asTensor(a, 'sigmoid', 'a');
  const out = emptyLike(x);
  sigmoidLoop(x.data, out.data);
  return record('sigmoid', out, [x], (g) => [mul(g, mul(out, sub(1, out)))]);
}

/** log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), finite for any x. Backward: g·σ(x). */
export function softplus(a: Operand): Tensor {
  const x = asTensor(a, 'softplus', 'a');
  const out = emptyLike(x);
  softplusLoop(x.data, out.data);
  return record('softplus', out, [x], (g) => [mul(g, sigmoid(x))]);
}

/** The constant tensor `inside` where `test(x)` holds and `outside` elsewhere. */
function mask(x: Tensor, test: (v: number) => boolean, inside: number, outside: number): Tensor {
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = test(s[i]) ? inside : outside;
  return out;
}

/**
 * g · mask, the mask being 1 where x > 0 (or, `clampLow`/`clampHigh` given, where
 * clampLow ≤ x ≤ clampHigh) and `outside` elsewhere: the backward of relu, leakyRelu and
 * clamp. Recorded (for a second derivative) it is `mul(g, mask(…))`; otherwise one fused
 * loop with the same products, g·1 being g.
 */
function maskedGrad(
  g: Tensor,
  x: Tensor,
  outside: number,
  test: (v: number) => boolean,
  clampLow?: number,
  clampHigh?: number,
): Tensor {
  if (isGradEnabled() || g.size !== x.size) return mul(g, mask(x, test, 1, outside));
  // The mask is stored in x's dtype, so `outside` is rounded as it would be there.
  const k = x.dtype === 'float32' ? Math.fround(outside) : outside;
  const out = allocateForOverwrite(resultDtype(g.dtype, x.dtype), x.size);
  if (clampLow === undefined || clampHigh === undefined) positiveMaskLoop(g.data, x.data, k, out);
  else rangeMaskLoop(g.data, x.data, clampLow, clampHigh, k, out);
  return new Tensor(out, x.shape);
}

/**
 * max(x, 0), NaN kept (PyTorch's relu). Backward: g where x is not ≤ 0 (x > 0, or NaN, as
 * PyTorch's threshold_backward), else 0.
 */
export function relu(a: Operand): Tensor {
  const x = asTensor(a, 'relu', 'a');
  const out = new Tensor(allocateForOverwrite(x.dtype, x.size), x.shape);
  // The SIMD kernel gives the loops' bits; the loops run where it does not.
  if (!simdRelu(x.data, out.data)) {
    if (x.dtype === 'float32') reluBits32(int32View(x.data), int32View(out.data));
    else reluBits64(int32View(x.data), int32View(out.data));
  }
  return record('relu', out, [x], (g) => [reluGrad(g, x)]);
}

/** relu's backward: g where x is not ≤ 0, else +0; bitwise for a gradient of x's dtype. */
function reluGrad(g: Tensor, x: Tensor): Tensor {
  if (isGradEnabled() || g.size !== x.size || g.dtype !== x.dtype)
    return where(
      mask(x, (v) => !(v <= 0), 1, 0),
      g,
      0,
    );
  const out = allocateForOverwrite(x.dtype, x.size);
  if (simdReluGrad(g.data, x.data, out)) return new Tensor(out, x.shape);
  if (x.dtype === 'float32') reluGradBits32(int32View(g.data), int32View(x.data), int32View(out));
  else reluGradBits64(int32View(g.data), int32View(x.data), int32View(out));
  return new Tensor(out, x.shape);
}

/** The bits of a float array as 32-bit integers (two per float64, low word first). */
function int32View(a: FloatArray): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.byteLength >> 2);
}

/** x where x > 0, else `slope`·x (default 0.01). Backward: g or `slope`·g. */
export function leakyRelu(a: Operand, slope = 0.01): Tensor {
  const x = asTensor(a, 'leakyRelu', 'a');
  if (!Number.isFinite(slope))
    throw new LossInputError('leakyRelu', 'slope', `must be a finite number, got ${slope}`);
  const out = emptyLike(x);
  leakyReluLoop(x.data, out.data, slope);
  return record('leakyRelu', out, [x], (g) => [maskedGrad(g, x, slope, (v) => v > 0)]);
}

/**
 * x limited to [min, max] (either bound may be omitted). Backward: g where min ≤ x ≤ max
 * (bounds inclusive, as PyTorch), else 0.
 */
export function clamp(a: Operand, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): Tensor {
  const x = asTensor(a, 'clamp', 'a');
  if (Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new LossInputError('clamp', 'bounds', `need min ≤ max, got [${min}, ${max}]`);
  }
  const out = emptyLike(x);
  clampLoop(x.data, out.data, min, max);
  return record('clamp', out, [x], (g) => [maskedGrad(g, x, 0, (v) => v >= min && v <= max, min, max)]);
}

// The loops, each in a function of its own. Inside the op functions, V8 (Node 20) compiles a
// long loop on first use by on-stack replacement and then deoptimizes that code on every later
// call, at the code after the loop, until it gives up optimizing the op: measured on relu over
// 692k float32 values, 3–5 ms a call instead of 1.0 (a loop function compiles normally).

function expLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(s[i]);
}

function logLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.log(s[i]);
}

function log1pLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.log1p(s[i]);
}

function sqrtLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(s[i]);
}

function signLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = s[i] > 0 ? 1 : s[i] < 0 ? -1 : 0;
}

function absLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.abs(s[i]);
}

function tanhLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.tanh(s[i]);
}

function sigmoidLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = s[i];
    if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    }
  }
}

function softplusLoop(s: FloatArray, o: FloatArray): void {
  for (let i = 0; i < o.length; i++) {
    const v = s[i];
    o[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  }
}

function leakyReluLoop(s: FloatArray, o: FloatArray, slope: number): void {
  for (let i = 0; i < o.length; i++) o[i] = s[i] > 0 ? s[i] : slope * s[i];
}

function clampLoop(s: FloatArray, o: FloatArray, min: number, max: number): void {
  for (let i = 0; i < o.length; i++) o[i] = Math.min(Math.max(s[i], min), max);
}

function positiveMaskLoop(gd: FloatArray, s: FloatArray, k: number, out: FloatArray): void {
  for (let i = 0; i < out.length; i++) out[i] = s[i] > 0 ? gd[i] : gd[i] * k;
}

function rangeMaskLoop(
  gd: FloatArray,
  s: FloatArray,
  lo: number,
  hi: number,
  k: number,
  out: FloatArray,
): void {
  for (let i = 0; i < out.length; i++) {
    const v = s[i];
    out[i] = v >= lo && v <= hi ? gd[i] : gd[i] * k;
  }
}

// relu on the bits. A float compare of random-signed values mispredicts about half its
// branches: Math.max(x, 0) over 692k float32 conv outputs measured 4.9 ms, these 0.6 ms (and
// the backward 3.8 against 0.9). A float is ≤ 0 when its sign bit is set or it is +0, and NaN
// when its exponent bits are all ones with a nonzero mantissa; the masks below come from
// arithmetic shifts, with no branch.

/** All ones where the float32 with bits b is NaN, else 0. */
function nan32(b: number): number {
  return (0x7f800000 - (b & 0x7fffffff)) >> 31;
}

/** All ones where the float64 with high word hi and low word lo is NaN, else 0. */
function nan64(hi: number, lo: number): number {
  return (0x7ff00000 - (hi & 0x7fffffff) - ((lo | -lo) >>> 31)) >> 31;
}

function reluBits32(x: Int32Array, out: Int32Array): void {
  for (let i = 0; i < out.length; i++) {
    const b = x[i];
    out[i] = b & (~(b >> 31) | nan32(b));
  }
}

function reluBits64(x: Int32Array, out: Int32Array): void {
  for (let i = 0; i < out.length; i += 2) {
    const lo = x[i];
    const hi = x[i + 1];
    const keep = ~(hi >> 31) | nan64(hi, lo);
    out[i] = lo & keep;
    out[i + 1] = hi & keep;
  }
}

function reluGradBits32(g: Int32Array, x: Int32Array, out: Int32Array): void {
  for (let i = 0; i < out.length; i++) {
    const b = x[i];
    const atMostZero = (b >> 31) | ~((b | -b) >> 31);
    out[i] = g[i] & ~(atMostZero & ~nan32(b));
  }
}

function reluGradBits64(g: Int32Array, x: Int32Array, out: Int32Array): void {
  for (let i = 0; i < out.length; i += 2) {
    const lo = x[i];
    const hi = x[i + 1];
    const both = hi | lo;
    const atMostZero = (hi >> 31) | ~((both | -both) >> 31);
    const keep = ~(atMostZero & ~nan64(hi, lo));
    out[i] = g[i] & keep;
    out[i + 1] = g[i + 1] & keep;
  }
}
