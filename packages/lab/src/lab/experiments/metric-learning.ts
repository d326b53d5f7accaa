// Experiment 5: metric learning on noisy clusters, judged on classes never seen in training:
// contrastive pairs vs random triplets vs batch-hard triplets.
import { noGrad } from 'losskit';
import { contrastive, triplet, tripletBatchHard } from 'losskit';
import { mlp, type Rng, type Sequential } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { takeRows } from 'losskit';
import {
  type ClusterData,
  type EmbeddingClustersSpec,
  embeddingClusters,
  recallAtOne,
} from '../data/embedding-clusters.js';
import { principalPlane } from '../data/principal-plane.js';
import { rngFor } from '../data/rng-for.js';
import { type Chart, defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const SPEC: EmbeddingClustersSpec = {
  trainClasses: 64,
  heldOutClasses: 32,
  perClass: 20,
  dims: 16,
  signalDims: 6,
  centreSpread: 1,
  withinNoise: 0.35,
  nuisanceNoise: 1.5,
};
const EMBEDDING_DIMS = 8;
const HIDDEN = 64;
/** Loss terms per step for every variant: 64 anchors (16 classes × 4 points), 64 triplets, 64 pairs. */
const TERMS = 64;
const PK_CLASSES = 16;
const PK_PER_CLASS = 4;
const LEARNING_RATE = 3e-3;
/** Training steps of every variant (150 with --quick). */
const FULL_STEPS = 600;
/** Batch-hard must beat random triplets by at least this much held-out Recall@1. */
const MIN_GAIN = 0.02;
/** Held-out classes drawn in the embedding scatter plots. */
const PLOTTED_CLASSES = 8;

const variants = [
  {
    id: 'contrastive',
    label: 'Contrastive pairs',
    losses: ['contrastive'],
    options: 'half similar, half dissimilar pairs',
  },
  {
    id: 'random-triplets',
    label: 'Random triplets',
    losses: ['triplet'],
    options: 'uniformly drawn triplets',
  },
  {
    id: 'batch-hard',
    label: 'Batch-hard triplets',
    losses: ['tripletBatchHard'],
    options: `${PK_CLASSES} classes × ${PK_PER_CLASS} points per batch`,
  },
] as const;

type VariantId = (typeof variants)[number]['id'];

/** The points of the training set grouped by class. */
function rowsByClass(data: ClusterData, classes: number): number[][] {
  const groups: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < data.count; i++) groups[data.labels[i]].push(i);
  return groups;
}

/** The points of the first `classes` classes (rows are stored class by class). */
function firstClasses(data: ClusterData, classes: number): ClusterData {
  const count = classes * SPEC.perClass;
  return {
    features: data.features.subarray(0, count * data.dims),
    labels: data.labels.subarray(0, count),
    count,
    dims: data.dims,
  };
}

/** A class other than `c`, uniformly. */
function otherClass(rng: Rng, c: number, classes: number): number {
  const k = rng.int(classes - 1);
  return k >= c ? k + 1 : k;
}

/** A point of `group` other than `except` (the group has at least two points). */
function otherPoint(rng: Rng, group: readonly number[], except: number): number {
  const k = rng.int(group.length - 1);
  const candidate = group[k];
  return candidate === except ? group[group.length - 1] : candidate;
}

/**
 * One training step of one variant; returns the loss value. Fills `.grad` of the model's parameters.
 * Batch-hard mining returns its gradient rather than a graph, so the steps back-propagate
 * themselves and `run` drives the optimizer (instead of `trainStep`, which needs a scalar graph).
 */
type Step = (model: Sequential, margin: number) => number;

function stepFor(id: VariantId, train: ClusterData, groups: number[][], rng: Rng): Step {
  const features = new Tensor(train.features, [train.count, train.dims]);
  const embed = (model: Sequential, rows: number[]) => model.forward(takeRows(features, rows));
  const classes = groups.length;
  const pick = (group: readonly number[]) => group[rng.int(group.length)];
  switch (id) {
    case 'contrastive':
      return (model, margin) => {
        const a: number[] = [];
        const b: number[] = [];
        const same: number[] = [];
        for (let t = 0; t < TERMS; t++) {
          const c = rng.int(classes);
          const anchor = pick(groups[c]);
          const similar = t % 2 === 0;
          const partner = similar
            ? otherPoint(rng, groups[c], anchor)
            : pick(groups[otherClass(rng, c, classes)]);
          a.push(anchor);
          b.push(partner);
          same.push(similar ? 1 : 0);
        }
        const loss = contrastive(embed(model, a), embed(model, b), same, { margin });
        loss.backward();
        return loss.item();
      };
    case 'random-triplets':
      return (model, margin) => {
        const a: number[] = [];
        const p: number[] = [];
        const n: number[] = [];
        for (let t = 0; t < TERMS; t++) {
          const c = rng.int(classes);
          const anchor = pick(groups[c]);
          a.push(anchor);
          p.push(otherPoint(rng, groups[c], anchor));
          n.push(pick(groups[otherClass(rng, c, classes)]));
        }
        const loss = triplet(embed(model, a), embed(model, p), embed(model, n), { margin });
        loss.backward();
        return loss.item();
      };
    case 'batch-hard':
      return (model, margin) => {
        const rows: number[] = [];
        const labels: number[] = [];
        const picked = rng.permutation(classes).subarray(0, PK_CLASSES);
        for (const c of picked) {
          const order = rng.permutation(groups[c].length).subarray(0, PK_PER_CLASS);
          for (const k of order) {
            rows.push(groups[c][k]);
            labels.push(c);
          }
        }
        const embeddings = embed(model, rows);
        // Not a registry loss: it returns its gradient, which is sent back through the embedder.
        const mined = tripletBatchHard(embeddings, labels, { margin });
        embeddings.backward(mined.grads.embeddings);
        return mined.value.item();
      };
  }
}

function embedAll(model: Sequential, data: ClusterData): Float64Array {
  return noGrad(() =>
    Float64Array.from(model.forward(new Tensor(data.features, [data.count, data.dims])).data),
  );
}

/** Half the median distance between embeddings at initialisation: one margin, in the embedder's own units, for every loss. */
function marginFor(model: Sequential, data: ClusterData): number {
  const e = embedAll(model, data);
  const distances: number[] = [];
  for (let i = 0; i < data.count; i += 3) {
    for (let j = i + 1; j < data.count; j += 7) {
      let s = 0;
      for (let d = 0; d < EMBEDDING_DIMS; d++)
        s += (e[i * EMBEDDING_DIMS + d] - e[j * EMBEDDING_DIMS + d]) ** 2;
      distances.push(Math.sqrt(s));
    }
  }
  distances.sort((x, y) => x - y);
  return 0.5 * distances[distances.length >> 1];
}

/** A scatter chart of the first held-out classes, projected on the principal plane of their points. */
function embeddingScatter(
  title: string,
  points: Float64Array,
  data: ClusterData,
  dims: number,
  caption?: string,
): Chart {
  const firstLabel = data.labels[0];
  const rows: number[] = [];
  for (let i = 0; i < data.count; i++) if (data.labels[i] - firstLabel < PLOTTED_CLASSES) rows.push(i);
  const subset = new Float64Array(rows.length * dims);
  for (let k = 0; k < rows.length; k++)
    subset.set(points.subarray(rows[k] * dims, (rows[k] + 1) * dims), k * dims);
  const plane = principalPlane(subset, rows.length, dims);
  const series: Series[] = Array.from({ length: PLOTTED_CLASSES }, (_, c) => ({
    name: `held-out class ${c + 1}`,
    points: plane.filter((_, k) => data.labels[rows[k]] - firstLabel === c),
  }));
  return {
    kind: 'scatter',
    title,
    caption,
    x: { label: 'principal axis 1' },
    y: { label: 'principal axis 2' },
    series,
  };
}

export const metricLearning = defineExperiment({
  name: 'metric-learning',
  title: 'Metric learning on unseen classes: contrastive vs random triplets vs batch-hard triplets',
  claim: `For the same budget of ${FULL_STEPS} training steps, batch-hard triplet mining gives a higher Recall@1 on held-out classes than uniformly drawn triplets, by at least ${MIN_GAIN}.`,
  setup: `${SPEC.trainClasses} training classes and ${SPEC.heldOutClasses} held-out classes, ${SPEC.perClass} points each, in ${SPEC.dims}-D: class centres differ only in a hidden ${SPEC.signalDims}-D subspace (spread ${SPEC.centreSpread}, within-class noise ${SPEC.withinNoise}); the other directions carry class-independent noise of deviation ${SPEC.nuisanceNoise}, and a random rotation mixes all axes. An MLP (${SPEC.dims} → ${HIDDEN} → ${EMBEDDING_DIMS}, ReLU) starts from the same weights for every loss and is trained with Adam (lr ${LEARNING_RATE}) for ${FULL_STEPS} steps (--quick: 150) of ${TERMS} loss terms each; every loss uses the same margin, half the median distance between embeddings at initialisation. Recall@1 (nearest neighbour of the same class) is measured on the held-out classes only.`,
  variants,
  metrics: [
    {
      id: 'recallAt1',
      label: 'held-out Recall@1',
      better: 'higher',
      description:
        'Share of points of the held-out classes whose nearest other held-out point (Euclidean, in the embedding) has the same class.',
    },
    {
      id: 'trainRecallAt1',
      label: 'training-class Recall@1',
      better: 'higher',
      description: `The same on points of ${SPEC.heldOutClasses} of the training classes (as many as are held out, so the two compare): how well the embedder fits classes it was trained on.`,
    },
  ],
  headline: ['recallAt1'],
  run({ seed, quick, onProgress }) {
    const data = embeddingClusters(rngFor(seed, 'metric-learning/data'), SPEC);
    const groups = rowsByClass(data.train, SPEC.trainClasses);
    // As many training classes as there are held-out ones, so that the two Recall@1 compare.
    const trainSample = firstClasses(data.train, SPEC.heldOutClasses);
    const steps = quick ? 150 : FULL_STEPS;
    const evalEvery = steps / 10;
    const newModel = () =>
      mlp([SPEC.dims, HIDDEN, EMBEDDING_DIMS], {
        rng: rngFor(seed, 'metric-learning/init'),
        dtype: 'float64',
      });
    const margin = marginFor(newModel(), data.train);
    const metrics: Record<string, Record<string, number>> = {};
    const recallCurves: Series[] = [];
    const lossCurves: Series[] = [];
    const scatters: Chart[] = [];
    variants.forEach((variant, v) => {
      const model = newModel();
      const optimizer = new Adam(model.parameters(), { lr: LEARNING_RATE });
      const step = stepFor(
        variant.id,
        data.train,
        groups,
        rngFor(seed, `metric-learning/batches/${variant.id}`),
      );
      const recall: [number, number][] = [
        [0, recallAtOne(embedAll(model, data.heldOut), data.heldOut.labels, EMBEDDING_DIMS)],
      ];
      const losses: [number, number][] = [];
      let lossSum = 0;
      for (let s = 1; s <= steps; s++) {
        optimizer.zeroGrad();
        lossSum += step(model, margin);
        optimizer.step();
        if (s % evalEvery === 0) {
          recall.push([s, recallAtOne(embedAll(model, data.heldOut), data.heldOut.labels, EMBEDDING_DIMS)]);
          losses.push([s, lossSum / evalEvery]);
          lossSum = 0;
          onProgress((v + s / steps) / variants.length, `training ${variant.label}`);
        }
      }
      const heldOut = embedAll(model, data.heldOut);
      metrics[variant.id] = {
        recallAt1: recallAtOne(heldOut, data.heldOut.labels, EMBEDDING_DIMS),
        trainRecallAt1: recallAtOne(embedAll(model, trainSample), trainSample.labels, EMBEDDING_DIMS),
      };
      recallCurves.push({ name: variant.label, points: recall });
      lossCurves.push({ name: variant.label, points: losses });
      scatters.push(
        embeddingScatter(`Held-out embeddings: ${variant.label}`, heldOut, data.heldOut, EMBEDDING_DIMS),
      );
    });
    const rawRecall = recallAtOne(data.heldOut.features, data.heldOut.labels, SPEC.dims);
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Held-out Recall@1 during training',
          caption: `Measured on the ${SPEC.heldOutClasses} classes the embedder never sees; the raw ${SPEC.dims}-D inputs score ${formatNumber(rawRecall)}.`,
          x: { label: 'step' },
          y: { label: 'Recall@1', domain: [0, 1] },
          series: recallCurves,
        },
        {
          kind: 'line',
          title: 'Training loss (each variant its own objective)',
          caption: `Mean over each stretch of ${evalEvery} steps. Most random triplets soon satisfy the margin (loss near 0) while the mined ones stay hard, so the scales differ by design.`,
          x: { label: 'step' },
          y: { label: 'loss' },
          series: lossCurves,
        },
        embeddingScatter(
          'Held-out inputs before training (raw features)',
          data.heldOut.features,
          data.heldOut,
          SPEC.dims,
          `The first ${PLOTTED_CLASSES} held-out classes, projected on the two principal axes of their points; the same classes follow for each loss.`,
        ),
        ...scatters,
      ],
      notes: [
        `Margin for every loss: ${formatNumber(margin)} (half the median distance between embeddings at initialisation).`,
        `Held-out Recall@1 of the raw ${SPEC.dims}-D inputs, before any training: ${formatNumber(rawRecall)}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId) => metricOf(metrics, id, 'recallAt1');
    const hard = m('batch-hard');
    const random = m('random-triplets');
    const numbers = `Held-out Recall@1: batch-hard ${formatNumber(hard)}, random triplets ${formatNumber(random)}, contrastive ${formatNumber(m('contrastive'))}.`;
    const gain = hard - random;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "batch-hard's Recall@1": hard, "random triplets' Recall@1": random },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (random > 1 - MIN_GAIN && hard > 1 - MIN_GAIN)
      return inconclusive(
        numbers,
        `both are within ${MIN_GAIN} of a perfect Recall@1, where no lead of ${MIN_GAIN} is possible`,
      );
    if (hard === 0 && random === 0)
      return inconclusive(numbers, 'neither triplet variant retrieves a single same-class neighbour');
    return gain >= MIN_GAIN
      ? decided(
          true,
          `${numbers} Batch-hard leads random triplets by ${formatNumber(gain)} (at least ${MIN_GAIN} required).`,
        )
      : decided(
          false,
          `${numbers} The claim fails: batch-hard leads random triplets by ${formatNumber(gain)}, less than the ${MIN_GAIN} required.`,
        );
  },
});
