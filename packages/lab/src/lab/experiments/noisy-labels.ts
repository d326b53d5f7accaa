// Experiment: multi-class classification with 40% symmetric label noise, cross-entropy against
// the generalized cross-entropy of Zhang & Sabuncu (2018), over several independent draws.
import { Adam, mlp, noGrad, shuffledBatches, Tensor, takeRows, trainStep } from 'losskit';
import { classCentres, gaussianClasses } from '../data/gaussian-classes.js';
import { symmetricLabelNoise } from '../data/label-noise.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { armObjective, armVariant, type LossArm } from './loss-arm.js';

const CLASSES = 5;
const DIMS = 10;
/** Distance of the class centres from the origin (unit-variance classes). */
const RADIUS = 2.5;
const LABEL_NOISE = 0.4;
const Q = 0.7;
const HIDDEN = 64;
/** Evaluations of the test accuracy during training. */
const EVALUATIONS = 10;
/** The verdict's threshold: GCE must beat cross-entropy's clean test accuracy by this much. */
const MIN_GAIN = 0.02;
/** Accuracies within this of chance (1 / classes) count as having learned nothing. */
const CHANCE_MARGIN = 0.05;

const arms = [
  { id: 'cross-entropy', label: 'Cross-entropy', loss: 'sparseCategoricalCrossEntropy' },
  {
    id: 'gce',
    label: `Generalized CE (q = ${Q})`,
    loss: 'generalizedCrossEntropy',
    options: { q: Q },
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

/** Index of the largest of `classes` scores in each row. */
function predictedClasses(scores: ArrayLike<number>, classes: number): Int32Array {
  const out = new Int32Array(scores.length / classes);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Share of `predicted` equal to `labels`, over the rows where `among` is 1 (every row without it). */
function agreement(predicted: Int32Array, labels: Int32Array, among?: Uint8Array): number {
  let hits = 0;
  let count = 0;
  for (let i = 0; i < predicted.length; i++) {
    if (among !== undefined && among[i] !== 1) continue;
    count++;
    if (predicted[i] === labels[i]) hits++;
  }
  return count === 0 ? Number.NaN : hits / count;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

export const noisyLabels = defineExperiment({
  name: 'noisy-labels',
  title: 'Noisy labels: cross-entropy vs generalized cross-entropy',
  claim: `With ${LABEL_NOISE * 100}% symmetric label noise, a classifier trained with generalized cross-entropy (q = ${Q}) reaches a higher clean test accuracy than one trained with cross-entropy: at least ${MIN_GAIN * 100} points higher on average, and higher in most of the independent draws.`,
  setup: `${CLASSES} Gaussian classes in ${DIMS}-D (unit variance, centres at distance ${RADIUS} from the origin). Exactly ${LABEL_NOISE * 100}% of the training labels, chosen at random, are replaced by one of the other classes, chosen uniformly (symmetric noise); test labels are clean. An MLP (${DIMS} → ${HIDDEN} → ${HIDDEN} → ${CLASSES}, ReLU) is trained with Adam (lr 0.01, minibatches of 64) for about 30 passes over the data, long enough to fit the noise; both losses start from the same weights and see the same batches. The whole comparison is repeated on independent draws of data, weights and batches (3 draws of 2,000 training points; --quick: 2 draws of 600), and the metrics are their means.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'accuracy',
      label: 'clean test accuracy',
      better: 'higher',
      description:
        'Share of clean-labelled test points classified correctly after training, mean over the draws.',
    },
    {
      id: 'peakAccuracy',
      label: 'peak test accuracy',
      better: 'neither',
      description: `Best clean test accuracy at any of the ${EVALUATIONS} evaluations during training (what early stopping on clean data could keep; descriptive, not part of the claim).`,
    },
    {
      id: 'memorized',
      label: 'noise memorized',
      better: 'lower',
      description: 'Share of the mislabelled training points the trained model assigns to their wrong label.',
    },
    {
      id: 'winShare',
      label: 'draws won',
      better: 'higher',
      description:
        'Share of the draws in which this loss had the higher clean test accuracy (a tie counts half).',
    },
  ],
  headline: ['accuracy', 'memorized'],
  run({ seed, quick, onProgress }) {
    const draws = quick ? 2 : 3;
    const count = quick ? 600 : 2000;
    const steps = quick ? 300 : 1000;
    const evalEvery = steps / EVALUATIONS;
    const perDraw: Record<VariantId, { accuracy: number; peakAccuracy: number; memorized: number }[]> = {
      'cross-entropy': [],
      gce: [],
    };
    const accuracyCurves: Series[] = [];
    const memorizedCurves: Series[] = [];
    let flippedCount = 0;
    for (let draw = 0; draw < draws; draw++) {
      const purpose = (what: string) => `noisy-labels/${what}/${draw}`;
      const dataRng = rngFor(seed, purpose('data'));
      const centres = classCentres(dataRng, CLASSES, DIMS, RADIUS);
      const train = gaussianClasses(dataRng, { count, centres });
      const noisy = symmetricLabelNoise(dataRng, train.labels, CLASSES, LABEL_NOISE);
      const test = gaussianClasses(dataRng, { count: quick ? 2000 : 5000, centres });
      if (draw === 0) flippedCount = noisy.flipped.reduce((s, f) => s + f, 0);
      const trainInput = new Tensor(train.features, [train.count, DIMS]);
      const trainLabels = new Tensor(Float64Array.from(noisy.labels), [train.count]);
      const testInput = new Tensor(test.features, [test.count, DIMS]);
      arms.forEach((variant, v) => {
        const model = mlp([DIMS, HIDDEN, HIDDEN, CLASSES], {
          rng: rngFor(seed, purpose('init')),
          dtype: 'float64',
        });
        const optimizer = new Adam(model.parameters(), { lr: 0.01 });
        const objective = armObjective(variant);
        const predict = (input: Tensor) => predictedClasses(noGrad(() => model.forward(input)).data, CLASSES);
        const measure = () => ({
          accuracy: agreement(predict(testInput), test.labels),
          memorized: agreement(predict(trainInput), noisy.labels, noisy.flipped),
        });
        const accuracyTrace: [number, number][] = [];
        const memorizedTrace: [number, number][] = [];
        const batches = shuffledBatches({
          count,
          batchSize: 64,
          steps,
          rng: rngFor(seed, purpose('shuffle')),
        });
        let step = 0;
        let peakAccuracy = 0;
        for (const rows of batches) {
          const x = takeRows(trainInput, rows);
          const labels = takeRows(trainLabels, rows);
          trainStep(model, optimizer, () => objective(model.forward(x), labels), { measureGradNorm: false });
          step++;
          if (step % evalEvery !== 0) continue;
          const now = measure();
          peakAccuracy = Math.max(peakAccuracy, now.accuracy);
          accuracyTrace.push([step, now.accuracy]);
          memorizedTrace.push([step, now.memorized]);
          onProgress(
            (draw * arms.length + v + step / steps) / (draws * arms.length),
            `draw ${draw + 1}: ${variant.label}`,
          );
        }
        perDraw[variant.id].push({ ...measure(), peakAccuracy });
        if (draw === 0) {
          accuracyCurves.push({ name: variant.label, points: accuracyTrace });
          memorizedCurves.push({ name: variant.label, points: memorizedTrace });
        }
      });
    }
    const accuracies = (id: VariantId) => perDraw[id].map((d) => d.accuracy);
    const wins = (id: VariantId, other: VariantId) =>
      mean(
        accuracies(id).map((a, i) => (a > accuracies(other)[i] ? 1 : a === accuracies(other)[i] ? 0.5 : 0)),
      );
    const summary = (id: VariantId, other: VariantId) => ({
      accuracy: mean(accuracies(id)),
      peakAccuracy: mean(perDraw[id].map((d) => d.peakAccuracy)),
      memorized: mean(perDraw[id].map((d) => d.memorized)),
      winShare: wins(id, other),
    });
    const metrics = {
      'cross-entropy': summary('cross-entropy', 'gce'),
      gce: summary('gce', 'cross-entropy'),
    };
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Clean test accuracy during training (first draw)',
          caption: 'Cross-entropy peaks early, then loses accuracy as it fits the wrong labels.',
          x: { label: 'step' },
          y: { label: 'accuracy', domain: [0, 1] },
          series: accuracyCurves,
        },
        {
          kind: 'line',
          title: 'Mislabelled training points fitted (first draw)',
          caption: `Share of the ${flippedCount} mislabelled training points predicted as their wrong label; chance is ${formatNumber(1 / CLASSES)}.`,
          x: { label: 'step' },
          y: { label: 'noise memorized', domain: [0, 1] },
          series: memorizedCurves,
        },
      ],
      notes: [
        `Clean test accuracy per draw: ${arms
          .map(
            (a) =>
              `${a.label} ${accuracies(a.id)
                .map((v) => formatNumber(v))
                .join(', ')}`,
          )
          .join('; ')}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const ce = m('cross-entropy', 'accuracy');
    const gce = m('gce', 'accuracy');
    const gain = gce - ce;
    const won = m('gce', 'winShare');
    const numbers = `Clean test accuracy: cross-entropy ${formatNumber(ce)}, generalized CE ${formatNumber(gce)} (gain ${formatNumber(gain)}, needed ${MIN_GAIN}); GCE won ${formatNumber(100 * won)}% of the draws; noise memorized ${formatNumber(m('cross-entropy', 'memorized'))} vs ${formatNumber(m('gce', 'memorized'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      {
        "cross-entropy's accuracy": ce,
        "generalized CE's accuracy": gce,
        "generalized CE's share of draws won": won,
      },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    const chance = 1 / CLASSES;
    if (ce <= chance + CHANCE_MARGIN && gce <= chance + CHANCE_MARGIN)
      return inconclusive(numbers, `neither model learned the classes (chance is ${formatNumber(chance)})`);
    if (gain <= 0)
      return decided(
        false,
        `${numbers} The claim fails: cross-entropy is at least as accurate as generalized CE.`,
      );
    if (gain >= MIN_GAIN && won > 0.5)
      return decided(
        true,
        `${numbers} Generalized CE is more accurate by at least ${MIN_GAIN} on average and in most draws.`,
      );
    return {
      outcome: 'inconclusive',
      explanation: `${numbers} Inconclusive: generalized CE is ahead, but ${gain < MIN_GAIN ? `by less than ${MIN_GAIN}` : 'not in most draws'}, which the run-to-run noise can explain.`,
    };
  },
});
