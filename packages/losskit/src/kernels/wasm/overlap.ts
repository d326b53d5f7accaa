import { overlapWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, embeddedKernel } from './module.js';

/**
 * WebAssembly SIMD kernels for the two passes of the overlap losses (dice, iou, bceDice, bceIou)
 * on float32 inputs: the sums Σpy, Σp, Σy over a group, which also tell whether every value lies
 * in [0, 1], then the gradient g += slope·y + offset over it, on probabilities or on logits
 * (p = σ(x)). See overlap.wat. The sums are f64x2 arithmetic: on probabilities they differ from
 * the JavaScript loop's only in their order, on logits by about 1e-15. The probability gradient
 * is f32x4 arithmetic, within (3|slope·y| + 2|offset|)·2^−24 of the exact value (a few float32
 * ulps); the logit gradient is float64, within the last float32 bit of the JavaScript loop.
 *
 * The module owns a fixed 256 KiB memory holding one chunk of p, y and g and the three sums;
 * each call copies chunks in, runs the kernel and copies the gradient out. Chunks are small
 * enough to stay in the L2 cache, so the copies cost less than the JavaScript loops they replace.
 */

/** Elements per chunk: one 64 KiB region of the module's memory per array. */
const CHUNK = 16384;
/** Byte offset of the three float64 sums. */
const SUMS_OFFSET = 3 * 4 * CHUNK;

interface OverlapExports {
  readonly memory: WebAssembly.Memory;
  overlapSums(n: number): number;
  overlapSumsLogits(n: number): number;
  overlapGradLogitsAdd(n: number, slope: number, offset: number): void;
  overlapGradAdd(n: number, slope: number, offset: number): void;
  overlapGradSet(n: number, slope: number, offset: number): void;
}

interface OverlapRegions {
  readonly p: Float32Array;
  readonly y: Float32Array;
  readonly g: Float32Array;
  readonly sums: Float64Array;
}

/**
 * Below this many elements per group the JavaScript loops are as fast: each group pays for its
 * copies and calls (measured with `aggregate: 'sample'` on groups of 8 to 1024 elements, the
 * JavaScript loops win below about 100).
 */
export const OVERLAP_SIMD_MIN_LENGTH = 128;

// Null where SIMD is missing or compilation is refused: the callers keep their JavaScript loops.
const kernels = embeddedKernel<OverlapExports, OverlapRegions>(overlapWasm, (buffer) => ({
  p: new Float32Array(buffer, 0, CHUNK),
  y: new Float32Array(buffer, 4 * CHUNK, CHUNK),
  g: new Float32Array(buffer, 8 * CHUNK, CHUNK),
  sums: new Float64Array(buffer, SUMS_OFFSET, 3),
}));

/** Whether the overlap SIMD kernels run here (WebAssembly with SIMD, compilation allowed). */
export function overlapSimdAvailable(): boolean {
  return kernels() !== null;
}

/** A logit whose σ is 0 in the kernels: pads the logits, as 0 pads probabilities. */
const NO_LOGIT = -1e30;

/**
 * Copies `source[from, from + n)` into `region` and fills the region with `pad` up to the next
 * multiple of 4; returns that multiple (the kernels work on whole f32x4).
 */
function copyPadded(region: Float32Array, source: Float32Array, from: number, n: number, pad = 0): number {
  copyIn(region, source, from, n);
  const n4 = (n + 3) & ~3;
  if (n4 !== n) region.fill(pad, n, n4);
  return n4;
}

/**
 * Writes Σpᵢyᵢ, Σpᵢ, Σyᵢ over i in [start, end) to sums[at], sums[at + 1], sums[at + 2] (float64),
 * with p = x or, `fromLogits`, σ(x). Returns true when every yᵢ, and every xᵢ unless `fromLogits`,
 * lies in [+0, 1]; false when one may not (NaN, ±Infinity, a value outside [0, 1], or −0, which
 * the kernels cannot tell from a negative number: the caller then runs its own check, which
 * names the offender); null where the SIMD kernels are unavailable.
 */
export function simdOverlapSums(
  x: Float32Array,
  y: Float32Array,
  start: number,
  end: number,
  fromLogits: boolean,
  sums: Float64Array,
  at = 0,
): boolean | null {
  const k = kernels();
  if (k === null) return null;
  k.sums.fill(0);
  let flagged = 0;
  eachChunk(start, end, CHUNK, (from, n) => {
    copyPadded(k.p, x, from, n, fromLogits ? NO_LOGIT : 0);
    const n4 = copyPadded(k.y, y, from, n);
    flagged |= fromLogits ? k.exports.overlapSumsLogits(n4) : k.exports.overlapSums(n4);
  });
  sums[at] = k.sums[0];
  sums[at + 1] = k.sums[1];
  sums[at + 2] = k.sums[2];
  return flagged === 0;
}

/**
 * grad[i] += slope·yᵢ + offset for i in [start, end), in float32 arithmetic with slope and
 * offset rounded to float32: within (3|slope·yᵢ| + 2|offset|)·2^−24 of the exact term, plus the
 * rounding of the sum when adding. `gradIsZero`: grad holds zeros there, so the kernel writes
 * without reading it (one copy less). Returns grad; null where the SIMD kernels are unavailable.
 */
export function simdAddOverlapGrad(
  y: Float32Array,
  start: number,
  end: number,
  slope: number,
  offset: number,
  grad: Float32Array,
  gradIsZero: boolean,
): Float32Array | null {
  const k = kernels();
  if (k === null) return null;
  eachChunk(start, end, CHUNK, (from, n) => {
    const n4 = copyPadded(k.y, y, from, n);
    if (gradIsZero) k.exports.overlapGradSet(n4, slope, offset);
    else {
      copyIn(k.g, grad, from, n);
      k.exports.overlapGradAdd(n4, slope, offset);
    }
    copyOut(k.g, n, grad, from);
  });
  return grad;
}

/**
 * grad[i] += (slope·yᵢ + offset)·σ(xᵢ)σ(−xᵢ) for i in [start, end) (the logits' chain rule),
 * within the last float32 bit of the JavaScript loop; `gradIsZero` as for
 * `simdAddOverlapGrad`. Returns grad; null where the SIMD kernels are unavailable.
 */
export function simdAddLogitOverlapGrad(
  x: Float32Array,
  y: Float32Array,
  start: number,
  end: number,
  slope: number,
  offset: number,
  grad: Float32Array,
  gradIsZero: boolean,
): Float32Array | null {
  const k = kernels();
  if (k === null) return null;
  eachChunk(start, end, CHUNK, (from, n) => {
    copyPadded(k.p, x, from, n);
    const n4 = copyPadded(k.y, y, from, n);
    // The kernel adds: zeros cost less to write than g to copy, and e^x dominates anyway.
    if (gradIsZero) k.g.fill(0, 0, n4);
    else copyIn(k.g, grad, from, n);
    k.exports.overlapGradLogitsAdd(n4, slope, offset);
    copyOut(k.g, n, grad, from);
  });
  return grad;
}
