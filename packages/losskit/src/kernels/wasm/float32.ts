import { join, launch, threadCount, workerCount } from '../threads/pool.js';
import { float32SharedWasm, float32Wasm } from './kernels.generated.js';
import { copyIn, copyOut, instantiateScratch } from './module.js';
import { isResidentArray, loadResidentModule, ResidentBlock, type ResidentModule } from './resident.js';

/**
 * WebAssembly SIMD kernels for float32 inputs of the common case of some losses (a reduced
 * value, no upstream array): value and gradient in one pass, in f32x4 arithmetic (polynomial
 * exp and log1p for the binary losses on logits; see float32.wat), with the loss sum in float64.
 * Accuracy against the float64 path: the value within 2e-6 relative (about 1e-7 in practice),
 * gradients within a few float32 ulps. They are not the JavaScript loop's bits.
 *
 * Ordinary arrays go through 64 KiB scratch regions of the module's memory a chunk at a time
 * (copied in, the kernel runs, the gradient copied out): chunks small enough to stay in the L2
 * cache. Resident arrays (`KernelArrays`: float32 arrays in resident.ts's shared memory, which
 * the module's second instance runs on) are read and written in place, with no copy, and large
 * ones are split over the thread pool by chunks. Every chunk's total is kept apart and
 * the totals are added in chunk order on the calling thread, so the value and the gradients are
 * bitwise the same for resident and ordinary arrays and for every thread count.
 * Elements past the last multiple of 4 are left to the caller (its JavaScript loop).
 *
 * Where float32's range would cost accuracy, the functions return null and the caller's float64
 * JavaScript loop recomputes everything: a gradient scale that is not 0 or a normal float32, or
 * a total that is infinite (an overflow: a squared residual above 3.4e38, a logit near
 * ±1.7e38) or below 1e-30 per element (where losses underflow: squared residuals below 1e-38,
 * e^−|x| below 2^−126, whose error, at most 1.2e-38 per element, is then no longer negligible).
 */

/** Elements per chunk: one 64 KiB scratch region per array. */
const CHUNK = 16384;
const CHUNK_BYTES = 4 * CHUNK;

/** Pages of the scratch memory (the regions and the totals), never grown. */
const SCRATCH_PAGES = 4;

/** The loss `chunks` computes (float32.wat). */
const BCE_WITH_LOGITS = 0;
const FOCAL_GAMMA2 = 1;
const SQUARED_ERROR = 2;
const HUBER = 3;

/** Export names the pool's workers call, by index. */
const NAMES = ['chunks'] as const;
const CHUNKS = 0;

interface Float32Exports {
  chunks(
    kind: number,
    x: number,
    y: number,
    g: number,
    n: number,
    totals: number,
    gMoves: number,
    a: number,
    b: number,
    c: number,
  ): void;
  allInUnitInterval(x: number, n: number): number;
  allFinite(x: number, n: number): number;
}

/**
 * The instance for ordinary arrays, on an ordinary memory of its own: copies into a shared
 * memory take V8 twice as long (relaxed per-word copies), so the scratch route never uses one.
 */
interface ScratchKernel {
  readonly exports: Float32Exports;
  /** Byte offsets of the input, target and gradient regions (the totals at 3 regions), and views. */
  readonly input: number;
  readonly target: number;
  readonly grad: number;
  readonly totals: number;
  readonly inputView: Float32Array;
  readonly targetView: Float32Array;
  readonly gradView: Float32Array;
  readonly totalsView: Float64Array;
}

/** The instance for resident arrays (resident.ts's shared memory, which the pool's workers share). */
interface ResidentKernel extends ResidentModule<Float32Exports> {
  /** The chunk totals' block, kept between calls. */
  readonly totals: ResidentBlock;
  /** A gradient block per part, for value-only calls (every chunk of a part writes over it). */
  readonly discards: ResidentBlock;
}

/** Below this many elements the JavaScript loop is as fast (copies and call overhead). */
export const SIMD_MIN_LENGTH = 256;

/**
 * Elements per thread below which a call on resident arrays stays on one thread: 2^17, about
 * 40 µs of squaredError (0.3 ns an element), above the 2–30 µs a launch and join cost.
 */
export const RESIDENT_MIN_PER_THREAD = 1 << 17;

/** Totals below this per element may have lost accuracy to float32 underflow (see above). */
const MIN_TRUSTED_MEAN = 1e-30;

/** Whether v is 0 or a normal float32 (so that rounding it to float32 loses at most 2^−24). */
function normalFloat32(v: number): boolean {
  const a = Math.abs(v);
  return v === 0 || (a >= 2 ** -126 && a <= 3.4028234663852886e38);
}

let scratchLoaded: ScratchKernel | null | undefined;
let residentLoaded: ResidentKernel | null | undefined;

// Null where SIMD is missing or compilation is refused: the callers keep their JavaScript loops.
// The module is under 4 KB (float32.test.ts checks), so browsers compile it on the main thread.
function kernel(): ScratchKernel | null {
  if (scratchLoaded === undefined) {
    const scratch = instantiateScratch<Float32Exports>(float32Wasm, SCRATCH_PAGES);
    scratchLoaded =
      scratch === null
        ? null
        : {
            exports: scratch.exports,
            input: 0,
            target: CHUNK_BYTES,
            grad: 2 * CHUNK_BYTES,
            totals: 3 * CHUNK_BYTES,
            inputView: new Float32Array(scratch.buffer, 0, CHUNK),
            targetView: new Float32Array(scratch.buffer, CHUNK_BYTES, CHUNK),
            gradView: new Float32Array(scratch.buffer, 2 * CHUNK_BYTES, CHUNK),
            totalsView: new Float64Array(scratch.buffer, 3 * CHUNK_BYTES, 1),
          };
  }
  return scratchLoaded;
}

// Null where shared WebAssembly memory is unavailable (see resident.ts) or SIMD is missing.
function residentKernel(): ResidentKernel | null {
  if (residentLoaded === undefined) {
    const m = kernel() === null ? null : loadResidentModule<Float32Exports>(float32SharedWasm, NAMES);
    residentLoaded =
      m === null ? null : { ...m, totals: new ResidentBlock(m.store), discards: new ResidentBlock(m.store) };
  }
  return residentLoaded;
}

/**
 * Whether resident arrays are worth making here: the loss kernels load on the resident memory
 * (shared WebAssembly memory and SIMD are available). Loads them, which registers them with the
 * thread pool (restarting a running pool, which is cheapest before a training loop starts).
 */
export function residentKernelsAvailable(): boolean {
  return residentKernel() !== null;
}

/** Whether the SIMD kernels run here (WebAssembly with SIMD, compilation allowed). */
export function simdAvailable(): boolean {
  return kernel() !== null;
}

/** A loss kernel's kind and scalars, as `chunks` takes them. */
interface LossCall {
  readonly kind: number;
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** The sum of the chunk totals, or null if it is infinite, NaN or below MIN_TRUSTED_MEAN per element. */
function trusted(total: number, n4: number): number | null {
  return total < Number.POSITIVE_INFINITY && total >= MIN_TRUSTED_MEAN * n4 ? total : null;
}

/**
 * Runs the loss over [0, n4) (n4 the largest multiple of 4 ≤ x.length) and returns the float64
 * sum of the chunk totals, writing g[0, n4) when g is not null: in place where every array is
 * resident, else through the scratch regions. Null as `trusted` says.
 */
function chunked(
  k: ScratchKernel,
  call: LossCall,
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
): number | null {
  const n4 = x.length - (x.length % 4);
  // The resident instance is loaded by `residentKernelsAvailable` (KernelArrays) before any
  // resident array exists; not loading it here keeps it out of bundles that never make one.
  const r = residentLoaded ?? null;
  if (r !== null && isResidentArray(x) && isResidentArray(y) && (g === null || isResidentArray(g)))
    return inPlace(r, k, call, x, y, g, n4);
  let total = 0;
  for (let from = 0; from < n4; from += CHUNK) {
    const n = Math.min(CHUNK, n4 - from);
    total += scratchChunk(k, call, x, y, g, from, n);
    if (total === Number.POSITIVE_INFINITY) return null;
  }
  return trusted(total, n4);
}

/** One chunk [from, from + n) through the scratch regions; returns its total. */
function scratchChunk(
  k: ScratchKernel,
  call: LossCall,
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  from: number,
  n: number,
): number {
  copyIn(k.inputView, x, from, n);
  copyIn(k.targetView, y, from, n);
  k.exports.chunks(call.kind, k.input, k.target, k.grad, n, k.totals, 1, call.a, call.b, call.c);
  if (g !== null) copyOut(k.gradView, n, g, from);
  return k.totalsView[0];
}

/**
 * `chunked` on resident arrays: the chunks whose length is a multiple of 16 (all but a ragged
 * last one, where the unrolled kernels would pad past the array) in place, split by chunks over
 * the pool when there are RESIDENT_MIN_PER_THREAD elements per thread; a ragged last chunk
 * through the scratch regions. The same chunks, kernels and order of sums as the scratch route.
 */
function inPlace(
  k: ResidentKernel,
  scratch: ScratchKernel,
  call: LossCall,
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  n4: number,
): number | null {
  const last = n4 % CHUNK;
  const direct = last % 16 === 0 ? n4 : n4 - last;
  const chunks = Math.ceil(direct / CHUNK);
  const totalsAt = k.totals.ensure(8 * chunks);
  if (totalsAt < 0) return null;
  const enough = Math.floor(direct / RESIDENT_MIN_PER_THREAD);
  const parts = enough < 2 ? 1 : Math.min(threadCount(), enough, workerCount() + 1, chunks);
  const discards = g === null ? k.discards.ensure(CHUNK_BYTES * parts) : 0;
  if (discards < 0) return null;
  let launched = false;
  for (let part = parts - 1; part >= 0; part--) {
    const c0 = Math.floor((chunks * part) / parts);
    const from = c0 * CHUNK;
    const count = Math.min(Math.floor((chunks * (part + 1)) / parts) * CHUNK, direct) - from;
    if (count <= 0) continue;
    const gAt = g === null ? discards + CHUNK_BYTES * part : g.byteOffset + 4 * from;
    const xAt = x.byteOffset + 4 * from;
    const yAt = y.byteOffset + 4 * from;
    const totals = totalsAt + 8 * c0;
    const moves = g === null ? 0 : 1;
    if (
      part > 0 &&
      launch(
        part - 1,
        k.kernel,
        CHUNKS,
        call.kind,
        xAt,
        yAt,
        gAt,
        count,
        totals,
        moves,
        call.a,
        call.b,
        call.c,
      )
    )
      launched = true;
    else k.exports.chunks(call.kind, xAt, yAt, gAt, count, totals, moves, call.a, call.b, call.c);
  }
  if (launched) join();
  let total = 0;
  const totals = new Float64Array(k.memory.buffer, totalsAt, chunks);
  for (let c = 0; c < chunks; c++) total += totals[c];
  if (direct < n4) total += scratchChunk(scratch, call, x, y, g, direct, n4 - direct);
  return trusted(total, n4);
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
  const k = kernel();
  if (k === null || !normalFloat32(scale)) return null;
  return chunked(k, { kind: BCE_WITH_LOGITS, a: scale, b: 0, c: 0 }, x, y, g);
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
  const k = kernel();
  if (k === null || !normalFloat32(scale)) return null;
  return chunked(k, { kind: FOCAL_GAMMA2, a: scale, b: alphaPositive, c: alphaNegative }, x, y, g);
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
  const k = kernel();
  if (k === null || !normalFloat32(scale2)) return null;
  return chunked(k, { kind: SQUARED_ERROR, a: scale2, b: 0, c: 0 }, x, y, g);
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
  const k = kernel();
  if (k === null || !normalFloat32(scale)) return null;
  return chunked(k, { kind: HUBER, a: delta, b: scale, c: Math.abs(scale) * delta }, x, y, g);
}

/**
 * Whether `check` passes over x[0, n4): in place for a resident array, else copied through the
 * input region chunk by chunk while it passes.
 */
function everyChunk(
  k: ScratchKernel,
  x: Float32Array,
  check: (exports: Float32Exports, at: number, n: number) => number,
): boolean {
  const n4 = x.length - (x.length % 4);
  const r = residentLoaded ?? null;
  if (r !== null && isResidentArray(x)) return n4 === 0 || check(r.exports, x.byteOffset, n4) !== 0;
  for (let from = 0; from < n4; from += CHUNK) {
    const n = Math.min(CHUNK, n4 - from);
    copyIn(k.inputView, x, from, n);
    if (check(k.exports, k.input, n) === 0) return false;
  }
  return true;
}

/**
 * Whether every value of x lies in [0, 1] (NaN does not); null where the SIMD kernels are
 * unavailable. A fast probe for validation: the caller still reports the first offender itself.
 */
export function simdAllInUnitInterval(x: Float32Array): boolean | null {
  const k = kernel();
  if (k === null) return null;
  for (let i = x.length - (x.length % 4); i < x.length; i++) if (!(x[i] >= 0 && x[i] <= 1)) return false;
  return everyChunk(k, x, (e, at, n) => e.allInUnitInterval(at, n));
}

/** Whether every value of x is finite; null where the SIMD kernels are unavailable. */
export function simdAllFinite(x: Float32Array): boolean | null {
  const k = kernel();
  if (k === null) return null;
  for (let i = x.length - (x.length % 4); i < x.length; i++) if (x[i] - x[i] !== 0) return false;
  return everyChunk(k, x, (e, at, n) => e.allFinite(at, n));
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
