import { join, launch, registerSharedKernel, threadCount, workerCount } from '../threads/pool.js';
import { gemmSharedWasm, gemmWasm } from './kernels.generated.js';
import { growMemory, loadThreadedModule, type ThreadedModule } from './module.js';

/**
 * The WebAssembly SIMD matrix product on float32 operands (see gemm.wat): A and B are copied
 * into the module's memory as they are, packed there into panels (4 rows of op(A), 8 columns of
 * op(B), zero-padded) so that every transpose case reads contiguously, multiplied by a 4×8
 * register-blocked f32x4 micro-kernel, and C is copied out. Sums accumulate in float32, as
 * PyTorch's and TF.js's float32 products do: the error is at most (K + 1)·2^-24·Σ|a||b|, and
 * about 2e-7·Σ|a||b| in practice at K = 784 (the float64 loop's is 1e-8, its final rounding).
 *
 * The memory grows to fit the largest product seen, up to `MAX_BYTES`, and is kept (WebAssembly
 * memory cannot shrink); a larger product returns false and the caller's JavaScript loop
 * computes it.
 *
 * Threads: where shared WebAssembly memory works, the module's memory is shared with the thread
 * pool (kernels/threads/pool.ts) and a product of at least THREAD_MIN_WORK multiply-adds per
 * thread splits `multiply` by row panels of C: each thread computes whole rows with the same
 * operations in the same order, so C is bitwise the same for every thread count.
 */

/**
 * The most memory the module may hold (packed A and B, and the larger of the raw copies and C):
 * 64 MiB, enough for a [512, 4096] × [4096, 1024] product; the lab's and the benchmark's models use
 * about 1.3 MB.
 */
const MAX_BYTES = 64 * 1024 * 1024;

interface GemmExports {
  pack(src: number, dst: number, count: number, K: number, width: number, si: number, sk: number): void;
  multiply(M: number, K: number, N: number, ap: number, bp: number, c: number, accumulate: number): void;
}

/** The index of `multiply` among the names the pool's workers resolve (`MULTIPLY_NAMES`). */
const MULTIPLY = 0;
const MULTIPLY_NAMES = ['multiply'] as const;

/**
 * Multiply-adds per thread below which a product stays on one thread: waking a worker costs
 * some microseconds, about what 2^18 multiply-adds take.
 */
export const THREAD_MIN_WORK = 1 << 18;

interface Gemm extends ThreadedModule<GemmExports> {
  /** A view of the whole memory, re-created after it grows. */
  view: Float32Array;
}

let loaded: Gemm | null | undefined;

function kernel(): Gemm | null {
  if (loaded === undefined) {
    const m = loadThreadedModule<GemmExports>(
      gemmWasm,
      gemmSharedWasm,
      16,
      MAX_BYTES / 65536,
      MULTIPLY_NAMES,
      registerSharedKernel,
    );
    loaded = m === null ? null : { ...m, view: new Float32Array(m.memory.buffer) };
  }
  return loaded;
}

/** Whether the SIMD product can run here (WebAssembly with SIMD is available). */
export function simdGemmAvailable(): boolean {
  return kernel() !== null;
}

/** Threads a product of M·K·N multiply-adds over `panels` row panels uses (1 without the pool). */
function partsFor(k: Gemm, work: number, panels: number): number {
  if (k.kernel < 0) return 1;
  const parts = Math.min(threadCount(), panels, Math.floor(work / THREAD_MIN_WORK));
  return parts < 2 ? 1 : Math.min(parts, workerCount() + 1);
}

/** The module's memory as floats, at least `bytes` long (grown if needed); null past MAX_BYTES. */
function memoryOf(k: Gemm, bytes: number): Float32Array | null {
  const memory = k.memory;
  if (!growMemory(memory, bytes, MAX_BYTES)) return null;
  if (k.view.length * 4 !== memory.buffer.byteLength) k.view = new Float32Array(memory.buffer);
  return k.view;
}

/**
 * C rows = op(A)·op(B) over the packed operands, split into `parts` ranges of row panels: part 0
 * on this thread, the others on workers (or here, where a worker is not ready).
 */
function multiplyParts(
  k: Gemm,
  parts: number,
  M: number,
  K: number,
  N: number,
  bp: number,
  c: number,
  acc: number,
): void {
  const panels = (M + 3) >> 2;
  const panelBytes = 16 * K;
  const rowBytes = 4 * ((N + 7) & ~7);
  let launched = false;
  for (let p = 1; p < parts; p++) {
    const from = Math.floor((panels * p) / parts);
    const to = Math.floor((panels * (p + 1)) / parts);
    const ap = from * panelBytes;
    const cp = c + 4 * from * rowBytes;
    if (launch(p - 1, k.kernel, MULTIPLY, Math.min(M, 4 * to) - 4 * from, K, N, ap, bp, cp, acc))
      launched = true;
    else k.exports.multiply(Math.min(M, 4 * to) - 4 * from, K, N, ap, bp, cp, acc);
  }
  k.exports.multiply(Math.min(M, 4 * Math.floor(panels / parts)), K, N, 0, bp, c, acc);
  if (launched) join();
}

/**
 * c[co …] = op(a)·op(b), or += with `accumulate`, for one [M, K] × [K, N] block: op(a) is a's
 * [M, K] block at ao (stored [K, M] when `ta`), op(b) is b's [K, N] block at bo (stored [N, K]
 * when `tb`), c is [M, N] at co. Returns false (c untouched) where the kernel is unavailable or
 * the operands do not fit its memory; K = 0 is the caller's (nothing to multiply).
 */
export function simdGemm(
  a: Float32Array,
  ao: number,
  b: Float32Array,
  bo: number,
  c: Float32Array,
  co: number,
  M: number,
  K: number,
  N: number,
  ta: boolean,
  tb: boolean,
  accumulate = false,
): boolean {
  const k = kernel();
  if (k === null || M < 1 || K < 1 || N < 1) return false;
  const paddedM = (M + 3) & ~3;
  const paddedN = (N + 7) & ~7;
  // Layout (floats): packed A | packed B | scratch, where scratch holds the raw A and B while
  // they are packed and C afterwards.
  const packedB = paddedM * K;
  const scratch = packedB + K * paddedN;
  const rawB = scratch + M * K;
  const end = scratch + Math.max(M * K + K * N, paddedM * paddedN);
  const view = memoryOf(k, 4 * end);
  if (view === null) return false;
  view.set(a.subarray(ao, ao + M * K), scratch);
  view.set(b.subarray(bo, bo + K * N), rawB);
  // Rows of op(A): row i, column k at i·K + k, or k·M + i when transposed.
  k.exports.pack(4 * scratch, 0, M, K, 4, ta ? 1 : K, ta ? M : 1);
  // Columns of op(B): column j, row k at k·N + j, or j·K + k when transposed.
  k.exports.pack(4 * rawB, 4 * packedB, N, K, 8, tb ? K : 1, tb ? 1 : N);
  if (accumulate) {
    if (paddedN === N) view.set(c.subarray(co, co + M * N), scratch);
    else
      for (let i = 0; i < M; i++) view.set(c.subarray(co + i * N, co + (i + 1) * N), scratch + i * paddedN);
  }
  const parts = partsFor(k, M * K * N, paddedM >> 2);
  if (parts === 1) k.exports.multiply(M, K, N, 0, 4 * packedB, 4 * scratch, accumulate ? 1 : 0);
  else multiplyParts(k, parts, M, K, N, 4 * packedB, 4 * scratch, accumulate ? 1 : 0);
  if (paddedN === N) c.set(view.subarray(scratch, scratch + M * N), co);
  else
    for (let i = 0; i < M; i++) {
      const from = scratch + i * paddedN;
      c.set(view.subarray(from, from + N), co + i * N);
    }
  return true;
}
