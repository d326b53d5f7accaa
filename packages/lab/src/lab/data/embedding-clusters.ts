import type { RandomSource } from './random.js';

/** Labelled points for metric learning: row-major features and integer class labels. */
export interface ClusterData {
  /** `count × dims`, row-major. */
  readonly features: Float64Array;
  readonly labels: Int32Array;
  readonly count: number;
  readonly dims: number;
}

export interface EmbeddingClustersSpec {
  /** Classes used for training. */
  readonly trainClasses: number;
  /** Further classes, never seen in training, on which the embedding is evaluated. */
  readonly heldOutClasses: number;
  /** Points drawn per class (training and held-out alike). */
  readonly perClass: number;
  /** Dimension of the observed points. */
  readonly dims: number;
  /** Dimension of the subspace in which the classes differ (< dims). */
  readonly signalDims: number;
  /** Standard deviation of the class centres along each signal direction. */
  readonly centreSpread: number;
  /** Standard deviation of a point around its centre along each signal direction. */
  readonly withinNoise: number;
  /** Standard deviation of the class-independent noise along the other `dims − signalDims` directions. */
  readonly nuisanceNoise: number;
}

/** A training set and a held-out set whose classes are disjoint. */
export interface EmbeddingClusters {
  readonly train: ClusterData;
  /** Labels continue after the training labels, so the two sets never share a class. */
  readonly heldOut: ClusterData;
}

/** A random `n × n` orthogonal matrix (Gram–Schmidt on Gaussian columns), row-major. */
function randomRotation(rng: RandomSource, n: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let col = 0; col < n; col++) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (let prev = 0; prev < col; prev++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += v[r] * q[r * n + prev];
      for (let r = 0; r < n; r++) v[r] -= dot * q[r * n + prev];
    }
    const norm = Math.hypot(...v) || 1;
    for (let r = 0; r < n; r++) q[r * n + col] = v[r] / norm;
  }
  return q;
}

function sample(
  rng: RandomSource,
  spec: EmbeddingClustersSpec,
  rotation: Float64Array,
  centres: readonly Float64Array[],
  firstLabel: number,
): ClusterData {
  const { dims, signalDims, perClass } = spec;
  const count = centres.length * perClass;
  const features = new Float64Array(count * dims);
  const labels = new Int32Array(count);
  const latent = new Float64Array(dims);
  for (let k = 0; k < centres.length; k++) {
    for (let j = 0; j < perClass; j++) {
      const row = k * perClass + j;
      for (let d = 0; d < dims; d++) {
        latent[d] =
          d < signalDims
            ? centres[k][d] + spec.withinNoise * rng.normal()
            : spec.nuisanceNoise * rng.normal();
      }
      for (let r = 0; r < dims; r++) {
        let x = 0;
        for (let d = 0; d < dims; d++) x += rotation[r * dims + d] * latent[d];
        features[row * dims + r] = x;
      }
      labels[row] = firstLabel + k;
    }
  }
  return { features, labels, count, dims };
}

/**
 * Noisy clusters for metric learning. Each class is a Gaussian blob whose centre differs from the
 * others only inside a `signalDims`-dimensional subspace; the remaining directions carry strong
 * class-independent noise. A random rotation hides which directions are which, so raw Euclidean
 * distance confuses classes and an embedder must learn to keep the signal and drop the noise. That
 * skill transfers to the held-out classes, which share the subspace but not the centres.
 */
export function embeddingClusters(rng: RandomSource, spec: EmbeddingClustersSpec): EmbeddingClusters {
  const rotation = randomRotation(rng, spec.dims);
  const centre = () => Float64Array.from({ length: spec.signalDims }, () => spec.centreSpread * rng.normal());
  const trainCentres = Array.from({ length: spec.trainClasses }, centre);
  const heldOutCentres = Array.from({ length: spec.heldOutClasses }, centre);
  return {
    train: sample(rng, spec, rotation, trainCentres, 0),
    heldOut: sample(rng, spec, rotation, heldOutCentres, spec.trainClasses),
  };
}

/**
 * Recall@1 of an embedding: the share of points whose nearest other point (Euclidean) has the
 * same label. Ties go to the lower index.
 */
export function recallAtOne(embeddings: ArrayLike<number>, labels: ArrayLike<number>, dims: number): number {
  const n = labels.length;
  if (n < 2) return 0;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let d = 0;
      for (let c = 0; c < dims; c++) {
        const diff = embeddings[i * dims + c] - embeddings[j * dims + c];
        d += diff * diff;
      }
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (labels[best] === labels[i]) hits++;
  }
  return hits / n;
}
