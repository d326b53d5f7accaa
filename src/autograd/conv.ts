import {
  type DType,
  type FloatArray,
  LossInputError,
  Tensor,
  allocate,
  formatShape,
} from '../tensor/index.js';
import { record } from './engine.js';
import { type Operand, asPair, resultDtype } from './operand.js';

/** Stride and zero padding of a 2-D convolution. */
export interface Conv2dOptions {
  /** Step between windows, one number or [vertical, horizontal]. Default 1. */
  readonly stride?: number | readonly [number, number];
  /** Zeros added on each side, one number, [vertical, horizontal], or 'same' (stride 1, odd kernel). Default 0. */
  readonly padding?: number | readonly [number, number] | 'same';
}

interface Geometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly o: number;
  readonly kh: number;
  readonly kw: number;
  readonly sh: number;
  readonly sw: number;
  readonly ph: number;
  readonly pw: number;
  readonly oh: number;
  readonly ow: number;
}

function pair(
  op: string,
  name: string,
  v: number | readonly [number, number],
  min: number,
): [number, number] {
  const p: [number, number] = typeof v === 'number' ? [v, v] : [v[0], v[1]];
  if (!p.every((x) => Number.isInteger(x) && x >= min)) {
    throw new LossInputError(
      op,
      `options.${name}`,
      `must be an integer ≥ ${min} or a pair of them, got ${String(v)}`,
    );
  }
  return p;
}

/** Shapes and options checked once; `input` [N, C, H, W], `weight` [O, C, KH, KW]. */
function geometry(input: readonly number[], weight: readonly number[], options: Conv2dOptions): Geometry {
  if (input.length !== 4)
    throw new LossInputError('conv2d', 'input', `must be [N, C, H, W], got ${formatShape(input)}`);
  if (weight.length !== 4)
    throw new LossInputError('conv2d', 'weight', `must be [O, C, KH, KW], got ${formatShape(weight)}`);
  const [n, c, h, w] = input;
  const [o, cw, kh, kw] = weight;
  if (c !== cw)
    throw new LossInputError(
      'conv2d',
      'weight',
      `has ${cw} input channels but the input ${formatShape(input)} has ${c}`,
    );
  const [sh, sw] = pair('conv2d', 'stride', options.stride ?? 1, 1);
  let ph: number;
  let pw: number;
  if (options.padding === 'same') {
    if (sh !== 1 || sw !== 1 || kh % 2 === 0 || kw % 2 === 0) {
      throw new LossInputError(
        'conv2d',
        'options.padding',
        `'same' needs stride 1 and an odd kernel, got stride [${sh}, ${sw}] and kernel [${kh}, ${kw}]`,
      );
    }
    ph = (kh - 1) / 2;
    pw = (kw - 1) / 2;
  } else {
    [ph, pw] = pair('conv2d', 'padding', options.padding ?? 0, 0);
  }
  const oh = Math.floor((h + 2 * ph - kh) / sh) + 1;
  const ow = Math.floor((w + 2 * pw - kw) / sw) + 1;
  if (oh < 1 || ow < 1) {
    throw new LossInputError(
      'conv2d',
      'input',
      `${formatShape(input)} is smaller than the kernel [${kh}, ${kw}] with padding [${ph}, ${pw}]`,
    );
  }
  return { n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow };
}

/** Output rows (or columns) t in [lo, hi) whose input position t·s + k − p lies in [0, size). */
function validRange(k: number, s: number, p: number, size: number, outSize: number): [number, number] {
  const lo = Math.max(0, Math.ceil((p - k) / s));
  const hi = Math.min(outSize, Math.floor((size - 1 + p - k) / s) + 1);
  return [lo, hi];
}

/**
 * Visits every (image, out-channel, in-channel, kernel tap) with the run of output positions
 * that tap touches; `visit` does the innermost work. Bounds are solved once per tap, so the
 * inner loops have no branches, and one output plane stays hot while its inputs stream by.
 */
type TapVisitor = (
  xo: number,
  yo: number,
  wi: number,
  oyLo: number,
  oyHi: number,
  oxLo: number,
  oxHi: number,
  ky: number,
  kx: number,
) => void;

function forEachTap(g: Geometry, visit: TapVisitor): void {
  const { n, c, h, w, o, kh, kw, sh, sw, ph, pw, oh, ow } = g;
  const taps = kh * kw;
  const ranges = new Int32Array(taps * 4);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) {
      const t = (ky * kw + kx) * 4;
      [ranges[t], ranges[t + 1]] = validRange(ky, sh, ph, h, oh);
      [ranges[t + 2], ranges[t + 3]] = validRange(kx, sw, pw, w, ow);
    }
  }
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < o; oc++) {
      const yo = (b * o + oc) * oh * ow;
      for (let ic = 0; ic < c; ic++) {
        const xo = (b * c + ic) * h * w;
        const wo = (oc * c + ic) * taps;
        for (let t = 0; t < taps; t++) {
          const r = t * 4;
          if (ranges[r] >= ranges[r + 1] || ranges[r + 2] >= ranges[r + 3]) continue;
          visit(
            xo,
            yo,
            wo + t,
            ranges[r],
            ranges[r + 1],
            ranges[r + 2],
            ranges[r + 3],
            Math.floor(t / kw),
            t % kw,
          );
        }
      }
    }
  }
}

function toDtype(acc: Float64Array, dtype: DType): FloatArray {
  if (dtype === 'float64') return acc;
  const out = allocate('float32', acc.length);
  out.set(acc);
  return out;
}

function forwardKernel(g: Geometry, x: FloatArray, wt: FloatArray): Float64Array {
  const y = new Float64Array(g.n * g.o * g.oh * g.ow);
  const { w, sh, sw, ph, pw, ow } = g;
  forEachTap(g, (xo, yo, wi, oyLo, oyHi, oxLo, oxHi, ky, kx) => {
    const v = wt[wi];
    for (let oy = oyLo; oy < oyHi; oy++) {
      const xr = xo + (oy * sh + ky - ph) * w + kx - pw;
      const yr = yo + oy * ow;
      for (let ox = oxLo; ox < oxHi; ox++) y[yr + ox] += v * x[xr + ox * sw];
    }
  });
  return y;
}

function inputGradKernel(g: Geometry, gy: FloatArray, wt: FloatArray): Float64Array {
  const gx = new Float64Array(g.n * g.c * g.h * g.w);
  const { w, sh, sw, ph, pw, ow } = g;
  forEachTap(g, (xo, yo, wi, oyLo, oyHi, oxLo, oxHi, ky, kx) => {
    const v = wt[wi];
    for (let oy = oyLo; oy < oyHi; oy++) {
      const xr = xo + (oy * sh + ky - ph) * w + kx - pw;
      const yr = yo + oy * ow;
      for (let ox = oxLo; ox < oxHi; ox++) gx[xr + ox * sw] += v * gy[yr + ox];
    }
  });
  return gx;
}

function weightGradKernel(g: Geometry, x: FloatArray, gy: FloatArray): Float64Array {
  const gw = new Float64Array(g.o * g.c * g.kh * g.kw);
  const { w, sh, sw, ph, pw, ow } = g;
  forEachTap(g, (xo, yo, wi, oyLo, oyHi, oxLo, oxHi, ky, kx) => {
    let s = 0;
    for (let oy = oyLo; oy < oyHi; oy++) {
      const xr = xo + (oy * sh + ky - ph) * w + kx - pw;
      const yr = yo + oy * ow;
      for (let ox = oxLo; ox < oxHi; ox++) s += gy[yr + ox] * x[xr + ox * sw];
    }
    gw[wi] += s;
  });
  return gw;
}

/**
 * 2-D cross-correlation (PyTorch's conv2d, no bias): input [N, C, H, W], weight [O, C, KH, KW]
 * → [N, O, OH, OW] with OH = ⌊(H + 2p − KH)/s⌋ + 1. Sums accumulate in float64.
 * Backward: `conv2dInputGrad` and `conv2dWeightGrad`, which are each other's and conv2d's
 * adjoints, so gradients of every order stay inside these three primitives.
 */
export function conv2d(input: Operand, weight: Operand, options: Conv2dOptions = {}): Tensor {
  const [x, wt] = asPair('conv2d', input, weight);
  const geo = geometry(x.shape, wt.shape, options);
  const y = forwardKernel(geo, x.data, wt.data);
  const out = new Tensor(toDtype(y, resultDtype(x.dtype, wt.dtype)), [geo.n, geo.o, geo.oh, geo.ow]);
  return record('conv2d', out, [x, wt], (g, needs) => [
    needs[0] ? conv2dInputGrad(g, wt, x.shape, options) : null,
    needs[1] ? conv2dWeightGrad(x, g, wt.shape, options) : null,
  ]);
}

/** The gradient of conv2d with respect to its input (a transposed convolution of `grad` by `weight`). */
export function conv2dInputGrad(
  grad: Tensor,
  weight: Tensor,
  inputShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const geo = geometry(inputShape, weight.shape, options);
  const data = toDtype(inputGradKernel(geo, grad.data, weight.data), resultDtype(grad.dtype, weight.dtype));
  return record('conv2dInputGrad', new Tensor(data, inputShape), [grad, weight], (gz, needs) => [
    needs[0] ? conv2d(gz, weight, options) : null,
    needs[1] ? conv2dWeightGrad(gz, grad, weight.shape, options) : null,
  ]);
}

/** The gradient of conv2d with respect to its weight (the correlation of `input` with `grad`). */
export function conv2dWeightGrad(
  input: Tensor,
  grad: Tensor,
  weightShape: readonly number[],
  options: Conv2dOptions = {},
): Tensor {
  const geo = geometry(input.shape, weightShape, options);
  const data = toDtype(weightGradKernel(geo, input.data, grad.data), resultDtype(input.dtype, grad.dtype));
  return record('conv2dWeightGrad', new Tensor(data, weightShape), [input, grad], (gz, needs) => [
    needs[0] ? conv2dInputGrad(grad, gz, input.shape, options) : null,
    needs[1] ? conv2d(input, gz, options) : null,
  ]);
}
