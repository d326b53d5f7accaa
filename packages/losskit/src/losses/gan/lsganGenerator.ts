import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, halfSquaredDistanceTo, scalarUpstream } from './expectation.js';

const towardsOne = halfSquaredDistanceTo(1);

/**
 * Least-squares GAN generator loss (c = 1 coding).
 *
 * ℓ = ½E[(D(G(z)) − 1)²], the mean over `fake` (any shape; empty gives 0), gradient
 * (D(G(z)) − 1)/n. Raw critic outputs; the value is 0-d, with no `reduction`.
 * Reference: Mao et al. (2017), Least Squares Generative Adversarial Networks, eq. 2.
 *
 * @example
 * lsganGenerator([0, 1]).item() // 0.25
 */
export const { entry: lsganGeneratorLoss, fn: lsganGenerator } = defineLoss({
  kind: 'custom',
  name: 'lsganGenerator',
  family: 'gan',
  inputs: ['fake'],
  differentiable: ['fake'],
  options: {},
  validate() {},
  valueShape: () => [],
  compute({ t, upstream, grads, dtype }) {
    const value = expectation(t.fake.data, towardsOne, scalarUpstream(upstream), grads?.fake ?? null);
    return scalarTensor(value, dtype);
  },
  info: {
    title: 'LSGAN generator loss',
    summary:
      'Least-squares regression of the critic output on generated samples towards the "real" target 1.',
    formula: 'ℓ = ½E_z[(D(G(z)) − 1)²]',
    properties: {
      differentiability: 'Smooth everywhere (quadratic).',
      robustness: 'Not robust: samples the critic rejects strongly dominate the gradient.',
      gradientBehaviour: 'Gradient D(G(z)) − 1 does not saturate, so rejected samples keep receiving signal.',
      scaleSensitivity: 'Tied to the 0/1 target coding of the critic outputs.',
      classImbalance: 'Not applicable (only generated samples enter).',
    },
    whenToUse: ['Training the generator against an lsganDiscriminator.'],
    limitations: [
      'The loss value tracks the critic, not sample quality; do not use it as a stopping criterion.',
    ],
    references: ['Mao et al. (2017), Least Squares Generative Adversarial Networks'],
    tasks: ['gan'],
  },
});
