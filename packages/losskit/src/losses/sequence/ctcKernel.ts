// The CTC dynamic program of one sample, in log space over the extended label sequence: the
// forward (alpha) and backward (beta) variables, the negative log-likelihood and its gradient.
// Everything it needs is validated by the caller (`ctc.ts`); it only computes.
import { extendLabels } from '../../kernels/wasm/ctc.js';
import type { FloatArray } from '../../tensor/index.js';
import { expNonPositive, log1pUnit, logSumExp } from '../math.js';

const NEG = Number.NEGATIVE_INFINITY;

// The log-adds of the recursion run once or twice per cell of α and of β, so they use the
// table-driven exp and log1p of math.ts (a few ulps, several times faster than Math.exp and
// Math.log1p): every argument is an exp of a non-positive number or a log1p of [0, 1].

/** log(eᵃ + eᵇ), −∞ when both are −∞ (never NaN). */
function logAdd(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === NEG) return NEG;
  return m + log1pUnit(expNonPositive(Math.min(a, b) - m));
}

/** log(eᵃ + eᵇ + eᶜ), −∞ when all are −∞ (never NaN). */
function logAdd3(a: number, b: number, c: number): number {
  // m the largest, p and q the other two: log(1 + e^(p−m) + e^(q−m)) needs two exps, not three.
  let m = a;
  let p = b;
  let q = c;
  if (p > m) {
    const t = m;
    m = p;
    p = t;
  }
  if (q > m) {
    const t = m;
    m = q;
    q = t;
  }
  if (m === NEG) return NEG;
  const y = expNonPositive(p - m) + expNonPositive(q - m); // in [0, 2]
  return m + (y <= 1 ? log1pUnit(y) : Math.LN2 + log1pUnit((y - 1) / 2));
}

/**
 * The fewest time steps an alignment of `length` labels (from `offset` in `labels`) needs: one
 * per label, plus one blank between each pair of equal consecutive labels.
 */
export function ctcMinimumSteps(labels: ArrayLike<number>, offset: number, length: number): number {
  let steps = length;
  for (let i = 1; i < length; i++) if (labels[offset + i] === labels[offset + i - 1]) steps++;
  return steps;
}

/**
 * The band of positions s at time t that lie on a complete alignment of a sample of `steps`
 * frames and extended length `width`: s ≥ L − 2(Tₙ − t) (bandStart) and s < 2t + 2 (bandEnd);
 * the rest of α and β is −∞ (0 in probability space).
 */
export const bandStart = (t: number, steps: number, width: number) => Math.max(0, width - 2 * (steps - t));
export const bandEnd = (t: number, width: number) => Math.min(width, 2 * t + 2);

/** Scratch memory of one call, sized for the longest sample and reused by every sample. */
export interface CtcScratch {
  /** α_t(s) for t < T, s < 2S + 1 (row stride: the sample's 2Sₙ + 1). */
  readonly alpha: Float64Array;
  /** Two rows of β, the current time step and the one before. */
  readonly beta: Float64Array;
  /** log Σ_c exp(x_tc) per time step (0 for log-probability input). */
  readonly logNorm: Float64Array;
  /** The extended label sequence: blank, y₁, blank, y₂, …, blank. */
  readonly extended: Int32Array;
  /** Whether position s may be entered from s − 2 (a label differing from the previous one). */
  readonly skip: Uint8Array;
  /** Occupation Σ_{s: y'_s = c} γ_t(s) of each class at one time step. */
  readonly occupation: Float64Array;
}

/** Scratch for inputs of `time` steps, `classes` classes and targets of at most `maxLabels`. */
export function ctcScratch(time: number, classes: number, maxLabels: number): CtcScratch {
  const width = 2 * maxLabels + 1;
  return {
    alpha: new Float64Array(time * width),
    beta: new Float64Array(2 * width),
    logNorm: new Float64Array(time),
    extended: new Int32Array(width),
    skip: new Uint8Array(width),
    occupation: new Float64Array(classes),
  };
}

/** One sample of the batch: where its frames and labels are, and its lengths. */
export interface CtcSample {
  /** Scores [T, C] of the batch, row-major; this sample's frames start at `frameOffset`. */
  readonly x: FloatArray;
  readonly frameOffset: number;
  readonly classes: number;
  /** Scores are logits (log-softmax is taken per frame) rather than log-probabilities. */
  readonly logits: boolean;
  /** The sample's input length Tₙ (frames from Tₙ on are padding). */
  readonly steps: number;
  readonly labels: ArrayLike<number>;
  readonly labelOffset: number;
  /** The sample's target length Sₙ (labels from Sₙ on are padding). */
  readonly length: number;
  readonly blank: number;
}

/**
 * −log p(y | x) of one sample by the forward recursion, and, when `grad` is given, its gradient
 * times `weight` written into the sample's first Tₙ frames of `grad` (which must hold zeros
 * there, or be overwritten: every element of those frames is assigned).
 *
 * Over the extended sequence y' (length L = 2Sₙ + 1, blanks at even positions), with
 * e_t(s) = log p_t(y'_s) and ⊕ the log-add:
 * α_0(0) = e_0(0), α_0(1) = e_0(1); α_t(s) = (α_{t−1}(s) ⊕ α_{t−1}(s−1) ⊕ [skip s] α_{t−1}(s−2)) + e_t(s);
 * log p = α_{T−1}(L−1) ⊕ α_{T−1}(L−2). The backward variables exclude the frame's own emission:
 * β_{T−1}(s) = 0 for s ∈ {L−1, L−2}; β_{t−1}(s) = ⊕_{s' ∈ {s, s+1, s+2 if skip s+2}} β_t(s') + e_t(s').
 * The occupation γ_t(s) = exp(α_t(s) + β_t(s) − log p) sums to 1 over s at every t. The gradient
 * is −γ_t(c) = −Σ_{s: y'_s = c} γ_t(s) with respect to log-probabilities, and
 * softmax(x_t)_c − γ_t(c) with respect to logits. Only the band of positions that can both be
 * reached by time t and still finish by Tₙ is computed (the rest is −∞).
 */
export function ctcSampleLoss(
  sample: CtcSample,
  scratch: CtcScratch,
  grad: FloatArray | null,
  weight: number,
): number {
  const { x, frameOffset, classes, logits, steps } = sample;
  const { alpha, beta, logNorm, extended, skip, occupation } = scratch;
  const width = extendLabels(sample.labels, sample.labelOffset, sample.length, sample.blank, extended, skip);
  for (let t = 0; t < steps; t++) logNorm[t] = logits ? logSumExp(x, frameOffset + t * classes, classes) : 0;
  alpha.fill(NEG, 0, steps * width);

  const lowest = (t: number) => bandStart(t, steps, width);
  const end = (t: number) => bandEnd(t, width);

  for (let s = lowest(0); s < end(0); s++) alpha[s] = x[frameOffset + extended[s]] - logNorm[0];
  for (let t = 1; t < steps; t++) {
    const row = frameOffset + t * classes;
    const norm = logNorm[t];
    const prev = (t - 1) * width;
    const cur = t * width;
    for (let s = lowest(t), stop = end(t); s < stop; s++) {
      const stay = alpha[prev + s];
      const step = s > 0 ? alpha[prev + s - 1] : NEG;
      const into = skip[s] === 1 ? logAdd3(stay, step, alpha[prev + s - 2]) : logAdd(stay, step);
      alpha[cur + s] = into + (x[row + extended[s]] - norm);
    }
  }
  const last = (steps - 1) * width;
  const logLikelihood = width > 1 ? logAdd(alpha[last + width - 1], alpha[last + width - 2]) : alpha[last];
  const loss = -logLikelihood;
  if (grad === null || weight === 0 || !Number.isFinite(loss)) return loss;

  // Backward pass: β in two rows (row t at (t % 2)·L), the gradient frame by frame.
  for (let t = steps - 1; t >= 0; t--) {
    const cur = (t % 2) * width;
    if (t === steps - 1) {
      beta.fill(NEG, cur, cur + width);
      beta[cur + width - 1] = 0;
      if (width > 1) beta[cur + width - 2] = 0;
    }
    const row = frameOffset + t * classes;
    occupation.fill(0);
    for (let s = lowest(t), stop = end(t); s < stop; s++) {
      const logGamma = alpha[t * width + s] + beta[cur + s] - logLikelihood;
      if (logGamma > NEG) occupation[extended[s]] += expNonPositive(Math.min(logGamma, 0));
    }
    const norm = logNorm[t];
    for (let c = 0; c < classes; c++) {
      const softmax = logits ? expNonPositive(x[row + c] - norm) : 0;
      grad[row + c] = weight * (softmax - occupation[c]);
    }
    if (t === 0) break;
    // β_{t−1}(s) from β_t and the emissions of frame t.
    const next = ((t - 1) % 2) * width;
    beta.fill(NEG, next, next + width);
    for (let s = lowest(t - 1), stop = end(t - 1); s < stop; s++) {
      const stay = beta[cur + s] + (x[row + extended[s]] - norm);
      const step = s + 1 < width ? beta[cur + s + 1] + (x[row + extended[s + 1]] - norm) : NEG;
      beta[next + s] =
        s + 2 < width && skip[s + 2] === 1
          ? logAdd3(stay, step, beta[cur + s + 2] + (x[row + extended[s + 2]] - norm))
          : logAdd(stay, step);
    }
  }
  return loss;
}
