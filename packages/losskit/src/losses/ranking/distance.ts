import type { FloatArray } from '../../tensor/index.js';

/**
 * Row distances shared by the ranking losses: torch's `pairwise_distance`, ‖x₁ − x₂ + ε‖_p, over
 * `n` contiguous components starting at `o1` in `x1` and `o2` in `x2`. Allocation-free, so the
 * loss kernels call them once per row.
 */

/** |v| of every component is at most this before a squared sum can overflow; above it we rescale. */
const SQUARE_SAFE_MAX = 1e150;
/** Below this a squared sum underflows to subnormals or 0; rescale as well. */
const SQUARE_SAFE_MIN = 1e-150;

/** The largest |x1[o1 + k] − x2[o2 + k] + eps|. */
function maxAbsDifference(
  x1: FloatArray,
  o1: number,
  x2: FloatArray,
  o2: number,
  n: number,
  eps: number,
): number {
  let m = 0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(x1[o1 + k] - x2[o2 + k] + eps);
    if (a > m) m = a;
  }
  return m;
}

/**
 * ‖x1 − x2 + eps‖_p for p ≥ 1. p = 1 and p = 2 take direct paths; any other p (and a p = 2 sum
 * that would overflow or underflow) factors out the largest component, m·(Σ(|vₖ|/m)^p)^(1/p),
 * so that large p and extreme magnitudes stay finite and exact.
 */
export function pDistance(
  x1: FloatArray,
  o1: number,
  x2: FloatArray,
  o2: number,
  n: number,
  p: number,
  eps: number,
): number {
  if (p === 1) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.abs(x1[o1 + k] - x2[o2 + k] + eps);
    return s;
  }
  if (p === 2) {
    let s = 0;
    for (let k = 0; k < n; k++) {
      const v = x1[o1 + k] - x2[o2 + k] + eps;
      s += v * v;
    }
    if (s < SQUARE_SAFE_MAX * SQUARE_SAFE_MAX && s > SQUARE_SAFE_MIN * SQUARE_SAFE_MIN) return Math.sqrt(s);
  }
  const m = maxAbsDifference(x1, o1, x2, o2, n, eps);
  if (m === 0) return 0;
  let s = 0;
  for (let k = 0; k < n; k++) s += (Math.abs(x1[o1 + k] - x2[o2 + k] + eps) / m) ** p;
  return m * s ** (1 / p);
}

/**
 * Adds w·∂d/∂x1 into g1 (from `go1`) and −w·∂d/∂x1 into g2 (from `go2`, when g2 is not null),
 * where d = `dist` = ‖x1 − x2 + eps‖_p and ∂d/∂vₖ = sign(vₖ)·(|vₖ|/d)^(p−1). Where d = 0 the
 * gradient is 0 (PyTorch's choice for the norm at the origin).
 */
export function addDistanceGrad(
  x1: FloatArray,
  o1: number,
  x2: FloatArray,
  o2: number,
  n: number,
  p: number,
  eps: number,
  dist: number,
  w: number,
  g1: FloatArray | null,
  go1: number,
  g2: FloatArray | null,
  go2: number,
): void {
  if (dist === 0 || w === 0) return;
  for (let k = 0; k < n; k++) {
    const v = x1[o1 + k] - x2[o2 + k] + eps;
    let dv: number;
    if (p === 1) dv = v > 0 ? 1 : v < 0 ? -1 : 0;
    else if (p === 2) dv = v / dist;
    else dv = v === 0 ? 0 : Math.sign(v) * (Math.abs(v) / dist) ** (p - 1);
    if (g1 !== null) g1[go1 + k] += w * dv;
    if (g2 !== null) g2[go2 + k] -= w * dv;
  }
}
