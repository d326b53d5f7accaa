import { LossInputError } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { LARGEST_FINITE, sigmoid, softplus } from '../math.js';
import { numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requirePairedShapes } from './preference.js';

/** log(1 − eˣ) for x < 0, accurate near 0 (expm1) and far below it (log1p). */
const log1mExp = (x: number): number => (x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x)));

/**
 * Odds-ratio preference optimisation's preference term (Hong et al. 2024).
 *
 * ℓ = −β·log σ(log odds(c) − log odds(r)), log odds(p) = p − log(1 − eᵖ), with c and r the
 * average per-token log-probabilities (< 0) of the chosen and rejected responses ([N] each).
 * ∂ℓ/∂c = −β·σ(−z)/(1 − eᶜ) and ∂ℓ/∂r = β·σ(−z)/(1 − eʳ), z the log odds ratio. ORPO's full
 * objective adds the chosen response's negative log-likelihood (the SFT term): add it yourself
 * (for example `tokenCrossEntropy` on the chosen tokens). A log-probability ≥ 0 is an error.
 *
 * @example
 * orpo([-0.5], [-1.5]).item() // 0.1·softplus(−(1 − log(1 − e^−0.5) + log(1 − e^−1.5))) ≈ 0.021958
 */
export const { entry: orpoLoss, fn: orpo } = defineLoss({
  kind: 'reducible',
  name: 'orpo',
  family: 'alignment',
  inputs: ['chosen', 'rejected'],
  differentiable: ['chosen', 'rejected'],
  options: {
    beta: withNote(numberOption(0.1, { above: 0 }), '0.1 (0.05–0.25)', 'Weight of the odds-ratio term.'),
    reduction: reductionOption(),
  },
  validate(t) {
    requirePairedShapes('orpo', t, ['chosen', 'rejected']);
    for (const name of ['chosen', 'rejected'] as const) {
      const d = t[name].data;
      // The gradient carries 1/(1 − eᵖ) ≈ −1/p near 0: below this magnitude it overflows.
      const closest = -1 / LARGEST_FINITE[t[name].dtype];
      for (let i = 0; i < d.length; i++) {
        if (!(d[i] < 0))
          throw new LossInputError(
            'orpo',
            name,
            `must hold log-probabilities < 0 (the odds p/(1 − p) need p < 1), got ${d[i]} at index ${i}`,
          );
        if (d[i] > closest)
          throw new LossInputError(
            'orpo',
            name,
            `log-probability ${d[i]} at index ${i} is too close to 0: the odds of a probability that near 1, and their gradient 1/(1 − eᵖ), are not representable`,
          );
      }
    }
  },
  unitShape: (t) => t.chosen.shape,
  kernel({ t, options, plan, units, grads }) {
    const c = t.chosen.data;
    const r = t.rejected.data;
    const beta = options.beta;
    const gc = grads === null ? null : grads.chosen;
    const gr = grads === null ? null : grads.rejected;
    const up = plan.upstream;
    const s = plan.scale;
    let total = 0;
    for (let i = 0; i < c.length; i++) {
      const z = c[i] - log1mExp(c[i]) - (r[i] - log1mExp(r[i]));
      const l = beta * softplus(-z);
      total += l;
      if (units !== null) units[i] = l;
      if (gc !== null && gr !== null) {
        // d log odds(p)/dp = 1 + eᵖ/(1 − eᵖ) = 1/(1 − eᵖ) = −1/expm1(p).
        const w = (up === null ? s : s * up[i]) * beta * sigmoid(-z);
        gc[i] = w / Math.expm1(c[i]);
        gr[i] = -w / Math.expm1(r[i]);
      }
    }
    return total;
  },
  overwritesGrads: () => true,
  info: {
    title: 'Odds-ratio preference optimisation (ORPO)',
    summary:
      'A reference-free preference term added to supervised fine-tuning: the odds of the chosen response must exceed the odds of the rejected one.',
    formula: 'ℓ = −β·log σ(log[odds(c)/odds(r)]),  odds(p) = eᵖ / (1 − eᵖ)',
    properties: {
      differentiability:
        'Smooth for log-probabilities < 0; the log odds diverge as a log-probability approaches 0.',
      robustness: 'Bounded gradient in the log odds ratio; no label smoothing.',
      gradientBehaviour:
        'The factor 1/(1 − eᵖ) amplifies the gradient of likely responses, so confident rejected responses are pushed down hard.',
      scaleSensitivity: 'β (≈ 0.1) weighs the preference term against the SFT loss it is added to.',
      classImbalance: 'Not applicable (pairwise preferences).',
    },
    whenToUse: [
      'One-stage alignment: supervised fine-tuning and preference optimisation together, without a reference model.',
    ],
    limitations: [
      'Only the preference half of ORPO: add the negative log-likelihood of the chosen responses yourself.',
      'Needs length-averaged log-probabilities strictly below 0.',
    ],
    references: [
      'Hong, Lee & Thorne (2024), ORPO: Monolithic Preference Optimization without Reference Model',
      'Hugging Face TRL, ORPOTrainer',
    ],
    tasks: ['alignment'],
  },
});
