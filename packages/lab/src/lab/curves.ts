// The loss and its gradient along one interpretable axis (the error, a logit, a distance), for
// `losskit plot`: every point is one call of the registry entry's `valueAndGrad` on a tiny input.
import type { LossEntry } from 'losskit';
import type { TensorLike } from 'losskit';
import { findLoss } from 'losskit';
import type { LineChart, Series } from './experiment.js';

/** An option value as the command line gives it. */
export type OptionValue = number | string | boolean | null | readonly number[];

/** How a loss is probed: the axis, the inputs for a point on it, and which gradient to show. */
interface Probe {
  readonly xLabel: string;
  readonly domain: readonly [number, number];
  /** Inputs (by name) at position x. */
  inputs(x: number): Record<string, TensorLike>;
  /** The input whose gradient is drawn. */
  readonly wrt: string;
  /** dInput/dx, when the axis is not the input itself (default 1). */
  chain?(x: number): number;
}

const P_DOMAIN = [0.002, 0.998] as const;
const LOGIT_DOMAIN = [-6, 6] as const;

const errorProbe = (input = 'input', target = 'target', xLabel = 'error (prediction − target)'): Probe => ({
  xLabel,
  domain: [-4, 4],
  inputs: (x) => ({ [input]: [x], [target]: [0] }),
  wrt: input,
});

const binaryProbe = (fromLogits: boolean): Probe =>
  fromLogits
    ? {
        xLabel: 'logit of a positive example (target 1)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ input: [x], target: [1] }),
        wrt: 'input',
      }
    : {
        xLabel: 'predicted probability of a positive example (target 1)',
        domain: P_DOMAIN,
        inputs: (x) => ({ input: [x], target: [1] }),
        wrt: 'input',
      };

const classesProbe = (fromLogits: boolean, target: (x: number) => TensorLike): Probe =>
  fromLogits
    ? {
        xLabel: 'logit of the true class (two other classes at 0)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ input: [[x, 0, 0]], target: target(x) }),
        wrt: 'input',
      }
    : {
        xLabel: 'probability of the true class (the rest split evenly)',
        domain: P_DOMAIN,
        inputs: (x) => ({ input: [[x, (1 - x) / 2, (1 - x) / 2]], target: target(x) }),
        wrt: 'input',
      };

const overlapProbe = (fromLogits: boolean): Probe => ({
  xLabel: fromLogits
    ? 'logit on a foreground pixel (target 1)'
    : 'predicted probability on a foreground pixel (target 1)',
  domain: fromLogits ? LOGIT_DOMAIN : P_DOMAIN,
  inputs: (x) => ({ input: [[x]], target: [[1]] }),
  wrt: 'input',
});

const criticProbe = (fromLogits: boolean, names: readonly string[]): Probe => {
  const fakeOnly = names.length === 1;
  return {
    xLabel: fakeOnly
      ? 'critic output on a generated sample'
      : 'critic output on a real sample (generated sample at 0)',
    domain: fromLogits ? [-4, 4] : P_DOMAIN,
    inputs: (x): Record<string, TensorLike> =>
      fakeOnly ? { fake: [x] } : { real: [x], fake: [fromLogits ? 0 : 0.5] },
    wrt: fakeOnly ? 'fake' : 'real',
  };
};

/**
 * The representation-learning losses against the cosine similarity x of one positive pair: the
 * moving row is [x, √(1 − x²)], a unit vector, so the loss sees x itself as the cosine. The
 * drawn gradient is the first component's times 1/(1 − x²), which is dL/dx along that circle:
 * a loss of normalised rows has a gradient orthogonal to the row (g₀x + g₁√(1 − x²) = 0). With
 * `normalize: false` the moving row is [x, 0] and the axis the raw dot product.
 */
const similarityProbe = (
  rows: (moving: number[]) => Record<string, TensorLike>,
  wrt: string,
  pair: string,
  normalize: boolean,
): Probe =>
  normalize
    ? {
        xLabel: `cosine similarity of ${pair}`,
        domain: [-0.99, 0.99],
        inputs: (x) => rows([x, Math.sqrt(1 - x * x)]),
        wrt,
        chain: (x) => 1 / (1 - x * x),
      }
    : {
        xLabel: `dot product of ${pair}`,
        domain: [-3, 3],
        inputs: (x) => rows([x, 0]),
        wrt,
      };

function probeFor(entry: LossEntry, options: Readonly<Record<string, OptionValue>>): Probe {
  const fromLogits = (options.fromLogits ?? entry.defaults.fromLogits ?? true) !== false;
  switch (entry.name) {
    case 'binaryCrossEntropy':
      return binaryProbe(false);
    case 'binaryCrossEntropyWithLogits':
    case 'focal':
      return binaryProbe(fromLogits);
    case 'categoricalCrossEntropy':
    case 'poly1CrossEntropy':
    case 'categoricalFocal':
      return classesProbe(fromLogits, () => [[1, 0, 0]]);
    case 'generalizedCrossEntropy':
    case 'sparseCategoricalFocal':
      return classesProbe(fromLogits, () => [0]);
    case 'sparseCategoricalCrossEntropy':
    case 'labelSmoothingCrossEntropy':
    case 'tokenCrossEntropy':
      return classesProbe(fromLogits, () => [0]);
    case 'linearCrossEntropy':
      // One hidden feature projected to three logits [x, 0, 0]: the same axis as the other cross-entropies.
      return {
        xLabel: 'logit of the true class (two other classes at 0)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ hidden: [[x]], weight: [[1], [0], [0]], target: [0] }),
        wrt: 'hidden',
      };
    case 'klDivergence':
      return {
        xLabel: 'logit of class 1 of the model (reference gives it 0.75, class 2 at logit 0)',
        domain: [-4, 6],
        inputs: (x) => ({ input: [[x, 0]], target: [[0.75, 0.25]] }),
        wrt: 'input',
      };
    case 'jensenShannon':
      return {
        xLabel: 'logit of class 1 of the model (reference gives it 0.75, class 2 at logit 0)',
        domain: [-4, 6],
        inputs: (x) => ({ input: [[x, 0]], target: [[0.75, 0.25]] }),
        wrt: 'input',
      };
    case 'reconstruction': {
      const kind = options.kind ?? entry.defaults.kind;
      return kind === 'bce' ? binaryProbe(false) : errorProbe();
    }
    case 'valueLoss':
      return errorProbe('values', 'returns', 'value error (V − R)');
    case 'pairwiseHinge':
      return {
        xLabel: 'score margin (positive − negative)',
        domain: [-3, 3],
        inputs: (x) => ({ positive: [x], negative: [0] }),
        wrt: 'positive',
      };
    case 'contrastive':
      return {
        xLabel: 'distance of a dissimilar pair',
        domain: [0, 3],
        inputs: (x) => ({ a: [[x]], b: [[0]], label: [0] }),
        wrt: 'a',
      };
    case 'triplet':
      return {
        xLabel: 'distance to the negative (positive at distance 1)',
        domain: [0, 3],
        inputs: (x) => ({ anchor: [[0]], positive: [[1]], negative: [[x]] }),
        wrt: 'negative',
      };
    case 'ntXent':
    case 'supervisedContrastive':
      return similarityProbe(
        (moving) => ({ embeddings: [moving, [1, 0], [-1, 0]], labels: [0, 0, 1] }),
        'embeddings',
        'a positive pair (its negative opposite the positive)',
        true,
      );
    case 'clipContrastive':
    case 'sigmoidContrastive':
      return similarityProbe(
        (moving) => ({
          imageEmbeddings: [moving, [0, 1]],
          textEmbeddings: [
            [1, 0],
            [0, 1],
          ],
        }),
        'imageEmbeddings',
        'a matching image–text pair (the other pair aligned)',
        (options.normalize ?? entry.defaults.normalize ?? true) !== false,
      );
    case 'dice':
    case 'iou':
    case 'tversky':
    case 'bceDice':
    case 'bceIou':
      return overlapProbe(fromLogits);
    case 'hinge':
    case 'squaredHinge':
    case 'softMargin':
      return {
        xLabel: 'score of a positive example (target 1)',
        domain: [-3, 3],
        inputs: (x) => ({ input: [x], target: [1] }),
        wrt: 'input',
      };
    case 'multiLabelSoftMargin':
      return {
        xLabel: 'score of a label that is present (target 1)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ input: [[x]], target: [[1]] }),
        wrt: 'input',
      };
    case 'categoricalHinge':
      return {
        xLabel: 'score of the true class (two other classes at 0)',
        domain: [-3, 3],
        inputs: (x) => ({ input: [[x, 0, 0]], target: [[1, 0, 0]] }),
        wrt: 'input',
      };
    case 'multiMargin':
      return {
        xLabel: 'score of the true class (two other classes at 0)',
        domain: [-3, 3],
        inputs: (x) => ({ input: [[x, 0, 0]], target: [0] }),
        wrt: 'input',
      };
    case 'multiLabelMargin':
      return {
        xLabel: 'score of the one present label (an absent one at 0)',
        domain: [-3, 3],
        inputs: (x) => ({ input: [[x, 0]], target: [[0, -1]] }),
        wrt: 'input',
      };
    case 'negativeLogLikelihood':
      return {
        xLabel: 'log-probability of the true class',
        domain: [-5, -0.01],
        inputs: (x) => ({ input: [[x, -1, -1]], target: [0] }),
        wrt: 'input',
      };
    case 'meanAbsolutePercentageError':
    case 'meanSquaredLogarithmicError':
      return {
        xLabel: 'prediction (target 1)',
        domain: [0.01, 4],
        inputs: (x) => ({ input: [x], target: [1] }),
        wrt: 'input',
      };
    case 'poissonNll':
      return {
        xLabel: 'predicted log-rate (observed count 3)',
        domain: [-2, 3],
        inputs: (x) => ({ input: [x], target: [3] }),
        wrt: 'input',
      };
    case 'cosineDistance':
      return {
        xLabel: 'first coordinate x of the prediction [x, 1] (target [1, 0])',
        domain: [-3, 3],
        inputs: (x) => ({ input: [[x, 1]], target: [[1, 0]] }),
        wrt: 'input',
      };
    case 'ctc':
      return {
        xLabel: 'logit of the blank on a one-frame input whose label is class 1 (its logit 0)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ input: [[[x, 0]]], targets: [[1]], inputLengths: [1], targetLengths: [1] }),
        wrt: 'input',
      };
    case 'lovaszHinge':
      return overlapProbe(true);
    case 'lovaszSoftmax':
      return classesProbe(true, () => [0]);
    case 'rankingSoftmax':
      return {
        xLabel: 'score of the relevant item (two irrelevant items at 0)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ scores: [[x, 0, 0]], labels: [[1, 0, 0]] }),
        wrt: 'scores',
      };
    case 'pairwiseLogistic':
      return {
        xLabel: 'score margin (more relevant − less relevant item)',
        domain: [-6, 6],
        inputs: (x) => ({ scores: [[x, 0]], labels: [[1, 0]] }),
        wrt: 'scores',
      };
    case 'marginRanking':
      return {
        xLabel: 'score margin (first − second, the first should rank higher)',
        domain: [-3, 3],
        inputs: (x) => ({ input1: [x], input2: [0], target: [1] }),
        wrt: 'input1',
      };
    case 'hingeEmbedding':
      return {
        xLabel: 'distance of a dissimilar pair (target −1)',
        domain: [0, 3],
        inputs: (x) => ({ input: [x], target: [-1] }),
        wrt: 'input',
      };
    case 'cosineEmbedding':
      return {
        xLabel:
          'first coordinate x of the embedding [x, 1] of a similar pair (the other is [1, 0], target 1)',
        domain: [-3, 3],
        inputs: (x) => ({ input1: [[x, 1]], input2: [[1, 0]], target: [1] }),
        wrt: 'input1',
      };
    case 'gaussianNll':
      return {
        xLabel: 'error (prediction − target), variance 1',
        domain: [-4, 4],
        inputs: (x) => ({ input: [x], target: [0], variance: [1] }),
        wrt: 'input',
      };
    case 'entropyBonus':
      return {
        xLabel: 'logit of one action (two others at 0)',
        domain: LOGIT_DOMAIN,
        inputs: (x) => ({ logits: [[x, 0, 0]] }),
        wrt: 'logits',
      };
    case 'clippedValueLoss':
      return {
        xLabel: 'value estimate V (value at rollout 0, return 1, clip 0.2)',
        domain: [-2, 3],
        inputs: (x) => ({ values: [x], oldValues: [0], returns: [1] }),
        wrt: 'values',
      };
    case 'vqCommitment':
      return errorProbe('encoded', 'quantized', 'encoder output − its code vector');
    case 'giou':
    case 'diou':
    case 'ciou':
      return {
        xLabel: 'left edge x1 of the predicted box [x1, 0, 2, 2] (target [0, 0, 2, 2])',
        domain: [-4, 1.9],
        inputs: (x) => ({ boxes: [[x, 0, 2, 2]], target: [[0, 0, 2, 2]] }),
        wrt: 'boxes',
      };
    case 'dpo':
      return {
        xLabel: 'log-ratio margin Δ of the chosen over the rejected response',
        domain: [-20, 20],
        inputs: (x) => ({
          policyChosen: [x],
          policyRejected: [0],
          referenceChosen: [0],
          referenceRejected: [0],
        }),
        wrt: 'policyChosen',
      };
    case 'simpo':
    case 'orpo':
      return {
        xLabel: 'average log-probability of the chosen response (rejected at −1)',
        domain: [-3, -0.05],
        inputs: (x) => ({ chosen: [x], rejected: [-1] }),
        wrt: 'chosen',
      };
    case 'policyGradient':
      return {
        xLabel: 'log-probability of the action (advantage 1)',
        domain: [-5, 0],
        inputs: (x) => ({ logProbs: [x], advantages: [1] }),
        wrt: 'logProbs',
      };
    case 'ppoClip':
      return {
        xLabel: 'probability ratio r (advantage 1)',
        domain: [0.2, 2.5],
        inputs: (x) => ({ logProbs: [Math.log(x)], oldLogProbs: [0], advantages: [1] }),
        wrt: 'logProbs',
        chain: (x) => 1 / x,
      };
    case 'grpo':
      // One token of one completion, advantage 1, the reference policy equal to the old one.
      return {
        xLabel: 'probability ratio ρ of one token (advantage 1, reference = old policy)',
        domain: [0.2, 2.5],
        inputs: (x) => ({
          logProbs: [[Math.log(x)]],
          oldLogProbs: [[0]],
          refLogProbs: [[0]],
          advantages: [1],
          mask: [[1]],
        }),
        wrt: 'logProbs',
        chain: (x) => 1 / x,
      };
    case 'vaeKl':
      return {
        xLabel: 'latent mean μ (log-variance 0)',
        domain: [-3, 3],
        inputs: (x) => ({ mu: [[x]], logVar: [[0]] }),
        wrt: 'mu',
      };
    case 'vaeLoss':
      return {
        xLabel: 'latent mean μ (perfect reconstruction, log-variance 0)',
        domain: [-3, 3],
        inputs: (x) => ({ input: [[0.5]], target: [[0.5]], mu: [[x]], logVar: [[0]] }),
        wrt: 'mu',
      };
    default:
      if (entry.info.family === 'gan') return criticProbe(fromLogits, entry.inputs);
      if (entry.inputs.length === 2 && entry.inputs[0] === 'input' && entry.inputs[1] === 'target')
        return errorProbe();
      throw new Error(
        `plot does not know which axis to draw '${entry.name}' against (add a probe for it in src/lab/curves.ts)`,
      );
  }
}

export interface CurveRequest {
  /** Registry name (any case or separators). */
  readonly loss: string;
  /** Fixed option values. */
  readonly options?: Readonly<Record<string, OptionValue>>;
  /** An option to draw one curve per value of. */
  readonly sweep?: { readonly option: string; readonly values: readonly OptionValue[] };
  /** Overrides the axis range. */
  readonly domain?: readonly [number, number];
  /** Points per curve (default 241). */
  readonly points?: number;
}

/** The loss curve and the gradient curve of `losskit plot`, one series per swept value. */
export interface LossCurves {
  readonly loss: string;
  readonly value: LineChart;
  readonly gradient: LineChart;
}

/**
 * Evaluates a loss along its natural axis: the value and the derivative with respect to the
 * axis, for each value of the swept option. Option names are checked against the loss.
 */
export function lossCurves(request: CurveRequest): LossCurves {
  const entry = findLoss(request.loss);
  const known = entry.info.options.map((o) => o.name);
  const named = [...Object.keys(request.options ?? {}), ...(request.sweep ? [request.sweep.option] : [])];
  for (const name of named) {
    if (!known.includes(name)) {
      throw new Error(
        `'${entry.name}' has no option '${name}'; its options are: ${known.join(', ') || '(none)'}`,
      );
    }
  }
  const sweepValues = request.sweep ? request.sweep.values : [undefined];
  const count = request.points ?? 241;
  const valueSeries: Series[] = [];
  const gradientSeries: Series[] = [];
  let probe: Probe | undefined;
  for (const swept of sweepValues) {
    const options: Record<string, OptionValue> = { ...(request.options ?? {}) };
    if (request.sweep) options[request.sweep.option] = swept as OptionValue;
    if (entry.reducible) options.reduction = 'sum';
    probe = probeFor(entry, options);
    const [lo, hi] = request.domain ?? probe.domain;
    const values: [number, number][] = [];
    const grads: [number, number][] = [];
    for (let i = 0; i < count; i++) {
      const x = lo + ((hi - lo) * i) / (count - 1);
      const { value, grads: g } = entry.valueAndGrad(probe.inputs(x), options as never);
      const v = value.item();
      const d =
        (g as Record<string, { data: ArrayLike<number> }>)[probe.wrt].data[0] *
        (probe.chain ? probe.chain(x) : 1);
      if (Number.isFinite(v)) values.push([x, v]);
      if (Number.isFinite(d)) grads.push([x, d]);
    }
    const name = request.sweep ? `${request.sweep.option} = ${String(swept)}` : entry.name;
    valueSeries.push({ name, points: values });
    gradientSeries.push({ name, points: grads });
  }
  const xLabel = probe?.xLabel ?? 'x';
  return {
    loss: entry.name,
    value: {
      kind: 'line',
      title: `${entry.info.title}: loss`,
      x: { label: xLabel },
      y: { label: 'loss' },
      series: valueSeries,
    },
    gradient: {
      kind: 'line',
      title: `${entry.info.title}: gradient`,
      x: { label: xLabel },
      y: { label: 'd loss / d x' },
      series: gradientSeries,
    },
  };
}
