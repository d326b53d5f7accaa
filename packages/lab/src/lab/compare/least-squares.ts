// The linear baseline for regression: ordinary least squares with a tiny ridge, in closed form.
import { solveSymmetric } from './solve-symmetric.js';

/** A fitted linear model: `predict(row) = bias + Σ weight·x`. */
export interface LinearFit {
  readonly weights: Float64Array;
  readonly bias: number;
}

/** Ridge strength relative to the row count: small enough not to bias standardised data, large enough for duplicate or constant columns. */
export const leastSquaresRidge = 1e-6;

/**
 * Least squares with an intercept on `x` (`rows × width`, row-major, ideally standardised):
 * minimises Σ(y − b − w·x)² + λ·rows·‖w‖² (λ = `leastSquaresRidge`, the intercept unpenalised)
 * through the normal equations. Deterministic.
 *
 * @example
 * fitLeastSquares(Float64Array.of(0, 1, 2), Float64Array.of(1, 3, 5), 1); // weights ≈ [2], bias ≈ 1
 */
export function fitLeastSquares(x: Float64Array, y: Float64Array, width: number): LinearFit {
  const rows = y.length;
  const n = width + 1;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  const row = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    row.set(x.subarray(r * width, (r + 1) * width));
    row[width] = 1;
    for (let i = 0; i < n; i++) {
      b[i] += row[i] * y[r];
      for (let j = 0; j <= i; j++) a[i * n + j] += row[i] * row[j];
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  let ridge = leastSquaresRidge * rows;
  let solution: Float64Array | undefined;
  for (let attempt = 0; solution === undefined && attempt < 8; attempt++, ridge *= 100) {
    const damped = Float64Array.from(a);
    for (let i = 0; i < width; i++) damped[i * n + i] += ridge;
    // The intercept's pivot gets a vanishing ridge too, so a single row still factorises.
    damped[width * n + width] += 1e-12 * rows;
    solution = solveSymmetric(damped, b, n);
  }
  if (solution === undefined) return { weights: new Float64Array(width), bias: mean(y) };
  return { weights: solution.subarray(0, width), bias: solution[width] };
}

/** `bias + weights · row` for every row of `x`. */
export function predictLinear(fit: LinearFit, x: Float64Array): Float64Array {
  const width = fit.weights.length;
  const rows = width === 0 ? 0 : x.length / width;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = fit.bias;
    for (let c = 0; c < width; c++) sum += fit.weights[c] * x[r * width + c];
    out[r] = sum;
  }
  return out;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? 0 : sum / values.length;
}
