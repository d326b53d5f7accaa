import { join, launch, threadCount, workerCount } from '../threads/pool.js';
import { SIMD_MIN_LENGTH } from './float32.js';
import { softmaxSharedWasm, softmaxWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, instantiateScratch } from './module.js';
import { isResidentArray, loadResidentModule, ResidentBlock, type ResidentModule } from './resident.js';

/**
 * The WebAssembly SIMD kernel of the one-hot softmax cross-entropy on float32 logits (see
 * softmax.wat): the kernel finds each row's maximum m and Σ e^(x − m) and writes the gradient,
 * and this side turns those into the losses. Used by `sparseCategoricalCrossEntropy` and
 * `tokenCrossEntropy` (no smoothing), with or without PaLM's z-loss: with it, the kernel leaves
 * e^(x − m) in place, this side computes each row's lse = m + log s (WebAssembly has no
 * logarithm) and its softmax coefficient, and the kernel's `scaleRows` writes the gradient.
 *
 * Ordinary arrays are copied into the module's memory a chunk of rows at a time. Resident
 * logits and gradient (`KernelArrays`, without a z-loss) are read and written in place, and
 * their rows are split over the thread pool; each row is computed by one thread with the same
 * operations, and this side adds the losses in row order, so the results are bitwise the same
 * for ordinary and resident arrays and for every thread count.
 */

/** The largest finite float32: a softmax coefficient beyond it cannot go through the kernel. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Values per chunk (256 KiB of logits; as many whole rows as fit). */
const CAPACITY = 65536;
/** Rows per chunk at most (the size of the per-row records). */
const MAX_ROWS = 4096;
/** Bytes of a row's record: label, coef, s, m, softmax coefficient (see softmax.wat). */
const RECORD = 24;
/** The scratch memory: logits, gradient, the records, the flag (10 pages). */
const INFO = 8 * CAPACITY;
const FLAG = INFO + RECORD * MAX_ROWS;
const SCRATCH_PAGES = 10;

/**
 * Logits per thread below which resident rows stay on one thread: 2^17, about 130 µs of the
 * kernel (1 ns a logit), well above the 2–30 µs a launch and join cost.
 */
const ROWS_MIN_PER_THREAD = 1 << 17;

/** Export names the pool's workers call, by index. */
const NAMES = ['oneHotRows'] as const;
const ONE_HOT_ROWS = 0;

interface SoftmaxExports {
  oneHotRows(
    logits: number,
    grad: number,
    info: number,
    rows: number,
    classes: number,
    withGrad: number,
    flag: number,
  ): number;
  scaleRows(grad: number, info: number, rows: number, classes: number): void;
}

/** Views of a run of row records: label at i32[6r], coef f32[6r + 1], s f64[3r + 1], m f32[6r + 4], softmax coefficient f32[6r + 5]. */
interface Records {
  readonly i32: Int32Array;
  readonly f32: Float32Array;
  readonly f64: Float64Array;
}

function recordsAt(buffer: ArrayBufferLike, at: number, rows: number): Records {
  return {
    i32: new Int32Array(buffer, at, 6 * rows),
    f32: new Float32Array(buffer, at, 6 * rows),
    f64: new Float64Array(buffer, at, 3 * rows),
  };
}

/** The instance for ordinary arrays, on an ordinary memory of its own (copies into it are fast). */
interface ScratchKernel extends Records {
  readonly exports: SoftmaxExports;
  readonly logits: Float32Array;
  readonly grad: Float32Array;
}

/** The instance on the resident memory, with its per-call records and flags. */
interface ResidentKernel extends ResidentModule<SoftmaxExports> {
  readonly records: ResidentBlock;
  readonly flags: ResidentBlock;
}

let scratchLoaded: ScratchKernel | null | undefined;
let residentLoaded: ResidentKernel | null | undefined;

// Null where WebAssembly SIMD is missing or compilation is refused: the callers keep their loops.
function kernel(): ScratchKernel | null {
  if (scratchLoaded === undefined) {
    const scratch = instantiateScratch<SoftmaxExports>(softmaxWasm, SCRATCH_PAGES);
    scratchLoaded =
      scratch === null
        ? null
        : {
            exports: scratch.exports,
            logits: new Float32Array(scratch.buffer, 0, CAPACITY),
            grad: new Float32Array(scratch.buffer, 4 * CAPACITY, CAPACITY),
            ...recordsAt(scratch.buffer, INFO, MAX_ROWS),
          };
  }
  return scratchLoaded;
}

// Null where there is no resident memory (see resident.ts).
function residentKernel(): ResidentKernel | null {
  if (residentLoaded === undefined) {
    const m = kernel() === null ? null : loadResidentModule<SoftmaxExports>(softmaxSharedWasm, NAMES);
    residentLoaded =
      m === null ? null : { ...m, records: new ResidentBlock(m.store), flags: new ResidentBlock(m.store) };
  }
  return residentLoaded;
}

/** Whether this module runs on resident arrays here (loads it: see float32.ts's `residentKernelsAvailable`). */
export function softmaxResidentAvailable(): boolean {
  return residentKernel() !== null;
}

/** Whether the kernel can take rows of `classes` logits: a multiple of 4 that fits a chunk. */
export function softmaxRowsFit(classes: number): boolean {
  return classes % 4 === 0 && classes >= 8 && classes <= CAPACITY;
}

/** One label per row and how each row is weighted; see `simdOneHotCrossEntropy`. */
export interface OneHotRows {
  /** Logits [rows, C], float32. */
  readonly x: Float32Array;
  readonly classes: number;
  /** Label of each row (integers in [0, C), or `ignoreIndex`). */
  readonly labels: ArrayLike<number>;
  readonly ignoreIndex: number | undefined;
  /** Weight of the label's class (ones when null), times `trueCoefficient`. */
  readonly classWeight: ArrayLike<number> | null;
  readonly trueCoefficient: number;
  /** Gradient scale of every row, times `upstream[r]` when given. */
  readonly scale: number;
  readonly upstream: ArrayLike<number> | null;
  /** Per-row losses for `'none'`, else null. */
  readonly units: Float32Array | Float64Array | null;
  /** Gradient with respect to x (zero-filled), else null. */
  readonly grad: Float32Array | null;
  /**
   * PaLM's z-loss coefficient z ≥ 0: every counted row adds z·lse² (lse = m + log s) to its
   * loss and 2z·lse·softmax(x) (times the row's gradient scale) to its gradient. Default 0.
   */
  readonly zLoss?: number;
}

/** Whether `simdOneHotCrossEntropy` runs for these logits (and so checks them for finiteness). */
export function simdOneHotApplies(x: ArrayLike<number>, classes: number): x is Float32Array {
  return (
    x instanceof Float32Array && x.length >= SIMD_MIN_LENGTH && softmaxRowsFit(classes) && kernel() !== null
  );
}

/**
 * Σ over rows of w_r·(log Σ_c e^(x_rc − m_r) − (x_r,label − m_r)), w_r the row's label weight
 * (0 for an ignored row), writing units and the gradient scale·w_r·(softmax(x_r) − onehot)
 * when asked; NaN as soon as a chunk holds a logit that is not finite (the caller's boundary
 * then names it). Null where the kernel is unavailable or the rows do not fit (`softmaxRowsFit`),
 * and with a z-loss also where a gradient row's coefficient scale·(w + 2z·lse)/s is beyond float32
 * (a zLoss or upstream near float32's range): the gradient and units are then partly written,
 * and the caller computes them again.
 */
export function simdOneHotCrossEntropy(rows: OneHotRows): number | null {
  const k = kernel();
  const { x, classes, labels, grad } = rows;
  if (k === null || !softmaxRowsFit(classes)) return null;
  const zLoss = rows.zLoss ?? 0;
  if (zLoss > 0) return zLossRows(k, rows, zLoss);
  if (grad !== null && isResidentArray(x) && isResidentArray(grad)) {
    const r = residentKernel();
    if (r !== null) return residentRows(r, rows);
  }
  const rowCount = labels.length;
  const perChunk = Math.min(MAX_ROWS, Math.floor(CAPACITY / classes));
  const withGrad = grad === null ? 0 : 1;
  let total = 0;
  const finite = eachChunk(0, rowCount, perChunk, (first, count) => {
    const start = first * classes;
    copyIn(k.logits, x, start, count * classes);
    writeRecords(rows, k, first, count);
    if (k.exports.oneHotRows(0, 4 * CAPACITY, INFO, count, classes, withGrad, FLAG) === 0) return false;
    if (grad !== null) copyOut(k.grad, count * classes, grad, start);
    total = rowLosses(rows, k, first, count, first, total);
  });
  return finite ? total : Number.NaN;
}

/**
 * Writes the label and gradient coefficient of rows [first, first + count) into records 0 … count − 1:
 * scale·weight (times the row's upstream) for a counted row; label 0 and coefficient +0 for an
 * ignored one, so that its gradient is written as +0 (as a zero-filled buffer holds).
 */
function writeRecords(rows: OneHotRows, records: Records, first: number, count: number): void {
  const { labels, ignoreIndex, classWeight, trueCoefficient, scale, upstream } = rows;
  for (let j = 0; j < count; j++) {
    const label = labels[first + j];
    if (label === ignoreIndex) {
      records.i32[6 * j] = 0;
      records.f32[6 * j + 1] = 0;
      continue;
    }
    const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
    records.i32[6 * j] = label;
    records.f32[6 * j + 1] = weight * (upstream === null ? scale : scale * upstream[first + j]);
  }
}

/**
 * Adds the losses of rows [first, first + count) to `total` in row order, from their records
 * (`records` row j − recordFirst holds row j), writing units; returns the new total.
 */
function rowLosses(
  rows: OneHotRows,
  records: Records,
  first: number,
  count: number,
  recordFirst: number,
  total: number,
): number {
  const { x, classes, labels, ignoreIndex, classWeight, trueCoefficient, units } = rows;
  let sum = total;
  for (let j = first; j < first + count; j++) {
    const label = labels[j];
    if (label === ignoreIndex) continue;
    const at = j - recordFirst;
    const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
    const loss =
      weight * (Math.log(records.f64[3 * at + 1]) - (x[j * classes + label] - records.f32[6 * at + 4]));
    sum += loss;
    if (units !== null) units[j] = loss;
  }
  return sum;
}

/**
 * `simdOneHotCrossEntropy` on resident logits and gradient: the records of every row written
 * here, the rows split over the thread pool when there are ROWS_MIN_PER_THREAD logits per
 * thread, each part computed in place, then the losses added in row order.
 */
function residentRows(k: ResidentKernel, rows: OneHotRows): number | null {
  const { x, classes, labels, grad } = rows;
  const n = labels.length;
  const enough = Math.floor((n * classes) / ROWS_MIN_PER_THREAD);
  const parts = enough < 2 ? 1 : Math.min(threadCount(), enough, workerCount() + 1, n);
  const recordsAt0 = k.records.ensure(RECORD * n);
  const flagsAt = k.flags.ensure(4 * parts);
  if (recordsAt0 < 0 || flagsAt < 0 || grad === null) return null;
  const records = recordsAt(k.memory.buffer, recordsAt0, n);
  writeRecords(rows, records, 0, n);
  let launched = false;
  for (let part = parts - 1; part >= 0; part--) {
    const r0 = Math.floor((n * part) / parts);
    const count = Math.floor((n * (part + 1)) / parts) - r0;
    const xAt = x.byteOffset + 4 * r0 * classes;
    const gAt = grad.byteOffset + 4 * r0 * classes;
    const infoAt = recordsAt0 + RECORD * r0;
    const flag = flagsAt + 4 * part;
    if (part > 0 && launch(part - 1, k.kernel, ONE_HOT_ROWS, xAt, gAt, infoAt, count, classes, 1, flag))
      launched = true;
    else k.exports.oneHotRows(xAt, gAt, infoAt, count, classes, 1, flag);
  }
  if (launched) join();
  const flags = new Int32Array(k.memory.buffer, flagsAt, parts);
  for (let part = 0; part < parts; part++) if (flags[part] === 0) return Number.NaN;
  return rowLosses(rows, records, 0, n, 0, 0);
}

/** `simdOneHotCrossEntropy` with a z-loss z > 0 (see there). */
function zLossRows(k: ScratchKernel, rows: OneHotRows, zLoss: number): number | null {
  const { x, classes, labels, ignoreIndex, classWeight, trueCoefficient, scale, upstream, units, grad } =
    rows;
  const rowCount = labels.length;
  const perChunk = Math.min(MAX_ROWS, Math.floor(CAPACITY / classes));
  let total = 0;
  let fits = true;
  const finite = eachChunk(0, rowCount, perChunk, (first, count) => {
    const start = first * classes;
    copyIn(k.logits, x, start, count * classes);
    if (k.exports.oneHotRows(0, 4 * CAPACITY, INFO, count, classes, 0, FLAG) === 0) return false;
    for (let j = 0; j < count; j++) {
      const label = labels[first + j];
      if (label === ignoreIndex) {
        // An ignored row: both coefficients +0, so its gradient is written as +0.
        k.i32[6 * j] = 0;
        k.f32[6 * j + 1] = 0;
        k.f32[6 * j + 5] = 0;
        continue;
      }
      const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
      const rowScale = upstream === null ? scale : scale * upstream[first + j];
      const s = k.f64[3 * j + 1];
      const m = k.f32[6 * j + 4];
      const logSum = Math.log(s);
      const lse = m + logSum;
      const loss = weight * (logSum - (x[start + j * classes + label] - m)) + zLoss * lse * lse;
      total += loss;
      if (units !== null) units[first + j] = loss;
      const softmaxCoef = (rowScale * (weight + 2 * zLoss * lse)) / s;
      if (grad !== null && !(Math.abs(softmaxCoef) <= FLOAT32_MAX)) {
        fits = false;
        return false;
      }
      k.i32[6 * j] = label;
      k.f32[6 * j + 1] = weight * rowScale;
      k.f32[6 * j + 5] = softmaxCoef;
    }
    if (grad !== null) {
      k.exports.scaleRows(4 * CAPACITY, INFO, count, classes);
      copyOut(k.grad, count * classes, grad, start);
    }
  });
  if (!fits) return null;
  return finite ? total : Number.NaN;
}
