// Finite-difference checks of the autograd engine: first derivatives of any op, and second
// derivatives (the gradient of a gradient, as WGAN-GP needs), in float64.
import { Tensor, gradients, ops } from '../../packages/losskit/src/index.js';
import { assertClose } from '../helpers/assert-close.js';

/** A deterministic float64 tensor with values spread over [lo, hi). */
export function sample(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const t = Tensor.zeros(shape, 'float64');
  let s = seed * 2654435761 + 12345;
  for (let i = 0; i < t.size; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    t.data[i] = lo + ((hi - lo) * s) / 2147483648;
  }
  return t;
}

/** Fresh leaves (requiring grad) holding copies of `inputs`. */
function leaves(inputs: readonly Tensor[]): Tensor[] {
  return inputs.map((x) => new Tensor(x.data.slice(), x.shape).requireGrad());
}

interface Tolerance {
  readonly h?: number;
  readonly rtol?: number;
  readonly atol?: number;
}

/** Central differences of the scalar `objective` with respect to every element of every input. */
function numericGradients(
  objective: (xs: Tensor[]) => number,
  inputs: readonly Tensor[],
  h: number,
): Float64Array[] {
  const xs = inputs.map((x) => new Tensor(x.data.slice(), x.shape));
  return xs.map((x) => {
    const out = new Float64Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const saved = x.data[i];
      x.data[i] = saved + h;
      const plus = objective(xs);
      x.data[i] = saved - h;
      const minus = objective(xs);
      x.data[i] = saved;
      out[i] = (plus - minus) / (2 * h);
    }
    return out;
  });
}

/** sum(weights · f(xs)): a scalar whose gradient exercises every output element differently. */
function weighted(f: (...xs: Tensor[]) => Tensor, xs: Tensor[], seed: number): Tensor {
  const y = f(...xs);
  return ops.sum(ops.mul(y, sample(y.shape, seed, 0.5, 1.5)));
}

/**
 * The engine's gradient of sum(w · f(inputs)) against central finite differences, for every
 * input. `f` may return any shape; `w` is a fixed weight per output element.
 */
export function checkFirstDerivatives(
  label: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  tol: Tolerance = {},
): void {
  const { h = 1e-6, rtol = 1e-6, atol = 1e-7 } = tol;
  const xs = leaves(inputs);
  const analytic = gradients(weighted(f, xs, 7), xs);
  const numeric = numericGradients((ys) => weighted(f, ys, 7).item(), inputs, h);
  analytic.forEach((g, i) => {
    assertClose(g, { shape: inputs[i].shape, data: numeric[i] }, { rtol, atol }, `${label}: d/dx${i}`);
  });
}

/**
 * Second derivatives: with G(x) = ∂ sum(w · f(x)) / ∂x computed with `createGraph`, the
 * engine's gradient of sum(v · G(x)) against central differences of that same scalar (whose
 * evaluation uses first-order autograd only).
 */
export function checkSecondDerivatives(
  label: string,
  f: (...xs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  tol: Tolerance = {},
): void {
  const { h = 1e-5, rtol = 1e-5, atol = 1e-6 } = tol;
  const vs = inputs.map((x, i) => sample(x.shape, 100 + i));
  const gradDotV = (xs: Tensor[], createGraph: boolean): Tensor => {
    const gs = gradients(weighted(f, xs, 7), xs, { createGraph });
    let total: Tensor | null = null;
    gs.forEach((g, i) => {
      const term = ops.sum(ops.mul(g, vs[i]));
      total = total === null ? term : ops.add(total, term);
    });
    return total as unknown as Tensor;
  };
  const xs = leaves(inputs);
  const analytic = gradients(gradDotV(xs, true), xs);
  const numeric = numericGradients((ys) => gradDotV(leaves(ys), false).item(), inputs, h);
  analytic.forEach((g, i) => {
    assertClose(
      g,
      { shape: inputs[i].shape, data: numeric[i] },
      { rtol, atol },
      `${label}: second derivative d/dx${i}`,
    );
  });
}
