import { simdHuber } from '../../kernels/wasm/float32.js';
import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { float32Dispatch } from '../float32Dispatch.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * The Huber term of a residual d, branch-free: with a = |d| and m = min(a, δ), ℓ = m(a − ½m),
 * which is ½d² for a ≤ δ and δ(a − ½δ) beyond (the same bits as those two expressions). The
 * |d| ≤ δ test is a coin flip on real data, and a mispredicted jump costs more than the
 * arithmetic; V8 compiles Math.min and Math.max of numbers to minsd/maxsd, no jumps (unlike
 * |d| − relu(|d| − δ), which loses δ when it is below half an ulp of |d|).
 */
function huberTerm(d: number, delta: number): number {
  const a = Math.abs(d);
  const m = Math.min(a, delta);
  return m * (a - 0.5 * m);
}

/** ∂ℓ/∂x of `huberTerm`: d clipped to [−δ, δ]. */
function huberSlope(d: number, delta: number): number {
  return Math.min(Math.max(d, -delta), delta);
}

/**
 * The common case (a reduced value, no upstream array) in JavaScript. Its own function with
 * nothing after the loop (see `squaredErrorBlock` in mse).
 */
function huberBlock(x: FloatArray, y: FloatArray, g: FloatArray | null, delta: number, s: number): number {
  let total = 0;
  if (g === null) {
    for (let i = 0; i < x.length; i++) total += huberTerm(x[i] - y[i], delta);
    return total;
  }
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    total += huberTerm(d, delta);
    g[i] = s * huberSlope(d, delta);
  }
  return total;
}

/**
 * Huber loss: quadratic for small errors, linear for large ones.
 *
 * With d = x − y: ℓ = ½d² if |d| ≤ δ, else δ(|d| − ½δ); ∂ℓ/∂x = d clipped to [−δ, δ].
 * Reduced by `reduction`. Matches torch `F.huber_loss` (δ > 0; δ = 1 equals smoothL1 with β = 1).
 *
 * @example
 * huber([0, 0], [0.5, 3], { delta: 1 }).item() // 1.3125
 */
export const { entry: huberLoss, fn: huber } = defineLoss({
  kind: 'reducible',
  name: 'huber',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    delta: withNote(
      numberOption(1, { above: 0 }),
      '1.0 (or about 1.35 × the noise standard deviation)',
      'Residual size where the loss switches from quadratic to linear.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('huber', 'input', t.input, 'target', t.target);
  },
  // min(|d|, δ)(|d| − ½min(|d|, δ)) is NaN or +∞ whenever d is (δ > 0): the sum is the finite check.
  finiteCheckedBy: () => ['input', 'target'],
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const delta = options.delta;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    if (units === null && up === null) {
      // WebAssembly SIMD for large float32 inputs (f32x4 arithmetic and a float64 sum, within a
      // few float32 ulps of huberBlock, not its bits), huberBlock for the rest.
      return float32Dispatch(
        x,
        y,
        g,
        (x32, y32, g32) => simdHuber(x32, y32, g32, delta, s),
        (xs, ys, gs) => huberBlock(xs, ys, gs, delta, s),
      );
    }
    let total = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      const l = huberTerm(d, delta);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * huberSlope(d, delta);
    }
    return total;
  },
  info: {
    title: 'Huber loss',
    summary:
      'Squared error for small residuals and absolute error beyond δ: MSE-like near the optimum, MAE-like against outliers.',
    formula: 'ℓ = ½(x − y)² if |x − y| ≤ δ, else δ(|x − y| − ½δ)',
    properties: {
      differentiability: 'Continuously differentiable; the second derivative jumps at |x − y| = δ.',
      robustness: 'Robust: an outlier contributes at most δ to the gradient.',
      gradientBehaviour:
        'Gradient equals the residual inside δ and is clipped to ±δ outside, so steps stay bounded.',
      scaleSensitivity: 'δ is in the units of the target: rescaling the targets requires rescaling δ.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Regression with occasional gross outliers or heavy-tailed noise.',
      'Bounding-box regression and value targets in RL (DQN uses Huber with δ = 1).',
    ],
    limitations: ['δ must be tuned to the noise scale: too small behaves like MAE, too large like MSE.'],
    references: [
      'Huber (1964), Robust Estimation of a Location Parameter',
      'PyTorch torch.nn.functional.huber_loss',
    ],
    tasks: ['regression', 'rl'],
  },
});
