import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, fakeHingeTerm, realHingeTerm, scalarUpstream } from './expectation.js';

/**
 * Hinge GAN discriminator loss (Lim & Ye 2017; Miyato et al. 2018, SN-GAN; TF-GAN's
 * `hinge_discriminator_loss`).
 *
 * ℓ = E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))], each expectation the mean over its own
 * tensor (`real` and `fake` may differ in size; an empty one contributes 0), D an unbounded score
 * (a logit, not a probability). Gradient −1/n_real on real outputs below 1 and 1/n_fake on fake
 * outputs above −1; 0 at the hinge itself (torch's relu). The value is 0-d, with no `reduction`.
 *
 * @example
 * hingeGanDiscriminator([2, 0.5], [-2, 0]).item() // (0 + 0.5)/2 + (0 + 1)/2 = 0.75
 */
export const { entry: hingeGanDiscriminatorLoss, fn: hingeGanDiscriminator } = defineLoss({
  kind: 'custom',
  name: 'hingeGanDiscriminator',
  family: 'gan',
  inputs: ['real', 'fake'],
  differentiable: ['real', 'fake'],
  options: {},
  validate() {},
  valueShape: () => [],
  compute({ t, upstream, grads, dtype }) {
    const u = scalarUpstream(upstream);
    const onReal = expectation(t.real.data, realHingeTerm, u, grads?.real ?? null);
    const onFake = expectation(t.fake.data, fakeHingeTerm, u, grads?.fake ?? null);
    return scalarTensor(onReal + onFake, dtype);
  },
  info: {
    title: 'Hinge GAN discriminator loss',
    summary:
      'A margin on the critic scores: real samples should score above 1, generated ones below −1; beyond the margin they cost nothing.',
    formula: 'ℓ = E_x[max(0, 1 − D(x))] + E_z[max(0, 1 + D(G(z)))]',
    properties: {
      differentiability: 'Piecewise linear in the scores, with kinks at D = 1 (real) and D = −1 (fake).',
      robustness:
        'Samples already beyond the margin give no gradient, so the discriminator stops over-fitting easy samples.',
      gradientBehaviour: 'Constant ±1/n per output inside the margin, 0 outside it.',
      scaleSensitivity:
        'The margin of 1 fixes the score scale; pair it with spectral normalisation to bound D.',
      classImbalance:
        'Real and fake are averaged separately, so unequal batch sizes weigh both halves equally.',
    },
    whenToUse: [
      'Image GANs with spectral normalisation (SN-GAN, SAGAN, BigGAN use it), paired with hingeGanGenerator.',
      'When the minimax loss saturates or WGAN-GP is too slow (no gradient penalty needed with spectral norm).',
    ],
    limitations: [
      'Needs a Lipschitz-bounded discriminator (spectral norm) to give useful generator gradients.',
      'Scores are unbounded logits, not probabilities.',
    ],
    references: [
      'Lim & Ye (2017), Geometric GAN',
      'Miyato et al. (2018), Spectral Normalization for Generative Adversarial Networks',
      'TF-GAN, tfgan.losses.hinge_discriminator_loss',
    ],
    tasks: ['gan'],
  },
});
