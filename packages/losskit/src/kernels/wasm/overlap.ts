import { join, launch, threadCount, workerCount } from '../threads/pool.js';
import { overlapSharedWasm, overlapWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, instantiateScratch } from './module.js';
import { isResidentArray, loadResidentModule, ResidentBlock, type ResidentModule } from './resident.js';

/**
 * WebAssembly SIMD kernels for the two passes of the overlap losses (dice, iou, bceDice, bceIou)
 * on float32 inputs: the sums Σpy, Σp, Σy over a group, which also tell whether every value lies
 * in [0, 1], then the gradient g += slope·y + offset over it, on probabilities or on logits
 * (p = σ(x)). See overlap.wat. The sums are f64x2 arithmetic: on probabilities they differ from
 * the JavaScript loop's only in their order, on logits by about 1e-15. The probability gradient
 * is f32x4 arithmetic, within (3|slope·y| + 2|offset|)·2^−24 of the exact value (a few float32
 * ulps); the logit gradient is float64, within the last float32 bit of the JavaScript loop.
 *
 * Ordinary arrays go through scratch regions of the module's own memory a chunk at a time
 * (copied in, the kernel runs, the gradient copied out), small enough to stay in the L2 cache.
 * Resident arrays (`KernelArrays`) in groups of a multiple of 4 elements are read and written in
 * place, and large groups are split over the thread pool: the sums by chunks, each chunk's sums
 * kept apart and added in chunk order here (as the scratch route adds them), the gradient by
 * ranges of elements. Results are bitwise the same for ordinary and resident arrays and for
 * every thread count.
 */

/** Elements per chunk: one 64 KiB region of the module's memory per array. */
const CHUNK = 16384;
/** Byte offsets of the scratch regions: p, y, g, one chunk's sums (24 bytes), the flag. */
const P_AT = 0;
const Y_AT = 4 * CHUNK;
const G_AT = 8 * CHUNK;
const SUMS_AT = 12 * CHUNK;
const FLAG_AT = SUMS_AT + 24;
const SCRATCH_PAGES = 4;

/** Elements per thread below which a resident group stays on one thread (see float32.ts). */
const OVERLAP_MIN_PER_THREAD = 1 << 17;

/** Export names the pool's workers call, by index. */
const NAMES = ['sumsChunks', 'overlapGradAdd', 'overlapGradSet', 'overlapGradLogitsAdd'] as const;
const SUMS_CHUNKS = 0;
const GRAD_ADD = 1;
const GRAD_SET = 2;
const GRAD_LOGITS_ADD = 3;

interface OverlapExports {
  sumsChunks(logits: number, p: number, y: number, n: number, sums: number, flag: number): void;
  overlapGradLogitsAdd(p: number, y: number, g: number, n: number, slope: number, offset: number): void;
  overlapGradAdd(y: number, g: number, n: number, slope: number, offset: number): void;
  overlapGradSet(y: number, g: number, n: number, slope: number, offset: number): void;
}

/** The instance for ordinary arrays, on an ordinary memory of its own (copies into it are fast). */
interface ScratchKernel {
  readonly exports: OverlapExports;
  readonly p: Float32Array;
  readonly y: Float32Array;
  readonly g: Float32Array;
  readonly sums: Float64Array;
  readonly flag: Int32Array;
}

/** The instance on the resident memory, with its chunk sums and flags. */
interface ResidentKernel extends ResidentModule<OverlapExports> {
  readonly sums: ResidentBlock;
  readonly flags: ResidentBlock;
}

/**
 * Below this many elements per group the JavaScript loops are as fast: each group pays for its
 * copies and calls (measured with `aggregate: 'sample'` on groups of 8 to 1024 elements, the
 * JavaScript loops win below about 100).
 */
export const OVERLAP_SIMD_MIN_LENGTH = 128;

let scratchLoaded: ScratchKernel | null | undefined;
let residentLoaded: ResidentKernel | null | undefined;

// Null where SIMD is missing or compilation is refused: the callers keep their JavaScript loops.
function kernels(): ScratchKernel | null {
  if (scratchLoaded === undefined) {
    const scratch = instantiateScratch<OverlapExports>(overlapWasm, SCRATCH_PAGES);
    scratchLoaded =
      scratch === null
        ? null
        : {
            exports: scratch.exports,
            p: new Float32Array(scratch.buffer, P_AT, CHUNK),
            y: new Float32Array(scratch.buffer, Y_AT, CHUNK),
            g: new Float32Array(scratch.buffer, G_AT, CHUNK),
            sums: new Float64Array(scratch.buffer, SUMS_AT, 3),
            flag: new Int32Array(scratch.buffer, FLAG_AT, 1),
          };
  }
  return scratchLoaded;
}

// Null where there is no resident memory (see resident.ts).
function residentKernel(): ResidentKernel | null {
  if (residentLoaded === undefined) {
    const m = kernels() === null ? null : loadResidentModule<OverlapExports>(overlapSharedWasm, NAMES);
    residentLoaded =
      m === null ? null : { ...m, sums: new ResidentBlock(m.store), flags: new ResidentBlock(m.store) };
  }
  return residentLoaded;
}

/** Whether this module runs on resident arrays here (loads it: see float32.ts's `residentKernelsAvailable`). */
export function overlapResidentAvailable(): boolean {
  return residentKernel() !== null;
}

/** Whether the overlap SIMD kernels run here (WebAssembly with SIMD, compilation allowed). */
export function overlapSimdAvailable(): boolean {
  return kernels() !== null;
}

/** The thread count for n elements of a resident group (1 below OVERLAP_MIN_PER_THREAD each). */
function partsFor(n: number): number {
  const enough = Math.floor(n / OVERLAP_MIN_PER_THREAD);
  return enough < 2 ? 1 : Math.min(threadCount(), enough, workerCount() + 1);
}

/** The resident kernel where every array is resident and n a positive multiple of 4, else null. */
function residentFor(n: number, ...arrays: (Float32Array | null)[]): ResidentKernel | null {
  if (n <= 0 || n % 4 !== 0) return null;
  for (const a of arrays) if (a !== null && !isResidentArray(a)) return null;
  return residentKernel();
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
  const r = residentFor(end - start, x, y);
  if (r !== null) {
    const inRange = residentSums(r, x, y, start, end - start, fromLogits, sums, at);
    if (inRange !== null) return inRange;
  }
  let inter = 0;
  let p = 0;
  let t = 0;
  let flagged = 0;
  eachChunk(start, end, CHUNK, (from, n) => {
    copyPadded(k.p, x, from, n, fromLogits ? NO_LOGIT : 0);
    const n4 = copyPadded(k.y, y, from, n);
    k.exports.sumsChunks(fromLogits ? 1 : 0, P_AT, Y_AT, n4, SUMS_AT, FLAG_AT);
    inter += k.sums[0];
    p += k.sums[1];
    t += k.sums[2];
    flagged |= k.flag[0];
  });
  sums[at] = inter;
  sums[at + 1] = p;
  sums[at + 2] = t;
  return flagged === 0;
}

/**
 * `simdOverlapSums` on resident arrays, n a positive multiple of 4: the chunks split over the
 * pool, each chunk's sums stored apart and added here in chunk order. Null where the memory
 * cannot hold the chunk sums (the caller then takes the scratch route).
 */
function residentSums(
  k: ResidentKernel,
  x: Float32Array,
  y: Float32Array,
  start: number,
  n: number,
  fromLogits: boolean,
  sums: Float64Array,
  at: number,
): boolean | null {
  const chunks = Math.ceil(n / CHUNK);
  const parts = Math.min(partsFor(n), chunks);
  const sumsAt = k.sums.ensure(24 * chunks);
  const flagsAt = k.flags.ensure(4 * parts);
  if (sumsAt < 0 || flagsAt < 0) return null;
  const logits = fromLogits ? 1 : 0;
  let launched = false;
  for (let part = parts - 1; part >= 0; part--) {
    const c0 = Math.floor((chunks * part) / parts);
    const count = Math.min(Math.floor((chunks * (part + 1)) / parts) * CHUNK, n) - c0 * CHUNK;
    const pAt = x.byteOffset + 4 * (start + c0 * CHUNK);
    const yAt = y.byteOffset + 4 * (start + c0 * CHUNK);
    const chunkSums = sumsAt + 24 * c0;
    const flag = flagsAt + 4 * part;
    if (part > 0 && launch(part - 1, k.kernel, SUMS_CHUNKS, logits, pAt, yAt, count, chunkSums, flag))
      launched = true;
    else k.exports.sumsChunks(logits, pAt, yAt, count, chunkSums, flag);
  }
  if (launched) join();
  const partial = new Float64Array(k.memory.buffer, sumsAt, 3 * chunks);
  let inter = 0;
  let p = 0;
  let t = 0;
  for (let c = 0; c < chunks; c++) {
    inter += partial[3 * c];
    p += partial[3 * c + 1];
    t += partial[3 * c + 2];
  }
  sums[at] = inter;
  sums[at + 1] = p;
  sums[at + 2] = t;
  const flags = new Int32Array(k.memory.buffer, flagsAt, parts);
  let flagged = 0;
  for (let part = 0; part < parts; part++) flagged |= flags[part];
  return flagged === 0;
}

/**
 * A gradient kernel (GRAD_ADD, GRAD_SET or GRAD_LOGITS_ADD) over [start, start + n) of resident
 * arrays in place, n a positive multiple of 4, split by ranges of multiples of 4 over the pool.
 */
function residentGrad(
  k: ResidentKernel,
  fn: number,
  x: Float32Array | null,
  y: Float32Array,
  g: Float32Array,
  start: number,
  n: number,
  slope: number,
  offset: number,
): void {
  const parts = partsFor(n);
  const quads = n / 4;
  let launched = false;
  for (let part = parts - 1; part >= 0; part--) {
    const from = start + 4 * Math.floor((quads * part) / parts);
    const count = start + 4 * Math.floor((quads * (part + 1)) / parts) - from;
    const yAt = y.byteOffset + 4 * from;
    const gAt = g.byteOffset + 4 * from;
    if (x !== null) {
      const pAt = x.byteOffset + 4 * from;
      if (part > 0 && launch(part - 1, k.kernel, fn, pAt, yAt, gAt, count, slope, offset)) launched = true;
      else k.exports.overlapGradLogitsAdd(pAt, yAt, gAt, count, slope, offset);
    } else if (part > 0 && launch(part - 1, k.kernel, fn, yAt, gAt, count, slope, offset)) launched = true;
    else if (fn === GRAD_SET) k.exports.overlapGradSet(yAt, gAt, count, slope, offset);
    else k.exports.overlapGradAdd(yAt, gAt, count, slope, offset);
  }
  if (launched) join();
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
  const r = residentFor(end - start, y, grad);
  if (r !== null) {
    residentGrad(r, gradIsZero ? GRAD_SET : GRAD_ADD, null, y, grad, start, end - start, slope, offset);
    return grad;
  }
  eachChunk(start, end, CHUNK, (from, n) => {
    const n4 = copyPadded(k.y, y, from, n);
    if (gradIsZero) k.exports.overlapGradSet(Y_AT, G_AT, n4, slope, offset);
    else {
      copyIn(k.g, grad, from, n);
      k.exports.overlapGradAdd(Y_AT, G_AT, n4, slope, offset);
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
  const r = residentFor(end - start, x, y, grad);
  if (r !== null) {
    // In place the kernel adds to grad, which holds zeros where gradIsZero says so.
    residentGrad(r, GRAD_LOGITS_ADD, x, y, grad, start, end - start, slope, offset);
    return grad;
  }
  eachChunk(start, end, CHUNK, (from, n) => {
    copyPadded(k.p, x, from, n);
    const n4 = copyPadded(k.y, y, from, n);
    // The kernel adds: zeros cost less to write than g to copy, and e^x dominates anyway.
    if (gradIsZero) k.g.fill(0, 0, n4);
    else copyIn(k.g, grad, from, n);
    k.exports.overlapGradLogitsAdd(P_AT, Y_AT, G_AT, n4, slope, offset);
    copyOut(k.g, n, grad, from);
  });
  return grad;
}
