import { defineLoss } from '../define.js';
import { booleanOption, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { requireUnitInterval } from '../validate.js';
import { expectation, labelOneTerm, labelZeroTerm, scalarUpstream } from './expectation.js';

/**
 * Generator loss of the original GAN, non-saturating by default.
 *
 * Non-saturating (default): ℓ = −E[log D(G(z))], the generator's samples labelled 1.
 * Saturating (`saturating: true`): ℓ = E[log(1 − D(G(z)))], the minimax objective, whose
 * gradient vanishes when the discriminator rejects the samples confidently.
 * The expectation is the mean over `fake` (any shape; empty gives 0); the value is 0-d, with no
 * `reduction`. Logits (default) go through softplus, finite for ±1e4; with `fromLogits: false`
 * the inputs are probabilities and the logs follow torch's `binary_cross_entropy` (clamped at −100).
 * Reference: Goodfellow et al. (2014), section 3.
 *
 * @example
 * ganGenerator([0, 2]).item() // 0.4100375958014589
 */
export const { entry: ganGeneratorLoss, fn: ganGenerator } = defineLoss({
  kind: 'custom',
  name: 'ganGenerator',
  family: 'gan',
  inputs: ['fake'],
  differentiable: ['fake'],
  options: {
    fromLogits: withNote(
      booleanOption(true),
      'true',
      'Whether the critic outputs are logits (stable) or probabilities in [0, 1].',
    ),
    saturating: withNote(
      booleanOption(false),
      'false',
      'true uses the minimax log(1 − D) objective instead of −log D.',
    ),
  },
  validate(t, options) {
    if (!options.fromLogits) requireUnitInterval('ganGenerator', 'fake', t.fake);
  },
  valueShape: () => [],
  compute({ t, options, upstream, grads, dtype }) {
    const u = scalarUpstream(upstream);
    const g = grads?.fake ?? null;
    // E[log(1 − D)] is minus the BCE against label 0.
    const value = options.saturating
      ? -expectation(t.fake.data, labelZeroTerm(options.fromLogits), -u, g)
      : expectation(t.fake.data, labelOneTerm(options.fromLogits), u, g);
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'GAN generator loss',
    summary:
      'Trains the generator to make the discriminator call its samples real; non-saturating by default.',
    formula: 'non-saturating ℓ = −E_z[log D(G(z))]; saturating ℓ = E_z[log(1 − D(G(z)))]',
    properties: {
      differentiability: 'Smooth in the logits; with probabilities the log is clamped at −100 near 0 and 1.',
      robustness: 'Bounded gradient per sample (at most 1 in the logit), so no single sample dominates.',
      gradientBehaviour:
        'Non-saturating: gradient −σ(−x), strong when the discriminator rejects the sample. Saturating: gradient −σ(x), which vanishes exactly when the generator is worst.',
      scaleSensitivity: 'Depends on the scale of the critic logits, not on the data scale.',
      classImbalance: 'Not applicable (only generated samples enter).',
    },
    whenToUse: [
      'Training the generator of a standard GAN, paired with ganDiscriminator (keep the non-saturating default).',
      'The saturating form for reproducing the minimax objective or theoretical comparisons.',
    ],
    limitations: [
      'The saturating form gives almost no gradient early in training; prefer the default.',
      'Inherits GAN instabilities (mode collapse, oscillation); the loss value says little about sample quality.',
    ],
    references: [
      'Goodfellow et al. (2014), Generative Adversarial Nets, section 3 (non-saturating heuristic)',
    ],
    tasks: ['gan'],
  },
});
