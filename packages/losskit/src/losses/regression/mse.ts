import { simdSquaredError } from '../../kernels/wasm/float32.js';
import type { FloatArray } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { float32Dispatch } from '../float32Dispatch.js';
import { type ReductionPlan, reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * Σ(x − y)² over [0, n4) (n4 a multiple of 4), writing g = scale·(x − y): unrolled by four with
 * four partial sums (V8 emits scalar code; independent chains let the CPU overlap them, 1.35×).
 * Its own function with nothing after the loop, so that the loop's on-stack-replacement code
 * never exits into code without type feedback (a deoptimisation on every call).
 */
function squaredErrorBlock(x: FloatArray, y: FloatArray, g: FloatArray, scale: number, n4: number): number {
  let t0 = 0;
  let t1 = 0;
  let t2 = 0;
  let t3 = 0;
  for (let i = 0; i < n4; i += 4) {
    const d0 = x[i] - y[i];
    const d1 = x[i + 1] - y[i + 1];
    const d2 = x[i + 2] - y[i + 2];
    const d3 = x[i + 3] - y[i + 3];
    t0 += d0 * d0;
    t1 += d1 * d1;
    t2 += d2 * d2;
    t3 += d3 * d3;
    g[i] = scale * d0;
    g[i + 1] = scale * d1;
    g[i + 2] = scale * d2;
    g[i + 3] = scale * d3;
  }
  return t0 + t1 + t2 + t3;
}

/**
 * Σ(x − y)² over every element, writing g = scale·(x − y) when g is not null: the JavaScript path
 * of the common case (no units, no upstream array).
 */
function plainSquaredError(x: FloatArray, y: FloatArray, g: FloatArray | null, scale: number): number {
  let total = 0;
  if (g === null) {
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      total += d * d;
    }
    return total;
  }
  const n4 = x.length - (x.length % 4);
  total = squaredErrorBlock(x, y, g, scale, n4);
  for (let i = n4; i < x.length; i++) {
    const d = x[i] - y[i];
    total += d * d;
    g[i] = scale * d;
  }
  return total;
}

/**
 * The squared-error kernel of `mse` (and `valueLoss`): Σ(x − y)², writing ℓᵢ into `units` for
 * `'none'` and the gradient 2(x − y)·weight into `g`. Float32 inputs of `SIMD_MIN_LENGTH` or more
 * take the WebAssembly SIMD path in the common case (reduced, no upstream array; `float32Dispatch`),
 * value alone included: value within 2e-6 relative of the float64 path, gradients within a few
 * float32 ulps (not the JavaScript loop's bits).
 */
export function squaredErrorKernel(
  x: FloatArray,
  y: FloatArray,
  plan: ReductionPlan,
  units: FloatArray | null,
  g: FloatArray | null,
): number {
  const up = plan.upstream;
  const s = plan.scale;
  if (units === null && up === null) {
    return float32Dispatch(
      x,
      y,
      g,
      (x32, y32, g32) => simdSquaredError(x32, y32, g32, 2 * s),
      (xs, ys, gs) => plainSquaredError(xs, ys, gs, 2 * s),
    );
  }
  let total = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - y[i];
    const l = d * d;
    total += l;
    if (units !== null) units[i] = l;
    if (g !== null) g[i] = (up === null ? s : s * up[i]) * 2 * d;
  }
  return total;
}

/**
 * Mean squared error.
 *
 * ℓᵢ = (xᵢ − yᵢ)², ∂ℓᵢ/∂xᵢ = 2(xᵢ − yᵢ); reduced by `reduction` ('mean' default, 'sum', 'none').
 * `input` and `target` have the same (any) shape. Matches torch `F.mse_loss`.
 *
 * @example
 * mse([1, 2, 3], [1, 2, 5]).item() // 1.3333333333333333
 */
export const { entry: mseLoss, fn: mse } = defineLoss({
  kind: 'reducible',
  name: 'mse',
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: { reduction: reductionOption() },
  validate(t) {
    requireSameShape('mse', 'input', t.input, 'target', t.target);
  },
  // Σ(x − y)² is NaN or +∞ whenever an input value is: the kernel's sum is the finite check.
  finiteCheckedBy: () => ['input', 'target'],
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel: ({ t, plan, units, grads }) =>
    squaredErrorKernel(t.input.data, t.target.data, plan, units, grads === null ? null : grads.input),
  info: {
    title: 'Mean squared error',
    summary:
      'Average squared difference between prediction and target; the maximum-likelihood loss under Gaussian noise.',
    formula: 'ℓ = (x − y)²',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness: 'Not robust: one gross outlier dominates the mean, because its error is squared.',
      gradientBehaviour:
        'Gradient 2(x − y) grows linearly with the error, so large errors get large updates.',
      scaleSensitivity:
        'Quadratic in the target scale; normalise targets or the learning rate must change with them.',
      classImbalance: 'Not applicable (regression).',
    },
    whenToUse: [
      'Regression with roughly Gaussian noise and no gross outliers.',
      'When large errors should be penalised much more than small ones.',
      'Value-function regression in RL (see valueLoss).',
    ],
    limitations: [
      'Outliers pull the fit towards them; prefer huber or mae when the data has gross errors.',
      'Estimates the conditional mean, which is misleading for skewed or multimodal targets.',
    ],
    references: ['PyTorch torch.nn.functional.mse_loss', 'Gauss (1809), least squares'],
    tasks: ['regression', 'autoencoder'],
  },
});
