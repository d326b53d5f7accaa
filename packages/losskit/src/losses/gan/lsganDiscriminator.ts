import { defineLoss } from '../define.js';
import { scalarTensor } from '../reduce.js';
import { expectation, halfSquaredDistanceTo, scalarUpstream } from './expectation.js';

const towardsOne = halfSquaredDistanceTo(1);
const towardsZero = halfSquaredDistanceTo(0);

/**
 * Least-squares GAN discriminator loss (a = 0, b = 1 coding).
 *
 * ℓ = ½E[(D(x) − 1)²] + ½E[D(G(z))²], each expectation the mean over its own tensor (`real`
 * and `fake` may differ in size; an empty one contributes 0). Gradients (D(x) − 1)/n_real and
 * D(G(z))/n_fake. The inputs are raw critic outputs (no sigmoid); the value is 0-d, with no
 * `reduction`. Reference: Mao et al. (2017), Least Squares Generative Adversarial Networks, eq. 2.
 *
 * @example
 * lsganDiscriminator([1, 0], [0, 1]).item() // 0.5
 */
export const { entry: lsganDiscriminatorLoss, fn: lsganDiscriminator } = defineLoss({
  kind: 'custom',
  name: 'lsganDiscriminator',
  family: 'gan',
  inputs: ['real', 'fake'],
  differentiable: ['real', 'fake'],
  options: {},
  validate() {},
  valueShape: () => [],
  compute({ t, upstream, grads, dtype }) {
    const u = scalarUpstream(upstream);
    const onReal = expectation(t.real.data, towardsOne, u, grads?.real ?? null);
    const onFake = expectation(t.fake.data, towardsZero, u, grads?.fake ?? null);
    return scalarTensor(onReal + onFake, dtype);
  },
  info: {
    title: 'LSGAN discriminator loss',
    summary:
      'Least-squares regression of the critic output towards 1 for real samples and 0 for generated ones.',
    formula: 'ℓ = ½E_x[(D(x) − 1)²] + ½E_z[D(G(z))²]',
    properties: {
      differentiability: 'Smooth everywhere (quadratic).',
      robustness: 'Not robust: a sample far from its target contributes quadratically.',
      gradientBehaviour:
        'Gradient proportional to the distance from the target, so samples on the right side but far away still get pushed back.',
      scaleSensitivity: 'Tied to the 0/1 target coding of the critic outputs.',
      classImbalance:
        'Real and fake are averaged separately, so unequal batch sizes weigh both halves equally.',
    },
    whenToUse: [
      'A more stable alternative to the cross-entropy GAN, paired with lsganGenerator.',
      'When the standard GAN generator gradient vanishes because the discriminator is too confident.',
    ],
    limitations: [
      'Still adversarial: mode collapse remains possible.',
      'Penalises samples that are "too real" (critic output above 1) as much as fake-looking ones.',
    ],
    references: ['Mao et al. (2017), Least Squares Generative Adversarial Networks'],
    tasks: ['gan'],
  },
});
