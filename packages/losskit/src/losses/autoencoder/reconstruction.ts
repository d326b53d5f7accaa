import { withNote } from '../options.js';
import { defineLoss } from '../define.js';
import { reductionWithBatchmeanOption } from '../reduce.js';
import { reconstructionKindOption, reconstructionSum, validateReconstruction } from './terms.js';

/**
 * Reconstruction loss of an autoencoder: an element-wise distance between x̂ and x.
 *
 * ℓᵢ per `kind`: 'mse' (x̂ᵢ − xᵢ)² (torch `F.mse_loss`), 'l1' |x̂ᵢ − xᵢ| (torch `F.l1_loss`,
 * gradient 0 at 0), 'bce' −(xᵢ log x̂ᵢ + (1 − xᵢ) log(1 − x̂ᵢ)) with x̂ probabilities in [0, 1],
 * targets in [0, 1], logs clamped at −100 and gradient (x̂ − x)/max(x̂(1 − x̂), 1e-12) (torch
 * `F.binary_cross_entropy`). Reduced by `reduction`: 'mean' (default, over every element),
 * 'sum', 'none' (the input's shape) or 'batchmean' (sum over all but the first axis, mean over
 * the first: the per-sample reconstruction term of a VAE). `input` and `target` share a shape.
 *
 * @example
 * reconstruction([[0.5, 1]], [[0, 1]], { kind: 'l1' }).item() // 0.25
 */
export const { entry: reconstructionLoss, fn: reconstruction } = defineLoss({
  kind: 'reducible',
  name: 'reconstruction',
  family: 'autoencoder',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    kind: withNote(
      reconstructionKindOption(),
      "'mse' for real data, 'bce' for [0, 1] data",
      'The per-element distance, i.e. the decoder likelihood it corresponds to.',
    ),
    reduction: reductionWithBatchmeanOption('mean'),
  },
  validate(t, options) {
    validateReconstruction('reconstruction', options.kind, t.input, t.target);
  },
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    return reconstructionSum(
      options.kind,
      t.input.data,
      t.target.data,
      units,
      grads?.input ?? null,
      plan.scale,
      plan.upstream,
    );
  },
  info: {
    title: 'Reconstruction loss',
    summary: 'Element-wise MSE, L1 or binary cross-entropy between an autoencoder’s output and its input.',
    formula: "ℓ = (x̂ − x)² ('mse'), |x̂ − x| ('l1'), −[x log x̂ + (1 − x) log(1 − x̂)] ('bce')",
    properties: {
      differentiability: "'mse' and 'bce' are smooth; 'l1' has a kink at x̂ = x (gradient 0 there).",
      robustness: "'l1' is robust to outlier pixels; 'mse' is not; 'bce' is bounded by the −100 log clamp.",
      gradientBehaviour:
        "'mse' gradient grows with the error, 'l1' is constant in size, 'bce' grows like 1/(x̂(1 − x̂)) near wrong saturated outputs.",
      scaleSensitivity: "'mse' is quadratic and 'l1' linear in the data scale; 'bce' needs data in [0, 1].",
      classImbalance:
        "Not applicable; with 'bce' on sparse binary images the many background pixels dominate.",
    },
    whenToUse: [
      "Autoencoders and VAEs: 'mse' for real-valued data (Gaussian decoder), 'bce' for data in [0, 1] such as binarised images (Bernoulli decoder), 'l1' for sharper reconstructions.",
      "The reconstruction part of vaeLoss when you need it alone or per element ('none').",
    ],
    limitations: [
      "'mse' and 'l1' produce blurry images for multimodal data; perceptual or adversarial losses address that.",
      "'bce' takes probabilities, not logits: apply a sigmoid in the decoder.",
    ],
    references: [
      'Kingma & Welling (2014), Auto-Encoding Variational Bayes',
      'PyTorch torch.nn.functional.mse_loss, l1_loss, binary_cross_entropy',
    ],
    tasks: ['autoencoder'],
  },
});
