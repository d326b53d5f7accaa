import type { RandomSource } from './random.js';

/** Points of a line with Gaussian noise, a share of them replaced by gross outliers. */
export interface LineData {
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** 1 where the point is an outlier. */
  readonly outlier: Uint8Array;
}

export interface LineSpec {
  readonly count: number;
  readonly slope: number;
  readonly intercept: number;
  /** Standard deviation of the Gaussian noise. */
  readonly noise: number;
  /** Share of outliers in [0, 1). */
  readonly outlierFraction: number;
  /** Outliers sit this many noise deviations (± half of it) above the line. */
  readonly outlierOffset: number;
}

/**
 * x uniform in [-1, 1]; y = slope·x + intercept + noise. Outliers are one-sided (above the line)
 * and placed at x > 0, where they have leverage, so a non-robust fit tilts its slope and its
 * intercept toward them.
 */
export function lineWithOutliers(rng: RandomSource, spec: LineSpec): LineData {
  const x = new Float64Array(spec.count);
  const y = new Float64Array(spec.count);
  const outlier = new Uint8Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    const isOutlier = rng.uniform() < spec.outlierFraction;
    x[i] = isOutlier ? rng.uniform() : 2 * rng.uniform() - 1;
    y[i] = spec.slope * x[i] + spec.intercept + spec.noise * rng.normal();
    if (isOutlier) {
      y[i] += spec.noise * spec.outlierOffset * (0.5 + rng.uniform());
      outlier[i] = 1;
    }
  }
  return { x, y, outlier };
}
