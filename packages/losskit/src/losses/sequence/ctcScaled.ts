// The CTC dynamic program of one sample in probability space, each time step rescaled to sum to
// 1 (Graves et al. 2006, §4.1; Rabiner 1989, §V.A): a multiply-add per cell instead of the
// log-space recursion's two exps and a log. It declines (returns null) where it cannot bound the
// error that underflow may cause; the caller then runs the log-space kernel of ctcKernel.ts,
// which is exact at any scale. Everything it needs is validated by the caller.
//
// Precision. Cells are non-negative and only added and multiplied, so normal numbers carry a
// relative error of a few ulps; the one other error is a cell below TINY, set to 0. A cell δ
// lost at (t, s) changes p(y) by δ·β_t(s), so the relative error of p(y) and the absolute error of
// every occupation are at most Σ_t (cells lost at t)·TINY / Z_t, with Z_t = Σ_s α̂_t(s)·β̂_t(s) over
// rows of α̂ and β̂ that each sum to 1 (a product that underflows in Z_t errs by far less than
// TINY). The backward pass adds up 2L·TINY / Z_t over the frames and declines once the sum
// exceeds ERROR_BUDGET; when the forward pass lost no cell, p(y) needs no backward pass.
import { extendLabels, scaledLoss } from '../../kernels/wasm/ctc.js';
import type { FloatArray } from '../../tensor/index.js';
import { expNonPositive } from '../math.js';
import { type CtcSample, type CtcScratch, bandEnd, bandStart, ctcScratch } from './ctcKernel.js';

/**
 * Cells below 2⁻¹⁰²⁰ (of a row that sums to 1) are set to 0: every cell kept, and every product
 * that makes one, is a normal number, with a relative error of an ulp.
 */
const TINY = 2 ** -1020;
/** The bound on the relative error of p(y) (and the absolute error of γ) the kernel accepts. */
const ERROR_BUDGET = 2 ** -60;
/**
 * Row sums (each at least TINY) multiply into a running product c = scale·2^exponent: a row sum
 * below 2⁻⁵⁰⁰ is multiplied by 2⁵⁰⁰ first, and the product by 2⁵⁰⁰ while it is below 2⁻⁵⁰⁰
 * (exact: powers of two). The product stays a normal number in [2⁻⁵⁰⁰, 1], and its log is taken
 * once, at the end (`scaledLoss`), so the recursion needs no logarithm (ctc.wat, its WebAssembly
 * twin, has none).
 */
const FOLD_BELOW = 2 ** -500;
const FOLD_BY = 2 ** 500;
const FOLD_EXPONENT = -500;

/**
 * Scratch of the scaled kernel: the log-space kernel's, sized for one more label so that its rows
 * have two cells to spare (the scaled kernel pads α rows with two zeros in front, and reads two
 * zeros past the end of β rows), plus the emission probabilities and the per-frame values below.
 */
export interface CtcScaledScratch extends CtcScratch {
  /** p_t(c) for t < T and c < C: softmax(x_t) for logits, exp(x_t) for log-probabilities. */
  readonly probs: Float64Array;
  /** 1 / (the sum of row t of α), by which row t + 1 scales what it reads. */
  readonly rowInverse: Float64Array;
  /** β_t(s)·p_t(y'_s) of the current frame, zero outside its band. */
  readonly emitted: Float64Array;
}

/** Scratch for inputs of `time` steps, `classes` classes and targets of at most `maxLabels`. */
export function ctcScaledScratch(time: number, classes: number, maxLabels: number): CtcScaledScratch {
  return {
    ...ctcScratch(time, classes, maxLabels + 1),
    probs: new Float64Array(time * classes),
    rowInverse: new Float64Array(time),
    emitted: new Float64Array(2 * maxLabels + 3),
  };
}

/** Per-frame probabilities of a sample into `probs` (row stride C). */
function emissionProbabilities(sample: CtcSample, probs: Float64Array): void {
  const { x, frameOffset, classes, logits, steps } = sample;
  for (let t = 0; t < steps; t++) {
    const row = frameOffset + t * classes;
    const out = t * classes;
    if (!logits) {
      for (let c = 0; c < classes; c++) probs[out + c] = expNonPositive(x[row + c]);
      continue;
    }
    let m = x[row];
    for (let c = 1; c < classes; c++) if (x[row + c] > m) m = x[row + c];
    let sum = 0;
    for (let c = 0; c < classes; c++) {
      const e = expNonPositive(x[row + c] - m);
      probs[out + c] = e;
      sum += e;
    }
    const inverse = 1 / sum;
    for (let c = 0; c < classes; c++) probs[out + c] *= inverse;
  }
}

/**
 * −log p(y | x) of one sample, and when `grad` is given its gradient times `weight` written into
 * the sample's first Tₙ frames, as `ctcSampleLoss` computes them, or null where it cannot bound
 * the error of underflow below 2⁻⁶⁰ (extreme scores, such as logits of ±1e4); then `grad` may
 * hold partial results, which the log-space kernel overwrites.
 *
 * Over the extended sequence y' (length L = 2Sₙ + 1) with emissions p_t(s) = p_t(y'_s):
 * α̂_0(s) = p_0(s)/c_0; α̂_t(s) = (α̂_{t−1}(s) + α̂_{t−1}(s−1) + [skip s] α̂_{t−1}(s−2))·p_t(s)/c_t with
 * c_t making row t sum to 1, so log p = Σ_t log c_t + log(α̂_{T−1}(L−1) + α̂_{T−1}(L−2)). The
 * backward variables exclude the frame's own emission and are rescaled per frame as well:
 * β̂_{t−1}(s) ∝ Σ_{s' ∈ {s, s+1, s+2 if skip s+2}} β̂_t(s')·p_t(s'). The scales cancel in the
 * occupation γ_t(s) = α̂_t(s)β̂_t(s) / Z_t; the gradient is p_t(c) − γ_t(c) for logits and
 * −γ_t(c) for log-probabilities.
 */
export function ctcSampleLossScaled(
  sample: CtcSample,
  scratch: CtcScaledScratch,
  grad: FloatArray | null,
  weight: number,
): number | null {
  const { labels, labelOffset, length, blank } = sample;
  const width = extendLabels(labels, labelOffset, length, blank, scratch.extended, scratch.skip);
  emissionProbabilities(sample, scratch.probs);
  const forward = scaledForward(sample, scratch, width);
  if (forward === null) return null;
  const loss = scaledLoss(forward.exponent, forward.scale, forward.final);
  const writes = grad !== null && weight !== 0;
  // Without lost cells the value is exact as it stands; otherwise Z_t must vouch for it.
  if (!writes && !forward.lostCells) return loss;
  return scaledBackward(sample, scratch, width, writes ? grad : null, weight) ? loss : null;
}

/** What the forward pass found: p(y) = scale·2^exponent·final, and whether a cell was lost. */
interface ScaledForward {
  readonly exponent: number;
  readonly scale: number;
  readonly final: number;
  readonly lostCells: boolean;
}

/**
 * The forward pass. Row t of `alpha` (stride L + 2, cell s at 2 + s, the first two cells 0) holds
 * v_t(s) = (α̂_{t−1}(s) + α̂_{t−1}(s−1) + [skip s] α̂_{t−1}(s−2))·p_t(s), the normalised row α̂_t
 * times its sum c_t. Returns p(y) as scale·2^exponent·final and whether a cell below TINY was set
 * to 0; null where a row or the final sum is 0.
 */
function scaledForward(sample: CtcSample, scratch: CtcScaledScratch, width: number): ScaledForward | null {
  const { classes, steps } = sample;
  const { alpha, extended, skip, probs, rowInverse } = scratch;
  const stride = width + 2;
  // p = scale·2^exponent·final: the row sums multiply into `scale`, folded by FOLD_BY.
  let exponent = 0;
  let scale = 1;
  let lostCells = false;
  for (let t = 0; t < steps; t++) {
    const emit = t * classes;
    const prev = (t - 1) * stride + 2;
    const cur = t * stride + 2;
    const start = bandStart(t, steps, width);
    const stop = bandEnd(t, width);
    // Row t + 1 reads this row from start − 2 to stop + 1: the padding and the two cells past
    // the band must be 0 (the band of row t + 1 never starts more than two cells lower).
    alpha[cur - 2] = 0;
    alpha[cur - 1] = 0;
    if (stop < width) alpha[cur + stop] = 0;
    if (stop + 1 < width) alpha[cur + stop + 1] = 0;
    let rowSum = 0;
    if (t === 0) {
      for (let s = start; s < stop; s++) {
        let v = probs[emit + extended[s]];
        if (v < TINY) {
          lostCells = true;
          v = 0;
        }
        alpha[cur + s] = v;
        rowSum += v;
      }
    } else {
      const inverse = rowInverse[t - 1];
      for (let s = start; s < stop; s++) {
        const into = (alpha[prev + s] + alpha[prev + s - 1] + skip[s] * alpha[prev + s - 2]) * inverse;
        let v = into * probs[emit + extended[s]];
        if (v < TINY) {
          lostCells ||= into > 0;
          v = 0;
        }
        alpha[cur + s] = v;
        rowSum += v;
      }
    }
    if (rowSum === 0) return null;
    rowInverse[t] = 1 / rowSum;
    if (rowSum < FOLD_BELOW) {
      scale *= rowSum * FOLD_BY;
      exponent += FOLD_EXPONENT;
    } else {
      scale *= rowSum;
    }
    while (scale < FOLD_BELOW) {
      scale *= FOLD_BY;
      exponent += FOLD_EXPONENT;
    }
  }
  const last = (steps - 1) * stride + 2;
  const final =
    (width > 1 ? alpha[last + width - 1] + alpha[last + width - 2] : alpha[last]) * rowInverse[steps - 1];
  if (final === 0) return null;
  return { exponent, scale, final, lostCells };
}

/**
 * The backward pass: β in two rows (row t at (t % 2)·(L + 2), each the normalised β̂_t times its
 * sum), Z_t checked at every frame, and the gradient written frame by frame when `grad` is
 * given. False once the error bound exceeds ERROR_BUDGET. Z_t is taken over the stored rows,
 * whose sums are at most 1, so it is at most the Z_t of the precision note (a safe bound).
 */
function scaledBackward(
  sample: CtcSample,
  scratch: CtcScaledScratch,
  width: number,
  grad: FloatArray | null,
  weight: number,
): boolean {
  const { frameOffset, classes, logits, steps, blank } = sample;
  const { alpha, beta, extended, skip, occupation, probs, emitted } = scratch;
  const stride = width + 2;
  emitted.fill(0, 0, stride);
  // Σ_t 2L·TINY / Z_t so far (see the precision note).
  const cellsPerFrame = 2 * width * TINY;
  let errorBound = 0;
  let cur = ((steps - 1) % 2) * stride;
  beta[cur + width - 1] = 1;
  if (width > 1) beta[cur + width - 2] = 1;
  for (let t = steps - 1; t >= 0; t--) {
    cur = (t % 2) * stride;
    const emit = t * classes;
    const row = t * stride + 2;
    occupation.fill(0);
    let total = 0;
    let betaSum = 0;
    // The blank (every even s) collects in a register rather than in one memory cell.
    let blankOccupation = 0;
    for (let s = bandStart(t, steps, width), stop = bandEnd(t, width); s < stop; s++) {
      const b = beta[cur + s];
      const v = alpha[row + s] * b;
      if ((s & 1) === 0) blankOccupation += v;
      else occupation[extended[s]] += v;
      total += v;
      betaSum += b;
      emitted[s] = b * probs[emit + extended[s]];
    }
    occupation[blank] += blankOccupation;
    if (total === 0) return false;
    errorBound += cellsPerFrame / total;
    if (errorBound > ERROR_BUDGET) return false;
    if (grad !== null) {
      const inverse = 1 / total;
      const out = frameOffset + t * classes;
      for (let c = 0; c < classes; c++) {
        const softmax = logits ? probs[emit + c] : 0;
        grad[out + c] = weight * (softmax - occupation[c] * inverse);
      }
    }
    if (t === 0) break;
    // β_{t−1}(s) from the emitted β of frame t, read past the band as zeros.
    const next = ((t - 1) % 2) * stride;
    const inverse = 1 / betaSum;
    for (let s = bandStart(t - 1, steps, width), stop = bandEnd(t - 1, width); s < stop; s++) {
      let v = (emitted[s] + emitted[s + 1] + skip[s + 2] * emitted[s + 2]) * inverse;
      if (v < TINY) v = 0;
      beta[next + s] = v;
    }
  }
  return true;
}
