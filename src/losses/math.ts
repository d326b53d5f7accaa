/**
 * Numerically stable scalar functions shared by the loss kernels. Each is branch-light and
 * allocation-free so that kernels can call it per element (V8 inlines small functions).
 */

/** softplus(x) = log(1 + eˣ), exact for large |x|: max(x, 0) + log1p(e^(−|x|)). */
export function softplus(x: number): number {
  return (x > 0 ? x : 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log σ(x) = −softplus(−x), finite for every finite x. */
export function logSigmoid(x: number): number {
  return (x < 0 ? x : 0) - Math.log1p(Math.exp(-Math.abs(x)));
}

/** σ(x) = 1 / (1 + e^(−x)), computed without overflow for either sign. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log Σ exp(x[offset + k]) for k in [0, n), with the maximum subtracted first. */
export function logSumExp(x: ArrayLike<number>, offset: number, n: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) if (x[offset + k] > m) m = x[offset + k];
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (let k = 0; k < n; k++) s += Math.exp(x[offset + k] - m);
  return m + Math.log(s);
}

/** PyTorch's BCE clamp: log values are clamped at −100 so that p = 0 or 1 gives a finite loss. */
export const LOG_CLAMP = -100;

/** log(p) clamped at −100, as `torch.nn.functional.binary_cross_entropy` does. */
export function clampedLog(p: number): number {
  const l = Math.log(p);
  return l < LOG_CLAMP ? LOG_CLAMP : l;
}
