import type { RandomSource } from './random.js';

/** Side of the square canvas the boxes lie on, in pixels. */
export const BOX_CANVAS = 64;
/** Bins of each profile: the canvas is seen at 4 pixels per bin. */
export const PROFILE_BINS = 16;

export interface BoxProfilesSpec {
  readonly count: number;
  /** Smallest and largest box side, in pixels; sides are log-uniform between them. */
  readonly minSize: number;
  readonly maxSize: number;
  /** Standard deviation of the Gaussian noise added to every profile value. */
  readonly noise: number;
}

/** Objects seen through two coarse, noisy profiles, with their true boxes. */
export interface BoxProfiles {
  /** `count × 2·PROFILE_BINS`, row-major: the x profile, then the y profile. */
  readonly features: Float64Array;
  /** `count × 4`, row-major (x1, y1, x2, y2) in pixels, with x2 > x1 and y2 > y1. */
  readonly boxes: Float64Array;
  readonly count: number;
}

/** Share of bin `b` (of width BOX_CANVAS / PROFILE_BINS) that the interval [lo, hi] covers. */
export function binCoverage(lo: number, hi: number, b: number): number {
  const width = BOX_CANVAS / PROFILE_BINS;
  const overlap = Math.min(hi, (b + 1) * width) - Math.max(lo, b * width);
  return overlap > 0 ? overlap / width : 0;
}

/**
 * Axis-aligned boxes of widely varying scale (each side log-uniform in [minSize, maxSize], placed
 * uniformly inside the canvas), each observed only through its low-resolution marginal profiles:
 * per bin of 4 pixels, the share of the bin the box covers along x (and along y), plus Gaussian
 * noise. A box smaller than a bin shows as a faint bump, so small boxes are the hard ones.
 */
export function boxProfiles(rng: RandomSource, spec: BoxProfilesSpec): BoxProfiles {
  const { count } = spec;
  const features = new Float64Array(count * 2 * PROFILE_BINS);
  const boxes = new Float64Array(count * 4);
  const logMin = Math.log(spec.minSize);
  const logMax = Math.log(spec.maxSize);
  for (let i = 0; i < count; i++) {
    for (let axis = 0; axis < 2; axis++) {
      const side = Math.exp(logMin + (logMax - logMin) * rng.uniform());
      const lo = (BOX_CANVAS - side) * rng.uniform();
      const hi = lo + side;
      boxes[i * 4 + axis] = lo;
      boxes[i * 4 + 2 + axis] = hi;
      for (let b = 0; b < PROFILE_BINS; b++)
        features[i * 2 * PROFILE_BINS + axis * PROFILE_BINS + b] =
          binCoverage(lo, hi, b) + spec.noise * rng.normal();
    }
  }
  return { features, boxes, count };
}

/** IoU of two (x1, y1, x2, y2) boxes stored at offsets `i` of `a` and `j` of `b`. */
export function boxIou(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number): number {
  const w = Math.min(a[i + 2], b[j + 2]) - Math.max(a[i], b[j]);
  const h = Math.min(a[i + 3], b[j + 3]) - Math.max(a[i + 1], b[j + 1]);
  const inter = w > 0 && h > 0 ? w * h : 0;
  const areaA = (a[i + 2] - a[i]) * (a[i + 3] - a[i + 1]);
  const areaB = (b[j + 2] - b[j]) * (b[j + 3] - b[j + 1]);
  const union = areaA + areaB - inter;
  return union > 0 ? inter / union : 0;
}
