// Shared pieces of the representation-learning losses (ntXent, supervisedContrastive,
// clipContrastive, sigmoidContrastive): row normalisation and its chain rule, the scaled
// similarity matrix, the (G + Gᵀ)Ê-style products, label checks and the overflow check.
// Everything works on the N×N similarity matrix: no per-pair O(D) temporary is ever made.
import { type FloatArray, formatIndex, LossInputError, type Tensor } from '../../tensor/index.js';
import { requireRank } from '../shape-checks.js';
import { requireRowLabels } from './rows.js';

/** The norm floor: e/√max(‖e‖², 1e-12) divides by max(‖e‖, 1e-6). */
const NORM_FLOOR = 1e-6;

/** Unit rows of an [N, D] matrix and what their chain rule needs. */
export interface NormalizedRows {
  /** The rows e/√max(‖e‖², 1e-12), row-major [N, D], in float64. */
  readonly unit: Float64Array;
  /** 1/max(‖eᵢ‖, 1e-6) per row. */
  readonly inverseNorm: Float64Array;
  /** 1 where the floor is active (‖eᵢ‖ < 1e-6: the map is linear there), 0 otherwise. */
  readonly floored: Uint8Array;
}

/**
 * Normalises each row of `data` ([n, d]) to e/√max(‖e‖², 1e-12). The norm is taken of the row
 * divided by its largest |component| (‖e‖ = m·‖e/m‖), so rows near ±1e308 or made of subnormals
 * neither overflow nor underflow; a zero row stays zero. O(N·D).
 */
export function normalizeRows(data: FloatArray, n: number, d: number): NormalizedRows {
  const unit = new Float64Array(n * d);
  const inverseNorm = new Float64Array(n);
  const floored = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let m = 0;
    for (let k = 0; k < d; k++) m = Math.max(m, Math.abs(data[o + k]));
    let scaled = 0;
    if (m > 0) {
      // Divided, not multiplied by 1/m: 1/m overflows for a subnormal m.
      for (let k = 0; k < d; k++) {
        const v = data[o + k] / m;
        scaled += v * v;
      }
    }
    const root = Math.sqrt(scaled);
    if (m * root < NORM_FLOOR) {
      // ‖e‖² < 1e-12: e/1e-6 (linear, gradient 1e6).
      floored[i] = 1;
      inverseNorm[i] = 1 / NORM_FLOOR;
      for (let k = 0; k < d; k++) unit[o + k] = data[o + k] / NORM_FLOOR;
    } else {
      // (e/m)/‖e/m‖, and 1/‖e‖ as (1/m)/‖e/m‖: neither forms ‖e‖ itself (∞ near 1e308). Here
      // m ≥ 1e-6/√D, so 1/m is finite.
      const inv = 1 / m;
      inverseNorm[i] = inv / root;
      for (let k = 0; k < d; k++) unit[o + k] = (data[o + k] * inv) / root;
    }
  }
  return { unit, inverseNorm, floored };
}

/** Rows taken as they are (`normalize: false`): a float64 copy, every row "floored" with scale 1. */
export function rawRows(data: FloatArray, n: number, d: number): NormalizedRows {
  const unit = Float64Array.from(data.subarray(0, n * d));
  return { unit, inverseNorm: new Float64Array(n).fill(1), floored: new Uint8Array(n).fill(1) };
}

/**
 * The gradient with respect to the raw rows from the gradient `gUnit` with respect to the
 * normalised rows, times `scale`, written (not added) into `out`: (I − êêᵀ)g/‖e‖ per row, or
 * g/1e-6 (g for raw rows) where the floor is active. O(N·D).
 */
export function normalizeBackward(
  rows: NormalizedRows,
  gUnit: Float64Array,
  n: number,
  d: number,
  scale: number,
  out: FloatArray,
): void {
  const { unit, inverseNorm, floored } = rows;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const c = scale * inverseNorm[i];
    if (floored[i] === 1) {
      for (let k = 0; k < d; k++) out[o + k] = c * gUnit[o + k];
      continue;
    }
    let along = 0;
    for (let k = 0; k < d; k++) along += unit[o + k] * gUnit[o + k];
    for (let k = 0; k < d; k++) out[o + k] = c * (gUnit[o + k] - along * unit[o + k]);
  }
}

/**
 * S = (a bᵀ)·factor + offset for row-major a [n, d] and b [m, d] into a new n×m matrix (the one
 * O(N²) buffer of a call, later overwritten in place by the gradient with respect to S). With
 * `symmetric` (a = b) only the upper triangle is computed and mirrored.
 */
export function scaledGram(
  a: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
  d: number,
  factor: number,
  offset: number,
  symmetric: boolean,
): Float64Array {
  const s = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = symmetric ? i : 0; j < m; j++) {
      const oj = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += a[oi + k] * b[oj + k];
      const v = dot * factor + offset;
      s[i * m + j] = v;
      if (symmetric) s[j * m + i] = v;
    }
  }
  return s;
}

/** S = (a bᵀ)/τ, dividing each dot product (1/τ overflows for a subnormal τ). */
export function gramOverTemperature(
  a: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
  d: number,
  temperature: number,
  symmetric: boolean,
): Float64Array {
  const s = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = symmetric ? i : 0; j < m; j++) {
      const oj = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += a[oi + k] * b[oj + k];
      const v = dot / temperature;
      s[i * m + j] = v;
      if (symmetric) s[j * m + i] = v;
    }
  }
  return s;
}

/**
 * out = (G·factor) b, with G [n, m] row-major and b [m, d]: the gradient with respect to the rows
 * of a for S = a bᵀ·factor. Written, not added. O(N·M·D).
 */
export function gradTimesRows(
  g: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
  d: number,
  factor: number,
): Float64Array {
  const out = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = 0; j < m; j++) {
      const w = g[i * m + j] * factor;
      if (w === 0) continue;
      const oj = j * d;
      for (let k = 0; k < d; k++) out[oi + k] += w * b[oj + k];
    }
  }
  return out;
}

/**
 * out = (Gᵀ·factor) a, with G [n, m] row-major and a [n, d]: the gradient with respect to the
 * rows of b for S = a bᵀ·factor. O(N·M·D).
 */
export function gradTransposeTimesRows(
  g: Float64Array,
  a: Float64Array,
  n: number,
  m: number,
  d: number,
  factor: number,
): Float64Array {
  const out = new Float64Array(m * d);
  for (let i = 0; i < n; i++) {
    const oi = i * d;
    for (let j = 0; j < m; j++) {
      const w = g[i * m + j] * factor;
      if (w === 0) continue;
      const oj = j * d;
      for (let k = 0; k < d; k++) out[oj + k] += w * a[oi + k];
    }
  }
  return out;
}

/** G ← G + Gᵀ in place (n×n): the gradient of a symmetric S = ÊÊᵀ with respect to Ê is (G + Gᵀ)Ê. */
export function symmetrize(g: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    g[i * n + i] *= 2;
    for (let j = i + 1; j < n; j++) {
      const v = g[i * n + j] + g[j * n + i];
      g[i * n + j] = v;
      g[j * n + i] = v;
    }
  }
}

/** Embeddings must be [N, D]. */
export function requireEmbeddingMatrix(loss: string, name: string, t: Tensor): void {
  requireRank(loss, name, t, 2, '[N, D]');
}

/** `labels` must be [N] (one per row of `embeddings`) and hold integers (any, compared for equality). */
export function requireIntegerRowLabels(loss: string, embeddings: Tensor, labels: Tensor): void {
  requireRowLabels(loss, 'embeddings', embeddings, 'labels', labels);
  const y = labels.data;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isInteger(y[i])) {
      throw new LossInputError(
        loss,
        'labels',
        `label ${y[i]} at index ${formatIndex(i, labels.shape)} is not an integer`,
      );
    }
  }
}

/** Whether every element is finite. */
function allFinite(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

/**
 * The overflow check of a similarity loss: a value or gradient that is not finite for finite
 * arguments comes from the scale of the logits (a tiny temperature, a huge scale or bias, or raw
 * embeddings whose dot products overflow). Throws a `LossInputError` naming `blame`. Gradients
 * are left to the boundary's own scan when |upstream| > 1 (it names the upstream then).
 */
export function requireFiniteResult(
  loss: string,
  value: number,
  grads: readonly (FloatArray | null)[],
  upstream: number,
  blame: string,
): void {
  let bad = !Number.isFinite(value);
  if (!bad && Math.abs(upstream) <= 1) for (const g of grads) if (g !== null && !allFinite(g)) bad = true;
  if (bad) {
    throw new LossInputError(
      loss,
      blame,
      'makes the similarity logits overflow: the loss or its gradient is not finite in this dtype; rescale it',
    );
  }
}

/** The argument to blame for an overflow of raw (unnormalised) embeddings: the larger of the two. */
export function largerInput(names: readonly [string, string], a: FloatArray, b: FloatArray): string {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < a.length; i++) ma = Math.max(ma, Math.abs(a[i]));
  for (let i = 0; i < b.length; i++) mb = Math.max(mb, Math.abs(b[i]));
  return ma >= mb ? names[0] : names[1];
}

/** The scalar upstream of a 0-d loss (null means 1). */
export const scalarUpstream = (upstream: FloatArray | null): number => (upstream === null ? 1 : upstream[0]);
