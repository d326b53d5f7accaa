import { join, launch, registerSharedKernel, threadCount, workerCount } from '../threads/pool.js';
import { gemmSharedWasm, gemmWasm } from './kernels.generated.js';
import { growMemory, loadThreadedModule, type ThreadedModule } from './module.js';
import { isResidentArray, loadResidentModule, ResidentBlock, zeroResidentBytes } from './resident.js';

/**
 * The WebAssembly SIMD matrix product on float32 operands (see gemm.wat): A and B are copied
 * into the module's memory as they are, packed there into panels (4 rows of op(A), 8 columns of
 * op(B), zero-padded) so that every transpose case reads contiguously, multiplied by a 4×8
 * register-blocked f32x4 micro-kernel, and C is copied out. Sums accumulate in float32, as
 * PyTorch's and TF.js's float32 products do: the error is at most (K + 1)·2^-24·Σ|a||b|, and
 * about 2e-7·Σ|a||b| in practice at K = 784 (the float64 loop's is 1e-8, its final rounding).
 *
 * The memory grows to fit the largest product seen, up to `MAX_BYTES`, and is kept (WebAssembly
 * memory cannot shrink); a larger product returns false, and `simdGemmTiled` computes it in
 * tiles that fit.
 *
 * Memory: where shared WebAssembly memory works, the module runs on the resident memory
 * (resident.ts) and lays a call's operands out in a block of it (`reserve`), kept and grown
 * between calls; operands that are resident arrays themselves (`KernelArrays`, an `Arena`'s
 * float32 arrays) are read, and results written, where they are, with no copy. Elsewhere it has
 * an ordinary memory of its own and lays calls out from offset 0.
 *
 * Threads: where shared WebAssembly memory works, the memory is shared with the thread
 * pool (kernels/threads/pool.ts) and a product of at least THREAD_MIN_WORK multiply-adds per
 * thread is shared by row panels of C, or by column panels for a wide product, which the threads
 * claim from an atomic counter a few at a time (`multiplyShare`): each panel is computed by one
 * thread with the same operations in the same order, so C is bitwise the same for every thread
 * count and whoever claims what.
 */

/**
 * The most memory the module may hold (packed A and B, and the larger of the raw copies and C):
 * 64 MiB, enough for a [512, 4096] × [4096, 1024] product; the lab's and the benchmark's models use
 * about 1.3 MB.
 */
const MAX_BYTES = 64 * 1024 * 1024;

interface GemmExports {
  pack(src: number, dst: number, count: number, K: number, width: number, si: number, sk: number): void;
  multiply(
    M: number,
    K: number,
    N: number,
    ap: number,
    bp: number,
    c: number,
    accumulate: number,
    ldc: number,
  ): void;
  multiplyShare(desc: number): void;
  gather(desc: number): void;
  rowsOut(desc: number): void;
  convBlocks(desc: number, slot: number): void;
}

/** The indices of `multiplyShare` and `convBlocks` among the names the pool's workers resolve. */
const MULTIPLY_SHARE = 0;
const CONV_BLOCKS = 1;
const SHARED_NAMES = ['multiplyShare', 'convBlocks'] as const;

/** Bytes of the descriptor `multiplyShare` reads (12 int32 values), past a product's layout. */
const DESCRIPTOR_BYTES = 64;

/**
 * Multiply-adds per thread below which a product stays on one thread: 2^21, about 100 µs of
 * work on one core. Waking a sleeping worker and joining it measured 80–90 µs on the 2-core
 * benchmark machine (a 16 × 9 × 8112 product, 1.2 M multiply-adds: 90 µs on one thread, 175 µs
 * on two); 2^18 split products that two threads then computed more slowly than one.
 */
export const THREAD_MIN_WORK = 1 << 21;

interface Gemm extends ThreadedModule<GemmExports> {
  /** A view of the whole memory, re-created after it grows. */
  view: Float32Array;
  /** The same memory as int32 (the descriptors of `multiplyShare`). */
  ints: Int32Array;
  /** The resident memory's block a call is laid out in; null on a memory of its own (from 0). */
  readonly block: ResidentBlock | null;
}

let loaded: Gemm | null | undefined;

function kernel(): Gemm | null {
  if (loaded === undefined) {
    const resident = loadResidentModule<GemmExports>(gemmSharedWasm, SHARED_NAMES);
    const m =
      resident ??
      loadThreadedModule<GemmExports>(
        gemmWasm,
        gemmSharedWasm,
        16,
        MAX_BYTES / 65536,
        SHARED_NAMES,
        registerSharedKernel,
      );
    loaded =
      m === null
        ? null
        : {
            ...m,
            view: new Float32Array(m.memory.buffer),
            ints: new Int32Array(m.memory.buffer),
            block: resident === null ? null : new ResidentBlock(resident.store),
          };
  }
  return loaded;
}

/**
 * Whether the kernel reads and writes `a` where it is (a resident array, and the kernel on the
 * resident memory): the convolutions then pass its address instead of copying it.
 */
export function gemmInPlace(a: Float32Array): boolean {
  const k = kernel();
  return k !== null && k.block !== null && isResidentArray(a);
}

/** Whether the SIMD product can run here (WebAssembly with SIMD is available). */
export function simdGemmAvailable(): boolean {
  return kernel() !== null;
}

/** Threads a product of M·K·N multiply-adds over `panels` panels uses (1 without the pool). */
function partsFor(k: Gemm, work: number, panels: number): number {
  if (k.kernel < 0) return 1;
  const parts = Math.min(threadCount(), panels, Math.floor(work / THREAD_MIN_WORK));
  return parts < 2 ? 1 : Math.min(parts, workerCount() + 1);
}

/** The bytes a product may use (MAX_BYTES; lowered by tests to exercise the tiles). */
let maxBytes = MAX_BYTES;

/** Sets the memory limit of one product (tests only); returns the previous limit. */
export function setGemmMemoryLimitForTests(bytes: number): number {
  const previous = maxBytes;
  maxBytes = Math.min(bytes, MAX_BYTES);
  return previous;
}

/**
 * The byte offset of `bytes` bytes of memory for one call's layout (16-aligned; the resident
 * block, grown if needed, or 0 on a memory of its own), with `k.view` and `k.ints` covering the
 * whole memory; -1 past the limit or where the memory cannot grow.
 */
function reserve(k: Gemm, bytes: number): number {
  if (bytes > maxBytes) return -1;
  const base = k.block !== null ? k.block.ensure(bytes) : growMemory(k.memory, bytes, maxBytes) ? 0 : -1;
  if (base < 0) return -1;
  const buffer = k.memory.buffer;
  if (k.view.length * 4 !== buffer.byteLength) {
    k.view = new Float32Array(buffer);
    k.ints = new Int32Array(buffer);
  }
  return base;
}

/** view[from, to) = 0: `memory.fill` on the resident memory (`fill` there is slow), else `fill`. */
function zeroFloats(k: Gemm, from: number, to: number): void {
  if (k.block === null || !zeroResidentBytes(4 * from, 4 * (to - from))) k.view.fill(0, from, to);
}

/**
 * Whether a product is split by column panels of C (8 columns each) rather than row panels (4
 * rows each): when it has at least twice as many column panels. A split by rows makes every
 * thread stream all of packed B, which dominates a wide product with few rows (a convolution's
 * O × taps by taps × images·positions: 32 × 144 by 144 × 7744 measured no faster on 2 threads);
 * a split by columns gives each thread its own part of B.
 */
function splitsByColumns(M: number, N: number): boolean {
  return (N + 7) >> 3 >= 2 * ((M + 3) >> 2);
}

/**
 * About how many claims each thread makes in a split product (see `multiplyShared`): enough that
 * a thread that starts late or runs slower leaves its share to the others, few enough that the
 * shared operand is not streamed once per small claim.
 */
const CLAIMS_PER_THREAD = 4;
let claimsPerThread = CLAIMS_PER_THREAD;

/** Sets the claims per thread of a split product (tests only); returns the previous value. */
export function setClaimsPerThreadForTests(n: number): number {
  const previous = claimsPerThread;
  claimsPerThread = n;
  return previous;
}

/**
 * C = op(A)·op(B) over the packed operands, shared by `parts` threads: this one and parts − 1
 * workers run `multiplyShare`, which claims ranges of row panels (of column panels when
 * `byColumns`) from a counter in the descriptor at byte `desc` until none are left. A worker
 * that wakes late claims less, instead of the caller waiting for it. Each element of C is
 * computed by one thread with the same operations in the same order, so C is bitwise the same
 * for every split and every claim order.
 */
function multiplyShared(
  k: Gemm,
  parts: number,
  byColumns: boolean,
  M: number,
  K: number,
  N: number,
  ap: number,
  bp: number,
  c: number,
  acc: number,
  desc: number,
): void {
  const ldc = (N + 7) & ~7;
  const panels = byColumns ? ldc >> 3 : (M + 3) >> 2;
  const d = k.ints;
  const at = desc >> 2;
  d[at] = 0;
  d[at + 1] = panels;
  d[at + 2] = Math.max(1, Math.ceil(panels / (parts * claimsPerThread)));
  d[at + 3] = byColumns ? 1 : 0;
  d[at + 4] = M;
  d[at + 5] = K;
  d[at + 6] = N;
  d[at + 7] = bp;
  d[at + 8] = c;
  d[at + 9] = acc;
  d[at + 10] = ldc;
  d[at + 11] = ap;
  let launched = false;
  for (let p = 1; p < parts; p++) if (launch(p - 1, k.kernel, MULTIPLY_SHARE, desc)) launched = true;
  k.exports.multiplyShare(desc);
  if (launched) join();
}

/**
 * C (at byte c, rows of 8·ceil(N/8) values) = or += (acc 1) the packed operands' product (A
 * panels at byte ap, B panels at byte bp): on one thread, or split over the pool by rows or
 * columns (the descriptor at byte desc).
 */
function multiplyPacked(
  k: Gemm,
  M: number,
  K: number,
  N: number,
  ap: number,
  bp: number,
  c: number,
  acc: number,
  desc: number,
): void {
  const byColumns = splitsByColumns(M, N);
  const parts = partsFor(k, M * K * N, byColumns ? (N + 7) >> 3 : (M + 3) >> 2);
  if (parts === 1) k.exports.multiply(M, K, N, ap, bp, c, acc, (N + 7) & ~7);
  else multiplyShared(k, parts, byColumns, M, K, N, ap, bp, c, acc, desc);
}

/**
 * c[co …] = op(a)·op(b), or += with `accumulate`, for one [M, K] × [K, N] block: op(a) is a's
 * [M, K] block at ao (stored [K, M] when `ta`), op(b) is b's [K, N] block at bo (stored [N, K]
 * when `tb`), c is [M, N] at co. Resident operands are packed from where they are, and a resident
 * c is written in place when the kernel's 4 × 8 tiles cover it exactly (M a multiple of 4, N of
 * 8); the others are copied in and out. Returns false (c untouched) where the kernel is
 * unavailable or the operands do not fit its memory; K = 0 is the caller's (nothing to multiply).
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
  const resident = k.block !== null;
  const aInPlace = resident && isResidentArray(a);
  const bInPlace = resident && isResidentArray(b);
  const cInPlace = resident && paddedM === M && paddedN === N && isResidentArray(c);
  // Layout (floats from the call's block): packed A | packed B | scratch, where scratch holds the
  // raw A and B (those copied in) while they are packed and C (unless written in place) afterwards.
  const packedB = paddedM * K;
  const scratch = packedB + K * paddedN;
  const rawB = scratch + (aInPlace ? 0 : M * K);
  const raw = (aInPlace ? 0 : M * K) + (bInPlace ? 0 : K * N);
  const end = scratch + Math.max(raw, cInPlace ? 0 : paddedM * paddedN);
  const desc = (4 * end + 15) & ~15;
  const base = reserve(k, desc + DESCRIPTOR_BYTES);
  if (base < 0) return false;
  const view = k.view;
  const f = base >> 2;
  if (!aInPlace) view.set(a.subarray(ao, ao + M * K), f + scratch);
  if (!bInPlace) view.set(b.subarray(bo, bo + K * N), f + rawB);
  // Rows of op(A): row i, column k at i·K + k, or k·M + i when transposed.
  const aAt = aInPlace ? a.byteOffset + 4 * ao : base + 4 * scratch;
  k.exports.pack(aAt, base, M, K, 4, ta ? 1 : K, ta ? M : 1);
  // Columns of op(B): column j, row k at k·N + j, or j·K + k when transposed.
  const bAt = bInPlace ? b.byteOffset + 4 * bo : base + 4 * rawB;
  k.exports.pack(bAt, base + 4 * packedB, N, K, 8, tb ? K : 1, tb ? 1 : N);
  const acc = accumulate ? 1 : 0;
  if (cInPlace) {
    multiplyPacked(k, M, K, N, base, base + 4 * packedB, c.byteOffset + 4 * co, acc, base + desc);
    return true;
  }
  const cAt = f + scratch;
  if (accumulate) {
    if (paddedN === N) view.set(c.subarray(co, co + M * N), cAt);
    else for (let i = 0; i < M; i++) view.set(c.subarray(co + i * N, co + (i + 1) * N), cAt + i * paddedN);
  }
  multiplyPacked(k, M, K, N, base, base + 4 * packedB, 4 * cAt, acc, base + desc);
  if (paddedN === N) c.set(view.subarray(cAt, cAt + M * N), co);
  else
    for (let i = 0; i < M; i++) {
      const from = cAt + i * paddedN;
      c.set(view.subarray(from, from + N), co + i * N);
    }
  return true;
}

/**
 * How a caller writes the operands of `simdGemmInPlace` straight into the kernel's memory and
 * reads the product from it, with no array of its own in between.
 */
export interface InPlaceOperands {
  /** op(A) is A as written (false) or its transpose (true). */
  readonly ta: boolean;
  /** Writes A: [M, K] row-major (or [K, M] with `ta`) at view[at …]. */
  writeA(view: Float32Array, at: number): void;
  /**
   * Writes op(B) [K, N] packed in panels of 8 columns: element (k, j) at
   * at + (j − j mod 8)·K + 8k + j mod 8. Every element of the K × N block must be written;
   * `zeroB` asks for the region (padding columns included) to be zeroed first, else only the
   * padding columns of the last panel are. `staging` is the start of a free region of
   * `stagingFloats` floats (for `gatherWindowsInPlace`).
   */
  writePackedB(view: Float32Array, at: number, staging: number): void;
  /** Floats of free memory `writePackedB` needs past the product's own (0 when none). */
  readonly stagingFloats?: number;
  /** Whether the K × N block of packed B is zeroed before `writePackedB` (it writes a part). */
  readonly zeroB: boolean;
  /** Reads C [M, N]: element (i, j) at view[at + i·ldc + j]; `staging` as for `writePackedB`. */
  readC(view: Float32Array, at: number, ldc: number, staging: number): void;
  /** With `accumulate`: the [M, N] values C starts from (row-major at 0), else null. */
  readonly start: Float32Array | null;
}

/**
 * C = op(A)·op(B) on the SIMD kernel (or C = start + op(A)·op(B)), with the operands written and
 * the product read by the caller inside the kernel's memory (`InPlaceOperands`): B is written
 * already packed, so it is not copied in, packed and copied out again as `simdGemm` does. The
 * convolutions use it to write their im2col blocks straight into packed B and to read C straight
 * into their NCHW outputs. The same packed operands, the same `multiply` and the same thread
 * split as `simdGemm`: the results are the bits `simdGemm` gives. Returns false (nothing
 * called) where the kernel is unavailable or the operands do not fit its memory.
 */
export function simdGemmInPlace(M: number, K: number, N: number, operands: InPlaceOperands): boolean {
  const k = kernel();
  if (k === null || M < 1 || K < 1 || N < 1) return false;
  const paddedM = (M + 3) & ~3;
  const paddedN = (N + 7) & ~7;
  // Layout (floats from the call's block): packed A | packed B | scratch (the raw A while it is
  // packed, then C) | descriptor | staging.
  const packedB = paddedM * K;
  const scratch = packedB + K * paddedN;
  const end = scratch + Math.max(M * K, paddedM * paddedN);
  const desc = (4 * end + 15) & ~15;
  const base = reserve(k, desc + DESCRIPTOR_BYTES + 4 * (operands.stagingFloats ?? 0));
  if (base < 0) return false;
  const view = k.view;
  const f = base >> 2;
  const staging = f + (desc + DESCRIPTOR_BYTES) / 4;
  operands.writeA(view, f + scratch);
  const { ta } = operands;
  k.exports.pack(base + 4 * scratch, base, M, K, 4, ta ? 1 : K, ta ? M : 1);
  if (operands.zeroB) zeroFloats(k, f + packedB, f + scratch);
  else if (paddedN !== N) zeroFloats(k, f + packedB + (paddedN - 8) * K, f + scratch);
  operands.writePackedB(view, f + packedB, staging);
  const start = operands.start;
  if (start !== null)
    for (let i = 0; i < M; i++) view.set(start.subarray(i * N, (i + 1) * N), f + scratch + i * paddedN);
  multiplyPacked(
    k,
    M,
    K,
    N,
    base,
    base + 4 * packedB,
    base + 4 * scratch,
    start === null ? 0 : 1,
    base + desc,
  );
  operands.readC(view, f + scratch, paddedN, staging);
  return true;
}

/**
 * Bytes one tile of `simdGemmTiled` may use: a quarter of the limit, so that tiles stay well
 * inside the memory (and in cache better than one huge block).
 */
function tileBytes(): number {
  return maxBytes / 4;
}

/**
 * The product of `simdGemm` for operands too large for the kernel's memory in one piece: C is
 * computed in tiles of rows × columns that each fit (`simdGemmInPlace`), A's rows and B's
 * columns written into the kernel's memory from the caller's arrays with their strides. Every
 * element of C is still one tile's sum over the whole K in the same order, so C has the bits of
 * an untiled product. False (c untouched) where the kernel is unavailable or not even a tile of
 * 4 rows × 8 columns fits (a K too large).
 */
export function simdGemmTiled(
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
  if (kernel() === null || M < 1 || K < 1 || N < 1) return false;
  const budget = tileBytes() / 4;
  // Columns first (B's packing is the larger part), then as many rows as fit beside them.
  const nb = Math.max(8, Math.min((N + 7) & ~7, Math.floor(budget / 2 / K) & ~7));
  const mb = Math.max(4, Math.min((M + 3) & ~3, Math.floor((budget - K * nb) / (K + nb)) & ~3));
  if (K * nb + mb * (K + nb) > budget) return false;
  let start: Float32Array | null = accumulate ? new Float32Array(mb * nb) : null;
  for (let j0 = 0; j0 < N; j0 += nb) {
    const n = Math.min(nb, N - j0);
    for (let i0 = 0; i0 < M; i0 += mb) {
      const m = Math.min(mb, M - i0);
      if (start !== null) {
        start = start.length >= m * n ? start : new Float32Array(m * n);
        for (let i = 0; i < m; i++)
          start.set(c.subarray(co + (i0 + i) * N + j0, co + (i0 + i) * N + j0 + n), i * n);
      }
      const done = simdGemmInPlace(m, K, n, {
        ta,
        writeA: (view, at) => writeRowsOfA(a, ao, M, K, ta, i0, m, view, at),
        zeroB: false,
        writePackedB: (view, at) => writeColumnsOfB(b, bo, K, N, tb, j0, n, view, at),
        readC: (view, at, ldc) => {
          for (let i = 0; i < m; i++)
            c.set(view.subarray(at + i * ldc, at + i * ldc + n), co + (i0 + i) * N + j0);
        },
        start: start === null ? null : start.subarray(0, m * n),
      });
      if (!done) return false;
    }
  }
  return true;
}

/** Rows i0 … i0 + m − 1 of op(A) as written: [m, K] (or, with `ta`, [K, m]) at view[at …]. */
function writeRowsOfA(
  a: Float32Array,
  ao: number,
  M: number,
  K: number,
  ta: boolean,
  i0: number,
  m: number,
  view: Float32Array,
  at: number,
): void {
  if (!ta) view.set(a.subarray(ao + i0 * K, ao + (i0 + m) * K), at);
  else for (let k = 0; k < K; k++) view.set(a.subarray(ao + k * M + i0, ao + k * M + i0 + m), at + k * m);
}

/**
 * Columns j0 … j0 + n − 1 of op(B) packed in panels of 8 (element (k, j) at
 * (j − j mod 8)·K + 8k + j mod 8): B is [K, N], or [N, K] with `tb`.
 */
function writeColumnsOfB(
  b: Float32Array,
  bo: number,
  K: number,
  N: number,
  tb: boolean,
  j0: number,
  n: number,
  view: Float32Array,
  at: number,
): void {
  // Each loop reads B along its rows (contiguous) and writes runs of 8 (a panel's row).
  if (tb)
    for (let j = 0; j < n; j++) {
      const to = at + (j & ~7) * K + (j & 7);
      const from = bo + (j0 + j) * K;
      for (let k = 0; k < K; k++) view[to + 8 * k] = b[from + k];
    }
  else
    for (let k = 0; k < K; k++) {
      const from = bo + k * N + j0;
      const to = at + 8 * k;
      for (let j = 0; j < n; j++) view[to + (j & ~7) * K + (j & 7)] = b[from + j];
    }
}

/** gemm.wat's `pack` (see there): lines of K values into panels of `width` lines. */
export type PackPanels = (
  src: number,
  dst: number,
  count: number,
  K: number,
  width: number,
  si: number,
  sk: number,
) => void;

/**
 * A whole convolution over a batch for gemm.wat's `convBlocks`, laid out by its caller
 * (autograd/conv-batch.ts) in a block of the memory from byte `base`: everything it needs in the
 * block's first `fixedBytes`, then one workspace of `workspaceBytes` per thread. Resident operands
 * (`gemmInPlace`) stay where they are: the caller gives their addresses instead.
 */
export interface ConvBlocksJob {
  readonly fixedBytes: number;
  readonly workspaceBytes: number;
  /** Blocks of images the threads claim. */
  readonly blocks: number;
  /** Multiply-adds of all the blocks together (how many threads are worth waking). */
  readonly work: number;
  /**
   * Writes the operands and `convBlocks`' descriptor (workspaces from byte base + `fixedBytes`,
   * its counter 0) into the memory; returns the descriptor's byte offset.
   */
  write(view: Float32Array, ints: Int32Array, pack: PackPanels, base: number): number;
  /** Reads the results out of the memory once every block is done. */
  read(view: Float32Array, base: number): void;
}

/**
 * Runs a `ConvBlocksJob`: this thread and up to threads − 1 workers (one per THREAD_MIN_WORK
 * multiply-adds, at most one per block) claim its blocks until none are left, each in its own
 * workspace. A block's results do not depend on which thread computes it, so they are bitwise
 * the same for every thread count. False (nothing run) where the kernel is unavailable or the
 * job does not fit its memory.
 */
export function runConvBlocks(job: ConvBlocksJob): boolean {
  const k = kernel();
  if (k === null || job.blocks < 1) return false;
  const parts = partsFor(k, job.work, job.blocks);
  const base = reserve(k, job.fixedBytes + parts * job.workspaceBytes);
  if (base < 0) return false;
  const desc = job.write(k.view, k.ints, k.exports.pack, base);
  let launched = false;
  for (let p = 1; p < parts; p++) if (launch(p - 1, k.kernel, CONV_BLOCKS, desc, p)) launched = true;
  k.exports.convBlocks(desc, 0);
  if (launched) join();
  job.read(k.view, base);
  return true;
}

/** The descriptor of `gather` (gemm.wat): 16 values, then the valid ranges. */
export const GATHER_FIELDS = 16;

/** Floats of staging a `gatherWindowsInPlace` of `ranges` range values and `length` inputs needs. */
export function gatherStagingFloats(ranges: number, length: number): number {
  return ((GATHER_FIELDS + ranges + 3) & ~3) + length;
}

/**
 * Inside `simdGemmInPlace`'s `writePackedB` (or `readC`): copies x[from, from + length) (a block
 * of whole images) to the staging region at float `staging` and runs the kernel's im2col gather
 * (gemm.wat's `gather`, which documents `fields`: c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, count,
 * layout, K) between the images and the block at float `dst`: into packed B, or, with layout 2,
 * the block added onto the staged images (which the caller then copies out). `ranges` holds the
 * valid output rows [lo, hi) of each ky, then the valid output columns of each kx. The staging
 * region must hold `gatherStagingFloats` floats. Returns the float offset of the staged images.
 */
export function gatherWindowsInPlace(
  staging: number,
  dst: number,
  fields: readonly number[],
  ranges: readonly number[],
  x: Float32Array,
  from: number,
  length: number,
): number {
  const k = kernel() as Gemm;
  const ints = k.ints;
  const images = staging + ((GATHER_FIELDS + ranges.length + 3) & ~3);
  ints[staging] = 4 * images;
  ints[staging + 1] = 4 * dst;
  for (let i = 0; i < fields.length; i++) ints[staging + 2 + i] = fields[i];
  for (let i = 0; i < ranges.length; i++) ints[staging + GATHER_FIELDS + i] = ranges[i];
  k.view.set(x.subarray(from, from + length), images);
  k.exports.gather(4 * staging);
  return images;
}

/** Floats of staging a `rowsOutInPlace` of O channels and `length` outputs needs. */
export function rowsOutStagingFloats(O: number, length: number): number {
  return 8 + ((O + 3) & ~3) + length;
}

/**
 * Inside `simdGemmInPlace`'s `readC`: C's rows (float `c`, ldc apart; row o holds channel o of
 * `count` images of P positions) written as [count, O, P] to the staging region at float
 * `staging`, plus bias[o] when `bias` is not null (gemm.wat's `rowsOut`: float32 additions, the
 * values of autograd/conv-blocks.ts's `moveRowsOut`). The staging region must hold
 * `rowsOutStagingFloats` floats. Returns the float offset of the staged outputs.
 */
export function rowsOutInPlace(
  staging: number,
  c: number,
  ldc: number,
  O: number,
  count: number,
  P: number,
  bias: Float32Array | null,
): number {
  const k = kernel() as Gemm;
  const biasAt = staging + 8;
  const out = biasAt + ((O + 3) & ~3);
  const ints = k.ints;
  ints[staging] = 4 * c;
  ints[staging + 1] = ldc;
  ints[staging + 2] = 4 * out;
  ints[staging + 3] = O;
  ints[staging + 4] = count;
  ints[staging + 5] = P;
  ints[staging + 6] = bias === null ? -1 : 4 * biasAt;
  if (bias !== null) k.view.set(bias, biasAt);
  k.exports.rowsOut(4 * staging);
  return out;
}
