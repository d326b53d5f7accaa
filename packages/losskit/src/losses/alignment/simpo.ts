import { defineLoss } from '../define.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requirePairedShapes, smoothedLogistic, smoothedLogisticSlope } from './preference.js';

/**
 * Simple preference optimisation (Meng et al. 2024): DPO without a reference model, on
 * length-averaged log-probabilities and with a target margin.
 *
 * ℓ = −(1 − ε)·log σ(β(c − r) − γ) − ε·log σ(−(β(c − r) − γ)), with c and r the average
 * per-token log-probabilities of the chosen and rejected responses ([N] each), β = `beta`,
 * γ = `gamma` (the target reward margin) and ε = `labelSmoothing`. Gradients to both inputs.
 *
 * @example
 * simpo([-1], [-1.5]).item() // softplus(−(2·0.5 − 1)) = log 2 ≈ 0.693147
 */
export const { entry: simpoLoss, fn: simpo } = defineLoss({
  kind: 'reducible',
  name: 'simpo',
  family: 'alignment',
  inputs: ['chosen', 'rejected'],
  differentiable: ['chosen', 'rejected'],
  options: {
    beta: withNote(numberOption(2, { above: 0 }), '2–2.5', 'Scale of the reward difference.'),
    gamma: withNote(
      numberOption(1),
      '0.5–1.5 (γ/β ≈ 0.5)',
      'Target reward margin between chosen and rejected.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, below: 0.5 }),
      '0',
      'Assumed probability that a preference label is flipped.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requirePairedShapes('simpo', t, ['chosen', 'rejected']);
  },
  unitShape: (t) => t.chosen.shape,
  kernel({ t, options, plan, units, grads }) {
    const c = t.chosen.data;
    const r = t.rejected.data;
    const { beta, gamma, labelSmoothing: eps } = options;
    const gc = grads === null ? null : grads.chosen;
    const gr = grads === null ? null : grads.rejected;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < c.length; i++) {
      const z = beta * (c[i] - r[i]) - gamma;
      const l = smoothedLogistic(z, eps);
      total += l;
      if (units !== null) units[i] = l;
      if (gc !== null && gr !== null) {
        const w = (up === null ? s : s * up[i]) * beta * smoothedLogisticSlope(z, eps);
        gc[i] = w;
        gr[i] = -w;
      }
    }
    return total;
  },
  overwritesGrads: () => true,
  info: {
    title: 'Simple preference optimisation (SimPO)',
    summary:
      'A reference-free DPO: the length-averaged log-probability of the chosen response must beat the rejected one by a margin γ/β.',
    formula: 'ℓ = −log σ(β·(c − r) − γ),  c, r = mean per-token log-probabilities',
    properties: {
      differentiability: 'Smooth everywhere.',
      robustness: 'labelSmoothing ε gives the conservative variant for noisy preference labels.',
      gradientBehaviour:
        'Pushes pairs with β(c − r) below γ hardest; the gradient fades once the margin is exceeded by a few units.',
      scaleSensitivity:
        'β scales the reward difference (larger than DPO’s, typically 2–2.5, because length-averaged log-probabilities are small); γ is in those scaled units.',
      classImbalance: 'Not applicable (pairwise preferences).',
    },
    whenToUse: [
      'Preference fine-tuning when keeping a reference model in memory is too expensive.',
      'When DPO favours long responses: the length normalisation removes that bias.',
    ],
    limitations: [
      'No reference model means no implicit KL anchor: the policy can drift; tune β, γ and the learning rate carefully.',
      'Expects length-averaged log-probabilities; summed ones change the scale of β and γ.',
    ],
    references: [
      'Meng, Xia & Chen (2024), SimPO: Simple Preference Optimization with a Reference-Free Reward',
      'Hugging Face TRL, CPOTrainer (loss_type simpo)',
    ],
    tasks: ['alignment'],
  },
});
