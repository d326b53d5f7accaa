import { SIMD_MIN_LENGTH } from './float32.js';
import { softmaxWasm } from './kernels.generated.js';
import { copyIn, copyOut, eachChunk, embeddedKernel, type Loaded } from './module.js';

/**
 * The WebAssembly SIMD kernel of the one-hot softmax cross-entropy on float32 logits (see
 * softmax.wat): rows are copied into the module's memory a chunk at a time, the kernel finds
 * each row's maximum m and Σ e^(x − m) and writes the gradient, and this side turns those into
 * the losses. Used by `sparseCategoricalCrossEntropy` and `tokenCrossEntropy` (no smoothing), with
 * or without PaLM's z-loss: with it, the kernel leaves e^(x − m) in place, this side computes each
 * row's lse = m + log s (WebAssembly has no logarithm) and its softmax coefficient, and the
 * kernel's `scaleRows` writes the gradient.
 */

/** The largest finite float32: a softmax coefficient beyond it cannot go through the kernel. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** Values per chunk (256 KiB of logits; as many whole rows as fit). */
const CAPACITY = 65536;
/** Rows per chunk at most (the size of the per-row areas). */
const MAX_ROWS = 4096;

interface SoftmaxExports {
  readonly memory: WebAssembly.Memory;
  oneHotRows(rows: number, classes: number, withGrad: number): number;
  scaleRows(rows: number, classes: number): void;
}

interface SoftmaxRegions {
  readonly logits: Float32Array;
  readonly grad: Float32Array;
  readonly labels: Int32Array;
  readonly coefs: Float32Array;
  readonly sums: Float64Array;
  readonly maxima: Float32Array;
  /** The softmax coefficient of each row divided by its s, for `scaleRows`. */
  readonly softmaxCoefs: Float32Array;
}

const kernel = embeddedKernel<SoftmaxExports, SoftmaxRegions>(softmaxWasm, (buffer) => {
  const info = 8 * CAPACITY;
  return {
    logits: new Float32Array(buffer, 0, CAPACITY),
    grad: new Float32Array(buffer, 4 * CAPACITY, CAPACITY),
    labels: new Int32Array(buffer, info, MAX_ROWS),
    coefs: new Float32Array(buffer, info + 4 * MAX_ROWS, MAX_ROWS),
    sums: new Float64Array(buffer, info + 8 * MAX_ROWS, MAX_ROWS),
    maxima: new Float32Array(buffer, info + 16 * MAX_ROWS, MAX_ROWS),
    softmaxCoefs: new Float32Array(buffer, info + 20 * MAX_ROWS, MAX_ROWS),
  };
});

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
  const { x, classes, labels, ignoreIndex, classWeight, trueCoefficient, scale, upstream, units, grad } =
    rows;
  if (k === null || !softmaxRowsFit(classes)) return null;
  const zLoss = rows.zLoss ?? 0;
  if (zLoss > 0) return zLossRows(k, rows, zLoss);
  const rowCount = labels.length;
  const perChunk = Math.min(MAX_ROWS, Math.floor(CAPACITY / classes));
  const withGrad = grad === null ? 0 : 1;
  let total = 0;
  const finite = eachChunk(0, rowCount, perChunk, (first, count) => {
    const start = first * classes;
    copyIn(k.logits, x, start, count * classes);
    for (let j = 0; j < count; j++) {
      const label = labels[first + j];
      if (label === ignoreIndex) {
        // An ignored row: coefficient +0, so its gradient is written as +0 (as the buffer holds).
        k.labels[j] = 0;
        k.coefs[j] = 0;
        continue;
      }
      const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
      k.labels[j] = label;
      k.coefs[j] = weight * (upstream === null ? scale : scale * upstream[first + j]);
    }
    if (k.exports.oneHotRows(count, classes, withGrad) === 0) return false;
    if (grad !== null) copyOut(k.grad, count * classes, grad, start);
    for (let j = 0; j < count; j++) {
      const label = labels[first + j];
      if (label === ignoreIndex) continue;
      const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
      const loss = weight * (Math.log(k.sums[j]) - (x[start + j * classes + label] - k.maxima[j]));
      total += loss;
      if (units !== null) units[first + j] = loss;
    }
  });
  return finite ? total : Number.NaN;
}

/** `simdOneHotCrossEntropy` with a z-loss z > 0 (see there). */
function zLossRows(
  k: Loaded<SoftmaxExports, SoftmaxRegions>,
  rows: OneHotRows,
  zLoss: number,
): number | null {
  const { x, classes, labels, ignoreIndex, classWeight, trueCoefficient, scale, upstream, units, grad } =
    rows;
  const rowCount = labels.length;
  const perChunk = Math.min(MAX_ROWS, Math.floor(CAPACITY / classes));
  let total = 0;
  let fits = true;
  const finite = eachChunk(0, rowCount, perChunk, (first, count) => {
    const start = first * classes;
    copyIn(k.logits, x, start, count * classes);
    if (k.exports.oneHotRows(count, classes, 0) === 0) return false;
    for (let j = 0; j < count; j++) {
      const label = labels[first + j];
      if (label === ignoreIndex) {
        // An ignored row: both coefficients +0, so its gradient is written as +0.
        k.labels[j] = 0;
        k.coefs[j] = 0;
        k.softmaxCoefs[j] = 0;
        continue;
      }
      const weight = trueCoefficient * (classWeight === null ? 1 : classWeight[label]);
      const rowScale = upstream === null ? scale : scale * upstream[first + j];
      const s = k.sums[j];
      const m = k.maxima[j];
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
      k.labels[j] = label;
      k.coefs[j] = weight * rowScale;
      k.softmaxCoefs[j] = softmaxCoef;
    }
    if (grad !== null) {
      k.exports.scaleRows(count, classes);
      copyOut(k.grad, count * classes, grad, start);
    }
  });
  if (!fits) return null;
  return finite ? total : Number.NaN;
}
