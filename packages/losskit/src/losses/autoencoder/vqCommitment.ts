import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';

/**
 * The vector-quantisation terms of VQ-VAE (van den Oord et al. 2017): the codebook loss and the
 * commitment loss, with their stop-gradients.
 *
 * ℓ = (sg(z_e) − e)² + β·(z_e − sg(e))² per element, z_e = `encoded` (the encoder's output) and
 * e = `quantized` (the chosen codebook vectors, gathered to the same shape [..., D]); sg stops the
 * gradient. The value is (1 + β)(z_e − e)², but the gradients are 2(e − z_e) for `quantized`
 * (moves the codebook to the encoder) and 2β(z_e − e) for `encoded` (commits the encoder to its
 * code): not the derivatives of the value, by design. Reduced over elements by `reduction`
 * ('mean' default). Pass the decoder the straight-through estimate z_e + sg(e − z_e) yourself.
 *
 * @example
 * vqCommitment([[1, 0]], [[0, 0]]).item() // (1 + 0.25)·½ = 0.625
 */
export const { entry: vqCommitmentLoss, fn: vqCommitment } = defineLoss({
  kind: 'reducible',
  name: 'vqCommitment',
  family: 'autoencoder',
  inputs: ['encoded', 'quantized'],
  differentiable: ['encoded', 'quantized'],
  options: {
    beta: withNote(
      numberOption(0.25, { min: 0 }),
      '0.25 (0.1–2)',
      'Weight of the commitment term on the encoder.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requireSameShape('vqCommitment', 'encoded', t.encoded, 'quantized', t.quantized);
  },
  unitShape: (t) => t.encoded.shape,
  overwritesGrads: () => true,
  kernel({ t, options, plan, units, grads }) {
    const z = t.encoded.data;
    const e = t.quantized.data;
    const beta = options.beta;
    const gz = grads === null ? null : grads.encoded;
    const ge = grads === null ? null : grads.quantized;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < z.length; i++) {
      const d = z[i] - e[i];
      const l = (1 + beta) * d * d;
      total += l;
      if (units !== null) units[i] = l;
      if (gz !== null && ge !== null) {
        const w = 2 * (up === null ? s : s * up[i]) * d;
        gz[i] = beta * w;
        ge[i] = -w;
      }
    }
    return total;
  },
  info: {
    title: 'VQ-VAE codebook and commitment loss',
    summary:
      'Pulls each codebook vector towards the encoder outputs assigned to it, and commits the encoder to its codes (weight β).',
    formula: 'ℓ = ‖sg(z_e) − e‖² + β‖z_e − sg(e)‖²',
    properties: {
      differentiability: 'Smooth; the stop-gradients make each gradient a different multiple of (z_e − e).',
      robustness: 'Squared distances: outlying encoder outputs pull their code vectors strongly.',
      gradientBehaviour:
        'The codebook moves with weight 1, the encoder with weight β: the encoder follows the codes slowly, which keeps the codebook stable.',
      scaleSensitivity: 'Quadratic in the scale of the latent space.',
      classImbalance: 'Codes that are rarely chosen get no gradient (dead codes): reset or use EMA updates.',
    },
    whenToUse: [
      'Training a VQ-VAE, VQ-GAN or any discrete-latent autoencoder, together with a reconstruction loss.',
    ],
    limitations: [
      'Does not do the quantisation (nearest-neighbour lookup) or the straight-through estimator: do those around it.',
      'Its gradients are not the derivatives of its value (stop-gradients), so finite differences do not check them.',
    ],
    references: ['van den Oord, Vinyals & Kavukcuoglu (2017), Neural Discrete Representation Learning'],
    tasks: ['autoencoder'],
  },
});
