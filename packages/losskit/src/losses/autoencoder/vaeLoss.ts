import { formatShape, LossInputError } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { enumOption, numberOption, type OptionSpec, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireMinRank } from '../validate.js';
import {
  gaussianKlSum,
  reconstructionKindOption,
  reconstructionSum,
  requireRepresentableLatents,
  validateLatents,
  validateReconstruction,
} from './terms.js';

type VaeReduction = 'batchmean' | 'mean' | 'sum';

/** vaeLoss's reduction: like the others, but 'none' is refused with the reason. */
function vaeReductionOption(): OptionSpec<VaeReduction> {
  const inner = enumOption(['batchmean', 'mean', 'sum'] as const, 'batchmean');
  return {
    ...inner,
    parse(value, loss, name) {
      if (value === 'none') {
        throw new LossInputError(
          loss,
          `options.${name}`,
          `'none' is not available because the reconstruction and KL terms have different shapes (use reconstruction and vaeKl for per-element terms); must be one of ${inner.accepts}`,
        );
      }
      return inner.parse(value, loss, name);
    },
  };
}

/**
 * Negative ELBO of a variational autoencoder: reconstruction plus β-weighted KL.
 *
 * ℓ = recon(x̂, x) + β·KL(N(μ, exp(lv)) ‖ N(0, 1)), with the `reconstruction` and `vaeKl` element
 * terms and each part reduced over its own elements: 'batchmean' (default)
 * (Σrecon + β·Σkl)/N, the negative ELBO per sample; 'mean' mean(recon) + β·mean(kl); 'sum'
 * Σrecon + β·Σkl. No 'none' (the parts have different shapes). `input`/`target` are
 * `[N, ...]`, `mu`/`logVar` `[N, Z]` with the same N. The value is 0-d.
 * Reference: Kingma & Welling (2014); Higgins et al. (2017), β-VAE.
 *
 * @example
 * vaeLoss([[0.5, 1]], [[0, 1]], [[0, 1]], [[0, 0]]).item() // 0.75
 */
export const { entry: vaeLossLoss, fn: vaeLoss } = defineLoss({
  kind: 'custom',
  name: 'vaeLoss',
  family: 'autoencoder',
  inputs: ['input', 'target', 'mu', 'logVar'],
  differentiable: ['input', 'mu', 'logVar'],
  options: {
    beta: withNote(
      numberOption(1, { min: 0 }),
      '1 (ELBO); 0.1 to 10 for β-VAE',
      'Weight of the KL term against reconstruction.',
    ),
    reconstruction: withNote(
      reconstructionKindOption(),
      "'mse' for real data, 'bce' for [0, 1] data",
      'The decoder likelihood.',
    ),
    reduction: vaeReductionOption(),
  },
  validate(t, options) {
    validateReconstruction('vaeLoss', options.reconstruction, t.input, t.target);
    requireMinRank('vaeLoss', 'input', t.input, 1, '[N, ...]');
    validateLatents('vaeLoss', t.mu, t.logVar);
    // β = 0 leaves the KL term out entirely, so any finite latents are fine then.
    if (options.beta > 0) requireRepresentableLatents('vaeLoss', t.mu, t.logVar, t.input.dtype);
    if (t.input.shape[0] !== t.mu.shape[0]) {
      throw new LossInputError(
        'vaeLoss',
        'mu',
        `batch size ${t.mu.shape[0]} (shape ${formatShape(t.mu.shape)}) does not match input batch size ${t.input.shape[0]} (shape ${formatShape(t.input.shape)})`,
      );
    }
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const { beta, reduction } = options;
    const u = upstream === null ? 1 : upstream[0];
    const per = (count: number) => (count === 0 ? 0 : 1 / count);
    // Each part's divisor: N for 'batchmean', its own element count for 'mean', 1 for 'sum'.
    const reconScale =
      reduction === 'batchmean' ? per(t.input.shape[0]) : reduction === 'mean' ? per(t.input.size) : 1;
    const klScale =
      reduction === 'batchmean' ? per(t.mu.shape[0]) : reduction === 'mean' ? per(t.mu.size) : 1;
    const recon = reconstructionSum(
      options.reconstruction,
      t.input.data,
      t.target.data,
      null,
      grads?.input ?? null,
      u * reconScale,
      null,
    );
    // β = 0: the KL term contributes exactly 0 to the value and the gradients (the buffers stay
    // zero), whatever the latents; computing it would turn 0·∞ into NaN for a huge logVar.
    const kl =
      beta === 0
        ? 0
        : gaussianKlSum(
            t.mu.data,
            t.logVar.data,
            null,
            grads?.mu ?? null,
            grads?.logVar ?? null,
            u * beta * klScale,
            null,
          );
    return scalarTensor(recon * reconScale + (beta === 0 ? 0 : beta * kl * klScale), dtype);
  },
  info: {
    title: 'VAE loss (negative ELBO)',
    summary:
      'Reconstruction error plus β times the KL divergence of the approximate posterior from the prior.',
    formula: 'ℓ = recon(x̂, x) + β·½Σ(exp(logVar) + μ² − 1 − logVar)',
    properties: {
      differentiability: "Smooth for 'mse' and 'bce'; 'l1' has a kink at x̂ = x.",
      robustness: 'As its reconstruction kind; the KL term grows exponentially in logVar.',
      gradientBehaviour:
        'The reconstruction gradient flows to the decoder output, the KL gradient (scaled by β) to μ and logVar.',
      scaleSensitivity:
        "The balance of the two terms depends on the data scale and on the reduction ('batchmean' is the ELBO per sample; 'mean' changes it).",
      classImbalance: 'Not applicable.',
    },
    whenToUse: [
      'Training a VAE or β-VAE in one call (with the reparameterisation trick for the samples).',
      'β < 1 for sharper reconstructions, β > 1 for more disentangled latents; anneal β from 0 against posterior collapse.',
    ],
    limitations: [
      "No reduction 'none'; use reconstruction and vaeKl separately for per-element terms.",
      'Assumes a diagonal Gaussian posterior and a standard normal prior.',
      "'mse' corresponds to a Gaussian decoder of fixed variance; its weight relative to the KL is arbitrary unless you scale it.",
    ],
    references: ['Kingma & Welling (2014), Auto-Encoding Variational Bayes', 'Higgins et al. (2017), β-VAE'],
    tasks: ['autoencoder'],
  },
});
