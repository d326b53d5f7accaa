import type { RandomSource } from './random.js';

/** A mixture of equally likely isotropic 2-D Gaussians whose centres sit evenly on a circle. */
export interface Ring {
  readonly modes: number;
  readonly radius: number;
  /** Standard deviation of each component along each axis. */
  readonly std: number;
}

/** Centre of mode `k` (angle 2πk / modes). */
export function ringCentre(ring: Ring, k: number): readonly [number, number] {
  const angle = (2 * Math.PI * k) / ring.modes;
  return [ring.radius * Math.cos(angle), ring.radius * Math.sin(angle)];
}

/** `count` samples of the ring mixture, `count × 2` row-major: a uniform mode plus Gaussian noise. */
export function sampleRing(rng: RandomSource, ring: Ring, count: number): Float64Array {
  const out = new Float64Array(count * 2);
  for (let i = 0; i < count; i++) {
    const [cx, cy] = ringCentre(ring, Math.floor(rng.uniform() * ring.modes));
    out[2 * i] = cx + ring.std * rng.normal();
    out[2 * i + 1] = cy + ring.std * rng.normal();
  }
  return out;
}

/** How well a set of generated points covers the ring's modes. */
export interface ModeCoverage {
  /** Modes that received at least `minPerMode` high-quality samples. */
  readonly modesCovered: number;
  /** Share of samples within `qualityStds` standard deviations of their nearest mode centre. */
  readonly highQualityShare: number;
  /** High-quality samples per mode. */
  readonly perMode: readonly number[];
  /**
   * KL(q ‖ uniform) in nats of the distribution q of high-quality samples over the modes:
   * 0 when they are spread evenly, log(modes) when they all sit on one mode (and when there are none).
   */
  readonly modeKl: number;
}

/**
 * The mode-coverage metrics of the ring benchmark as in Metz et al. (2017, Unrolled GANs) and
 * Srivastava et al. (2017, VEEGAN): a sample is of high quality when it lies within
 * `qualityStds` (3) standard deviations of the nearest mode centre; a mode counts as covered
 * when at least `minPerMode` high-quality samples fall on it.
 */
export function modeCoverage(
  samples: ArrayLike<number>,
  ring: Ring,
  options: { readonly qualityStds?: number; readonly minPerMode: number },
): ModeCoverage {
  const limit = (options.qualityStds ?? 3) * ring.std;
  const centres = Array.from({ length: ring.modes }, (_, k) => ringCentre(ring, k));
  const perMode = new Array<number>(ring.modes).fill(0);
  const count = samples.length / 2;
  let good = 0;
  for (let i = 0; i < count; i++) {
    const x = samples[2 * i];
    const y = samples[2 * i + 1];
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let k = 0; k < ring.modes; k++) {
      const d = Math.hypot(x - centres[k][0], y - centres[k][1]);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    if (bestDistance <= limit) {
      good++;
      perMode[best]++;
    }
  }
  let modeKl = Math.log(ring.modes);
  if (good > 0) {
    modeKl = 0;
    for (const n of perMode) if (n > 0) modeKl += (n / good) * Math.log((n / good) * ring.modes);
  }
  return {
    modesCovered: perMode.filter((n) => n >= options.minPerMode).length,
    highQualityShare: count === 0 ? 0 : good / count,
    perMode,
    modeKl,
  };
}
