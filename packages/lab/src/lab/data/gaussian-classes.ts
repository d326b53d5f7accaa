import type { RandomSource } from './random.js';

/** Labelled points in `dims` dimensions: row-major features and integer labels. */
export interface ClassData {
  /** `count × dims`, row-major. */
  readonly features: Float64Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly dims: number;
}

/** Class centres: `classes` points in `dims` dimensions at distance `radius` from the origin, seeded. */
export function classCentres(
  rng: RandomSource,
  classes: number,
  dims: number,
  radius: number,
): Float64Array[] {
  return Array.from({ length: classes }, () => {
    const c = Float64Array.from({ length: dims }, () => rng.normal());
    const norm = Math.hypot(...c) || 1;
    for (let d = 0; d < dims; d++) c[d] *= radius / norm;
    return c;
  });
}

/**
 * Points around the given centres with unit Gaussian noise. `classWeights` (default uniform) are
 * the class probabilities; `labelNoise` is the share of labels replaced by a different random class.
 */
export function gaussianClasses(
  rng: RandomSource,
  spec: {
    count: number;
    centres: readonly Float64Array[];
    classWeights?: readonly number[];
    labelNoise?: number;
  },
): ClassData {
  const classes = spec.centres.length;
  const dims = spec.centres[0].length;
  const weights = spec.classWeights ?? spec.centres.map(() => 1 / classes);
  const total = weights.reduce((s, w) => s + w, 0);
  const features = new Float64Array(spec.count * dims);
  const labels = new Int32Array(spec.count);
  for (let i = 0; i < spec.count; i++) {
    let u = rng.uniform() * total;
    let k = 0;
    while (k < classes - 1 && u >= weights[k]) u -= weights[k++];
    for (let d = 0; d < dims; d++) features[i * dims + d] = spec.centres[k][d] + rng.normal();
    let label = k;
    if (spec.labelNoise !== undefined && rng.uniform() < spec.labelNoise) {
      label = (k + 1 + Math.floor(rng.uniform() * (classes - 1))) % classes;
    }
    labels[i] = label;
  }
  return { features, labels, count: spec.count, dims };
}
