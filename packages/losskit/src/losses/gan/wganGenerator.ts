import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, identityTerm, scalarUpstream } from './expectation.js';

/**
 * Wasserstein GAN generator loss.
 *
 * ℓ = −E[D(G(z))], the negated mean critic score over `fake` (any shape; empty gives 0),
 * gradient −1/n per output. The value is 0-d, with no `reduction`.
 * Reference: Arjovsky et al. (2017), Wasserstein GAN, algorithm 1.
 *
 * @example
 * wganGenerator([1, 2]).item() // -1.5
 */
export const { entry: wganGeneratorLoss, fn: wganGenerator } = defineLoss({
  kind: 'custom',
  name: 'wganGenerator',
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
    title: 'WGAN generator loss',
    summary:
      'Negated mean critic score of generated samples: the generator raises the score the critic gives them.',
    formula: 'ℓ = −E_z[D(G(z))]',
    properties: {
      differentiability: 'Linear in the critic outputs.',
      robustness: 'Unbounded; only meaningful against a Lipschitz-constrained critic.',
      gradientBehaviour:
        'Constant gradient −1/n per output; the useful signal comes through the critic network.',
      scaleSensitivity: 'Scales linearly with the critic outputs.',
      classImbalance: 'Not applicable (only generated samples enter).',
    },
    whenToUse: ['Training the generator of a WGAN or WGAN-GP, paired with wganCritic.'],
    limitations: [
      'The absolute value is meaningless on its own; compare it with the critic loss over training.',
    ],
    references: ['Arjovsky, Chintala, Bottou (2017), Wasserstein GAN'],
    tasks: ['gan'],
  },
});
