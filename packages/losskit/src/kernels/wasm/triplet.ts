import type { FloatArray } from '../../tensor/float-array.js';
import { tripletWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, embeddedKernel } from './module.js';

/**
 * The WebAssembly SIMD kernel of the triplet margin loss (p = 2, no swap) on float32 rows (see
 * triplet.wat): rows are copied into the module's memory a chunk at a time, the kernel computes
 * each row's squared distances in float64 lanes, its loss and its three gradient rows (zeros
 * where the hinge is inactive), and the whole gradient chunk is copied out. The float32 results
 * agree with the JavaScript loop to about 1e-16 relative (the squared sums are added in another
 * order) and the gradients are its bits but where that order moves a float32 rounding.
 */

/** Values per chunk and input (64 KiB; as many whole rows as fit). */
const CAPACITY = 16384;
/** Rows per chunk at most (the size of the per-row areas). */
const MAX_ROWS = 4096;
/** Byte offsets of the regions (see triplet.wat). */
const REGION = 4 * CAPACITY;
const UPSTREAM_OFFSET = 6 * REGION;
const LOSS_OFFSET = UPSTREAM_OFFSET + 8 * MAX_ROWS;

/**
 * Below this many values per input the JavaScript loop is as fast (the copies and the call cost
 * what they save): measured end to end on [N, D] inputs of 8 to 4096 values, the two are level at
 * 32 to 64 values and the kernel twice as fast from about 500.
 */
export const TRIPLET_SIMD_MIN_LENGTH = 64;

interface TripletExports {
  readonly memory: WebAssembly.Memory;
  tripletRows(
    rows: number,
    d: number,
    margin: number,
    eps: number,
    scale: number,
    perRow: number,
    withGrad: number,
  ): void;
}

interface TripletRegions {
  readonly anchor: Float32Array;
  readonly positive: Float32Array;
  readonly negative: Float32Array;
  readonly gradAnchor: Float32Array;
  readonly gradPositive: Float32Array;
  readonly gradNegative: Float32Array;
  readonly upstream: Float64Array;
  readonly losses: Float64Array;
}

const kernel = embeddedKernel<TripletExports, TripletRegions>(tripletWasm, (buffer) => ({
  anchor: new Float32Array(buffer, 0, CAPACITY),
  positive: new Float32Array(buffer, REGION, CAPACITY),
  negative: new Float32Array(buffer, 2 * REGION, CAPACITY),
  gradAnchor: new Float32Array(buffer, 3 * REGION, CAPACITY),
  gradPositive: new Float32Array(buffer, 4 * REGION, CAPACITY),
  gradNegative: new Float32Array(buffer, 5 * REGION, CAPACITY),
  upstream: new Float64Array(buffer, UPSTREAM_OFFSET, MAX_ROWS),
  losses: new Float64Array(buffer, LOSS_OFFSET, MAX_ROWS),
}));

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
  const { anchor, positive, negative, rowLength: d, margin, eps, scale, upstream, units, grads } = rows;
  if (k === null || d < 1 || d > CAPACITY) return null;
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
    k.exports.tripletRows(count, d, margin, eps, scale, upstream === null ? 0 : 1, grads === null ? 0 : 1);
    if (grads !== null) {
      copyOut(k.gradAnchor, n, grads.anchor, start);
      copyOut(k.gradPositive, n, grads.positive, start);
      copyOut(k.gradNegative, n, grads.negative, start);
    }
    for (let j = 0; j < count; j++) {
      let loss = k.losses[j];
      if (loss < 0) {
        const o = (first + j) * d;
        if (
          rowHasNonFinite(anchor, o, d) ||
          rowHasNonFinite(positive, o, d) ||
          rowHasNonFinite(negative, o, d)
        )
          return false;
        loss = rescaledRow(first + j);
      }
      total += loss;
      if (units !== null) units[first + j] = loss;
    }
  });
  return finite ? total : Number.NaN;
}
