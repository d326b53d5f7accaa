// Experiment: self-supervised representations. An encoder trained with NT-Xent on two augmented
// views of unlabeled points, then frozen under a linear probe, against the same encoder left at
// its random initial weights (and, for scale, a linear probe on the raw inputs).
import {
  Adam,
  losses,
  lossOp,
  mlp,
  noGrad,
  registryLoss,
  type Sequential,
  shuffledBatches,
  Tensor,
  takeRows,
  trainStep,
} from 'losskit';
import { augmentedView, type RingClusters, randomLift, ringClusters } from '../data/ring-clusters.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const CLASSES = 4;
const CLUSTERS = 8;
const DIMS = 16;
const NUISANCE_DIMS = 4;
const DATA = {
  clusters: CLUSTERS,
  classes: CLASSES,
  radius: 3,
  spread: 0.35,
  nuisanceDims: NUISANCE_DIMS,
  nuisance: 1,
  dims: DIMS,
  noise: 0.1,
} as const;
const VIEW_NOISE = 0.5;
const MASK_RATE = 0.2;
const HIDDEN = 64;
const EMBEDDING = 8;
const TEMPERATURE = 0.2;
const BATCH = 128;
/** Threshold: the NT-Xent encoder's probe must beat the random encoder's by this much accuracy. */
const MIN_MARGIN = 0.1;
/** Probe accuracies within this of chance (1 / classes) for both encoders count as nothing learned. */
const CHANCE_MARGIN = 0.05;
const PROBE_STEPS = 300;
const CHECKPOINTS = 5;

const variants = [
  {
    id: 'nt-xent',
    label: 'NT-Xent encoder + linear probe',
    losses: ['ntXent', 'sparseCategoricalCrossEntropy'],
    options: `temperature = ${TEMPERATURE}`,
  },
  {
    id: 'random',
    label: 'Random encoder + linear probe',
    losses: ['sparseCategoricalCrossEntropy'],
    options: 'the same encoder at its initial weights, frozen',
  },
  {
    id: 'raw',
    label: 'Linear probe on raw inputs',
    losses: ['sparseCategoricalCrossEntropy'],
    options: 'a reference, not part of the claim',
  },
] as const;

type VariantId = (typeof variants)[number]['id'];

/** Each column of `x` (`n × d`) centred and scaled with the mean and deviation of `reference`'s columns. */
function standardise(x: Float64Array, reference: Float64Array, d: number): Float64Array {
  const n = reference.length / d;
  const out = new Float64Array(x.length);
  for (let c = 0; c < d; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += reference[i * d + c];
    mean /= n;
    let variance = 0;
    for (let i = 0; i < n; i++) variance += (reference[i * d + c] - mean) ** 2;
    const scale = 1 / Math.sqrt(variance / n + 1e-12);
    for (let i = 0; i < x.length / d; i++) out[i * d + c] = (x[i * d + c] - mean) * scale;
  }
  return out;
}

/**
 * Held-out accuracy of a softmax-regression probe (one linear layer, cross-entropy, full-batch Adam)
 * trained on the labelled `train` features (`d` per row, standardised) and scored on `test`'s.
 */
export function linearProbeAccuracy(
  trainFeatures: Float64Array,
  trainLabels: Int32Array,
  testFeatures: Float64Array,
  testLabels: Int32Array,
  d: number,
  seed: number,
): number {
  const x = new Tensor(standardise(trainFeatures, trainFeatures, d), [trainLabels.length, d]);
  const y = new Tensor(Float64Array.from(trainLabels), [trainLabels.length]);
  const probe = mlp([d, CLASSES], { dtype: 'float64', rng: rngFor(seed, 'contrastive-probe/probe') });
  const optimizer = new Adam(probe.parameters(), { lr: 0.05 });
  const crossEntropy = registryLoss('sparseCategoricalCrossEntropy');
  for (let s = 0; s < PROBE_STEPS; s++)
    trainStep(probe, optimizer, () => crossEntropy(probe.forward(x), y), { measureGradNorm: false });
  const scores = noGrad(() =>
    probe.forward(new Tensor(standardise(testFeatures, trainFeatures, d), [testLabels.length, d])),
  ).data;
  let hits = 0;
  for (let i = 0; i < testLabels.length; i++) {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (scores[i * CLASSES + c] > scores[i * CLASSES + best]) best = c;
    if (best === testLabels[i]) hits++;
  }
  return hits / testLabels.length;
}

const embed = (encoder: Sequential, data: RingClusters) =>
  Float64Array.from(noGrad(() => encoder.forward(new Tensor(data.features, [data.count, DIMS]))).data);

export const contrastiveProbe = defineExperiment({
  name: 'contrastive-probe',
  title: 'Self-supervised representations: NT-Xent encoder vs random encoder under a linear probe',
  claim: `An encoder trained with NT-Xent on two augmented views of unlabeled points gives frozen embeddings on which a linear probe is at least ${MIN_MARGIN * 100} points more accurate on held-out data than on the embeddings of the same encoder left at its random initial weights.`,
  setup: `${CLUSTERS} Gaussian clusters on a ring (radius ${DATA.radius}, deviation ${DATA.spread}) in a 2-D content plane; cluster k has class k mod ${CLASSES}, so each class is two opposite clusters and no linear function of the raw points separates the classes. ${NUISANCE_DIMS} class-independent nuisance coordinates (deviation ${DATA.nuisance}) join the content, and a random orthonormal lift takes the ${2 + NUISANCE_DIMS} coordinates to ${DIMS} dimensions, plus noise ${DATA.noise}. Views: Gaussian noise (deviation ${VIEW_NOISE}) on every value, then each value zeroed with probability ${MASK_RATE}. The encoder (MLP ${DIMS} → ${HIDDEN} → ${HIDDEN} → ${EMBEDDING}, ReLU) is trained with NT-Xent (temperature ${TEMPERATURE}; the two views of a point are its only positive pair) on batches of ${BATCH} unlabeled points with Adam (lr 0.003). The probe: softmax regression on the standardised frozen embeddings of labelled points (${PROBE_STEPS} full-batch Adam steps), scored on fresh points; the random encoder has the same initial weights.`,
  variants,
  metrics: [
    {
      id: 'probeAccuracy',
      label: 'probe accuracy',
      better: 'higher',
      description: 'Held-out accuracy of the linear probe on the frozen features.',
    },
    {
      id: 'viewCosine',
      label: 'view cosine',
      better: 'neither',
      description:
        'Mean cosine similarity of the features of two augmented views of the same held-out point.',
    },
  ],
  headline: ['probeAccuracy'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'contrastive-probe/data');
    const lift = randomLift(dataRng, DIMS, 2 + NUISANCE_DIMS);
    const unlabeled = ringClusters(dataRng, { ...DATA, count: quick ? 1000 : 3000 }, lift);
    const probeTrain = ringClusters(dataRng, { ...DATA, count: quick ? 400 : 1000 }, lift);
    const test = ringClusters(dataRng, { ...DATA, count: quick ? 1000 : 2000 }, lift);
    const steps = quick ? 150 : 600;
    const viewRng = rngFor(seed, 'contrastive-probe/views');
    const testViews = [
      augmentedView(viewRng, test.features, VIEW_NOISE, MASK_RATE),
      augmentedView(viewRng, test.features, VIEW_NOISE, MASK_RATE),
    ];
    const viewCosine = (features: (x: Float64Array) => Float64Array, d: number) => {
      const [a, b] = testViews.map(features);
      let total = 0;
      for (let i = 0; i < test.count; i++) {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let c = 0; c < d; c++) {
          dot += a[i * d + c] * b[i * d + c];
          na += a[i * d + c] ** 2;
          nb += b[i * d + c] ** 2;
        }
        total += dot / Math.sqrt(na * nb + 1e-24);
      }
      return total / test.count;
    };
    const newEncoder = () =>
      mlp([DIMS, HIDDEN, HIDDEN, EMBEDDING], {
        dtype: 'float64',
        rng: rngFor(seed, 'contrastive-probe/init'),
      });
    const probeOf = (encoder: Sequential) =>
      linearProbeAccuracy(
        embed(encoder, probeTrain),
        probeTrain.labels,
        embed(encoder, test),
        test.labels,
        EMBEDDING,
        seed,
      );
    const encoderMetrics = (encoder: Sequential) => ({
      probeAccuracy: probeOf(encoder),
      viewCosine: viewCosine(
        (x) => Float64Array.from(noGrad(() => encoder.forward(new Tensor(x, [test.count, DIMS]))).data),
        EMBEDDING,
      ),
    });
    const metrics: Record<string, Record<string, number>> = {
      random: encoderMetrics(newEncoder()),
      raw: {
        probeAccuracy: linearProbeAccuracy(
          probeTrain.features,
          probeTrain.labels,
          test.features,
          test.labels,
          DIMS,
          seed,
        ),
        viewCosine: viewCosine((x) => x, DIMS),
      },
    };
    const encoder = newEncoder();
    const optimizer = new Adam(encoder.parameters(), { lr: 0.003 });
    const pairLabels = new Tensor(
      Float64Array.from({ length: 2 * BATCH }, (_, i) => i % BATCH),
      [2 * BATCH],
    );
    const lossTrace: [number, number][] = [];
    const accuracyTrace: [number, number][] = [[0, metrics.random.probeAccuracy]];
    let step = 0;
    for (const rows of shuffledBatches({
      count: unlabeled.count,
      batchSize: BATCH,
      steps,
      rng: rngFor(seed, 'contrastive-probe/shuffle'),
    })) {
      const points = takeRows(new Tensor(unlabeled.features, [unlabeled.count, DIMS]), rows).data;
      const views = new Tensor(
        Float64Array.from([
          ...augmentedView(viewRng, points, VIEW_NOISE, MASK_RATE),
          ...augmentedView(viewRng, points, VIEW_NOISE, MASK_RATE),
        ]),
        [2 * rows.length, DIMS],
      );
      const labels =
        rows.length === BATCH
          ? pairLabels
          : new Tensor(
              Float64Array.from({ length: 2 * rows.length }, (_, i) => i % rows.length),
              [2 * rows.length],
            );
      const { loss } = trainStep(
        encoder,
        optimizer,
        () =>
          lossOp(losses.ntXent, { embeddings: encoder.forward(views), labels }, { temperature: TEMPERATURE }),
        { measureGradNorm: false },
      );
      step++;
      if (step % 10 === 0) lossTrace.push([step, loss]);
      if (step % (steps / CHECKPOINTS) === 0) {
        accuracyTrace.push([step, probeOf(encoder)]);
        onProgress(step / steps, 'training the NT-Xent encoder');
      }
    }
    metrics['nt-xent'] = encoderMetrics(encoder);
    onProgress(1);
    const chance: Series = {
      name: `chance (1/${CLASSES})`,
      points: [
        [0, 1 / CLASSES],
        [steps, 1 / CLASSES],
      ],
    };
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Linear-probe accuracy during NT-Xent training',
          caption:
            'Held-out accuracy of a probe fitted on the frozen embeddings at each checkpoint; step 0 is the random encoder.',
          x: { label: 'NT-Xent step' },
          y: { label: 'probe accuracy', domain: [0, 1] },
          series: [{ name: 'NT-Xent encoder', points: accuracyTrace }, chance],
        },
        {
          kind: 'line',
          title: 'NT-Xent loss',
          caption: `On each batch of ${BATCH} points (${2 * BATCH} views), every 10 steps.`,
          x: { label: 'step' },
          y: { label: 'NT-Xent' },
          series: [{ name: 'NT-Xent', points: lossTrace }],
        },
      ],
      notes: [
        `${unlabeled.count} unlabeled points, ${steps} steps; probe fitted on ${probeTrain.count} labelled points, scored on ${test.count}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId) => metricOf(metrics, id, 'probeAccuracy');
    const trained = m('nt-xent');
    const random = m('random');
    const margin = trained - random;
    const numbers = `Probe accuracy: NT-Xent encoder ${formatNumber(trained)}, random encoder ${formatNumber(random)} (margin ${formatNumber(margin)}, needed ${MIN_MARGIN}); raw inputs ${formatNumber(m('raw'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "the NT-Xent encoder's probe accuracy": trained, "the random encoder's probe accuracy": random },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    const chance = 1 / CLASSES;
    if (trained <= chance + CHANCE_MARGIN && random <= chance + CHANCE_MARGIN)
      return inconclusive(numbers, `neither probe beat chance (${formatNumber(chance)}) by ${CHANCE_MARGIN}`);
    if (margin <= 0)
      return decided(
        false,
        `${numbers} The claim fails: the random encoder's features are at least as good.`,
      );
    if (margin >= MIN_MARGIN)
      return decided(true, `${numbers} The NT-Xent features beat the random ones by at least ${MIN_MARGIN}.`);
    return {
      outcome: 'inconclusive',
      explanation: `${numbers} Inconclusive: the NT-Xent encoder is ahead, but by less than ${MIN_MARGIN}, too close to the threshold to call.`,
    };
  },
});
