import type { RandomSource } from './random.js';

export interface RingClustersSpec {
  readonly count: number;
  /** Clusters evenly spaced on a circle in the 2-D content plane. */
  readonly clusters: number;
  /** Classes: cluster k has label k mod classes, so with clusters = 2·classes opposite clusters share a class. */
  readonly classes: number;
  readonly radius: number;
  /** Standard deviation of a point around its cluster centre (content plane). */
  readonly spread: number;
  /** Class-independent nuisance directions and their standard deviation. */
  readonly nuisanceDims: number;
  readonly nuisance: number;
  /** Dimension of the observed points (≥ 2 + nuisanceDims). */
  readonly dims: number;
  /** Isotropic observation noise added after the lift. */
  readonly noise: number;
}

export interface RingClusters {
  /** `count × dims`, row-major. */
  readonly features: Float64Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly dims: number;
}

/**
 * A random `dims × latent` matrix with orthonormal columns (Gram–Schmidt), row-major: the lift of
 * the latent coordinates into the observed space. Drawn from `rng` so every set of one task shares it.
 */
export function randomLift(rng: RandomSource, dims: number, latent: number): Float64Array {
  const q = new Float64Array(dims * latent);
  for (let col = 0; col < latent; col++) {
    const v = Float64Array.from({ length: dims }, () => rng.normal());
    for (let prev = 0; prev < col; prev++) {
      let dot = 0;
      for (let r = 0; r < dims; r++) dot += v[r] * q[r * latent + prev];
      for (let r = 0; r < dims; r++) v[r] -= dot * q[r * latent + prev];
    }
    const norm = Math.hypot(...v) || 1;
    for (let r = 0; r < dims; r++) q[r * latent + col] = v[r] / norm;
  }
  return q;
}

/**
 * Points of `clusters` Gaussian clusters on a ring in a 2-D content plane, plus class-independent
 * nuisance coordinates, lifted into `dims` dimensions by `lift` (from `randomLift(rng, dims, 2 +
 * nuisanceDims)`) and observed with isotropic noise. With clusters = 2·classes each class is two
 * opposite clusters, which no linear function of the raw points separates.
 */
export function ringClusters(rng: RandomSource, spec: RingClustersSpec, lift: Float64Array): RingClusters {
  const { count, dims } = spec;
  const latent = 2 + spec.nuisanceDims;
  const features = new Float64Array(count * dims);
  const labels = new Int32Array(count);
  const z = new Float64Array(latent);
  for (let i = 0; i < count; i++) {
    const k = Math.floor(rng.uniform() * spec.clusters);
    const angle = (2 * Math.PI * k) / spec.clusters;
    z[0] = spec.radius * Math.cos(angle) + spec.spread * rng.normal();
    z[1] = spec.radius * Math.sin(angle) + spec.spread * rng.normal();
    for (let d = 2; d < latent; d++) z[d] = spec.nuisance * rng.normal();
    for (let r = 0; r < dims; r++) {
      let x = spec.noise * rng.normal();
      for (let d = 0; d < latent; d++) x += lift[r * latent + d] * z[d];
      features[i * dims + r] = x;
    }
    labels[i] = k % spec.classes;
  }
  return { features, labels, count, dims };
}

/**
 * An augmented view of each row of `features` (`count × dims`): Gaussian noise of deviation
 * `noise` on every value, then each value zeroed with probability `maskRate`.
 */
export function augmentedView(
  rng: RandomSource,
  features: ArrayLike<number>,
  noise: number,
  maskRate: number,
): Float64Array {
  return Float64Array.from(features, (x) => (rng.uniform() < maskRate ? 0 : x + noise * rng.normal()));
}
