import type { FloatArray } from '../../tensor/index.js';

/** The ε added to the standard deviation when advantages are normalised (API.md). */
export const ADVANTAGE_STD_EPS = 1e-8;

/**
 * The affine map A ↦ (A − shift)·scale that normalises advantages over the whole tensor:
 * shift = mean(A), scale = 1/(std(A) + 1e-8) with the unbiased (n − 1) standard deviation.
 * For fewer than two samples the std is undefined, so normalisation is skipped (shift 0,
 * scale 1). The statistics are constants: no gradient flows through them.
 */
export function advantageNormalisation(a: FloatArray): { shift: number; scale: number } {
  const n = a.length;
  if (n < 2) return { shift: 0, scale: 1 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i] - mean;
    squares += d * d;
  }
  return { shift: mean, scale: 1 / (Math.sqrt(squares / (n - 1)) + ADVANTAGE_STD_EPS) };
}
