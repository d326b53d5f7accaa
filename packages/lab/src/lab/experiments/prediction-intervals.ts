// Experiment: 90% prediction intervals on heteroscedastic data, from two quantile outputs
// (pinball loss) against an MSE fit with a constant error bar of ± 1.645 residual deviations.
import { Adam, cosineDecay, mlp, noGrad, shuffledBatches, Tensor, takeRows, trainStep } from 'losskit';
import {
  CURVE_X_MAX,
  curveMean,
  curveNoise,
  type HeteroscedasticSpec,
  heteroscedasticCurve,
} from '../data/heteroscedastic-curve.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { armObjective, armVariant, type LossArm } from './loss-arm.js';

/** The interval's ends: the 5% and 95% quantiles, so it should hold 90% of the points. */
const LEVELS = [0.05, 0.95] as const;
const NOMINAL = LEVELS[1] - LEVELS[0];
/** The normal quantile of 95%: mean ± Z·σ holds 90% of a Gaussian. */
const Z = 1.645;
/** The verdict's band: a coverage counts as right within NOMINAL ± BAND. */
const BAND = 0.04;
/**
 * Held-out points. A coverage measured on n of them has a binomial standard error of about
 * √(0.9 · 0.1 / n); the verdict calls a coverage closer than UNCERTAIN_SE of them to an edge of
 * the band too close to call.
 */
const TEST_COUNT = 4000;
const UNCERTAIN_SE = 2;
const NOISE: Omit<HeteroscedasticSpec, 'count'> = { noiseAtStart: 0.05, noiseAtEnd: 0.95 };
const HIDDEN = 32;
/** The boundary between the low-noise and the high-noise half of the inputs. */
const HALF = CURVE_X_MAX / 2;
/** Bins of x for the coverage chart. */
const BINS = 10;

const arms = [
  {
    id: 'quantile',
    label: 'Quantile (pinball)',
    loss: 'quantile',
    options: { quantile: LEVELS },
  },
  {
    id: 'mse',
    label: `MSE ± ${Z}σ`,
    loss: 'mse',
    optionsNote: `interval: prediction ± ${Z} × the RMS of the training residuals`,
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

/** Coverage and width of one model's intervals, overall and per half of the inputs. */
function intervalMetrics(x: Float64Array, y: Float64Array, lower: Float64Array, upper: Float64Array) {
  const inside = [0, 0];
  const count = [0, 0];
  const width = [0, 0];
  for (let i = 0; i < x.length; i++) {
    const half = x[i] < HALF ? 0 : 1;
    count[half]++;
    width[half] += upper[i] - lower[i];
    if (y[i] >= lower[i] && y[i] <= upper[i]) inside[half]++;
  }
  return {
    coverage: (inside[0] + inside[1]) / x.length,
    coverageLowNoise: inside[0] / count[0],
    coverageHighNoise: inside[1] / count[1],
    widthLowNoise: width[0] / count[0],
    widthHighNoise: width[1] / count[1],
  };
}

/** Share of the points inside their interval in each of BINS equal bins of x, as (bin centre, coverage). */
function coverageByBin(x: Float64Array, y: Float64Array, lower: Float64Array, upper: Float64Array) {
  const inside = new Float64Array(BINS);
  const count = new Float64Array(BINS);
  for (let i = 0; i < x.length; i++) {
    const bin = Math.min(BINS - 1, Math.floor((x[i] / CURVE_X_MAX) * BINS));
    count[bin]++;
    if (y[i] >= lower[i] && y[i] <= upper[i]) inside[bin]++;
  }
  return Array.from(
    count,
    (n, b) => [((b + 0.5) * CURVE_X_MAX) / BINS, n === 0 ? Number.NaN : inside[b] / n] as const,
  );
}

/** The model's input: x centred on the middle of its range. */
function inputs(x: Float64Array): Tensor {
  return new Tensor(
    Float64Array.from(x, (v) => v - HALF),
    [x.length, 1],
  );
}

export const predictionIntervals = defineExperiment({
  name: 'prediction-intervals',
  title: 'Prediction intervals under heteroscedastic noise: quantile vs MSE ± 1.645σ',
  claim: `When the noise grows with x, a model trained with the quantile (pinball) loss at levels ${LEVELS[0]} and ${LEVELS[1]} gives intervals that hold ${Math.round(NOMINAL * 100)}% ± ${Math.round(BAND * 100)}% of held-out points, overall and on the high-noise half of the inputs, while an MSE fit ± ${Z} × its residual deviation misses that band on the high-noise half.`,
  setup: `x uniform in [0, ${CURVE_X_MAX}], y = sin(πx) + σ(x)·ε with ε standard normal and σ growing linearly from ${NOISE.noiseAtStart} at x = 0 to ${NOISE.noiseAtEnd} at x = ${CURVE_X_MAX}; the high-noise half is x ≥ ${HALF}. Two MLPs (1 → ${HIDDEN} → ${HIDDEN} → outputs, tanh) start from the same weights and see the same minibatches of 128 with Adam (cosine-decayed learning rate): one has two outputs trained with the quantile loss (levels [${LEVELS.join(', ')}] along the last axis), the other one output trained with MSE, whose interval is its prediction ± ${Z} × the root mean square of its training residuals. Coverage and width are measured on ${TEST_COUNT} fresh points.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'coverage',
      label: 'coverage',
      better: 'neither',
      description: `Share of held-out points inside their interval (nominal ${NOMINAL}).`,
    },
    {
      id: 'coverageLowNoise',
      label: 'coverage, low-noise half',
      better: 'neither',
      description: `Coverage on the held-out points with x < ${HALF}.`,
    },
    {
      id: 'coverageHighNoise',
      label: 'coverage, high-noise half',
      better: 'neither',
      description: `Coverage on the held-out points with x ≥ ${HALF}.`,
    },
    {
      id: 'widthLowNoise',
      label: 'width, low-noise half',
      better: 'neither',
      description: `Mean interval width for x < ${HALF}.`,
    },
    {
      id: 'widthHighNoise',
      label: 'width, high-noise half',
      better: 'neither',
      description: `Mean interval width for x ≥ ${HALF}.`,
    },
  ],
  headline: ['coverage', 'coverageLowNoise', 'coverageHighNoise'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'prediction-intervals/data');
    const train = heteroscedasticCurve(dataRng, { ...NOISE, count: quick ? 600 : 2000 });
    const test = heteroscedasticCurve(dataRng, { ...NOISE, count: TEST_COUNT });
    const steps = quick ? 400 : 1500;
    const trainX = inputs(train.x);
    const testX = inputs(test.x);
    const targets: Record<VariantId, Tensor> = {
      // The quantile loss compares each output with the same y: the target repeats it per level.
      quantile: new Tensor(
        Float64Array.from(
          { length: train.y.length * LEVELS.length },
          (_, i) => train.y[Math.floor(i / LEVELS.length)],
        ),
        [train.y.length, LEVELS.length],
      ),
      mse: new Tensor(train.y, [train.y.length, 1]),
    };
    const grid = Float64Array.from({ length: 81 }, (_, i) => (i * CURVE_X_MAX) / 80);
    const gridX = inputs(grid);
    const metrics: Record<string, Record<string, number>> = {};
    const bands: Series[] = [];
    const binned: Series[] = [];
    let residualRms = Number.NaN;
    arms.forEach((variant, v) => {
      const outputs = variant.id === 'quantile' ? LEVELS.length : 1;
      const model = mlp([1, HIDDEN, HIDDEN, outputs], {
        activation: 'tanh',
        dtype: 'float64',
        rng: rngFor(seed, 'prediction-intervals/init'),
      });
      const optimizer = new Adam(model.parameters(), {
        lr: 0.01,
        schedule: cosineDecay({ steps, minFactor: 0.05 }),
      });
      const objective = armObjective(variant);
      const batches = shuffledBatches({
        count: train.x.length,
        batchSize: 128,
        steps,
        rng: rngFor(seed, 'prediction-intervals/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainX, rows);
        const y = takeRows(targets[variant.id], rows);
        trainStep(model, optimizer, () => objective(model.forward(x), y), { measureGradNorm: false });
        if (step % 50 === 0) onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
        step++;
      }
      model.eval();
      const predict = (x: Tensor) => noGrad(() => model.forward(x)).data;
      // Each model's interval as [lower, upper] arrays over the given inputs.
      let interval: (x: Tensor) => [Float64Array, Float64Array];
      if (variant.id === 'quantile') {
        interval = (x) => {
          const out = predict(x);
          const n = out.length / 2;
          const lower = Float64Array.from({ length: n }, (_, i) => out[2 * i]);
          const upper = Float64Array.from({ length: n }, (_, i) => out[2 * i + 1]);
          return [lower, upper];
        };
      } else {
        const fitted = predict(trainX);
        let squares = 0;
        for (let i = 0; i < fitted.length; i++) squares += (train.y[i] - fitted[i]) ** 2;
        residualRms = Math.sqrt(squares / fitted.length);
        const halfWidth = Z * residualRms;
        interval = (x) => {
          const out = predict(x);
          return [Float64Array.from(out, (p) => p - halfWidth), Float64Array.from(out, (p) => p + halfWidth)];
        };
      }
      const [lower, upper] = interval(testX);
      metrics[variant.id] = intervalMetrics(test.x, test.y, lower, upper);
      binned.push({ name: variant.label, points: coverageByBin(test.x, test.y, lower, upper) });
      const [gridLower, gridUpper] = interval(gridX);
      bands.push(
        { name: `${variant.label}, lower`, points: Array.from(grid, (x, i) => [x, gridLower[i]] as const) },
        { name: `${variant.label}, upper`, points: Array.from(grid, (x, i) => [x, gridUpper[i]] as const) },
      );
    });
    onProgress(1);
    const trueEnd = (sign: number): Series => ({
      name: `true ${sign < 0 ? LEVELS[0] : LEVELS[1]} quantile`,
      points: Array.from(grid, (x) => [x, curveMean(x) + sign * Z * curveNoise(NOISE, x)] as const),
    });
    const shown = Math.min(800, test.x.length);
    return {
      metrics,
      charts: [
        {
          kind: 'scatter',
          title: 'Held-out points and the 90% intervals',
          caption:
            'The quantile model’s band widens with the noise; the MSE band has one width everywhere, too wide on the left and too narrow on the right.',
          x: { label: 'x' },
          y: { label: 'y' },
          series: [
            {
              name: 'held-out points',
              points: Array.from(test.x.subarray(0, shown), (x, i) => [x, test.y[i]] as const),
            },
          ],
          lines: [trueEnd(-1), trueEnd(1), ...bands],
        },
        {
          kind: 'line',
          title: 'Coverage along x',
          caption: `Share of held-out points inside the interval in ${BINS} bins of x; the target is ${NOMINAL}, the noise grows to the right.`,
          x: { label: 'x' },
          y: { label: 'coverage', domain: [0.5, 1] },
          series: [
            ...binned,
            {
              name: `nominal ${NOMINAL}`,
              points: [
                [0, NOMINAL],
                [CURVE_X_MAX, NOMINAL],
              ],
            },
          ],
        },
      ],
      notes: [
        `${train.x.length} training points, ${steps} steps; the MSE model's residual RMS on its training data is ${formatNumber(residualRms)}, so its interval is ± ${formatNumber(Z * residualRms)} everywhere.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const percent = (v: number) => `${formatNumber(100 * v)}%`;
    const row = (id: VariantId) =>
      `${percent(m(id, 'coverage'))} overall, ${percent(m(id, 'coverageLowNoise'))} on the low-noise half, ${percent(m(id, 'coverageHighNoise'))} on the high-noise half`;
    const numbers = `Coverage (target ${percent(NOMINAL)} ± ${percent(BAND)}): quantile ${row('quantile')}; MSE ± ${Z}σ ${row('mse')}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      {
        "quantile's coverage": m('quantile', 'coverage'),
        "quantile's high-noise coverage": m('quantile', 'coverageHighNoise'),
        "MSE's high-noise coverage": m('mse', 'coverageHighNoise'),
      },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    // Each condition: whether it is met, and whether the coverage lies too close to an edge of the
    // band (within UNCERTAIN_SE binomial standard errors) to tell.
    const conditions = [
      {
        text: "quantile's overall coverage inside the band",
        value: m('quantile', 'coverage'),
        n: TEST_COUNT,
        inside: true,
      },
      {
        text: "quantile's high-noise coverage inside the band",
        value: m('quantile', 'coverageHighNoise'),
        n: TEST_COUNT / 2,
        inside: true,
      },
      {
        text: "MSE's high-noise coverage outside the band",
        value: m('mse', 'coverageHighNoise'),
        n: TEST_COUNT / 2,
        inside: false,
      },
    ].map((c) => {
      const distance = Math.min(Math.abs(c.value - (NOMINAL - BAND)), Math.abs(c.value - (NOMINAL + BAND)));
      const isInside = Math.abs(c.value - NOMINAL) <= BAND;
      const margin = UNCERTAIN_SE * Math.sqrt((NOMINAL * (1 - NOMINAL)) / c.n);
      return { ...c, margin, met: isInside === c.inside, close: distance < margin };
    });
    const failed = conditions.filter((c) => !c.met && !c.close);
    if (failed.length > 0)
      return decided(false, `${numbers} The claim fails: ${failed.map((c) => `not ${c.text}`).join('; ')}.`);
    const close = conditions.filter((c) => c.close);
    if (close.length > 0) {
      // Not `inconclusive()`: the numbers exist, they are only too near the threshold to decide.
      const margins = close.map((c) => `${c.text} (±${percent(c.margin)})`).join(' and ');
      return {
        outcome: 'inconclusive',
        explanation: `${numbers} Inconclusive: no condition clearly failed, but ${margins} is within ${UNCERTAIN_SE} binomial standard errors of an edge of the band, too close to call on ${TEST_COUNT} held-out points.`,
      };
    }
    return decided(
      true,
      `${numbers} The quantile intervals stay within ${percent(NOMINAL)} ± ${percent(BAND)} overall and on the high-noise half; the constant MSE interval does not on the high-noise half.`,
    );
  },
});
