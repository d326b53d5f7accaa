// Experiment 3: multi-class classification with noisy labels: cross-entropy vs label smoothing.
import { mlp } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, takeRows, trainStep } from 'losskit';
import { classCentres, gaussianClasses } from '../data/gaussian-classes.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { calibration, reliabilityChart, reliabilityCurve, softmaxRows } from '../metrics.js';
import { type LossArm, armObjective, armVariant } from './loss-arm.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const CLASSES = 5;
const DIMS = 10;
const LABEL_NOISE = 0.25;
const SMOOTHING = 0.1;
/** Label smoothing's ECE must be at most this share of cross-entropy's. */
const MAX_ECE_RATIO = 0.5;

const arms = [
  { id: 'cross-entropy', label: 'Cross-entropy', loss: 'sparseCategoricalCrossEntropy' },
  {
    id: 'label-smoothing',
    label: 'Label smoothing',
    loss: 'labelSmoothingCrossEntropy',
    options: { smoothing: SMOOTHING },
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

export const noisyCalibration = defineExperiment({
  name: 'noisy-calibration',
  title: 'Calibration with noisy labels: cross-entropy vs label smoothing',
  claim: `With ${LABEL_NOISE * 100}% of training labels wrong, label smoothing (α = ${SMOOTHING}) is better calibrated than cross-entropy: its expected calibration error is at most ${MAX_ECE_RATIO}× cross-entropy's and its mean confidence is lower.`,
  setup: `${CLASSES} Gaussian classes in ${DIMS}-D; ${LABEL_NOISE * 100}% of the training labels are replaced by a different random class, test labels are clean. An MLP (${DIMS} → 32 → 32 → ${CLASSES}, ReLU) is trained with Adam long enough to fit the noise. Expected calibration error uses 15 equal-width confidence bins.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'accuracy',
      label: 'accuracy',
      better: 'higher',
      description: 'Share of test points whose most probable class is the true one.',
    },
    {
      id: 'ece',
      label: 'ECE',
      better: 'lower',
      description:
        'Expected calibration error: the mean gap between confidence and accuracy over confidence bins.',
    },
    {
      id: 'meanConfidence',
      label: 'mean confidence',
      better: 'neither',
      description: 'Mean probability of the predicted class.',
    },
  ],
  headline: ['ece', 'accuracy'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'noisy-calibration/data');
    const centres = classCentres(dataRng, CLASSES, DIMS, 3);
    const train = gaussianClasses(dataRng, { count: quick ? 300 : 600, centres, labelNoise: LABEL_NOISE });
    const test = gaussianClasses(dataRng, { count: 5000, centres });
    const steps = quick ? 200 : 600;
    const testInput = new Tensor(test.features, [test.count, DIMS]);
    const metrics: Record<string, Record<string, number>> = {};
    const reliability: Series[] = [];
    const eceTraces: Series[] = [];
    const trainInput = new Tensor(train.features, [train.count, DIMS]);
    const trainLabels = new Tensor(Float64Array.from(train.labels), [train.count]);
    arms.forEach((variant, v) => {
      const model = mlp([DIMS, 32, 32, CLASSES], {
        rng: rngFor(seed, 'noisy-calibration/init'),
        dtype: 'float64',
      });
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const objective = armObjective(variant);
      const trace: [number, number][] = [];
      const batches = shuffledBatches({
        count: train.count,
        batchSize: 64,
        steps,
        rng: rngFor(seed, 'noisy-calibration/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainInput, rows);
        const labels = takeRows(trainLabels, rows);
        trainStep(model, optimizer, () => objective(model.forward(x), labels), { measureGradNorm: false });
        if (step % 25 === 0) onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
        if ((step + 1) % Math.round(steps / 20) === 0) {
          model.eval();
          const probs = softmaxRows(model.forward(testInput).data, CLASSES);
          const c = calibration(probs, test.labels, CLASSES);
          trace.push([step + 1, c.ece]);
          model.train();
        }
        step++;
      }
      model.eval();
      const probs = softmaxRows(model.forward(testInput).data, CLASSES);
      metrics[variant.id] = calibration(probs, test.labels, CLASSES);
      reliability.push({ name: variant.label, points: reliabilityCurve(probs, test.labels, CLASSES) });
      eceTraces.push({ name: variant.label, points: trace });
    });
    return {
      metrics,
      charts: [
        reliabilityChart(
          'Reliability diagram (test set)',
          'Accuracy within each confidence bin; a calibrated model follows the diagonal, an over-confident one runs below it.',
          reliability,
        ),
        {
          kind: 'line',
          title: 'Calibration error during training',
          caption:
            'As cross-entropy fits the wrong labels its confidence, and its calibration error, keep growing.',
          x: { label: 'step' },
          y: { label: 'ECE' },
          series: eceTraces,
        },
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const eceCe = m('cross-entropy', 'ece');
    const eceLs = m('label-smoothing', 'ece');
    const confCe = m('cross-entropy', 'meanConfidence');
    const confLs = m('label-smoothing', 'meanConfidence');
    const numbers = `ECE: cross-entropy ${formatNumber(eceCe)}, label smoothing ${formatNumber(eceLs)}; mean confidence ${formatNumber(confCe)} vs ${formatNumber(confLs)}; accuracy ${formatNumber(m('cross-entropy', 'accuracy'))} vs ${formatNumber(m('label-smoothing', 'accuracy'))}.`;
    const failures: string[] = [];
    if (!(eceLs <= MAX_ECE_RATIO * eceCe))
      failures.push(
        `label smoothing's ECE is above ${MAX_ECE_RATIO} × cross-entropy's (${formatNumber(MAX_ECE_RATIO * eceCe)})`,
      );
    if (!(confLs < confCe)) failures.push('label smoothing is not less confident');
    const undefinedMetric = inconclusiveUnlessFinite(
      {
        "cross-entropy's ECE": eceCe,
        "label smoothing's ECE": eceLs,
        "cross-entropy's mean confidence": confCe,
        "label smoothing's mean confidence": confLs,
      },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (eceCe === 0)
      return inconclusive(
        numbers,
        'cross-entropy is already perfectly calibrated (ECE 0), so there is no error to halve',
      );
    return failures.length === 0
      ? decided(
          true,
          `${numbers} Label smoothing's ECE is within ${MAX_ECE_RATIO}× cross-entropy's and its confidence is lower.`,
        )
      : decided(false, `${numbers} The claim fails: ${failures.join('; ')}.`);
  },
});
