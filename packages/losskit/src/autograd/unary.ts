import { LossInputError, Tensor, allocate } from '../tensor/index.js';
import { add, div, mul, square, sub } from './arithmetic.js';
import { isGradEnabled, record } from './engine.js';
import { type Operand, asTensor, emptyLike, resultDtype } from './operand.js';

// Element-wise functions. Each forward loop is followed by its backward rule, written in ops
// (so that it can be differentiated again). Masks such as relu's are constants: their
// derivative is zero almost everywhere.

/** eˣ. Backward: g·eˣ (the output itself). */
export function exp(a: Operand): Tensor {
  const x = asTensor(a, 'exp', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(s[i]);
  return record('exp', out, [x], (g) => [mul(g, out)]);
}

/** Natural log. Backward: g / x. */
export function log(a: Operand): Tensor {
  const x = asTensor(a, 'log', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.log(s[i]);
  return record('log', out, [x], (g) => [div(g, x)]);
}

/** log(1 + x), accurate near 0. Backward: g / (1 + x). */
export function log1p(a: Operand): Tensor {
  const x = asTensor(a, 'log1p', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.log1p(s[i]);
  return record('log1p', out, [x], (g) => [div(g, add(x, 1))]);
}

/** √x. Backward: g / (2√x). */
export function sqrt(a: Operand): Tensor {
  const x = asTensor(a, 'sqrt', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(s[i]);
  return record('sqrt', out, [x], (g) => [div(g, mul(out, 2))]);
}

/** −1, 0 or 1 (a constant). */
export function sign(a: Operand): Tensor {
  const x = asTensor(a, 'sign', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = s[i] > 0 ? 1 : s[i] < 0 ? -1 : 0;
  return out;
}

/** |x|. Backward: g·sign(x) (0 at 0, as PyTorch). */
export function abs(a: Operand): Tensor {
  const x = asTensor(a, 'abs', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.abs(s[i]);
  return record('abs', out, [x], (g) => [mul(g, sign(x))]);
}

/** tanh x. Backward: g·(1 − tanh²x). */
export function tanh(a: Operand): Tensor {
  const x = asTensor(a, 'tanh', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.tanh(s[i]);
  return record('tanh', out, [x], (g) => [mul(g, sub(1, square(out)))]);
}

/** σ(x) = 1 / (1 + e^(−x)), without overflow for either sign. Backward: g·σ(1 − σ). */
export function sigmoid(a: Operand): Tensor {
  const x = asTensor(a, 'sigmoid', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) {
    const v = s[i];
    if (v >= 0) o[i] = 1 / (1 + Math.exp(-v));
    else {
      const e = Math.exp(v);
      o[i] = e / (1 + e);
    }
  }
  return record('sigmoid', out, [x], (g) => [mul(g, mul(out, sub(1, out)))]);
}

/** log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)), finite for any x. Backward: g·σ(x). */
export function softplus(a: Operand): Tensor {
  const x = asTensor(a, 'softplus', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) {
    const v = s[i];
    o[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  }
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
  const out = allocate(resultDtype(g.dtype, x.dtype), x.size);
  const gd = g.data;
  const s = x.data;
  const n = out.length;
  if (clampLow === undefined || clampHigh === undefined) {
    for (let i = 0; i < n; i++) out[i] = s[i] > 0 ? gd[i] : gd[i] * k;
  } else {
    for (let i = 0; i < n; i++) {
      const v = s[i];
      out[i] = v >= clampLow && v <= clampHigh ? gd[i] : gd[i] * k;
    }
  }
  return new Tensor(out, x.shape);
}

/** max(x, 0). Backward: g where x > 0, else 0. */
export function relu(a: Operand): Tensor {
  const x = asTensor(a, 'relu', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.max(s[i], 0);
  return record('relu', out, [x], (g) => [maskedGrad(g, x, 0, (v) => v > 0)]);
}

/** x where x > 0, else `slope`·x (default 0.01). Backward: g or `slope`·g. */
export function leakyRelu(a: Operand, slope = 0.01): Tensor {
  const x = asTensor(a, 'leakyRelu', 'a');
  if (!Number.isFinite(slope))
    throw new LossInputError('leakyRelu', 'slope', `must be a finite number, got ${slope}`);
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = s[i] > 0 ? s[i] : slope * s[i];
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
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = Math.min(Math.max(s[i], min), max);
  return record('clamp', out, [x], (g) => [maskedGrad(g, x, 0, (v) => v >= min && v <= max, min, max)]);
}
