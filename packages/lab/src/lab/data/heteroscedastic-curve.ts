import type { RandomSource } from './random.js';

/** Points of a curve whose noise grows with x. */
export interface CurveData {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** How noisy the curve is at each end of its range; the noise standard deviation is linear in between. */
export interface HeteroscedasticSpec {
  readonly count: number;
  /** Noise standard deviation at x = 0. */
  readonly noiseAtStart: number;
  /** Noise standard deviation at x = `CURVE_X_MAX`. */
  readonly noiseAtEnd: number;
}

/** The inputs lie in [0, CURVE_X_MAX]; the first half of the range is the low-noise half. */
export const CURVE_X_MAX = 2;

/** The noise-free curve: one period of a sine over the input range, sin(πx). */
export function curveMean(x: number): number {
  return Math.sin(Math.PI * x);
}

/** The standard deviation of the noise at `x`: linear from `noiseAtStart` to `noiseAtEnd`. */
export function curveNoise(spec: Omit<HeteroscedasticSpec, 'count'>, x: number): number {
  return spec.noiseAtStart + ((spec.noiseAtEnd - spec.noiseAtStart) * x) / CURVE_X_MAX;
}

/**
 * x uniform in [0, CURVE_X_MAX]; y = sin(πx) + σ(x)·ε with ε standard normal and σ(x) growing
 * linearly with x (heteroscedastic noise), so a single error bar cannot fit every x.
 */
export function heteroscedasticCurve(rng: RandomSource, spec: HeteroscedasticSpec): CurveData {
  const x = new Float64Array(spec.count);
  const y = new Float64Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    x[i] = CURVE_X_MAX * rng.uniform();
    y[i] = curveMean(x[i]) + curveNoise(spec, x[i]) * rng.normal();
  }
  return { x, y };
}
