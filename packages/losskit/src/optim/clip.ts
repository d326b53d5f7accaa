import type { Tensor } from '../tensor/index.js';

/** √(Σ over every parameter of Σ grad²), over the parameters that have a gradient (NaN propagates). */
export function globalGradNorm(params: readonly Tensor[]): number {
  let s = 0;
  for (const p of params) {
    const g = p.grad?.data;
    if (g === undefined) continue;
    for (let i = 0; i < g.length; i++) s += g[i] * g[i];
  }
  return Math.sqrt(s);
}

/**
 * Rescales all gradients together so that their global norm is at most `maxNorm`
 * (PyTorch's `clip_grad_norm_`: factor maxNorm / (norm + 1e-6) when below 1). Returns the
 * norm before clipping.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  const norm = globalGradNorm(params);
  const factor = maxNorm / (norm + 1e-6);
  if (factor < 1) {
    for (const p of params) {
      const g = p.grad?.data;
      if (g === undefined) continue;
      for (let i = 0; i < g.length; i++) g[i] *= factor;
    }
  }
  return norm;
}
