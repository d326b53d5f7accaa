import { join, launch, registerSharedKernel, threadCount, workerCount } from '../threads/pool.js';
import { BlockStore } from './block-store.js';
import { adamSharedWasm, adamWasm } from './kernels.generated.js';
import { loadThreadedModule, type ThreadedModule } from './module.js';

/**
 * The Adam update as a WebAssembly SIMD kernel (see adam.wat), with the optimizer's moments
 * living in the kernel's memory for the optimizer's lifetime: a step copies the parameter and
 * its gradient in and the parameter out, and never the moments (two float64 arrays, four times
 * the bytes of a float32 parameter). Large parameters are split over the thread pool; each
 * value is computed by one thread with the same operations in the same order, so the result is
 * bitwise the same for every thread count, and the same as the JavaScript loop's.
 *
 * The moments are `Float64Array` views of the memory, which only a shared memory allows: an
 * ordinary WebAssembly memory detaches its views when it grows, a shared one never does. Where
 * shared memory is unavailable (a browser page without cross-origin isolation), or where
 * `FinalizationRegistry` is missing, `ResidentArrays.float64` returns null and the optimizer
 * keeps ordinary arrays and its JavaScript loop.
 *
 * Memory management: each owner (an optimizer) has a `ResidentArrays`; its blocks are freed when
 * the owner is garbage-collected (FinalizationRegistry) or when it calls `releaseAll` (on
 * loadState). Freed blocks are reused by later arrays, so a training run, or a program that
 * makes optimizers one after another, keeps the memory of the most it held at once.
 */

/** The most memory the moments and the copies may use: 1 GiB (Adam on 64 M parameters). */
const MAX_BYTES = 1 << 30;

interface AdamExports {
  adam32(n: number, p: number, g: number, m: number, v: number, scalars: number): void;
  adam64(n: number, p: number, g: number, m: number, v: number, scalars: number): void;
}

const NAMES = ['adam32', 'adam64'] as const;
const ADAM32 = 0;
const ADAM64 = 1;

/**
 * Parameters per thread below which an update stays on one thread: 2^15, about 100 µs of the
 * kernel (3 ns a parameter on the benchmark machine), against the 80–90 µs that waking a worker
 * costs there (see THREAD_MIN_WORK in gemm.ts).
 */
export const ADAM_MIN_PER_THREAD = 1 << 15;

interface AdamKernel extends ThreadedModule<AdamExports> {
  readonly store: BlockStore;
  /** Byte offset of the 7 scalars a call reads. */
  readonly scalars: number;
  /** The scalars' view. */
  readonly scalarView: Float64Array;
  /** The scratch block p and g are copied into (0 before the first call), and its size. */
  scratch: number;
  scratchBytes: number;
  /** Views of the whole memory, re-created after it grows. */
  f32: Float32Array;
  f64: Float64Array;
}

let loaded: AdamKernel | null | undefined;

function kernel(): AdamKernel | null {
  if (loaded === undefined) {
    const m = loadThreadedModule<AdamExports>(
      adamWasm,
      adamSharedWasm,
      1,
      MAX_BYTES / 65536,
      NAMES,
      registerSharedKernel,
    );
    if (m === null || m.kernel < 0) loaded = null;
    else {
      const store = new BlockStore(m.memory, MAX_BYTES);
      const scalars = store.allocate(56);
      loaded = {
        ...m,
        store,
        scalars,
        scalarView: new Float64Array(m.memory.buffer, scalars, 7),
        scratch: 0,
        scratchBytes: 0,
        f32: new Float32Array(m.memory.buffer),
        f64: new Float64Array(m.memory.buffer),
      };
    }
  }
  return loaded;
}

/** Whether new arrays go into the kernel's memory (tests turn it off to check the loops). */
let residentEnabled = true;

/** Turns resident arrays (and so the kernel) off or on for new buffers (tests only); returns the previous. */
export function setResidentArraysForTests(on: boolean): boolean {
  const previous = residentEnabled;
  residentEnabled = on;
  return previous;
}

/** Arrays made by `ResidentArrays.float64` (the only ones `simdAdam` takes as moments). */
const residentViews = new WeakSet<Float64Array>();

const registry =
  typeof FinalizationRegistry === 'function'
    ? new FinalizationRegistry<number[]>((offsets) => releaseOffsets(offsets))
    : null;

function releaseOffsets(offsets: number[]): void {
  const k = kernel();
  if (k !== null) for (const at of offsets) k.store.release(at);
  offsets.length = 0;
}

/**
 * The float64 arrays one owner keeps in the Adam kernel's memory: freed together when the owner
 * is garbage-collected, or at once by `releaseAll`.
 */
export class ResidentArrays {
  /** Offsets of this owner's blocks (the registry's held value: it must not refer to the owner). */
  private readonly offsets: number[] = [];

  constructor(owner: object) {
    registry?.register(owner, this.offsets);
    // Load the module now: registering it with the thread pool restarts a running pool, which
    // is cheaper before the first training step than in the middle of one.
    kernel();
  }

  /**
   * A zero-filled float64 array of `n` values in the kernel's memory, or null where the kernel,
   * shared memory or FinalizationRegistry is unavailable, or the memory is full.
   */
  float64(n: number): Float64Array | null {
    const k = kernel();
    if (k === null || registry === null || !residentEnabled) return null;
    // One value of padding when n is odd: the kernel takes two at a time.
    const padded = n + (n & 1);
    const at = k.store.allocate(8 * padded);
    if (at < 0) return null;
    this.offsets.push(at);
    new Float64Array(k.memory.buffer, at, padded).fill(0);
    const view = new Float64Array(k.memory.buffer, at, n);
    residentViews.add(view);
    return view;
  }

  /** Frees every array of this owner now; they must not be used afterwards. */
  releaseAll(): void {
    releaseOffsets(this.offsets);
  }
}

/** Whether `a` lives in the kernel's memory (made by `ResidentArrays.float64`). */
export function isResident(a: Float64Array): boolean {
  return residentViews.has(a);
}

/** Bytes of the kernel's memory in use and kept (tests and reports); zeros without the kernel. */
export function residentMemory(): { usedBytes: number; reservedBytes: number } {
  const k = loaded ?? null;
  return k === null
    ? { usedBytes: 0, reservedBytes: 0 }
    : { usedBytes: k.store.usedBytes, reservedBytes: k.store.reservedBytes };
}

/** Parameters copied in per call of the kernel (even; lowered by tests to exercise chunks). */
let chunk = 1 << 20;

/** Sets the chunk size (tests only; rounded up to even); returns the previous one. */
export function setAdamChunkForTests(n: number): number {
  const previous = chunk;
  chunk = Math.max(2, n + (n & 1));
  return previous;
}

/** The whole memory's views, re-created after a growth. */
function views(k: AdamKernel): void {
  const buffer = k.memory.buffer;
  if (k.f32.buffer.byteLength !== buffer.byteLength) {
    k.f32 = new Float32Array(buffer);
    k.f64 = new Float64Array(buffer);
  }
}

/** A scratch block of at least `bytes`, kept between calls; false where the memory is full. */
function scratchOf(k: AdamKernel, bytes: number): boolean {
  if (k.scratchBytes >= bytes) return true;
  if (k.scratch !== 0) k.store.release(k.scratch);
  const at = k.store.allocate(bytes);
  k.scratch = Math.max(at, 0);
  k.scratchBytes = at < 0 ? 0 : bytes;
  return at >= 0;
}

/**
 * Runs `fn` over n parameters (n even) at the given byte offsets: on this thread, or split into
 * ranges of pairs over the pool when there are at least ADAM_MIN_PER_THREAD per thread.
 */
function run(
  k: AdamKernel,
  fn: number,
  width: number,
  n: number,
  p: number,
  g: number,
  m: number,
  v: number,
): void {
  const f = fn === ADAM32 ? k.exports.adam32 : k.exports.adam64;
  const threads = Math.floor(n / ADAM_MIN_PER_THREAD);
  const parts = threads < 2 ? 1 : Math.min(threadCount(), threads, workerCount() + 1);
  if (parts < 2) {
    f(n, p, g, m, v, k.scalars);
    return;
  }
  const pairs = n >> 1;
  let launched = false;
  for (let part = 1; part < parts; part++) {
    const from = 2 * Math.floor((pairs * part) / parts);
    const count = 2 * Math.floor((pairs * (part + 1)) / parts) - from;
    const pp = p + width * from;
    const gp = g + width * from;
    const mp = m + 8 * from;
    const vp = v + 8 * from;
    if (launch(part - 1, k.kernel, fn, count, pp, gp, mp, vp, k.scalars)) launched = true;
    else f(count, pp, gp, mp, vp, k.scalars);
  }
  f(2 * Math.floor(pairs / parts), p, g, m, v, k.scalars);
  if (launched) join();
}

/**
 * One Adam step of parameter `p` with gradient `g` (both float32 or both float64) and moments
 * `m`, `v` made by `ResidentArrays.float64`, in place: the formula and the operation order of
 * optim/optimizers.ts's loops, with `l2` the L2 term added to the gradient (Adam's weight decay;
 * 0: none) and `shrink` the factor p is multiplied by first (AdamW's 1 − lr·decay; 1: none).
 * False, with nothing changed, where the kernel cannot run it (the caller's loop then does).
 */
export function simdAdam(
  p: Float32Array | Float64Array,
  g: Float32Array | Float64Array,
  m: Float64Array,
  v: Float64Array,
  b1: number,
  b2: number,
  eps: number,
  stepSize: number,
  correction2: number,
  l2: number,
  shrink: number,
): boolean {
  const k = kernel();
  const n = p.length;
  if (k === null || !residentViews.has(m) || !residentViews.has(v)) return false;
  if (g.length !== n || m.length !== n || v.length !== n) return false;
  const single = p instanceof Float32Array;
  if (single !== g instanceof Float32Array) return false;
  const width = single ? 4 : 8;
  const most = Math.min(chunk, n + (n & 1));
  if (!scratchOf(k, 2 * width * most)) return false;
  views(k);
  const s = k.scalarView;
  s[0] = b1;
  s[1] = b2;
  s[2] = eps;
  s[3] = stepSize;
  s[4] = correction2;
  s[5] = l2;
  s[6] = shrink;
  const memory = single ? k.f32 : k.f64;
  const pAt = k.scratch;
  const gAt = k.scratch + width * most;
  for (let from = 0; from < n; from += chunk) {
    const count = Math.min(chunk, n - from);
    memory.set(p.subarray(from, from + count), pAt / width);
    memory.set(g.subarray(from, from + count), gAt / width);
    run(
      k,
      single ? ADAM32 : ADAM64,
      width,
      count + (count & 1),
      pAt,
      gAt,
      m.byteOffset + 8 * from,
      v.byteOffset + 8 * from,
    );
    p.set(memory.subarray(pAt / width, pAt / width + count), from);
  }
  return true;
}
