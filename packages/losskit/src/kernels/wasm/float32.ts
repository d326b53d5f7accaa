import { float32Wasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, embeddedKernel, type Loaded } from './module.js';

/**
 * WebAssembly SIMD kernels for float32 inputs of the common case of some losses (a reduced
 * value, no upstream array): value and gradient in one pass, in f32x4 arithmetic (polynomial
 * exp and log1p for the binary losses on logits; see float32.wat), with the loss sum in float64.
 * Accuracy against the float64 path: the value within 2e-6 relative (about 1e-7 in practice),
 * gradients within a few float32 ulps. They are not the JavaScript loop's bits.
 *
 * The module owns a fixed 192 KiB memory holding one chunk of the input, the target and the
 * gradient; each call copies chunks in, runs the kernel and copies the gradient out. Chunks are
 * small enough to stay in the L2 cache, so the copies cost little next to the arithmetic.
 * Elements past the last multiple of 4 are left to the caller (its JavaScript loop).
 *
 * Where float32's range would cost accuracy, the functions return null and the caller's float64
 * JavaScript loop recomputes everything: a gradient scale that is not 0 or a normal float32, or
 * a total that is infinite (an overflow: a squared residual above 3.4e38, a logit near
 * ±1.7e38) or below 1e-30 per element (where losses underflow: squared residuals below 1e-38,
 * e^−|x| below 2^−126, whose error, at most 1.2e-38 per element, is then no longer negligible).
 */

/** Elements per chunk: one 64 KiB region of the module's memory per array. */
const CHUNK = 16384;

interface Float32Exports {
  readonly memory: WebAssembly.Memory;
  bceWithLogits(n: number, scale: number): number;
  focalGamma2(n: number, scale: number, alphaPositive: number, alphaNegative: number): number;
  squaredError(n: number, scale2: number): number;
  huber(n: number, delta: number, scale: number, clip: number): number;
  allInUnitInterval(n: number): number;
  allFinite(n: number): number;
}

interface Float32Regions {
  readonly input: Float32Array;
  readonly target: Float32Array;
  readonly grad: Float32Array;
}

type LoadedKernels = Loaded<Float32Exports, Float32Regions>;

/** Below this many elements the JavaScript loop is as fast (copies and call overhead). */
export const SIMD_MIN_LENGTH = 256;

/** Totals below this per element may have lost accuracy to float32 underflow (see above). */
const MIN_TRUSTED_MEAN = 1e-30;

/** Whether v is 0 or a normal float32 (so that rounding it to float32 loses at most 2^−24). */
function normalFloat32(v: number): boolean {
  const a = Math.abs(v);
  return v === 0 || (a >= 2 ** -126 && a <= 3.4028234663852886e38);
}

// Null where SIMD is missing or compilation is refused: the callers keep their JavaScript loops.
// The module is under 4 KB (float32.test.ts checks), so browsers compile it on the main thread.
const kernels = embeddedKernel<Float32Exports, Float32Regions>(float32Wasm, (buffer) => ({
  input: new Float32Array(buffer, 0, CHUNK),
  target: new Float32Array(buffer, 4 * CHUNK, CHUNK),
  grad: new Float32Array(buffer, 8 * CHUNK, CHUNK),
}));

/** Whether the SIMD kernels run here (WebAssembly with SIMD, compilation allowed). */
export function simdAvailable(): boolean {
  return kernels() !== null;
}

/**
 * Runs `kernel` over [0, n4) in chunks, n4 the largest multiple of 4 ≤ x.length; returns the
 * float64 sum of the chunk totals and writes g[0, n4) when g is not null. Null when the total
 * is infinite or below MIN_TRUSTED_MEAN per element (float32 overflow or underflow).
 */
function chunked(
  k: LoadedKernels,
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  kernel: (n: number) => number,
): number | null {
  const n4 = x.length - (x.length % 4);
  let total = 0;
  const finite = eachChunk(0, n4, CHUNK, (from, n) => {
    copyIn(k.input, x, from, n);
    copyIn(k.target, y, from, n);
    total += kernel(n);
    if (total === Number.POSITIVE_INFINITY) return false;
    if (g !== null) copyOut(k.grad, n, g, from);
  });
  return finite && total >= MIN_TRUSTED_MEAN * n4 ? total : null;
}

/**
 * Σ binaryCrossEntropyWithLogits over the first n4 = x.length − x.length % 4 elements, with
 * g[i] = scale·(σ(xᵢ) − yᵢ) written for those; null where the SIMD kernels are unavailable or
 * float32's range does not suffice (see above).
 */
export function simdBceWithLogits(
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  scale: number,
): number | null {
  const k = kernels();
  if (k === null || !normalFloat32(scale)) return null;
  return chunked(k, x, y, g, (n) => k.exports.bceWithLogits(n, scale));
}

/**
 * Σ focal (logits, γ = 2) over the first n4 elements, as `simdBceWithLogits`; α_t is
 * alphaPositive·y + alphaNegative·(1 − y). Null where the SIMD kernels are unavailable or
 * float32's range does not suffice.
 */
export function simdFocalGamma2(
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  scale: number,
  alphaPositive: number,
  alphaNegative: number,
): number | null {
  const k = kernels();
  if (k === null || !normalFloat32(scale)) return null;
  return chunked(k, x, y, g, (n) => k.exports.focalGamma2(n, scale, alphaPositive, alphaNegative));
}

/**
 * Σ(xᵢ − yᵢ)² over the first n4 elements, with g[i] = scale2·(xᵢ − yᵢ) (f32x4 arithmetic, float64
 * sum: within a few float32 ulps of mse's JavaScript loop, not its bits). Null where the SIMD
 * kernels are unavailable or float32's range does not suffice (e.g. |xᵢ − yᵢ| > 1.8e19).
 */
export function simdSquaredError(
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  scale2: number,
): number | null {
  const k = kernels();
  if (k === null || !normalFloat32(scale2)) return null;
  return chunked(k, x, y, g, (n) => k.exports.squaredError(n, scale2));
}

/**
 * Σ huber(xᵢ − yᵢ; δ) over the first n4 elements, with g[i] = scale·clip(xᵢ − yᵢ, ±δ) (f32x4
 * arithmetic, float64 sum: within a few float32 ulps of huber's JavaScript loop, not its bits;
 * clipped gradients are the float64 ±|scale|·δ rounded once). Null where the SIMD kernels are
 * unavailable or float32's range does not suffice.
 */
export function simdHuber(
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  delta: number,
  scale: number,
): number | null {
  const k = kernels();
  if (k === null || !normalFloat32(scale)) return null;
  const clip = Math.abs(scale) * delta;
  return chunked(k, x, y, g, (n) => k.exports.huber(n, delta, scale, clip));
}

/** Copies x through the input region chunk by chunk while `check` (over n4 values) passes. */
function everyChunk(k: LoadedKernels, x: Float32Array, check: (n: number) => number): boolean {
  return eachChunk(0, x.length - (x.length % 4), CHUNK, (from, n) => {
    copyIn(k.input, x, from, n);
    return check(n) !== 0;
  });
}

/**
 * Whether every value of x lies in [0, 1] (NaN does not); null where the SIMD kernels are
 * unavailable. A fast probe for validation: the caller still reports the first offender itself.
 */
export function simdAllInUnitInterval(x: Float32Array): boolean | null {
  const k = kernels();
  if (k === null) return null;
  for (let i = x.length - (x.length % 4); i < x.length; i++) if (!(x[i] >= 0 && x[i] <= 1)) return false;
  return everyChunk(k, x, (n) => k.exports.allInUnitInterval(n));
}

/** Whether every value of x is finite; null where the SIMD kernels are unavailable. */
export function simdAllFinite(x: Float32Array): boolean | null {
  const k = kernels();
  if (k === null) return null;
  for (let i = x.length - (x.length % 4); i < x.length; i++) if (x[i] - x[i] !== 0) return false;
  return everyChunk(k, x, (n) => k.exports.allFinite(n));
}

/**
 * True when a SIMD probe shows every value of a large float32 array in [0, 1]: validation can
 * then skip its JavaScript scan (5× slower). False means "not shown", and the caller's own check
 * runs and names the offender.
 */
export function shownInUnitInterval(data: ArrayLike<number>): boolean {
  return (
    data instanceof Float32Array && data.length >= SIMD_MIN_LENGTH && simdAllInUnitInterval(data) === true
  );
}
