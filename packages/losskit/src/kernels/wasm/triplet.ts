import { join, launch, threadCount, workerCount } from '../threads/pool.js';
import type { FloatArray } from '../../tensor/float-array.js';
import { tripletSharedWasm, tripletWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, instantiateScratch } from './module.js';
import { isResidentArray, loadResidentModule, ResidentBlock, type ResidentModule } from './resident.js';

/**
 * The WebAssembly SIMD kernel of the triplet margin loss (p = 2, no swap) on float32 rows (see
 * triplet.wat): the kernel computes each row's squared distances in float64 lanes, its loss and
 * its three gradient rows (zeros where the hinge is inactive). The float32 results agree with
 * the JavaScript loop to about 1e-16 relative (the squared sums are added in another order) and
 * the gradients are its bits but where that order moves a float32 rounding.
 *
 * Ordinary arrays are copied into the module's memory a chunk of rows at a time and the whole
 * gradient chunk copied out. Resident arrays (`KernelArrays`: the three inputs and, when asked,
 * the three gradients) are read and written in place, their rows split over the thread pool;
 * each row is computed by one thread and the losses are added here in row order, so the results
 * are bitwise the same for ordinary and resident arrays and for every thread count.
 */

/** Values per chunk and input (64 KiB; as many whole rows as fit). */
const CAPACITY = 16384;
/** Rows per chunk at most (the size of the per-row areas). */
const MAX_ROWS = 4096;
/** Byte offsets of the scratch regions (see triplet.wat), and the scratch memory's pages. */
const REGION = 4 * CAPACITY;
const UPSTREAM_OFFSET = 6 * REGION;
const LOSS_OFFSET = UPSTREAM_OFFSET + 8 * MAX_ROWS;
const DESC_OFFSET = LOSS_OFFSET + 8 * MAX_ROWS;
const SCRATCH_PAGES = 8;

/** Values of one input per thread below which resident rows stay on one thread (see float32.ts). */
const TRIPLET_MIN_PER_THREAD = 1 << 17;

/** Export names the pool's workers call, by index. */
const NAMES = ['tripletRows'] as const;
const TRIPLET_ROWS = 0;

/**
 * Below this many values per input the JavaScript loop is as fast (the copies and the call cost
 * what they save): measured end to end on [N, D] inputs of 8 to 4096 values, the two are level at
 * 32 to 64 values and the kernel twice as fast from about 500.
 */
export const TRIPLET_SIMD_MIN_LENGTH = 64;

interface TripletExports {
  tripletRows(
    desc: number,
    rows: number,
    d: number,
    margin: number,
    eps: number,
    scale: number,
    perRow: number,
    withGrad: number,
  ): void;
}

/** The instance for ordinary arrays, on an ordinary memory of its own (copies into it are fast). */
interface ScratchKernel {
  readonly exports: TripletExports;
  readonly anchor: Float32Array;
  readonly positive: Float32Array;
  readonly negative: Float32Array;
  readonly gradAnchor: Float32Array;
  readonly gradPositive: Float32Array;
  readonly gradNegative: Float32Array;
  readonly upstream: Float64Array;
  readonly losses: Float64Array;
}

/** The instance on the resident memory, with its per-call blocks: descriptors, upstream, losses. */
interface ResidentKernel extends ResidentModule<TripletExports> {
  readonly descs: ResidentBlock;
  readonly upstream: ResidentBlock;
  readonly losses: ResidentBlock;
}

let scratchLoaded: ScratchKernel | null | undefined;
let residentLoaded: ResidentKernel | null | undefined;

// Null where SIMD is missing or compilation is refused: the callers keep their JavaScript loops.
function kernel(): ScratchKernel | null {
  if (scratchLoaded === undefined) {
    const scratch = instantiateScratch<TripletExports>(tripletWasm, SCRATCH_PAGES);
    if (scratch === null) scratchLoaded = null;
    else {
      const b = scratch.buffer;
      new Int32Array(b, DESC_OFFSET, 8).set([
        0,
        REGION,
        2 * REGION,
        3 * REGION,
        4 * REGION,
        5 * REGION,
        UPSTREAM_OFFSET,
        LOSS_OFFSET,
      ]);
      scratchLoaded = {
        exports: scratch.exports,
        anchor: new Float32Array(b, 0, CAPACITY),
        positive: new Float32Array(b, REGION, CAPACITY),
        negative: new Float32Array(b, 2 * REGION, CAPACITY),
        gradAnchor: new Float32Array(b, 3 * REGION, CAPACITY),
        gradPositive: new Float32Array(b, 4 * REGION, CAPACITY),
        gradNegative: new Float32Array(b, 5 * REGION, CAPACITY),
        upstream: new Float64Array(b, UPSTREAM_OFFSET, MAX_ROWS),
        losses: new Float64Array(b, LOSS_OFFSET, MAX_ROWS),
      };
    }
  }
  return scratchLoaded;
}

// Null where there is no resident memory (see resident.ts).
function residentKernel(): ResidentKernel | null {
  if (residentLoaded === undefined) {
    const m = kernel() === null ? null : loadResidentModule<TripletExports>(tripletSharedWasm, NAMES);
    residentLoaded =
      m === null
        ? null
        : {
            ...m,
            descs: new ResidentBlock(m.store),
            upstream: new ResidentBlock(m.store),
            losses: new ResidentBlock(m.store),
          };
  }
  return residentLoaded;
}

/** Whether this module runs on resident arrays here (loads it: see float32.ts's `residentKernelsAvailable`). */
export function tripletResidentAvailable(): boolean {
  return residentKernel() !== null;
}

/**
 * Whether `simdEuclideanTriplet` runs for these inputs here (all float32, at least
 * `TRIPLET_SIMD_MIN_LENGTH` values each, rows of at most one chunk); it then writes every
 * gradient element and reports a value that is not finite in any input by a NaN total.
 */
export function simdTripletApplies(
  anchor: ArrayLike<number>,
  positive: ArrayLike<number>,
  negative: ArrayLike<number>,
  rowLength: number,
): boolean {
  return (
    anchor instanceof Float32Array &&
    positive instanceof Float32Array &&
    negative instanceof Float32Array &&
    anchor.length >= TRIPLET_SIMD_MIN_LENGTH &&
    rowLength >= 1 &&
    rowLength <= CAPACITY &&
    kernel() !== null
  );
}

/** The rows and how each is weighted; see `simdEuclideanTriplet`. */
export interface EuclideanTripletRows {
  /** [rows, D] each, float32. */
  readonly anchor: Float32Array;
  readonly positive: Float32Array;
  readonly negative: Float32Array;
  readonly rows: number;
  readonly rowLength: number;
  readonly margin: number;
  readonly eps: number;
  /** Gradient weight of every row, times `upstream[r]` when given. */
  readonly scale: number;
  readonly upstream: ArrayLike<number> | null;
  /** Per-row losses for `'none'`, else null. */
  readonly units: FloatArray | null;
  /** Gradient buffers (any contents: every element is written), else null. */
  readonly grads: {
    readonly anchor: FloatArray;
    readonly positive: FloatArray;
    readonly negative: FloatArray;
  } | null;
}

/** Whether a row of `x` holds a value that is not finite. */
function rowHasNonFinite(x: Float32Array, start: number, n: number): boolean {
  for (let k = start; k < start + n; k++) if (!Number.isFinite(x[k])) return true;
  return false;
}

/**
 * Σ over rows of max(0, m + ‖a − p + ε‖ − ‖a − n + ε‖), writing units and every element of the
 * gradients (zeros where a row's hinge is inactive). A row whose squared sums leave
 * (1e-300, 1e300) is left to `rescaledRow(r)`, which returns its loss and adds its gradient to
 * the zeros written there; a row holding a value that is not finite makes the total NaN at once
 * (the caller's boundary then names the input). Null where the kernel is unavailable or rows do
 * not fit a chunk.
 */
export function simdEuclideanTriplet(
  rows: EuclideanTripletRows,
  rescaledRow: (row: number) => number,
): number | null {
  const k = kernel();
  const { anchor, positive, negative, rowLength: d, margin, eps, scale, upstream, grads } = rows;
  if (k === null || d < 1 || d > CAPACITY) return null;
  if (
    isResidentArray(anchor) &&
    isResidentArray(positive) &&
    isResidentArray(negative) &&
    (grads === null ||
      (isResidentArray(grads.anchor) && isResidentArray(grads.positive) && isResidentArray(grads.negative)))
  ) {
    const r = residentKernel();
    const total = r === null ? null : residentRows(r, rows, rescaledRow);
    if (total !== null) return total;
  }
  const perChunk = Math.min(MAX_ROWS, Math.floor(CAPACITY / d));
  let total = 0;
  const finite = eachChunk(0, rows.rows, perChunk, (first, count) => {
    const start = first * d;
    const n = count * d;
    copyIn(k.anchor, anchor, start, n);
    copyIn(k.positive, positive, start, n);
    copyIn(k.negative, negative, start, n);
    if (upstream !== null && grads !== null)
      for (let j = 0; j < count; j++) k.upstream[j] = upstream[first + j];
    k.exports.tripletRows(
      DESC_OFFSET,
      count,
      d,
      margin,
      eps,
      scale,
      upstream === null ? 0 : 1,
      grads === null ? 0 : 1,
    );
    if (grads !== null) {
      copyOut(k.gradAnchor, n, grads.anchor, start);
      copyOut(k.gradPositive, n, grads.positive, start);
      copyOut(k.gradNegative, n, grads.negative, start);
    }
    const sum = addRowLosses(rows, k.losses, first, count, total, rescaledRow);
    if (sum === null) return false;
    total = sum;
  });
  return finite ? total : Number.NaN;
}

/**
 * Adds the losses of rows [first, first + count) (`losses[j]` holds row first + j) to `total` in
 * row order, writing units; a row marked −1 takes `rescaledRow`, or makes the result null where
 * it holds a value that is not finite.
 */
function addRowLosses(
  rows: EuclideanTripletRows,
  losses: Float64Array,
  first: number,
  count: number,
  total: number,
  rescaledRow: (row: number) => number,
): number | null {
  const { anchor, positive, negative, rowLength: d, units } = rows;
  let sum = total;
  for (let j = 0; j < count; j++) {
    let loss = losses[j];
    if (loss < 0) {
      const o = (first + j) * d;
      if (rowHasNonFinite(anchor, o, d) || rowHasNonFinite(positive, o, d) || rowHasNonFinite(negative, o, d))
        return null;
      loss = rescaledRow(first + j);
    }
    sum += loss;
    if (units !== null) units[first + j] = loss;
  }
  return sum;
}

/**
 * `simdEuclideanTriplet` on resident arrays: a descriptor per part (its rows of the three inputs
 * and gradients, of the upstream and of the losses), the rows split over the pool when each
 * thread gets TRIPLET_MIN_PER_THREAD values of an input, then the losses added in row order.
 * Null where the memory cannot hold the per-call blocks (the caller takes the scratch route).
 */
function residentRows(
  k: ResidentKernel,
  rows: EuclideanTripletRows,
  rescaledRow: (row: number) => number,
): number | null {
  const { anchor, positive, negative, rowLength: d, margin, eps, scale, upstream, grads } = rows;
  const n = rows.rows;
  const enough = Math.floor((n * d) / TRIPLET_MIN_PER_THREAD);
  const parts = enough < 2 ? 1 : Math.min(threadCount(), enough, workerCount() + 1, n);
  const perRow = upstream !== null && grads !== null;
  const descsAt = k.descs.ensure(32 * parts);
  const lossesAt = k.losses.ensure(8 * n);
  const upstreamAt = perRow ? k.upstream.ensure(8 * n) : 0;
  if (descsAt < 0 || lossesAt < 0 || upstreamAt < 0) return null;
  const buffer = k.memory.buffer;
  if (perRow) {
    const u = new Float64Array(buffer, upstreamAt, n);
    for (let j = 0; j < n; j++) u[j] = upstream[j];
  }
  const descs = new Int32Array(buffer, descsAt, 8 * parts);
  let launched = false;
  for (let part = parts - 1; part >= 0; part--) {
    const r0 = Math.floor((n * part) / parts);
    const count = Math.floor((n * (part + 1)) / parts) - r0;
    const at = 4 * r0 * d;
    const desc = 8 * part;
    descs[desc] = anchor.byteOffset + at;
    descs[desc + 1] = positive.byteOffset + at;
    descs[desc + 2] = negative.byteOffset + at;
    descs[desc + 3] = grads === null ? 0 : (grads.anchor as Float32Array).byteOffset + at;
    descs[desc + 4] = grads === null ? 0 : (grads.positive as Float32Array).byteOffset + at;
    descs[desc + 5] = grads === null ? 0 : (grads.negative as Float32Array).byteOffset + at;
    descs[desc + 6] = upstreamAt + 8 * r0;
    descs[desc + 7] = lossesAt + 8 * r0;
    const descAt = descsAt + 32 * part;
    const withGrad = grads === null ? 0 : 1;
    const perRowFlag = upstream === null ? 0 : 1;
    if (
      part > 0 &&
      launch(part - 1, k.kernel, TRIPLET_ROWS, descAt, count, d, margin, eps, scale, perRowFlag, withGrad)
    )
      launched = true;
    else k.exports.tripletRows(descAt, count, d, margin, eps, scale, perRowFlag, withGrad);
  }
  if (launched) join();
  const total = addRowLosses(rows, new Float64Array(buffer, lossesAt, n), 0, n, 0, rescaledRow);
  return total === null ? Number.NaN : total;
}
