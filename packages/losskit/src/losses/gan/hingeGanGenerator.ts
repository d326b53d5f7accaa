import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, identityTerm, scalarUpstream } from './expectation.js';

/**
 * Hinge GAN generator loss (Lim & Ye 2017; SN-GAN; TF-GAN's `hinge_generator_loss`).
 *
 * ℓ = −E[D(G(z))], the negated mean discriminator score over `fake` (any shape; empty gives 0),
 * gradient −1/n per output: the same function as `wganGenerator`, named for its pairing with
 * `hingeGanDiscriminator`. The value is 0-d, with no `reduction`.
 *
 * @example
 * hingeGanGenerator([1, 2]).item() // -1.5
 */
export const { entry: hingeGanGeneratorLoss, fn: hingeGanGenerator } = defineLoss({
  kind: 'custom',
  name: 'hingeGanGenerator',
  family: 'gan',
  inputs: ['fake'],
  differentiable: ['fake'],
  options: {},
  validate() {},
  valueShape: () => [],
  compute({ t, upstream, grads, dtype }) {
    const value = expectation(t.fake.data, identityTerm, -scalarUpstream(upstream), grads?.fake ?? null);
    return scalarTensor(-value, dtype);
  },
  info: {
    title: 'Hinge GAN generator loss',
    summary: 'Raises the discriminator’s score of generated samples: the generator half of the hinge GAN.',
    formula: 'ℓ = −E_z[D(G(z))]',
    properties: {
      differentiability: 'Linear in the scores.',
      robustness: 'Unbounded below: it relies on the discriminator’s Lipschitz bound (spectral norm).',
      gradientBehaviour: 'Constant −1/n per output: it never saturates, unlike the minimax generator loss.',
      scaleSensitivity: 'Scales with the discriminator scores.',
      classImbalance: 'Not applicable (generated samples only).',
    },
    whenToUse: ['The generator objective paired with hingeGanDiscriminator.'],
    limitations: ['Meaningless without a discriminator trained with the hinge (or another bounded) loss.'],
    references: [
      'Lim & Ye (2017), Geometric GAN',
      'Miyato et al. (2018), Spectral Normalization for Generative Adversarial Networks',
    ],
    tasks: ['gan'],
  },
});
