import { SIMD_MIN_LENGTH } from '../kernels/wasm/float32.js';
import type { FloatArray } from '../tensor/index.js';
import type { FusedChecks } from './checks.js';

/**
 * The one float32 SIMD dispatch of the element-wise losses' common case (a reduced value, no
 * upstream array): float32 input, target and gradient of `SIMD_MIN_LENGTH` elements or more take
 * the WebAssembly SIMD kernel over the multiples of 4 and the JavaScript loop for the rest;
 * anything else, or a kernel that answers null (SIMD unavailable, float32's range not enough),
 * takes the JavaScript loop over everything.
 *
 * `checks`: the loss's declared checks when its SIMD kernel fuses them (it answers null on an
 * offender). After a SIMD pass they are absorbed for its elements (the tail is scanned); before
 * the JavaScript loop over everything they run.
 */
export function float32Dispatch(
  x: FloatArray,
  y: FloatArray,
  g: FloatArray | null,
  simd: ((x: Float32Array, y: Float32Array, g: Float32Array | null) => number | null) | null,
  js: (x: FloatArray, y: FloatArray, g: FloatArray | null) => number,
  checks: FusedChecks | null = null,
): number {
  if (
    simd !== null &&
    x.length >= SIMD_MIN_LENGTH &&
    x instanceof Float32Array &&
    y instanceof Float32Array &&
    (g === null || g instanceof Float32Array)
  ) {
    const head = simd(x, y, g);
    if (head !== null) {
      const n4 = x.length - (x.length % 4);
      checks?.absorb(n4);
      return head + js(x.subarray(n4), y.subarray(n4), g === null ? null : g.subarray(n4));
    }
  }
  checks?.run();
  return js(x, y, g);
}

/**
 * Whether `float32Dispatch` may take the SIMD kernel for these arrays (its length and type
 * test): what a loss whose SIMD kernel fuses checks gives as `fusesChecks`.
 */
export function float32SimdCandidate(x: FloatArray, y: FloatArray): boolean {
  return x.length >= SIMD_MIN_LENGTH && x instanceof Float32Array && y instanceof Float32Array;
}
