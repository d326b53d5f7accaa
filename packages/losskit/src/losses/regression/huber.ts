import { SIMD_MIN_LENGTH, simdHuber } from '../../kernels/wasm/float32.js';
import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { numberOption } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * The common case (a reduced value, no upstream array), branch-free: the |d| ≤ δ test is a coin
 * flip on real data, and a mispredicted jump costs more than the arithmetic. With
 * m = min(|d|, δ): ℓ = m(|d| − ½m), ∂ℓ/∂x = d clipped to [−δ, δ] (V8 compiles Math.min and
 * Math.max of numbers to minsd/maxsd, no jumps; unlike |d| − relu(|d| − δ), which loses δ when
 * it is below half an ulp of |d|). Its own function with nothing after the loop (see
 * `squaredErrorBlock` in mse).
 */
function huberBlock(x: FloatArray, y: FloatArray, g: FloatArray | null, delta: number, s: number): number {
  let total = 0;
  if (g === null) {
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i] - y[i]);
      const m = Math.min(a, delta);
      total += m * (a - 0.5 * m);
    }
    return total;
  }
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    const a = Math.abs(d);
    const m = Math.min(a, delta);
    total += m * (a - 0.5 * m);
    g[i] = s * Math.min(Math.max(d, -delta), delta);
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
  options: { delta: numberOption(1, { above: 0 }), reduction: reductionOption() },
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
    let total = 0;
    if (units === null && up === null) {
      if (
        x.length >= SIMD_MIN_LENGTH &&
        x instanceof Float32Array &&
        y instanceof Float32Array &&
        (g === null || g instanceof Float32Array)
      ) {
        // WebAssembly SIMD for the multiples of 4: f32x4 arithmetic and a float64 sum, within a
        // few float32 ulps of huberBlock (not its bits); null where float32's range does not suffice.
        const simd = simdHuber(x, y, g, delta, s);
        if (simd !== null) {
          const n4 = x.length - (x.length % 4);
          return (
            simd + huberBlock(x.subarray(n4), y.subarray(n4), g === null ? null : g.subarray(n4), delta, s)
          );
        }
      }
      return huberBlock(x, y, g, delta, s);
    }
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      const a = Math.abs(d);
      const l = a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
      total += l;
      if (units !== null) units[i] = l;
      if (g !== null) g[i] = (up === null ? s : s * up[i]) * Math.min(Math.max(d, -delta), delta);
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
    hyperparameters: [
      {
        name: 'delta',
        typical: '1.0 (or about 1.35 × the noise standard deviation)',
        effect: 'Residual size where the loss switches from quadratic to linear.',
      },
    ],
    references: [
      'Huber (1964), Robust Estimation of a Location Parameter',
      'PyTorch torch.nn.functional.huber_loss',
    ],
    tasks: ['regression', 'rl'],
  },
});
