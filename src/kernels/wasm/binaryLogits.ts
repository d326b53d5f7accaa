import { binaryLogitsWasm } from './kernels.generated.js';

/**
 * WebAssembly SIMD (f32x4) kernels for float32 binary losses on logits, reduced without an
 * upstream array: value and gradient in one pass (see binaryLogits.wat for the arithmetic).
 *
 * The module owns a fixed 192 KiB memory holding one chunk of the input, the target and the
 * gradient; each call copies chunks in, runs the kernel and copies the gradient out. Chunks are
 * small enough to stay in the L2 cache, so the copies cost little next to the exp and log1p.
 * Elements past the last multiple of 4 are left to the caller (its JavaScript loop).
 */

/** Elements per chunk: one 64 KiB region of the module's memory per array. */
const CHUNK = 16384;

interface BinaryLogitsExports {
  readonly memory: WebAssembly.Memory;
  bceWithLogits(n: number, scale: number): number;
  focalGamma2(n: number, scale: number, alphaPositive: number, alphaNegative: number): number;
}

interface LoadedKernels {
  readonly exports: BinaryLogitsExports;
  readonly input: Float32Array;
  readonly target: Float32Array;
  readonly grad: Float32Array;
}

/** Below this many elements the JavaScript loop is as fast (copies and call overhead). */
export const SIMD_MIN_LENGTH = 256;

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function load(): LoadedKernels | null {
  if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
  const bytes = decodeBase64(binaryLogitsWasm);
  // validate() is false where SIMD is missing: the callers keep their JavaScript loops.
  if (!WebAssembly.validate(bytes)) return null;
  try {
    // Synchronous compilation: the module is 1.5 KB, under the 4 KB browsers allow on the main thread.
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const exports = instance.exports as unknown as BinaryLogitsExports;
    const buffer = exports.memory.buffer;
    return {
      exports,
      input: new Float32Array(buffer, 0, CHUNK),
      target: new Float32Array(buffer, 4 * CHUNK, CHUNK),
      grad: new Float32Array(buffer, 8 * CHUNK, CHUNK),
    };
  } catch {
    return null; // e.g. a content security policy without 'wasm-unsafe-eval'
  }
}

let loaded: LoadedKernels | null | undefined;

function kernels(): LoadedKernels | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** Whether the SIMD kernels run here (WebAssembly with SIMD, compilation allowed). */
export function simdAvailable(): boolean {
  return kernels() !== null;
}

/**
 * Runs `kernel` over [0, n4) in chunks, n4 the largest multiple of 4 ≤ x.length; returns the
 * float64 sum of the chunk totals and writes g[0, n4) when g is not null.
 */
function chunked(
  k: LoadedKernels,
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  kernel: (n: number) => number,
): number {
  const n4 = x.length - (x.length % 4);
  let total = 0;
  for (let start = 0; start < n4; start += CHUNK) {
    const end = Math.min(start + CHUNK, n4);
    const n = end - start;
    k.input.set(x.subarray(start, end));
    k.target.set(y.subarray(start, end));
    total += kernel(n);
    if (g !== null) g.set(n === CHUNK ? k.grad : k.grad.subarray(0, n), start);
  }
  return total;
}

/**
 * Σ binaryCrossEntropyWithLogits over the first n4 = x.length − x.length % 4 elements, with
 * g[i] = scale·(σ(xᵢ) − yᵢ) written for those; null where the SIMD kernels are unavailable.
 */
export function simdBceWithLogits(
  x: Float32Array,
  y: Float32Array,
  g: Float32Array | null,
  scale: number,
): number | null {
  const k = kernels();
  if (k === null) return null;
  return chunked(k, x, y, g, (n) => k.exports.bceWithLogits(n, scale));
}

/**
 * Σ focal (logits, γ = 2) over the first n4 elements, as `simdBceWithLogits`; α_t is
 * alphaPositive·y + alphaNegative·(1 − y). Null where the SIMD kernels are unavailable.
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
  if (k === null) return null;
  return chunked(k, x, y, g, (n) => k.exports.focalGamma2(n, scale, alphaPositive, alphaNegative));
}
