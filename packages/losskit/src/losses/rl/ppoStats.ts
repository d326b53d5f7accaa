import { assertFinite, type TensorLike, toTensor } from '../../tensor/index.js';
import { numberOption, resolveOptions } from '../options.js';
import { requireSameShape } from '../validate.js';

/** Options of `ppoStats`. */
export interface PpoStatsOptions {
  /** The clip range ε used by `ppoClip`; default 0.2, must be >= 0. */
  readonly clipEpsilon?: number;
}

/** Diagnostics of one PPO update. */
export interface PpoStats {
  /** Share of samples whose ratio r left [1 − ε, 1 + ε], i.e. |r − 1| > ε. */
  readonly clipFraction: number;
  /** mean((r − 1) − log r), a low-variance, non-negative estimator of KL(π_old ‖ π). */
  readonly approxKl: number;
}

/**
 * PPO training diagnostics from the new and old log-probabilities of the sampled actions.
 *
 * With d = logProbs − oldLogProbs and r = e^d: clipFraction = share of samples with
 * r < 1 − ε or r > 1 + ε (the samples `ppoClip` clamps), approxKl = mean((r − 1) − log r),
 * computed as expm1(d) − d to stay accurate for small d. Both are 0 for empty inputs.
 * Reference: Schulman (2020), "Approximating KL Divergence" (the k3 estimator); the
 * clip-fraction diagnostic of OpenAI Baselines' PPO2.
 *
 * @example
 * ppoStats([0, 0.5], [0, 0]) // { clipFraction: 0.5, approxKl: 0.0743606353500641 }
 */
export function ppoStats(logProbs: TensorLike, oldLogProbs: TensorLike, options?: PpoStatsOptions): PpoStats {
  const fn = 'ppoStats';
  const lp = toTensor(logProbs, fn, 'logProbs');
  assertFinite(lp, fn, 'logProbs');
  const old = toTensor(oldLogProbs, fn, 'oldLogProbs');
  assertFinite(old, fn, 'oldLogProbs');
  requireSameShape(fn, 'logProbs', lp, 'oldLogProbs', old);
  const { clipEpsilon } = resolveOptions(fn, { clipEpsilon: numberOption(0.2, { min: 0 }) }, options);
  const n = lp.size;
  if (n === 0) return { clipFraction: 0, approxKl: 0 };
  const lo = 1 - clipEpsilon;
  const hi = 1 + clipEpsilon;
  let clipped = 0;
  let kl = 0;
  for (let i = 0; i < n; i++) {
    const d = lp.data[i] - old.data[i];
    const r = Math.exp(d);
    if (r < lo || r > hi) clipped++;
    kl += Math.expm1(d) - d;
  }
  return { clipFraction: clipped / n, approxKl: kl / n };
}
