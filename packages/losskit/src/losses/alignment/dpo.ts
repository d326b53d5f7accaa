import { defineLoss } from '../define.js';
import { sigmoid, softplus } from '../math.js';
import { enumOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requirePairedShapes, smoothedLogistic, smoothedLogisticSlope } from './preference.js';

/**
 * Direct preference optimisation (Rafailov et al. 2023), with the variants of TRL's `DPOTrainer`.
 *
 * With Δ = (π_c − ref_c) − (π_r − ref_r), the policy's log-ratio margin of the chosen over the
 * rejected response (each input a summed log-probability of a whole response, [N]):
 * - `'sigmoid'`: −(1 − ε)·log σ(βΔ) − ε·log σ(−βΔ) (ε = `labelSmoothing`, conservative DPO)
 * - `'hinge'`: max(0, 1 − βΔ) (SLiC; no gradient at exactly 0, as torch's relu)
 * - `'ipo'`: (Δ − 1/(2β))² (Azar et al. 2023)
 * - `'robust'`: (−(1 − ε)·log σ(βΔ) + ε·log σ(−βΔ)) / (1 − 2ε) (Chowdhury et al. 2024)
 *
 * Gradients flow to `policyChosen` (∂Δ = +1) and `policyRejected` (∂Δ = −1); the reference
 * log-probabilities are constants. One unit per pair, reduced by `reduction`.
 *
 * @example
 * dpo([-10], [-12], [-11], [-11]).item() // softplus(−0.1·2) ≈ 0.598139
 */
export const { entry: dpoLoss, fn: dpo } = defineLoss({
  kind: 'reducible',
  name: 'dpo',
  family: 'alignment',
  inputs: ['policyChosen', 'policyRejected', 'referenceChosen', 'referenceRejected'],
  differentiable: ['policyChosen', 'policyRejected'],
  options: {
    beta: withNote(
      numberOption(0.1, { above: 0 }),
      '0.1 (0.01–0.5)',
      'Strength of the implicit KL penalty to the reference.',
    ),
    lossType: withNote(
      enumOption(['sigmoid', 'hinge', 'ipo', 'robust'], 'sigmoid'),
      "'sigmoid'",
      'Which preference loss: sigmoid (DPO), hinge (SLiC), ipo, robust.',
    ),
    labelSmoothing: withNote(
      numberOption(0, { min: 0, below: 0.5 }),
      '0 (0.1 for noisy labels)',
      'Assumed probability that a preference label is flipped.',
    ),
    reduction: reductionOption(),
  },
  validate(t) {
    requirePairedShapes('dpo', t, ['policyChosen', 'policyRejected', 'referenceChosen', 'referenceRejected']);
  },
  unitShape: (t) => t.policyChosen.shape,
  kernel({ t, options, plan, units, grads }) {
    const pc = t.policyChosen.data;
    const pr = t.policyRejected.data;
    const rc = t.referenceChosen.data;
    const rr = t.referenceRejected.data;
    const { beta, lossType, labelSmoothing: eps } = options;
    const gc = grads === null ? null : grads.policyChosen;
    const gr = grads === null ? null : grads.policyRejected;
    const up = plan.upstream;
    const s = plan.scale;
    const target = 1 / (2 * beta);
    let total = 0;
    for (let i = 0; i < pc.length; i++) {
      const delta = pc[i] - rc[i] - (pr[i] - rr[i]);
      const z = beta * delta;
      let l: number;
      let slope: number; // dℓ/dΔ
      if (lossType === 'sigmoid') {
        l = smoothedLogistic(z, eps);
        slope = beta * smoothedLogisticSlope(z, eps);
      } else if (lossType === 'hinge') {
        l = Math.max(0, 1 - z);
        slope = 1 - z > 0 ? -beta : 0;
      } else if (lossType === 'ipo') {
        const d = delta - target;
        l = d * d;
        slope = 2 * d;
      } else {
        // robust: ((1 − ε)·softplus(−z) − ε·softplus(z)) / (1 − 2ε).
        const norm = 1 - 2 * eps;
        l = ((1 - eps) * softplus(-z) - eps * softplus(z)) / norm;
        slope = (beta * (-(1 - eps) * sigmoid(-z) - eps * sigmoid(z))) / norm;
      }
      total += l;
      if (units !== null) units[i] = l;
      if (gc !== null && gr !== null) {
        const w = (up === null ? s : s * up[i]) * slope;
        gc[i] = w;
        gr[i] = -w;
      }
    }
    return total;
  },
  overwritesGrads: () => true,
  info: {
    title: 'Direct preference optimisation (DPO)',
    summary:
      'Fine-tunes a policy on pairs of responses (chosen, rejected) without a reward model: the log-ratio to a frozen reference must favour the chosen response.',
    formula: 'ℓ = −log σ(β·[(log π(y_c) − log π_ref(y_c)) − (log π(y_r) − log π_ref(y_r))])',
    properties: {
      differentiability: "Smooth for 'sigmoid', 'ipo' and 'robust'; 'hinge' has a kink at βΔ = 1.",
      robustness:
        "'sigmoid' trusts every label; labelSmoothing ε (conservative DPO) and 'robust' (an unbiased estimate under ε label noise) tolerate noisy preferences.",
      gradientBehaviour:
        'The gradient is large on pairs the policy still ranks wrongly and vanishes on pairs it already separates by much more than 1/β.',
      scaleSensitivity:
        'β sets the scale of the margin: small β lets the policy move far from the reference, large β keeps it close (an implicit KL constraint).',
      classImbalance: 'Not applicable (pairwise preferences).',
    },
    whenToUse: [
      'Aligning a language model (or any policy with log-probabilities) to human or AI preference pairs.',
      "'ipo' when the preferences are deterministic and sigmoid DPO over-fits by driving Δ to infinity.",
    ],
    limitations: [
      'Needs the reference model’s log-probabilities of both responses (compute them once, without gradient).',
      "'sigmoid' keeps pushing Δ up on separable data; watch the KL to the reference or use 'ipo'.",
    ],
    references: [
      'Rafailov et al. (2023), Direct Preference Optimization: Your Language Model is Secretly a Reward Model',
      'Azar et al. (2023), A General Theoretical Paradigm to Understand Learning from Human Preferences (IPO)',
      'Hugging Face TRL, DPOTrainer (loss_type sigmoid, hinge, ipo, robust)',
    ],
    tasks: ['alignment'],
  },
});
