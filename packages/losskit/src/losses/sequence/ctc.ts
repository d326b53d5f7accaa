import { type CtcKernelSample, ctcKernelLosses } from '../../kernels/wasm/ctc.js';
import { formatIndex, formatShape, LossInputError, type Tensor } from '../../tensor/index.js';
import { defineLoss } from '../define.js';
import { booleanOption, enumOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import type { Shaped } from '../shape-checks.js';
import { requireLogProbabilities, requireRank } from '../validate.js';
import { ctcMinimumSteps, ctcSampleLoss } from './ctcKernel.js';
import { type CtcScaledScratch, ctcSampleLossScaled, ctcScaledScratch } from './ctcScaled.js';

const NAME = 'ctc';

/**
 * The checks of a CTC call that read shapes only (shared with the TF.js adapter): `input`
 * [N, T, C] with T ≥ 1 and C ≥ 1, `targets` [N, S], `inputLengths` and `targetLengths` [N], and
 * the blank a class index below C.
 */
export function requireCtcShapes(
  loss: string,
  t: {
    readonly input: Shaped;
    readonly targets: Shaped;
    readonly inputLengths: Shaped;
    readonly targetLengths: Shaped;
  },
  blank: number,
): void {
  const shape = t.input.shape;
  if (shape.length !== 3 || shape[1] === 0 || shape[2] === 0) {
    throw new LossInputError(
      loss,
      'input',
      `must have shape [N, T, C] with at least one time step and one class, got ${formatShape(shape)}`,
    );
  }
  const batch = shape[0];
  requireRank(loss, 'targets', t.targets, 2, '[N, S]');
  if (t.targets.shape[0] !== batch) {
    throw new LossInputError(
      loss,
      'targets',
      `shape ${formatShape(t.targets.shape)} must be [N, S] with N = ${batch} (input shape ${formatShape(shape)})`,
    );
  }
  for (const name of ['inputLengths', 'targetLengths'] as const) {
    const lengths = t[name].shape;
    if (lengths.length !== 1 || lengths[0] !== batch) {
      throw new LossInputError(
        loss,
        name,
        `shape ${formatShape(lengths)} must be [${batch}], one length per sample (input shape ${formatShape(shape)})`,
      );
    }
  }
  const classes = shape[2];
  if (blank >= classes) {
    throw new LossInputError(
      loss,
      'options.blank',
      `must be a class index in [0, ${classes}) (input has C = ${classes}), got ${blank}`,
    );
  }
}

/** Every length an integer in [lo, hi]; `bound` says where hi comes from. */
function requireIntegersIn(name: string, t: Tensor, lo: number, hi: number, bound: string): void {
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (!Number.isInteger(v))
      throw new LossInputError(
        NAME,
        name,
        `length ${v} at index ${formatIndex(i, t.shape)} is not an integer`,
      );
    if (v < lo || v > hi)
      throw new LossInputError(
        NAME,
        name,
        `length ${v} at index ${formatIndex(i, t.shape)} is outside [${lo}, ${hi}] (${bound})`,
      );
  }
}

/** Each target's labels, up to its length, are integer classes in [0, C) other than the blank. */
function requireTargetLabels(targets: Tensor, targetLengths: Tensor, classes: number, blank: number): void {
  const y = targets.data;
  const width = targets.shape[1];
  for (let n = 0; n < targetLengths.size; n++) {
    for (let i = n * width, stop = n * width + targetLengths.data[n]; i < stop; i++) {
      const v = y[i];
      if (Number.isInteger(v) && v >= 0 && v < classes && v !== blank) continue;
      const at = formatIndex(i, targets.shape);
      if (!Number.isInteger(v))
        throw new LossInputError(NAME, 'targets', `label ${v} at index ${at} is not an integer`);
      if (v < 0 || v >= classes)
        throw new LossInputError(NAME, 'targets', `label ${v} at index ${at} is outside [0, ${classes})`);
      throw new LossInputError(
        NAME,
        'targets',
        `label ${v} at index ${at} is the blank (options.blank = ${blank}); a target holds labels only (padding goes after its length)`,
      );
    }
  }
}

/** Without zeroInfinity, every sample must have an alignment: Tₙ ≥ Sₙ + repeated consecutive labels. */
function requireAlignments(targets: Tensor, inputLengths: Tensor, targetLengths: Tensor): void {
  const width = targets.shape[1];
  for (let n = 0; n < inputLengths.size; n++) {
    const steps = inputLengths.data[n];
    const length = targetLengths.data[n];
    const needed = ctcMinimumSteps(targets.data, n * width, length);
    if (steps < needed) {
      throw new LossInputError(
        NAME,
        'inputLengths',
        `sample ${n} has inputLengths ${steps} and targetLengths ${length}: no alignment exists (its labels need at least ${needed} time steps, counting a blank between repeated labels), so its loss is infinite; pass zeroInfinity: true to give such samples loss 0`,
      );
    }
  }
}

/**
 * Connectionist temporal classification: the negative log-likelihood of a label sequence given
 * per-frame class scores, summed over every alignment of the labels to the frames.
 *
 * For sample n with scores x [Tₙ, C], labels y = (y₁, …, y_Sₙ) and blank b:
 * ℓₙ = −log Σ_{π ∈ 𝓑⁻¹(y)} Π_t p_t(π_t), where p_t = softmax(x_t) (`inputKind: 'logits'`) or
 * exp(x_t) (`'logProbs'`), and 𝓑 collapses repeated symbols, then removes blanks. It is computed
 * by the forward–backward recursion over y' = (b, y₁, b, y₂, …, y_Sₙ, b), O(Tₙ·Sₙ) per sample:
 * in probability space rescaled per frame (Graves et al. 2006, §4.1) while every cell stays far
 * above underflow, in log space otherwise (each log-add subtracts its maximum), so logits of
 * ±1e4 stay finite. The probability-space recursion runs in a WebAssembly kernel whose threads
 * split the batch by samples (kernels/wasm/ctc.wat), with the bits of its JavaScript twin, which
 * runs where shared WebAssembly memory is unavailable. Gradient:
 * softmax(x_t) − γ_t for logits, −γ_t for log-probabilities (the true gradient), with γ_t(c) the
 * posterior probability that frame t emits c; frames from Tₙ on get 0.
 *
 * Shapes (batch first, unlike torch's time-first `F.ctc_loss`): `input` [N, T, C], `targets`
 * [N, S] padded label rows, `inputLengths` [N] in [1, T], `targetLengths` [N] in [0, S]; labels
 * past a target's length are ignored; log-probabilities above 0 are an error. Reductions: `'none'` gives the [N] losses, `'sum'` their
 * total, `'mean'` (default) the mean over the batch of ℓₙ / max(Sₙ, 1) (torch).
 * An impossible alignment (Tₙ < Sₙ + number of equal consecutive labels) is a LossInputError
 * naming the sample, unless `zeroInfinity`, which gives that sample loss 0 and gradient 0 (it
 * still counts in the batch mean).
 *
 * Reference: Graves, Fernández, Gomez and Schmidhuber (2006), Connectionist Temporal
 * Classification; PyTorch `torch.nn.functional.ctc_loss`.
 *
 * @example
 * ctc([[[0, 0], [0, 0]]], [[1]], [2], [1]).item() // 0.2876820724517809 (−log ¾)
 */
export const { entry: ctcLoss, fn: ctc } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'sequence',
  inputs: ['input', 'targets', 'inputLengths', 'targetLengths'],
  differentiable: ['input'],
  options: {
    blank: withNote(
      numberOption(0, { min: 0, integer: true }),
      '0 (the usual convention), or the last class',
      'The class index of the blank symbol; targets may not contain it.',
    ),
    inputKind: withNote(
      enumOption(['logits', 'logProbs'] as const, 'logits'),
      "'logits' (raw model outputs)",
      "'logProbs' takes log-probabilities and returns the gradient with respect to them (−γ).",
    ),
    zeroInfinity: withNote(
      booleanOption(false),
      'false; true for noisy data with transcripts too long for their audio',
      'Samples without any alignment get loss 0 and gradient 0 instead of an error.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireCtcShapes(NAME, t, options.blank);
    const [, time, classes] = t.input.shape;
    requireIntegersIn('inputLengths', t.inputLengths, 1, time, "T, the input's time axis");
    requireIntegersIn('targetLengths', t.targetLengths, 0, t.targets.shape[1], "S, the targets' label axis");
    requireTargetLabels(t.targets, t.targetLengths, classes, options.blank);
    if (options.inputKind === 'logProbs') requireLogProbabilities(NAME, 'input', t.input);
    if (!options.zeroInfinity) requireAlignments(t.targets, t.inputLengths, t.targetLengths);
  },
  unitShape: (t) => [t.input.shape[0]],
  kernel({ t, options, plan, units, grads }) {
    const [batch, time, classes] = t.input.shape;
    const width = t.targets.shape[1];
    const x = t.input.data;
    const labels = t.targets.data;
    const inputLengths = t.inputLengths.data;
    const targetLengths = t.targetLengths.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const logits = options.inputKind === 'logits';
    // 'mean' is Σₙ ℓₙ / max(Sₙ, 1) over the batch size (the plan's divisor): the kernel returns
    // that weighted sum, and each sample's gradient carries its 1 / max(Sₙ, 1).
    const perLabel = plan.reduction === 'mean';
    const samples: (CtcKernelSample & { readonly n: number; readonly scale: number })[] = [];
    for (let n = 0; n < batch; n++) {
      const steps = inputLengths[n];
      const length = targetLengths[n];
      const labelOffset = n * width;
      if (steps < ctcMinimumSteps(labels, labelOffset, length)) continue; // zeroInfinity: 0, no gradient
      const scale = perLabel ? 1 / Math.max(length, 1) : 1;
      const weight = (up === null ? plan.scale : plan.scale * up[n]) * scale;
      samples.push({ n, scale, steps, frameOffset: n * time * classes, labelOffset, length, weight });
    }
    // The rescaled probability-space recursion on the WebAssembly kernel (threads split the
    // samples), or its JavaScript twin where the kernel is unavailable (the same bits); the
    // log-space kernel for each sample the scaled one declines.
    const losses = new Float64Array(samples.length).fill(Number.NaN);
    const onKernel = ctcKernelLosses(
      { x, classes, logits, blank: options.blank, labels, grad: g },
      samples,
      losses,
    );
    let scratch: CtcScaledScratch | null = null;
    let total = 0;
    for (let j = 0; j < samples.length; j++) {
      const { n, scale, steps, frameOffset, labelOffset, length, weight } = samples[j];
      let loss = losses[j];
      if (Number.isNaN(loss)) {
        scratch ??= ctcScaledScratch(time, classes, width);
        const sample = {
          x,
          frameOffset,
          classes,
          logits,
          steps,
          labels,
          labelOffset,
          length,
          blank: options.blank,
        };
        loss =
          (onKernel ? null : ctcSampleLossScaled(sample, scratch, g, weight)) ??
          ctcSampleLoss(sample, scratch, g, weight);
      }
      total += loss * scale;
      if (units !== null) units[n] = loss;
    }
    return total;
  },
  info: {
    title: 'Connectionist temporal classification (CTC)',
    summary:
      'Sequence loss for unaligned labels: the negative log-probability of the label sequence, summed over every way of spreading it over the input frames with a blank symbol in between.',
    formula:
      "ℓ = −log Σ_{π: 𝓑(π) = y} Π_t p_t(π_t), 𝓑 = merge repeats then drop blanks; 'mean' = mean over the batch of ℓₙ / max(|yₙ|, 1)",
    properties: {
      differentiability:
        'Smooth in the logits (and in the log-probabilities); the gradient is the softmax minus the posterior occupation of each class per frame.',
      robustness:
        'Sums over all alignments, so it needs no frame labels; a wrong or too-long transcript makes the loss large or, without zeroInfinity, impossible.',
      gradientBehaviour:
        'Per-frame gradient softmax(x_t) − γ_t, bounded in [−1, 1]; frames past the input length get 0.',
      scaleSensitivity:
        "The loss grows with the transcript length; 'mean' divides each sample by its target length so long and short utterances weigh alike.",
      classImbalance:
        'The blank usually dominates the frames, which gives the peaky, blank-heavy posteriors CTC models are known for.',
    },
    whenToUse: [
      'Speech recognition, handwriting or OCR line recognition: the transcript is known but not its position in the frames.',
      'Any sequence labelling where the output is shorter than the input and monotonically aligned to it.',
    ],
    limitations: [
      'Assumes labels are conditionally independent given the input (no language model inside); decoding needs a beam search or greedy collapse.',
      'Each sample needs at least one frame per label plus one per repeated pair; shorter inputs are an error unless zeroInfinity.',
      'Batch first here ([N, T, C]); PyTorch takes time first ([T, N, C]).',
    ],
    references: [
      'Graves, Fernández, Gomez and Schmidhuber (2006), Connectionist Temporal Classification: Labelling Unsegmented Sequence Data with Recurrent Neural Networks',
      'PyTorch torch.nn.functional.ctc_loss (blank, reduction, zero_infinity)',
    ],
    tasks: ['sequence'],
  },
});
