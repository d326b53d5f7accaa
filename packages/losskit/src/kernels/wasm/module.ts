import type { FloatArray } from '../../tensor/float-array.js';

/**
 * The one loader and chunker of the embedded WebAssembly kernels (float32, activation, overlap, softmax,
 * triplet, gemm, pool, adam): each module is instantiated once, on first use, with views over
 * regions of its own memory; arrays longer than a region go through it a chunk at a time (copied
 * in, the kernel runs, results copied out), small enough to stay in the L2 cache.
 *
 * Layering: `tensor/float-array.ts` (FloatArray, allocate) is the bottom; `kernels/` imports
 * nothing else from `tensor/` (no Tensor: kernels take typed arrays), and `tensor/tensor.ts`
 * imports nothing from `kernels/`.
 */

/** Exports every kernel module has: its memory. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
}

/**
 * Synchronous instantiation of an embedded module (base64 text). Null where WebAssembly is
 * missing, where the module does not validate (no SIMD), or where compilation is refused (a
 * content security policy without 'wasm-unsafe-eval'). Modules stay under the 4 KB that browsers
 * compile synchronously on the main thread.
 */
export function instantiateEmbedded<Exports>(base64: string): Exports | null {
  const bytes = decode(base64);
  if (bytes === null) return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Exports;
  } catch {
    return null;
  }
}

function decode(base64: string): Uint8Array<ArrayBuffer> | null {
  if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return WebAssembly.validate(bytes) ? bytes : null;
}

/** A module that imports its memory ("env" "memory"), instantiated with `memory`; null if refused. */
function instantiateWith<Exports>(
  bytes: Uint8Array<ArrayBuffer>,
  memory: WebAssembly.Memory,
): { exports: Exports; module: WebAssembly.Module } | null {
  try {
    const module = new WebAssembly.Module(bytes);
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
    return { exports, module };
  } catch {
    return null;
  }
}

/**
 * Instantiates an embedded module that imports its memory ("env" "memory") on a new ordinary
 * memory of `pages` pages that never grows (so views of it stay valid): its exports and that
 * memory's buffer, or null where WebAssembly, SIMD or compilation is unavailable. The scratch
 * instance of a kernel module: copies into an ordinary memory are twice as fast as into a shared
 * one in V8 (relaxed per-word copies there).
 */
export function instantiateScratch<Exports>(
  base64: string,
  pages: number,
): { exports: Exports; buffer: ArrayBuffer } | null {
  if (typeof WebAssembly !== 'object') return null;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const bytes = decode(base64);
  const loaded = bytes === null ? null : instantiateWith<Exports>(bytes, memory);
  return loaded === null ? null : { exports: loaded.exports, buffer: memory.buffer };
}

/**
 * Instantiates the shared build of an embedded module (importing a shared memory) with `memory`;
 * its exports and compiled module (for the thread pool's workers), or null where it cannot run.
 */
export function instantiateSharedWithMemory<Exports>(
  base64: string,
  memory: WebAssembly.Memory,
): { exports: Exports; module: WebAssembly.Module } | null {
  const bytes = decode(base64);
  return bytes === null ? null : instantiateWith<Exports>(bytes, memory);
}

/** A module loaded by `loadThreadedModule`: its exports, its memory and its pool index. */
export interface ThreadedModule<Exports> {
  readonly exports: Exports;
  readonly memory: WebAssembly.Memory;
  /** Its index in the thread pool (`launch`), or -1 where it runs on the calling thread only. */
  readonly kernel: number;
}

/**
 * Loads a module that imports its memory, in two builds (see scripts/build-wasm.mjs): the shared
 * one (`sharedBase64`, memory of `pages` to `maxPages` pages, shared) where shared memory works,
 * registered with the thread pool so that workers run its functions (`names`, by index) on the
 * same memory; else the ordinary one on an ordinary memory. Null where neither instantiates.
 */
export function loadThreadedModule<Exports>(
  base64: string,
  sharedBase64: string,
  pages: number,
  maxPages: number,
  names: readonly string[],
  register: (kernel: {
    module: WebAssembly.Module;
    memory: WebAssembly.Memory;
    names: readonly string[];
  }) => number,
): ThreadedModule<Exports> | null {
  const shared = decode(sharedBase64);
  if (shared !== null && typeof SharedArrayBuffer === 'function') {
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: maxPages, shared: true });
      const loaded = instantiateWith<Exports>(shared, memory);
      if (loaded !== null)
        return {
          exports: loaded.exports,
          memory,
          kernel: register({ module: loaded.module, memory, names }),
        };
    } catch {
      // shared memory refused (no cross-origin isolation): the ordinary build below
    }
  }
  const plain = decode(base64);
  if (plain === null) return null;
  const memory = new WebAssembly.Memory({ initial: pages, maximum: maxPages });
  const loaded = instantiateWith<Exports>(plain, memory);
  return loaded === null ? null : { exports: loaded.exports, memory, kernel: -1 };
}

/** A loaded module: its exports and the views `regions` made over its memory. */
export type Loaded<Exports extends KernelExports, Regions> = Regions & { readonly exports: Exports };

/**
 * The memoised loader of an embedded module: the first call instantiates it and makes the views
 * of `regions` over its memory buffer; later calls return the same object (null, every time,
 * where the module cannot run here: the callers keep their JavaScript loops).
 */
export function embeddedKernel<Exports extends KernelExports, Regions extends object>(
  base64: string,
  regions: (buffer: ArrayBuffer) => Regions,
): () => Loaded<Exports, Regions> | null {
  let loaded: Loaded<Exports, Regions> | null | undefined;
  return () => {
    if (loaded === undefined) {
      const exports = instantiateEmbedded<Exports>(base64);
      loaded = exports === null ? null : { ...regions(exports.memory.buffer), exports };
    }
    return loaded;
  };
}

/**
 * Grows `memory` to at least `bytes` (whole 64 KiB pages); false where that is above `maxBytes`
 * or the engine refuses. Views over the old buffer are detached by a growth: re-create them.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number, maxBytes: number): boolean {
  if (bytes > maxBytes) return false;
  const have = memory.buffer.byteLength;
  if (have >= bytes) return true;
  try {
    memory.grow(Math.ceil((bytes - have) / 65536));
    return true;
  } catch {
    return false;
  }
}

/**
 * Calls `step(from, n)` for the consecutive chunks [from, from + n) of [start, end), n at most
 * `size`; stops at the first step that returns false, and then returns false (else true).
 */
export function eachChunk(
  start: number,
  end: number,
  size: number,
  step: (from: number, n: number) => unknown,
): boolean {
  for (let from = start; from < end; from += size)
    if (step(from, Math.min(size, end - from)) === false) return false;
  return true;
}

/** region[0, n) = source[from, from + n). */
export function copyIn(region: Float32Array, source: Float32Array, from: number, n: number): void {
  region.set(source.subarray(from, from + n));
}

/** target[at, at + n) = region[0, n) (the whole region without a new view when n fills it). */
export function copyOut(region: Float32Array, n: number, target: FloatArray, at: number): void {
  target.set(n === region.length ? region : region.subarray(0, n), at);
}
