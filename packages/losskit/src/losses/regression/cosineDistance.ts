import { type FloatArray, shapeSize } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { reductionOption } from '../reduce.js';
import { requireMinRank, requireSameShape } from '../validate.js';

const NAME = 'cosineDistance';
/** torch `F.cosine_similarity`'s eps: each norm is at least this (each squared norm at least eps²). */
const EPS = 1e-8;

/**
 * Writes into `g` (from `o`, `n` entries) w·∂(1 − cos)/∂x = w·(cos·x/N₁² − y/(N₁N₂)) and returns
 * 1 − cos, for one row, with N = max(‖·‖, eps) and cos = x·y/(N₁N₂). The gradient is torch's: the
 * clamp of a norm below eps changes the value but passes the gradient (torch clamps the squared
 * norms under no_grad). Sums of squares beyond the float range take `scaledRow`.
 */
function cosineRow(
  x: FloatArray,
  y: FloatArray,
  o: number,
  n: number,
  w: number,
  g: FloatArray | null,
): number {
  let dot = 0;
  let sx = 0;
  let sy = 0;
  for (let k = o; k < o + n; k++) {
    dot += x[k] * y[k];
    sx += x[k] * x[k];
    sy += y[k] * y[k];
  }
  // Finite sums (the common case; a sum of squares that underflows is below eps² anyway).
  if (
    !(
      sx < Number.POSITIVE_INFINITY &&
      sy < Number.POSITIVE_INFINITY &&
      Math.abs(dot) < Number.POSITIVE_INFINITY
    )
  )
    return scaledRow(x, y, o, n, w, g);
  const nx = Math.max(Math.sqrt(sx), EPS);
  const ny = Math.max(Math.sqrt(sy), EPS);
  const cos = dot / (nx * ny);
  if (g !== null) {
    const a = w / (nx * ny);
    const c = (w * cos) / (nx * nx);
    for (let k = o; k < o + n; k++) g[k] = c * x[k] - a * y[k];
  }
  return 1 - cos;
}

/** The largest |v[k]| of one row. */
function rowMaxAbs(v: FloatArray, o: number, n: number): number {
  let m = 0;
  for (let k = o; k < o + n; k++) m = Math.max(m, Math.abs(v[k]));
  return m;
}

/**
 * `cosineRow` for rows whose sums of squares overflow: each vector divided by its largest
 * |component| (u = x/mₓ, v = y/m_y), so that cos = (u·v)·(mₓ/N₁)·(m_y/N₂) with mₓ/N₁ = 1/‖u‖
 * (or mₓ/eps where the norm is below eps), and the gradient (cos·u·(mₓ/N₁) − v·(m_y/N₂))/N₁.
 */
function scaledRow(
  x: FloatArray,
  y: FloatArray,
  o: number,
  n: number,
  w: number,
  g: FloatArray | null,
): number {
  const mx = rowMaxAbs(x, o, n);
  const my = rowMaxAbs(y, o, n);
  // Divided, not multiplied by 1/m: 1/m overflows for a subnormal m.
  const sx = mx > 0 ? mx : 1;
  const sy = my > 0 ? my : 1;
  let dot = 0;
  let su = 0;
  let sv = 0;
  for (let k = o; k < o + n; k++) {
    const u = x[k] / sx;
    const v = y[k] / sy;
    dot += u * v;
    su += u * u;
    sv += v * v;
  }
  const normU = Math.sqrt(su);
  const normV = Math.sqrt(sv);
  const below = mx * normU < EPS;
  // ρ = m/N and 1/N for each side (N = ∞ past the float range gives 1/N = 0, its limit).
  const rx = below ? mx / EPS : 1 / normU;
  const ry = my * normV < EPS ? my / EPS : 1 / normV;
  const cos = dot * rx * ry;
  if (g !== null) {
    const invNx = below ? 1 / EPS : 1 / mx / normU; // mx·‖u‖ itself may overflow
    const c = w * cos * rx * invNx;
    const a = w * ry * invNx;
    for (let k = o; k < o + n; k++) g[k] = c * (x[k] / sx) - a * (y[k] / sy);
  }
  return 1 - cos;
}

/**
 * Cosine distance along the last axis.
 *
 * For each row (vector of the last axis) of `input` x and `target` y:
 * ℓ = 1 − cos(x, y), cos = x·y / (max(‖x‖, eps)·max(‖y‖, eps)), eps = 1e-8, as torch
 * `F.cosine_similarity(x, y, dim=-1, eps=1e-8)`; ∂ℓ/∂x = cos·x/N₁² − y/(N₁N₂) with N = max(‖·‖, eps),
 * torch's gradient also where the clamp holds. A zero row has cos = 0 (ℓ = 1). Shapes: `input`
 * and `target` [..., D]; 'none' gives [...] (the input's shape minus its last axis, 0-d for a
 * single vector), 'mean' averages over rows and 'sum' adds them. Only the input gets a gradient.
 * Rows whose squared norms would overflow are rescaled by their largest component, so vectors up
 * to the float range give a finite value. Value in [0, 2]; gradient at most about 1/eps per unit
 * of the target's direction.
 *
 * @example
 * cosineDistance([[1, 0], [1, 1]], [[0, 1], [2, 2]]).item() // 0.5000000000000001  (rows 1 and 0, averaged)
 */
export const { entry: cosineDistanceLoss, fn: cosineDistance } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireMinRank(NAME, 'input', t.input, 1, '[..., D]');
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
  },
  // Every element belongs to one row, and every row writes its gradient.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape.slice(0, -1),
  kernel({ t, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    const shape = t.input.shape;
    const n = shape[shape.length - 1];
    const rows = shapeSize(shape.slice(0, -1));
    let total = 0;
    for (let row = 0; row < rows; row++) {
      const l = cosineRow(x, y, row * n, n, up === null ? s : s * up[row], g);
      total += l;
      if (units !== null) units[row] = l;
    }
    return total;
  },
  info: {
    title: 'Cosine distance',
    summary:
      'One minus the cosine similarity of prediction and target vectors: matches directions and ignores lengths.',
    formula: 'ℓ = 1 − x·y / (max(‖x‖, 1e-8)·max(‖y‖, 1e-8)), along the last axis',
    properties: {
      differentiability:
        'Smooth wherever the input norm exceeds 1e-8; at the origin the clamp keeps it finite (gradient as torch).',
      robustness:
        'Bounded in [0, 2] per row, so no single vector can dominate the mean; the magnitude of the prediction is ignored entirely.',
      gradientBehaviour:
        'The gradient is orthogonal to the input (for norms above eps) and scales as 1/‖x‖: short predictions get large steps, long ones small.',
      scaleSensitivity: 'Invariant to rescaling either vector by a positive factor.',
      classImbalance: 'Not applicable (embedding regression).',
    },
    whenToUse: [
      'Regressing embeddings or directions (word vectors, normals, teacher features) where only the orientation matters.',
      'Feature distillation with a student whose feature scale differs from the teacher’s.',
    ],
    limitations: [
      'Says nothing about the length of the prediction; add an MSE or norm term when magnitudes matter.',
      'Near the origin the gradient grows as 1/‖x‖ (up to 1/eps), which can destabilise training of nearly-zero outputs.',
    ],
    references: [
      'PyTorch torch.nn.functional.cosine_similarity (eps = 1e-8)',
      'Keras tf.keras.losses.cosine_similarity (its negative, without the 1)',
    ],
    tasks: ['regression', 'distillation', 'metric-learning'],
  },
});
