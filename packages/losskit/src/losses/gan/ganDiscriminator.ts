import { defineLoss } from '../define.js';
import { booleanOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireUnitInterval } from '../validate.js';
import { expectation, labelOneTerm, labelZeroTerm, scalarUpstream } from './expectation.js';

/**
 * Discriminator loss of the original (minimax) GAN: binary cross-entropy with real samples
 * labelled 1 and generated ones labelled 0.
 *
 * ℓ = −E[log D(x)] − E[log(1 − D(G(z)))], each expectation the mean over its own tensor, so
 * `real` and `fake` may have different shapes and batch sizes (an empty one contributes 0).
 * The value is 0-d; there is no `reduction`. With `fromLogits` (default) the inputs are critic
 * logits and the terms are softplus(−x) and softplus(x), finite for logits of ±1e4; with
 * `fromLogits: false` they are probabilities in [0, 1] and follow torch's `binary_cross_entropy`
 * (log clamped at −100, gradient (p − y)/max(p(1 − p), 1e-12)).
 * Reference: Goodfellow et al. (2014), Generative Adversarial Nets.
 *
 * @example
 * ganDiscriminator([2, 1], [-1, 0]).item() // 0.7232992833196819
 */
export const { entry: ganDiscriminatorLoss, fn: ganDiscriminator } = defineLoss({
  kind: 'custom',
  name: 'ganDiscriminator',
  family: 'gan',
  inputs: ['real', 'fake'],
  differentiable: ['real', 'fake'],
  options: {
    fromLogits: withNote(
      booleanOption(true),
      'true',
      'Whether the critic outputs are logits (stable, recommended) or probabilities in [0, 1].',
    ),
  },
  validate(t, options) {
    if (!options.fromLogits) {
      requireUnitInterval('ganDiscriminator', 'real', t.real);
      requireUnitInterval('ganDiscriminator', 'fake', t.fake);
    }
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const u = scalarUpstream(upstream);
    const onReal = expectation(t.real.data, labelOneTerm(options.fromLogits), u, grads?.real ?? null);
    const onFake = expectation(t.fake.data, labelZeroTerm(options.fromLogits), u, grads?.fake ?? null);
    return scalarTensor(onReal + onFake, dtype);
  },
  info: {
    title: 'GAN discriminator loss',
    summary:
      'Binary cross-entropy that trains the discriminator to call real samples real (1) and generated samples fake (0).',
    formula: 'ℓ = −E_x[log D(x)] − E_z[log(1 − D(G(z)))]',
    properties: {
      differentiability: 'Smooth in the logits; with probabilities the log is clamped at −100 near 0 and 1.',
      robustness:
        'A confidently wrong sample costs linearly in its logit, so single samples cannot blow up the loss.',
      gradientBehaviour:
        'Gradient σ(x) − label per sample: large for misclassified samples, vanishing for ones already classified confidently.',
      scaleSensitivity:
        'Depends on the scale of the critic logits; the optimum value for an undecided discriminator is 2·log 2 ≈ 1.386.',
      classImbalance:
        'Real and fake are averaged separately, so unequal batch sizes weigh the two halves equally.',
    },
    whenToUse: [
      'Training the discriminator of a standard (non-saturating) GAN, paired with ganGenerator.',
      'Any adversarial setup whose critic is a binary real/fake classifier.',
    ],
    limitations: [
      'A discriminator that wins too easily starves the generator of gradient; consider LSGAN or WGAN losses when training is unstable.',
      'Prone to mode collapse and oscillation without regularisation (spectral norm, gradient penalty, label smoothing).',
    ],
    references: [
      'Goodfellow et al. (2014), Generative Adversarial Nets',
      'PyTorch torch.nn.functional.binary_cross_entropy_with_logits',
    ],
    tasks: ['gan'],
  },
});
