import type { ResidentSource } from '../../tensor/float-array.js';
import { registerSharedKernel } from '../threads/pool.js';
import { BlockStore } from './block-store.js';
import { fillSharedWasm } from './kernels.generated.js';
import { instantiateSharedWithMemory } from './module.js';

/**
 * The memory of resident arrays: one shared WebAssembly memory that several kernel modules
 * (float32.wat's losses, softmax.wat's cross-entropy, overlap.wat, triplet.wat, ctc.wat, and gemm.wat's
 * products and convolutions) are instantiated on, so that a float32 array allocated here
 * (`KernelArrays`, and an `Arena`'s float32 arrays) is read and written in place by any of them,
 * and by the thread pool's workers, which share it. Only a shared memory allows this: an ordinary one
 * detaches its views when it grows, and a resident array must stay valid.
 *
 * Memory management: blocks come from a BlockStore (first fit, merged when freed, reused);
 * WebAssembly memory cannot shrink, so the high-water mark is what the process keeps.
 */

/** The most memory resident arrays and the kernels' per-call blocks may use: 1 GiB. */
const MAX_BYTES = 1 << 30;
/** The memory's first size (the modules on it declare a minimum of 1 page). */
const INITIAL_PAGES = 1;

interface Shared {
  readonly memory: WebAssembly.Memory;
  readonly store: BlockStore;
  /** fill.wat's `zero` on this memory, or null where it did not instantiate. */
  readonly zero: ((at: number, bytes: number) => void) | null;
}

let shared: Shared | null | undefined;

/** The shared memory and its store; null where shared WebAssembly memory is unavailable. */
function sharedMemory(): Shared | null {
  if (shared === undefined) {
    shared = null;
    if (typeof WebAssembly === 'object' && typeof SharedArrayBuffer === 'function') {
      try {
        const memory = new WebAssembly.Memory({
          initial: INITIAL_PAGES,
          maximum: MAX_BYTES / 65536,
          shared: true,
        });
        const fill = instantiateSharedWithMemory<{ zero(at: number, bytes: number): void }>(
          fillSharedWasm,
          memory,
        );
        shared = { memory, store: new BlockStore(memory, MAX_BYTES), zero: fill?.exports.zero ?? null };
      } catch {
        // shared memory refused (a page without cross-origin isolation)
      }
    }
  }
  return shared;
}

/**
 * The resident memory (created on first use), for a module that runs on it on the calling thread
 * only; null where shared WebAssembly memory is unavailable.
 */
export function residentMemory(): WebAssembly.Memory | null {
  return sharedMemory()?.memory ?? null;
}

/** A module instantiated on the resident memory and registered with the thread pool. */
export interface ResidentModule<Exports> {
  readonly exports: Exports;
  readonly memory: WebAssembly.Memory;
  readonly store: BlockStore;
  /** Its index in the thread pool (`launch`). */
  readonly kernel: number;
}

/**
 * Instantiates the shared build of a module (`sharedBase64`, importing a shared memory) on the
 * resident memory and registers it with the thread pool (`names`: the exports workers call, by
 * index). Null where shared memory is unavailable or the module does not instantiate.
 */
export function loadResidentModule<Exports>(
  sharedBase64: string,
  names: readonly string[],
): ResidentModule<Exports> | null {
  const s = sharedMemory();
  if (s === null) return null;
  const loaded = instantiateSharedWithMemory<Exports>(sharedBase64, s.memory);
  if (loaded === null) return null;
  const kernel = registerSharedKernel({ module: loaded.module, memory: s.memory, names });
  return { exports: loaded.exports, memory: s.memory, store: s.store, kernel };
}

/** Arrays made by `allocateResidentArray` and not released: the only ones kernels read in place. */
const residentViews = new WeakSet<Float32Array>();

/**
 * A zero-filled float32 array of n values in the resident memory, or null where there is none
 * or it is full (1 GiB). It stays allocated until `releaseResidentArray`.
 */
export function allocateResidentArray(n: number): Float32Array | null {
  const s = sharedMemory();
  if (s === null) return null;
  const at = s.store.allocate(4 * n);
  if (at < 0) return null;
  const view = new Float32Array(s.memory.buffer, at, n);
  zeroResidentArray(view);
  residentViews.add(view);
  return view;
}

/**
 * Zeroes bytes [at, at + bytes) of the resident memory with `memory.fill`; false (nothing done)
 * where there is no resident memory or fill.wat did not instantiate.
 */
export function zeroResidentBytes(at: number, bytes: number): boolean {
  const zero = shared?.zero ?? null;
  if (zero === null) return false;
  zero(at, bytes);
  return true;
}

/**
 * Sets every value of a resident array to +0, with `memory.fill` (V8's `fill` on a shared memory
 * is about 10 times slower); any other array is filled as usual.
 */
export function zeroResidentArray(a: Float32Array): void {
  if (!residentViews.has(a) || !zeroResidentBytes(a.byteOffset, a.byteLength)) a.fill(0);
}

/** Gives back an array of `allocateResidentArray`; false (nothing done) for any other array. */
export function releaseResidentArray(a: Float32Array): boolean {
  const s = shared ?? null;
  if (s === null || !residentViews.has(a)) return false;
  residentViews.delete(a);
  s.store.release(a.byteOffset);
  return true;
}

/**
 * The resident memory as the arena (tensor/arena.ts, below this layer) takes its float32 arrays
 * from it: autograd/engine.ts registers it (`setResidentSource`) when it loads, so that a bundle
 * of a loss alone, which has no arena, leaves this allocator out.
 */
export const residentSource: ResidentSource = {
  allocate: allocateResidentArray,
  release: releaseResidentArray,
  zero: zeroResidentArray,
  isResident: (a) => isResidentArray(a),
};

/** Whether `a` was made by `allocateResidentArray` and not released. */
export function isResidentArray(a: ArrayLike<number>): a is Float32Array {
  return a instanceof Float32Array && residentViews.has(a);
}

/** Bytes of the resident memory in use, and its high-water mark (zeros where there is none). */
export function residentMemoryBytes(): { usedBytes: number; reservedBytes: number } {
  const s = shared ?? null;
  return s === null
    ? { usedBytes: 0, reservedBytes: 0 }
    : { usedBytes: s.store.usedBytes, reservedBytes: s.store.reservedBytes };
}

/**
 * A block of the resident memory that a kernel keeps between calls (chunk totals, per-row
 * areas), grown as needed: `ensure(bytes)` returns its offset, or -1 where the memory is full.
 */
export class ResidentBlock {
  private at = -1;
  private bytes = 0;

  constructor(private readonly store: BlockStore) {}

  ensure(bytes: number): number {
    if (this.at >= 0 && this.bytes >= bytes) return this.at;
    const at = this.store.allocate(bytes);
    if (at < 0) return -1;
    if (this.at >= 0) this.store.release(this.at);
    this.at = at;
    this.bytes = bytes;
    return at;
  }
}
