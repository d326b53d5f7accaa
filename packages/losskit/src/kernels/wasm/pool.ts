import { poolSharedWasm, poolWasm } from './kernels.generated.js';
import { instantiateScratch, instantiateSharedWithMemory } from './module.js';
import { isResidentArray, residentMemory } from './resident.js';

/**
 * The WebAssembly SIMD kernel of 2×2 max pooling with stride 2 on float32 planes (see pool.wat):
 * whole planes are copied into the module's memory a chunk at a time, the kernel writes each
 * window's maximum and its flat index, and this side copies both out; resident arrays (an
 * Arena's) are pooled where they are, in one call, with no copy. In JavaScript the window's
 * comparisons are branches that mispredict about half the time on real activations (3.4 ms for
 * 64 × 16 planes of 26 × 26); the kernel has none.
 */

/** Input values per chunk (256 KiB: as many whole planes as fit). */
const CAPACITY = 65536;
/** Output windows per chunk at most: a quarter of the input. */
const OUTPUTS = CAPACITY / 4;

/** pool.wat's functions: `planes` planes of h × w at byte x, maxima at byte out, indices at byte idx. */
type PoolFunction = (
  planes: number,
  h: number,
  w: number,
  oh: number,
  ow: number,
  base: number,
  x: number,
  out: number,
  idx: number,
) => void;

interface PoolExports {
  readonly maxPool2x2: PoolFunction;
  readonly maxUnpool2x2: PoolFunction;
}

/** Bytes of the scratch instance's regions: the planes, the maxima, the indices (6 pages). */
const INPUT_AT = 0;
const MAXIMA_AT = 4 * CAPACITY;
const INDICES_AT = 4 * (CAPACITY + OUTPUTS);
const SCRATCH_PAGES = (4 * (CAPACITY + 2 * OUTPUTS)) / 65536;

/** The instance on an ordinary memory of its own, with views of its regions. */
interface PoolKernel {
  readonly exports: PoolExports;
  readonly input: Float32Array;
  readonly maxima: Float32Array;
  readonly indices: Int32Array;
}

let scratch: PoolKernel | null | undefined;

function kernel(): PoolKernel | null {
  if (scratch === undefined) {
    const loaded = instantiateScratch<PoolExports>(poolWasm, SCRATCH_PAGES);
    scratch =
      loaded === null
        ? null
        : {
            exports: loaded.exports,
            input: new Float32Array(loaded.buffer, INPUT_AT, CAPACITY),
            maxima: new Float32Array(loaded.buffer, MAXIMA_AT, OUTPUTS),
            indices: new Int32Array(loaded.buffer, INDICES_AT, OUTPUTS),
          };
  }
  return scratch;
}

let resident: PoolExports | null | undefined;

/** The instance on the resident memory, or null where there is none. */
function residentKernel(): PoolExports | null {
  if (resident === undefined) {
    const memory = residentMemory();
    resident =
      memory === null
        ? null
        : (instantiateSharedWithMemory<PoolExports>(poolSharedWasm, memory)?.exports ?? null);
  }
  return resident;
}

/**
 * The resident instance where every array is resident (`indexStore` the float32 array `index`
 * views) and the sides allow the kernel (as `eachPlaneChunk`); else null: the chunked copies.
 */
function inPlace(
  arrays: readonly Float32Array[],
  index: Int32Array,
  indexStore: Float32Array | null,
  h: number,
  w: number,
  length: number,
): PoolExports | null {
  if (indexStore === null || index.byteOffset !== indexStore.byteOffset || index.length > indexStore.length)
    return null;
  if (length >= 2 ** 31 || h < 2 || w < 2 || !isResidentArray(indexStore)) return null;
  for (const a of arrays) if (!isResidentArray(a)) return null;
  return residentKernel();
}

/**
 * Runs `step(k, first, count)` for consecutive chunks of whole planes (planes [first, first +
 * count), as many as fit the input region) of `planes` planes of h × w with `length` values in
 * all; false, with nothing run, where the kernel is unavailable, a plane is larger than a chunk,
 * a side is below 2, or there are 2^31 values or more.
 */
function eachPlaneChunk(
  planes: number,
  h: number,
  w: number,
  length: number,
  step: (k: PoolKernel, first: number, count: number) => void,
): boolean {
  const size = h * w;
  if (size > CAPACITY || length >= 2 ** 31 || h < 2 || w < 2) return false;
  const k = kernel();
  if (k === null) return false;
  const perChunk = Math.floor(CAPACITY / size);
  for (let first = 0; first < planes; first += perChunk) step(k, first, Math.min(perChunk, planes - first));
  return true;
}

/**
 * Max pooling of `planes` float32 planes of h × w (kernel 2, stride 2, floor mode) into `out`
 * (planes · ⌊h/2⌋ · ⌊w/2⌋ maxima) and `index` (the flat index in `x` of each, the window's first
 * maximum in row order, or its first NaN). Where x, out and `indexStore` (a float32 array that
 * `index` views, or null) are resident, the kernel runs on them where they are. False, with
 * nothing written, where WebAssembly SIMD is unavailable, a plane is larger than a chunk, or `x`
 * has 2^31 values or more; the caller then runs its JavaScript loop, which gives the same results.
 */
export function simdMaxPool2x2(
  x: Float32Array,
  planes: number,
  h: number,
  w: number,
  out: Float32Array,
  index: Int32Array,
  indexStore: Float32Array | null = null,
): boolean {
  const size = h * w;
  const windows = (h >> 1) * (w >> 1);
  const direct = inPlace([x, out], index, indexStore, h, w, x.length);
  if (direct !== null) {
    direct.maxPool2x2(planes, h, w, h >> 1, w >> 1, 0, x.byteOffset, out.byteOffset, index.byteOffset);
    return true;
  }
  return eachPlaneChunk(planes, h, w, x.length, (k, first, count) => {
    k.input.set(x.subarray(first * size, (first + count) * size));
    k.exports.maxPool2x2(count, h, w, h >> 1, w >> 1, first * size, INPUT_AT, MAXIMA_AT, INDICES_AT);
    const n = count * windows;
    out.set(k.maxima.subarray(0, n), first * windows);
    index.set(k.indices.subarray(0, n), first * windows);
  });
}

/**
 * The input gradient of `simdMaxPool2x2`: every value of `out` (planes of h × w, float32) written
 * once, `g` + 0 at each window's maximum `index[i]` (the flat index in the input, as the forward
 * wrote it) and +0 elsewhere: the bits of adding `g` onto a zero-filled gradient at the indices,
 * without the zero-fill and the scattered writes. Resident g, out and `indexStore` (as for the
 * forward) are read and written where they are. False, with nothing written, where the kernel
 * cannot run (as for the forward); the caller then scatters.
 */
export function simdMaxUnpool2x2(
  g: Float32Array,
  index: Int32Array,
  planes: number,
  h: number,
  w: number,
  out: Float32Array,
  indexStore: Float32Array | null = null,
): boolean {
  const size = h * w;
  const windows = (h >> 1) * (w >> 1);
  const direct = inPlace([g, out], index, indexStore, h, w, out.length);
  if (direct !== null) {
    direct.maxUnpool2x2(planes, h, w, h >> 1, w >> 1, 0, out.byteOffset, g.byteOffset, index.byteOffset);
    return true;
  }
  return eachPlaneChunk(planes, h, w, out.length, (k, first, count) => {
    const from = first * windows;
    const n = count * windows;
    k.maxima.set(g.subarray(from, from + n));
    k.indices.set(index.subarray(from, from + n));
    k.exports.maxUnpool2x2(count, h, w, h >> 1, w >> 1, first * size, INPUT_AT, MAXIMA_AT, INDICES_AT);
    out.set(k.input.subarray(0, count * size), first * size);
  });
}
