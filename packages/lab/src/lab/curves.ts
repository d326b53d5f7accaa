// The loss and its gradient along one interpretable axis (the error, a logit, a distance), for
// `losskit plot`: every point is one call of the registry entry's `valueAndGrad` on a tiny input.
import type { LossEntry } from 'losskit';
import type { TensorLike } from 'losskit';
import { findLoss } from 'losskit';
import type { LineChart, Series } from './experiment.js';

/** An option value as the command line gives it. */
export type OptionValue = number | string | boolean | null;

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

function probeFor(entry: LossEntry, options: Readonly<Record<string, OptionValue>>): Probe {
  const fromLogits = (options.fromLogits ?? entry.defaults.fromLogits ?? true) !== false;
  switch (entry.name) {
    case 'binaryCrossEntropy':
      return binaryProbe(false);
    case 'binaryCrossEntropyWithLogits':
    case 'focal':
      return binaryProbe(fromLogits);
    case 'categoricalCrossEntropy':
      return classesProbe(fromLogits, () => [[1, 0, 0]]);
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
    case 'dice':
    case 'iou':
    case 'bceDice':
    case 'bceIou':
      return overlapProbe(fromLogits);
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
