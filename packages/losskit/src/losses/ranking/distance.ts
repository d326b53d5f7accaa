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

/**
 * How a cosine guards against a zero vector: `'clampNorm'` divides by max(‖x‖, ε), each norm
 * clamped (torch `F.cosine_similarity`); `'addToSquaredNorm'` divides by √(‖x‖² + ε) (torch
 * `F.cosine_embedding_loss`, whose ε is 1e-12).
 */
export type CosineGuard = 'clampNorm' | 'addToSquaredNorm';

/**
 * What `cosineParts` leaves for `addCosineGrad`, in a frame where each row xᵢ is divided by its
 * scale sᵢ (1, unless its squared sum would overflow; then its largest |component|):
 * cos = Σ x̂₁x̂₂ · inv, and ∂cos/∂x₁ₖ = (x̂₂ₖ·inv − cos·q₁·x̂₁ₖ)/s₁ (and the same with 1 ↔ 2),
 * where inv = 1/(r̂₁r̂₂) with r̂ the guarded norms and q the self-term coefficient (1/‖x̂‖² for a
 * norm at or above ε, 0 below it, under 'clampNorm'; 1/(‖x̂‖² + ε/s²) under 'addToSquaredNorm').
 * A caller keeps one per distance and reuses it: nothing is allocated per row.
 */
export interface CosineParts {
  cos: number;
  inv: number;
  q1: number;
  q2: number;
  s1: number;
  s2: number;
}

/** A fresh `CosineParts` (allocate once per kernel call, not per row). */
export const cosineScratch = (): CosineParts => ({ cos: 0, inv: 0, q1: 0, q2: 0, s1: 1, s2: 1 });

/** Σ (x[o + k]/s)² for a scale s ≥ max |x|: at most n, so it cannot overflow. */
function scaledSquares(x: FloatArray, o: number, n: number, s: number): number {
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const v = x[o + k] / s;
    sum += v * v;
  }
  return sum;
}

/** The largest |x[o + k]|. */
function maxAbs(x: FloatArray, o: number, n: number): number {
  let m = 0;
  for (let k = 0; k < n; k++) {
    const a = Math.abs(x[o + k]);
    if (a > m) m = a;
  }
  return m;
}

/** The guarded norm r̂ and the self-term coefficient q of a row with scaled squared sum `sq`. */
function guardRow(
  sq: number,
  s: number,
  guard: CosineGuard,
  eps: number,
  out: CosineParts,
  which: 1 | 2,
): number {
  let r: number;
  let q: number;
  if (guard === 'clampNorm') {
    // A scaled row (s > 1) has a norm above 1e150, far above any ε: the clamp is inactive.
    const norm = Math.sqrt(sq);
    const active = s !== 1 || norm >= eps;
    r = active ? norm : eps;
    q = active ? 1 / sq : 0;
  } else {
    const guarded = sq + eps / s / s;
    r = Math.sqrt(guarded);
    q = 1 / guarded;
  }
  if (which === 1) {
    out.q1 = q;
    out.s1 = s;
  } else {
    out.q2 = q;
    out.s2 = s;
  }
  return r;
}

/**
 * The cosine of rows x₁ (from `o1`) and x₂ (from `o2`) of length n under `guard` with `eps`,
 * written with what its gradient needs into `out` (see `CosineParts`); returns the cosine. One
 * fused pass over both rows; a row whose squared sum would overflow (components near 1e150 and
 * up) is rescaled by its largest component in a second pass, so the result is finite and exact
 * for every finite input. Gradients are bounded by 1/ε (clampNorm) or 1/√ε (addToSquaredNorm).
 */
export function cosineParts(
  x1: FloatArray,
  o1: number,
  x2: FloatArray,
  o2: number,
  n: number,
  guard: CosineGuard,
  eps: number,
  out: CosineParts,
): number {
  let dot = 0;
  let sq1 = 0;
  let sq2 = 0;
  for (let k = 0; k < n; k++) {
    const a = x1[o1 + k];
    const b = x2[o2 + k];
    dot += a * b;
    sq1 += a * a;
    sq2 += b * b;
  }
  const safe = SQUARE_SAFE_MAX * SQUARE_SAFE_MAX;
  let s1 = 1;
  let s2 = 1;
  if (!(sq1 < safe)) {
    s1 = maxAbs(x1, o1, n);
    sq1 = scaledSquares(x1, o1, n, s1);
  }
  if (!(sq2 < safe)) {
    s2 = maxAbs(x2, o2, n);
    sq2 = scaledSquares(x2, o2, n, s2);
  }
  if (s1 !== 1 || s2 !== 1) {
    dot = 0;
    for (let k = 0; k < n; k++) dot += (x1[o1 + k] / s1) * (x2[o2 + k] / s2);
  }
  const r1 = guardRow(sq1, s1, guard, eps, out, 1);
  const r2 = guardRow(sq2, s2, guard, eps, out, 2);
  out.inv = 1 / (r1 * r2);
  out.cos = dot * out.inv;
  return out.cos;
}

/**
 * Adds w·∂cos/∂x₁ into g1 (from `go1`) and w·∂cos/∂x₂ into g2 (from `go2`), each when not
 * null, for the rows and the `parts` of the last `cosineParts` call on them.
 */
export function addCosineGrad(
  x1: FloatArray,
  o1: number,
  x2: FloatArray,
  o2: number,
  n: number,
  parts: CosineParts,
  w: number,
  g1: FloatArray | null,
  go1: number,
  g2: FloatArray | null,
  go2: number,
): void {
  if (w === 0) return;
  const { cos, inv, q1, q2, s1, s2 } = parts;
  const w1 = w / s1;
  const w2 = w / s2;
  const c1 = cos * q1;
  const c2 = cos * q2;
  if (s1 === 1 && s2 === 1) {
    for (let k = 0; k < n; k++) {
      const a = x1[o1 + k];
      const b = x2[o2 + k];
      if (g1 !== null) g1[go1 + k] += w1 * (b * inv - c1 * a);
      if (g2 !== null) g2[go2 + k] += w2 * (a * inv - c2 * b);
    }
    return;
  }
  for (let k = 0; k < n; k++) {
    const a = x1[o1 + k] / s1;
    const b = x2[o2 + k] / s2;
    if (g1 !== null) g1[go1 + k] += w1 * (b * inv - c1 * a);
    if (g2 !== null) g2[go2 + k] += w2 * (a * inv - c2 * b);
  }
}
