import { defineLoss } from '../define.js';
import { reductionWithBatchmeanOption } from '../reduce.js';
import { gaussianKlSum, requireRepresentableLatents, validateLatents } from './terms.js';

/**
 * KL divergence of a diagonal Gaussian posterior N(μ, exp(logVar)) from the standard normal prior.
 *
 * Element terms ℓᵢⱼ = ½(exp(lvᵢⱼ) + μᵢⱼ² − 1 − lvᵢⱼ), gradients μ and ½(exp(lv) − 1).
 * `mu` and `logVar` are `[N, Z]` (further latent axes are treated like Z). Reductions:
 * 'batchmean' (default) total / N, the KL per sample; 'sum' the total; 'mean' total / (N·Z);
 * 'none' the `[N, Z]` element terms. A log-variance whose exp(logVar) overflows the result's dtype
 * (above 709.78 in float64, 88.72 in float32), or a μ whose square does, is an error.
 * Reference: Kingma & Welling (2014), Auto-Encoding Variational Bayes, appendix B.
 *
 * @example
 * vaeKl([[0, 1]], [[0, 0]]).item() // 0.5
 */
export const { entry: vaeKlLoss, fn: vaeKl } = defineLoss({
  kind: 'reducible',
  name: 'vaeKl',
  family: 'autoencoder',
  inputs: ['mu', 'logVar'],
  differentiable: ['mu', 'logVar'],
  options: { reduction: reductionWithBatchmeanOption('batchmean') },
  validate(t) {
    validateLatents('vaeKl', t.mu, t.logVar);
    requireRepresentableLatents('vaeKl', t.mu, t.logVar, t.mu.dtype);
  },
  unitShape: (t) => t.mu.shape,
  kernel({ t, plan, units, grads }) {
    return gaussianKlSum(
      t.mu.data,
      t.logVar.data,
      units,
      grads?.mu ?? null,
      grads?.logVar ?? null,
      plan.scale,
      plan.upstream,
    );
  },
  info: {
    title: 'VAE KL divergence',
    summary:
      'Closed-form KL divergence between the encoder’s diagonal Gaussian and the standard normal prior.',
    formula: 'ℓ = ½Σⱼ(exp(logVarⱼ) + μⱼ² − 1 − logVarⱼ)',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness:
        'Grows exponentially in logVar and quadratically in μ, so it strongly resists posteriors far from the prior.',
      gradientBehaviour:
        'Pulls μ towards 0 with gradient μ and the variance towards 1 with gradient ½(exp(logVar) − 1).',
      scaleSensitivity:
        "Independent of the data scale; 'batchmean' grows with the latent size Z, 'mean' does not.",
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'The regulariser of a variational autoencoder, added to a reconstruction term (or use vaeLoss).',
      'Monitoring posterior collapse: a per-dimension KL near 0 ("none") marks unused latent units.',
    ],
    limitations: [
      'Only for a diagonal Gaussian posterior and a standard normal prior.',
      "'mean' divides by N·Z, which changes the balance with the reconstruction term compared with the ELBO.",
    ],
    references: ['Kingma & Welling (2014), Auto-Encoding Variational Bayes, appendix B'],
    tasks: ['autoencoder'],
  },
});
