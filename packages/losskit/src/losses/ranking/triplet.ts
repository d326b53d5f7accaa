import { simdEuclideanTriplet, simdTripletApplies } from '../../kernels/wasm/triplet.js';
import { type FloatArray, LossInputError, type Tensor } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { booleanOption, enumOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import {
  addCosineGrad,
  addDistanceGrad,
  type CosineParts,
  cosineParts,
  cosineScratch,
  pDistance,
} from './distance.js';
import { requireEmbeddings, rowLength, rowShape } from './rows.js';

/**
 * One row of the p = 2, no-swap case (the common one) in two fused passes: both squared sums in
 * one, then the three gradient rows in one (written, not added: the buffers are zero-filled and
 * each row is touched once). Returns the row's loss, or −1 when a squared sum leaves the range
 * where it neither overflows nor underflows (the caller then takes the rescaling path).
 */
function euclideanTripletRow(
  a: FloatArray,
  pos: FloatArray,
  neg: FloatArray,
  o: number,
  n: number,
  margin: number,
  eps: number,
  ga: FloatArray | null,
  gp: FloatArray | null,
  gn: FloatArray | null,
  w: number,
): number {
  // Two partial sums per distance: independent chains the CPU overlaps.
  let sPos = 0;
  let sNeg = 0;
  let sPos1 = 0;
  let sNeg1 = 0;
  const end = o + n;
  let k = o;
  for (; k + 1 < end; k += 2) {
    const vp = a[k] - pos[k] + eps;
    const vn = a[k] - neg[k] + eps;
    const vp1 = a[k + 1] - pos[k + 1] + eps;
    const vn1 = a[k + 1] - neg[k + 1] + eps;
    sPos += vp * vp;
    sNeg += vn * vn;
    sPos1 += vp1 * vp1;
    sNeg1 += vn1 * vn1;
  }
  if (k < end) {
    const vp = a[k] - pos[k] + eps;
    const vn = a[k] - neg[k] + eps;
    sPos += vp * vp;
    sNeg += vn * vn;
  }
  sPos += sPos1;
  sNeg += sNeg1;
  if (
    !(
      sPos < SAFE_SQUARED_MAX &&
      sNeg < SAFE_SQUARED_MAX &&
      sPos > SAFE_SQUARED_MIN &&
      sNeg > SAFE_SQUARED_MIN
    )
  )
    return -1;
  const dPos = Math.sqrt(sPos);
  const dNeg = Math.sqrt(sNeg);
  const h = margin + dPos - dNeg;
  if (ga === null || gp === null || gn === null || h < 0 || w === 0) return Math.max(h, 0);
  const cp = w / dPos;
  const cn = w / dNeg;
  for (let k = o; k < o + n; k++) {
    const vp = cp * (a[k] - pos[k] + eps);
    const vn = cn * (a[k] - neg[k] + eps);
    ga[k] = vp - vn;
    gp[k] = -vp;
    gn[k] = vn;
  }
  return Math.max(h, 0);
}

/**
 * One row of any p, with or without swap, adding its gradient rows (weighted by w) where the
 * hinge is active; distances factor out the largest component where a squared sum would leave
 * the safe range. Returns the row's loss.
 */
function generalTripletRow(
  a: FloatArray,
  pos: FloatArray,
  neg: FloatArray,
  o: number,
  n: number,
  options: { readonly margin: number; readonly p: number; readonly eps: number; readonly swap: boolean },
  ga: FloatArray | null,
  gp: FloatArray | null,
  gn: FloatArray | null,
  w: number,
): number {
  const { margin, p, eps, swap } = options;
  const dPos = pDistance(a, o, pos, o, n, p, eps);
  const dAn = pDistance(a, o, neg, o, n, p, eps);
  const dPn = swap ? pDistance(pos, o, neg, o, n, p, eps) : Number.POSITIVE_INFINITY;
  const dNeg = Math.min(dPn, dAn);
  const h = margin + dPos - dNeg;
  if (ga !== null && gp !== null && gn !== null && h >= 0) {
    addDistanceGrad(a, o, pos, o, n, p, eps, dPos, w, ga, o, gp, o);
    // −d_neg: the anchor–negative distance, the swap distance, or half of each on a tie.
    const share = swap && dPn === dAn ? 0.5 : 1;
    if (dAn <= dPn) addDistanceGrad(a, o, neg, o, n, p, eps, dAn, -w * share, ga, o, gn, o);
    if (swap && dPn <= dAn) addDistanceGrad(pos, o, neg, o, n, p, eps, dPn, -w * share, gp, o, gn, o);
  }
  return Math.max(h, 0);
}

/** ε of torch `F.cosine_similarity` in the cosine distance (its default). */
const COSINE_EPS = 1e-8;

/** The three cosines of a cosine-distance triplet row: a–p, a–n and (with swap) p–n. */
interface CosineTripletScratch {
  readonly ap: CosineParts;
  readonly an: CosineParts;
  readonly pn: CosineParts;
}

/**
 * One row under the cosine distance d(x, y) = 1 − cos(x, y) (torch `F.cosine_similarity`, each
 * norm clamped at 1e-8), with or without swap, adding its gradient rows (weighted by w) where
 * the hinge is active. Returns the row's loss.
 */
function cosineTripletRow(
  a: FloatArray,
  pos: FloatArray,
  neg: FloatArray,
  o: number,
  n: number,
  margin: number,
  swap: boolean,
  ga: FloatArray | null,
  gp: FloatArray | null,
  gn: FloatArray | null,
  w: number,
  scratch: CosineTripletScratch,
): number {
  const { ap, an, pn } = scratch;
  const dPos = 1 - cosineParts(a, o, pos, o, n, 'clampNorm', COSINE_EPS, ap);
  const dAn = 1 - cosineParts(a, o, neg, o, n, 'clampNorm', COSINE_EPS, an);
  const dPn = swap
    ? 1 - cosineParts(pos, o, neg, o, n, 'clampNorm', COSINE_EPS, pn)
    : Number.POSITIVE_INFINITY;
  const dNeg = Math.min(dPn, dAn);
  const h = margin + dPos - dNeg;
  if (ga !== null && gp !== null && gn !== null && h >= 0) {
    // ∂d/∂x = −∂cos/∂x: +d(a, p) takes −w, −d_neg takes +w (halved on a swap tie).
    addCosineGrad(a, o, pos, o, n, ap, -w, ga, o, gp, o);
    const share = swap && dPn === dAn ? 0.5 : 1;
    if (dAn <= dPn) addCosineGrad(a, o, neg, o, n, an, w * share, ga, o, gn, o);
    if (swap && dPn <= dAn) addCosineGrad(pos, o, neg, o, n, pn, w * share, gp, o, gn, o);
  }
  return Math.max(h, 0);
}

const TRIPLET_INPUTS = ['anchor', 'positive', 'negative'] as const;

/** Whether this call takes the float32 SIMD kernel (see src/kernels/wasm/triplet.ts). */
function simdApplies(
  t: { readonly anchor: Tensor; readonly positive: Tensor; readonly negative: Tensor },
  options: { readonly p: number; readonly swap: boolean; readonly distance: TripletDistance },
): boolean {
  return (
    options.distance === 'euclidean' &&
    options.p === 2 &&
    !options.swap &&
    (t.anchor.rank === 1 || t.anchor.rank === 2) &&
    simdTripletApplies(t.anchor.data, t.positive.data, t.negative.data, rowLength(t.anchor))
  );
}

/** The distance of a triplet: torch's `pairwise_distance` (p, eps), or 1 − cosine similarity. */
export type TripletDistance = 'euclidean' | 'cosine';

/** Squared sums in (1e-300, 1e300) take the direct path (as `pDistance`'s own test). */
const SAFE_SQUARED_MAX = 1e300;
const SAFE_SQUARED_MIN = 1e-300;

/**
 * ε is added to every coordinate of a difference, so every distance is at least about
 * ε·D^(1/p) (D the row length): where that exceeds the largest double, both distances are ∞
 * and their difference NaN, whatever the inputs. Such an ε (1e308 with D ≥ 4 and p = 2) is an
 * error naming it; large ones below (1e160 and up) work, through the rescaled norms.
 */
function requireRepresentableEps(
  anchor: Tensor,
  options: { readonly eps: number; readonly p: number; readonly distance: TripletDistance },
): void {
  if (options.distance !== 'euclidean') return;
  const floor = options.eps * rowLength(anchor) ** (1 / options.p);
  if (floor <= Number.MAX_VALUE) return;
  throw new LossInputError(
    'triplet',
    'options.eps',
    `${options.eps} added to each of the ${rowLength(anchor)} coordinates makes every distance at least ${floor}, beyond the float64 range; use an eps below ${(Number.MAX_VALUE / rowLength(anchor) ** (1 / options.p)).toPrecision(3)}`,
  );
}

/**
 * Triplet margin loss, as torch `F.triplet_margin_loss`.
 *
 * Per row, with torch's distance d(x, y) = ‖x − y + ε‖_p: ℓ = max(0, m + d(a, p) − d(a, n)).
 * With `swap`, d(a, n) is replaced by min(d(a, n), d(p, n)) (Balntas et al.'s distance swap; a
 * tie splits the gradient in half, as torch's `minimum`). The gradient passes through the hinge
 * where its argument is ≥ 0 (torch's `clamp_min`), and is 0 where a distance is 0.
 * `anchor`, `positive`, `negative`: [N, D], or an unbatched [D] (0-d value). Reduced by
 * `reduction` over the N triplets; `'none'` gives [N]. Distances for p ≠ 1, 2 factor out the
 * largest component so large p neither overflows nor underflows. Float32 inputs with p = 2 and no
 * swap run a WebAssembly SIMD kernel (src/kernels/wasm/triplet.ts) that computes the differences
 * and squared sums in float64 lanes, as the JavaScript loop does.
 *
 * `distance: 'cosine'` replaces d by 1 − cos(x, y) with torch's `F.cosine_similarity(x, y,
 * eps=1e-8)` (x·y / (max(‖x‖, ε)·max(‖y‖, ε))), as torch `F.triplet_margin_with_distance_loss`
 * with that distance function; `p` and `eps` do not apply there. Rows whose squared norms would
 * overflow are rescaled by their largest component, so any finite embeddings give finite results.
 *
 * @example
 * triplet([[0, 0]], [[0, 1]], [[0, 1.5]], { eps: 0 }).item() // 0.5
 * triplet([[1, 0]], [[1, 1]], [[0, 1]], { distance: 'cosine' }).item() // 0.29289321881345254
 */
export const { entry: tripletLoss, fn: triplet } = defineLoss({
  kind: 'reducible',
  name: 'triplet',
  family: 'ranking',
  inputs: ['anchor', 'positive', 'negative'],
  differentiable: ['anchor', 'positive', 'negative'],
  options: {
    margin: withNote(
      numberOption(1, { min: 0 }),
      '0.2 on the unit sphere, 1.0 unnormalised',
      'How much closer the positive must be than the negative.',
    ),
    p: withNote(numberOption(2, { min: 1 }), '2', 'The norm of the distance (1 = Manhattan, 2 = Euclidean).'),
    eps: numberOption(1e-6, { min: 0 }),
    swap: withNote(
      booleanOption(false),
      'false',
      'Uses the harder of d(a, n) and d(p, n) as the negative distance.',
    ),
    distance: withNote(
      enumOption(['euclidean', 'cosine'] as const, 'euclidean'),
      "'euclidean'; 'cosine' for normalised embeddings",
      "'cosine' compares directions only (d in [0, 2], so margins of 0.1–0.5); p and eps then do not apply.",
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireEmbeddings('triplet', 'anchor', t.anchor);
    requireSameShape('triplet', 'anchor', t.anchor, 'positive', t.positive);
    requireSameShape('triplet', 'anchor', t.anchor, 'negative', t.negative);
    requireRepresentableEps(t.anchor, options);
  },
  unitShape: (t) => rowShape(t.anchor),
  // Float32 rows with p = 2 and no swap take the SIMD kernel, which writes every gradient element
  // and turns a value that is not finite into a NaN total (the boundary then names it).
  finiteCheckedBy: (t, options) => (simdApplies(t, options) ? TRIPLET_INPUTS : []),
  overwritesGrads: (t, options) => simdApplies(t, options),
  kernel({ t, options, plan, units, grads }) {
    const a = t.anchor.data;
    const pos = t.positive.data;
    const neg = t.negative.data;
    const { margin, p, eps, swap } = options;
    const n = rowLength(t.anchor);
    const count = t.anchor.rank === 1 ? 1 : t.anchor.shape[0];
    const ga = grads === null ? null : grads.anchor;
    const gp = grads === null ? null : grads.positive;
    const gn = grads === null ? null : grads.negative;
    const up = plan.upstream;
    const s = plan.scale;
    if (simdApplies(t, options)) {
      const total = simdEuclideanTriplet(
        {
          anchor: a as Float32Array,
          positive: pos as Float32Array,
          negative: neg as Float32Array,
          rows: count,
          rowLength: n,
          margin,
          eps,
          scale: s,
          upstream: up,
          units,
          grads,
        },
        (r) => generalTripletRow(a, pos, neg, r * n, n, options, ga, gp, gn, up === null ? s : s * up[r]),
      );
      if (total !== null) return total;
    }
    let total = 0;
    if (options.distance === 'cosine') {
      const scratch = { ap: cosineScratch(), an: cosineScratch(), pn: cosineScratch() };
      for (let r = 0; r < count; r++) {
        const w = up === null ? s : s * up[r];
        const l = cosineTripletRow(a, pos, neg, r * n, n, margin, swap, ga, gp, gn, w, scratch);
        total += l;
        if (units !== null) units[r] = l;
      }
      return total;
    }
    for (let r = 0; r < count; r++) {
      const o = r * n;
      const w = up === null ? s : s * up[r];
      let l = p === 2 && !swap ? euclideanTripletRow(a, pos, neg, o, n, margin, eps, ga, gp, gn, w) : -1;
      // −1: a squared sum outside the safe range (or p ≠ 2, swap); the general path rescales it
      if (l < 0) l = generalTripletRow(a, pos, neg, o, n, options, ga, gp, gn, w);
      total += l;
      if (units !== null) units[r] = l;
    }
    return total;
  },
  info: {
    title: 'Triplet margin loss',
    summary: 'Asks each anchor to be closer to its positive than to its negative by at least a margin.',
    formula:
      "ℓ = max(0, m + d(a, p) − d(a, n)), d(x, y) = ‖x − y + ε‖_p ('euclidean') or 1 − cos(x, y) ('cosine')",
    properties: {
      differentiability:
        'Piecewise smooth: a kink where m + d(a, p) = d(a, n), and the norm is not differentiable where a distance is 0 (gradient 0 there).',
      robustness:
        'Satisfied triplets contribute nothing, so the loss is driven by the violating ones; noisy labels among them can dominate.',
      gradientBehaviour:
        'Unit-length gradients (for p = 2) along the anchor–positive and anchor–negative directions while the margin is violated, zero otherwise.',
      scaleSensitivity: 'The margin is in embedding units; normalise embeddings or retune m.',
      classImbalance:
        'Random triplets are mostly already satisfied; hard or semi-hard mining (see tripletBatchHard) is usually needed.',
    },
    whenToUse: [
      'Metric learning with anchor/positive/negative triplets (face recognition, retrieval, re-identification).',
      'When relative similarity matters more than absolute distances.',
    ],
    limitations: [
      'The number of possible triplets grows cubically; without mining, training stalls on easy triplets.',
      'The ε = 1e-6 added to every difference (torch’s pairwise_distance) makes d(x, x) slightly positive.',
      'The cosine distance ignores embedding norms: vectors shorter than 1e-8 have their norm clamped there, so their cosine shrinks towards 0 instead of being undefined.',
    ],
    references: [
      'Schroff, Kalenichenko & Philbin (2015), FaceNet',
      'Balntas et al. (2016), Learning local feature descriptors with triplets and shallow convolutional neural networks (distance swap)',
      'PyTorch torch.nn.functional.triplet_margin_loss',
      'PyTorch torch.nn.functional.triplet_margin_with_distance_loss (cosine distance)',
    ],
    tasks: ['metric-learning', 'ranking'],
  },
});
