// The linear baseline for classification: multinomial logistic (softmax) regression with a small
// ridge, fitted by L-BFGS on the full training set: deterministic, no learning rate to tune.

/** A fitted softmax regression: logits = weights · [x, 1], `classes × (width + 1)` row-major. */
export interface SoftmaxFit {
  readonly classes: number;
  readonly width: number;
  readonly weights: Float64Array;
}

/** Ridge strength on the mean cross-entropy: keeps separable classes from sending weights to infinity. */
export const softmaxRidge = 1e-4;

const history = 10;
const maxIterations = 300;

/**
 * Logistic regression for two classes, softmax regression for more: minimises the mean
 * cross-entropy plus (λ/2)‖W‖² (λ = `softmaxRidge`) over the weights and biases with L-BFGS
 * (10 pairs, Armijo backtracking), starting from zero. The objective is strictly convex, so the
 * result depends only on the data.
 *
 * @example
 * const fit = fitSoftmaxRegression(Float64Array.of(-2, -1, 1, 2), Float64Array.of(0, 0, 1, 1), 1, 2);
 * softmaxProbabilities(fit, Float64Array.of(3)); // [≈0.02, ≈0.98]
 */
export function fitSoftmaxRegression(
  x: Float64Array,
  labels: Float64Array,
  width: number,
  classes: number,
): SoftmaxFit {
  const size = classes * (width + 1);
  const objective = (w: Float64Array, grad: Float64Array) =>
    crossEntropyAndGradient({ classes, width, weights: w }, x, labels, grad);
  let w = new Float64Array(size);
  let grad = new Float64Array(size);
  let value = objective(w, grad);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    if (maxAbs(grad) < 1e-8) break;
    let direction = twoLoopDirection(grad, steps, changes);
    if (!(dot(direction, grad) < 0)) {
      // Not a descent direction (rounding on a flat objective): restart from steepest descent.
      steps.length = 0;
      changes.length = 0;
      direction = Float64Array.from(grad, (g) => -g);
    }
    const slope = dot(direction, grad);
    let step = steps.length === 0 ? 1 / Math.max(1, Math.sqrt(dot(grad, grad))) : 1;
    const next = new Float64Array(size);
    const nextGrad = new Float64Array(size);
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++, step /= 2) {
      for (let i = 0; i < size; i++) next[i] = w[i] + step * direction[i];
      nextValue = objective(next, nextGrad);
      if (nextValue <= value + 1e-4 * step * slope) break;
    }
    if (!(nextValue < value)) break;
    const s = Float64Array.from(next, (v, i) => v - w[i]);
    const yDiff = Float64Array.from(nextGrad, (g, i) => g - grad[i]);
    if (dot(s, yDiff) > 1e-12) {
      steps.push(s);
      changes.push(yDiff);
      if (steps.length > history) {
        steps.shift();
        changes.shift();
      }
    }
    const decrease = value - nextValue;
    w = next;
    grad = nextGrad;
    value = nextValue;
    if (decrease < 1e-14 * Math.max(1, Math.abs(value))) break;
  }
  return { classes, width, weights: w };
}

/** Class probabilities (`rows × classes`, row-major) of every row of `x`. */
export function softmaxProbabilities(fit: SoftmaxFit, x: Float64Array): Float64Array {
  const rows = x.length / fit.width;
  const out = new Float64Array(rows * fit.classes);
  for (let r = 0; r < rows; r++) logitsOf(fit, x, r, out.subarray(r * fit.classes, (r + 1) * fit.classes));
  for (let r = 0; r < rows; r++) softmaxInPlace(out.subarray(r * fit.classes, (r + 1) * fit.classes));
  return out;
}

function logitsOf(fit: SoftmaxFit, x: Float64Array, row: number, out: Float64Array): void {
  const { classes, width, weights } = fit;
  for (let k = 0; k < classes; k++) {
    let sum = weights[k * (width + 1) + width];
    for (let c = 0; c < width; c++) sum += weights[k * (width + 1) + c] * x[row * width + c];
    out[k] = sum;
  }
}

function softmaxInPlace(z: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) max = Math.max(max, v);
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = Math.exp(z[k] - max);
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}

/** Mean cross-entropy plus ridge at `fit.weights`; writes its gradient into `grad`. */
function crossEntropyAndGradient(
  fit: SoftmaxFit,
  x: Float64Array,
  labels: Float64Array,
  grad: Float64Array,
): number {
  const { classes, width, weights } = fit;
  const rows = labels.length;
  const p = new Float64Array(classes);
  let loss = 0;
  for (let i = 0; i < grad.length; i++) grad[i] = softmaxRidge * weights[i];
  for (let r = 0; r < rows; r++) {
    logitsOf(fit, x, r, p);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of p) max = Math.max(max, v);
    let sum = 0;
    for (const v of p) sum += Math.exp(v - max);
    loss += max + Math.log(sum) - p[labels[r]];
    softmaxInPlace(p);
    p[labels[r]] -= 1;
    for (let k = 0; k < classes; k++) {
      const g = p[k] / rows;
      const base = k * (width + 1);
      for (let c = 0; c < width; c++) grad[base + c] += g * x[r * width + c];
      grad[base + width] += g;
    }
  }
  return loss / rows + (softmaxRidge / 2) * dot(weights, weights);
}

/** L-BFGS two-loop recursion: an approximation of −H⁻¹·grad from the stored pairs. */
function twoLoopDirection(
  grad: Float64Array,
  steps: readonly Float64Array[],
  changes: readonly Float64Array[],
): Float64Array {
  const q = Float64Array.from(grad, (g) => -g);
  const alphas = new Float64Array(steps.length);
  for (let j = steps.length - 1; j >= 0; j--) {
    alphas[j] = dot(steps[j], q) / dot(changes[j], steps[j]);
    for (let i = 0; i < q.length; i++) q[i] -= alphas[j] * changes[j][i];
  }
  if (steps.length > 0) {
    const last = steps.length - 1;
    const gamma = dot(steps[last], changes[last]) / dot(changes[last], changes[last]);
    for (let i = 0; i < q.length; i++) q[i] *= gamma;
  }
  for (let j = 0; j < steps.length; j++) {
    const beta = dot(changes[j], q) / dot(changes[j], steps[j]);
    for (let i = 0; i < q.length; i++) q[i] += (alphas[j] - beta) * steps[j][i];
  }
  return q;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function maxAbs(a: Float64Array): number {
  let max = 0;
  for (const v of a) max = Math.max(max, Math.abs(v));
  return max;
}
