// Experiment 1: a line with 15% gross outliers, fitted with MSE, MAE and Huber.
import { Linear } from 'losskit';
import { Adam, cosineDecay } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, takeRows, trainStep } from 'losskit';
import { lineWithOutliers } from '../data/line-with-outliers.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { meanAbsoluteError } from '../metrics.js';
import { type LossArm, armObjective, armVariant } from './loss-arm.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const TRUE_SLOPE = 2;
const TRUE_INTERCEPT = 1;
const NOISE = 0.3;
const HUBER_DELTA = 1;
/** The verdict's threshold: a robust fit must have at most this share of MSE's coefficient error. */
const MAX_ERROR_RATIO = 0.5;

const arms = [
  { id: 'mse', label: 'MSE', loss: 'mse' },
  { id: 'mae', label: 'MAE', loss: 'mae' },
  { id: 'huber', label: 'Huber', loss: 'huber', options: { delta: HUBER_DELTA } },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

export const regressionOutliers = defineExperiment({
  name: 'regression-outliers',
  title: 'Regression with outliers: MSE vs MAE vs Huber',
  claim: `With 15% gross outliers, MAE and Huber recover the true line far better than MSE (at most ${MAX_ERROR_RATIO}× its coefficient error) and predict clean data better.`,
  setup: `y = ${TRUE_SLOPE}x + ${TRUE_INTERCEPT} with Gaussian noise (σ = ${NOISE}) on x ∈ [−1, 1]; 15% of the points are replaced by gross outliers 4.5–13.5 units above the line, placed at x > 0 where they have leverage. A linear model is fitted with Adam (cosine-decayed learning rate) under each loss; its coefficients are compared with the truth and its MAE is measured on clean test points.`,
  variants: arms.map(armVariant),
  metrics: [
    { id: 'slopeError', label: 'slope error', better: 'lower', description: '|fitted slope − true slope|.' },
    {
      id: 'interceptError',
      label: 'intercept error',
      better: 'lower',
      description: '|fitted intercept − true intercept|.',
    },
    {
      id: 'cleanTestMae',
      label: 'clean-test MAE',
      better: 'lower',
      description: 'Mean absolute error on test points without outliers.',
    },
  ],
  headline: ['slopeError', 'cleanTestMae'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'regression-outliers/data');
    const spec = { slope: TRUE_SLOPE, intercept: TRUE_INTERCEPT, noise: NOISE, outlierOffset: 30 };
    const train = lineWithOutliers(dataRng, { ...spec, count: quick ? 300 : 1000, outlierFraction: 0.15 });
    const test = lineWithOutliers(dataRng, { ...spec, count: 2000, outlierFraction: 0 });
    const steps = quick ? 400 : 1500;
    const metrics: Record<string, Record<string, number>> = {};
    const fitted: Series[] = [];
    const slopeTraces: Series[] = [];
    const trainX = new Tensor(train.x, [train.x.length, 1]);
    const trainY = new Tensor(train.y, [train.y.length, 1]);
    arms.forEach((variant, v) => {
      const model = new Linear(1, 1, { dtype: 'float64', rng: rngFor(seed, 'regression-outliers/init') });
      const optimizer = new Adam(model.parameters(), {
        lr: 0.05,
        schedule: cosineDecay({ steps, minFactor: 0.01 }),
      });
      const objective = armObjective(variant);
      const trace: [number, number][] = [];
      const batches = shuffledBatches({
        count: train.x.length,
        batchSize: 64,
        steps,
        rng: rngFor(seed, 'regression-outliers/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainX, rows);
        const y = takeRows(trainY, rows);
        trainStep(model, optimizer, () => objective(model.forward(x), y), { measureGradNorm: false });
        if (step % 10 === 0) trace.push([step, model.weight.data[0]]);
        if (step % 50 === 0) onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
        step++;
      }
      const slope = model.weight.data[0];
      const intercept = model.bias?.data[0] ?? 0;
      const predictions = test.x.map((x) => slope * x + intercept);
      metrics[variant.id] = {
        slopeError: Math.abs(slope - TRUE_SLOPE),
        interceptError: Math.abs(intercept - TRUE_INTERCEPT),
        cleanTestMae: meanAbsoluteError(predictions, test.y),
      };
      fitted.push({
        name: variant.label,
        points: [
          [-1, intercept - slope],
          [1, intercept + slope],
        ],
      });
      slopeTraces.push({ name: variant.label, points: trace });
    });
    const points = (outlier: 0 | 1) =>
      Array.from(train.x, (x, i) => [x, train.y[i]] as const).filter((_, i) => train.outlier[i] === outlier);
    const truth: Series = {
      name: 'true line',
      points: [
        [-1, TRUE_INTERCEPT - TRUE_SLOPE],
        [1, TRUE_INTERCEPT + TRUE_SLOPE],
      ],
    };
    return {
      metrics,
      charts: [
        {
          kind: 'scatter',
          title: 'Training data and fitted lines',
          caption: 'MSE is pulled toward the outliers; MAE and Huber stay on the inliers.',
          x: { label: 'x' },
          y: { label: 'y' },
          series: [
            { name: 'inliers', points: points(0) },
            { name: 'outliers', points: points(1) },
          ],
          lines: [truth, ...fitted],
        },
        {
          kind: 'line',
          title: 'Slope during training',
          caption: `The true slope is ${TRUE_SLOPE}.`,
          x: { label: 'step' },
          y: { label: 'slope' },
          series: [
            ...slopeTraces,
            {
              name: 'true slope',
              points: [
                [0, TRUE_SLOPE],
                [steps, TRUE_SLOPE],
              ],
            },
          ],
        },
      ],
    };
  },
  verdict(metrics: Metrics) {
    const error = (id: VariantId) =>
      metricOf(metrics, id, 'slopeError') + metricOf(metrics, id, 'interceptError');
    const mae = (id: VariantId) => metricOf(metrics, id, 'cleanTestMae');
    const base = error('mse');
    const failures: string[] = [];
    for (const id of ['mae', 'huber'] as const) {
      const label = id === 'mae' ? 'MAE' : 'Huber';
      if (!(error(id) <= MAX_ERROR_RATIO * base)) {
        failures.push(
          `${label}'s coefficient error ${formatNumber(error(id))} is above ${MAX_ERROR_RATIO} × MSE's ${formatNumber(base)}`,
        );
      }
      if (!(mae(id) < mae('mse')))
        failures.push(
          `${label}'s clean-test MAE ${formatNumber(mae(id))} is not below MSE's ${formatNumber(mae('mse'))}`,
        );
    }
    const numbers = `Coefficient error (|Δslope| + |Δintercept|): MSE ${formatNumber(base)}, MAE ${formatNumber(error('mae'))}, Huber ${formatNumber(error('huber'))}; clean-test MAE: MSE ${formatNumber(mae('mse'))}, MAE ${formatNumber(mae('mae'))}, Huber ${formatNumber(mae('huber'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      {
        "MSE's coefficient error": base,
        "MAE's coefficient error": error('mae'),
        "Huber's coefficient error": error('huber'),
        "MSE's clean-test MAE": mae('mse'),
        "MAE's clean-test MAE": mae('mae'),
        "Huber's clean-test MAE": mae('huber'),
      },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (base === 0)
      return inconclusive(numbers, 'MSE recovered the line exactly, so the outliers did not hurt it');
    return failures.length === 0
      ? decided(
          true,
          `${numbers} Both robust losses stay within ${MAX_ERROR_RATIO}× MSE's error and predict clean data better.`,
        )
      : decided(false, `${numbers} The claim fails: ${failures.join('; ')}.`);
  },
});
