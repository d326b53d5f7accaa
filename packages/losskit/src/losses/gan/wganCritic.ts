import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, identityTerm, scalarUpstream } from './expectation.js';

/**
 * Wasserstein GAN critic loss.
 *
 * ℓ = E[D(G(z))] − E[D(x)], each expectation the mean over its own tensor (`real` and `fake`
 * may differ in size; an empty one contributes 0). Gradients −1/n_real for every real output
 * and 1/n_fake for every fake one. Minimising it maximises the critic's estimate of the
 * Wasserstein-1 distance, which is only meaningful for a 1-Lipschitz critic: add
 * `gradientPenalty` (WGAN-GP) or clip weights. The value is 0-d, with no `reduction`.
 * Reference: Arjovsky et al. (2017), Wasserstein GAN, algorithm 1.
 *
 * @example
 * wganCritic([3, 1], [0, 1]).item() // -1.5
 */
export const { entry: wganCriticLoss, fn: wganCritic } = defineLoss({
  kind: 'custom',
  name: 'wganCritic',
  family: 'gan',
  inputs: ['real', 'fake'],
  differentiable: ['real', 'fake'],
  options: {},
  validate() {},
  valueShape: () => [],
  compute({ t, upstream, grads, dtype }) {
    const u = scalarUpstream(upstream);
    const onFake = expectation(t.fake.data, identityTerm, u, grads?.fake ?? null);
    const onReal = expectation(t.real.data, identityTerm, -u, grads?.real ?? null);
    return scalarTensor(onFake - onReal, dtype);
  },
  info: {
    title: 'WGAN critic loss',
    summary:
      'Difference of mean critic scores on generated and real samples: the negated Wasserstein-1 estimate.',
    formula: 'ℓ = E_z[D(G(z))] − E_x[D(x)]',
    properties: {
      differentiability: 'Linear in the critic outputs.',
      robustness: 'Unbounded: without a Lipschitz constraint the critic can drive the loss to −∞.',
      gradientBehaviour:
        'Constant gradient ±1/n per output; all shaping comes from the critic network and its constraint.',
      scaleSensitivity:
        'Scales linearly with the critic outputs; compare values only under the same Lipschitz constraint.',
      classImbalance:
        'Real and fake are averaged separately, so unequal batch sizes weigh both halves equally.',
    },
    whenToUse: [
      'WGAN or WGAN-GP training, paired with wganGenerator (and gradientPenalty for WGAN-GP).',
      'When a loss that correlates with sample quality is wanted for monitoring.',
    ],
    limitations: [
      'Needs a Lipschitz constraint (gradient penalty, weight clipping or spectral norm), otherwise it diverges.',
      'Critic outputs are unbounded scores, not probabilities.',
    ],
    references: [
      'Arjovsky, Chintala, Bottou (2017), Wasserstein GAN',
      'Gulrajani et al. (2017), Improved Training of Wasserstein GANs',
    ],
    tasks: ['gan'],
  },
});
