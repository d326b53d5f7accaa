// Experiment: box regression on objects of widely varying scale, trained with the GIoU loss on
// the decoded boxes against smooth L1 on their pixel coordinates (same model, data and batches).
import { Adam, cosineDecay, mlp, noGrad, ops, shuffledBatches, Tensor, takeRows, trainStep } from 'losskit';
import { BOX_CANVAS, boxIou, boxProfiles, PROFILE_BINS } from '../data/box-profiles.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { armObjective, armVariant, type LossArm } from './loss-arm.js';

const MIN_SIZE = 2;
const MAX_SIZE = 48;
const NOISE = 0.02;
const HIDDEN = 64;
/** Half of the canvas: the decoded centre is HALF + HALF · output. */
const HALF = BOX_CANVAS / 2;
/**
 * The decoded side is SIDE_SCALE · exp(LOG_SIDE_BOUND · tanh(output)): a smooth bound (about 1 to
 * 150 pixels) that keeps exp finite without the zero gradient of a clamp.
 */
const SIDE_SCALE = 12;
const LOG_SIDE_BOUND = 2.5;
/** The verdict's threshold: GIoU's mean held-out IoU must exceed smooth L1's by this much. */
const MIN_GAIN = 0.02;
/** Mean IoUs below this for both arms count as neither model having learned to place boxes. */
const LEARNED_IOU = 0.2;
const TEST_COUNT = 2000;
/** Edges of the size bins of the chart (√area in pixels). */
const SIZE_EDGES = [2, 4, 8, 16, 32, 48];
/** Boxes with √area below this count as small in the `smallIou` metric. */
const SMALL = 8;

const arms = [
  { id: 'giou', label: 'GIoU', loss: 'giou' },
  {
    id: 'smooth-l1',
    label: 'Smooth L1 on coordinates',
    loss: 'smoothL1',
    options: { beta: 1 },
    optionsNote: 'beta = 1 pixel, on the four decoded coordinates in pixels',
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

/**
 * The network's four outputs as a valid box: centre HALF + HALF·o, side SIDE_SCALE·exp(o), so
 * x2 ≥ x1 and y2 ≥ y1 by construction. Differentiable (autograd ops), [N, 4] → [N, 4].
 */
export function decodeBoxes(outputs: Tensor): Tensor {
  const n = outputs.shape[0];
  const centre = ops.add(HALF, ops.mul(HALF, ops.slice(outputs, [0, 0], [n, 2])));
  const logSide = ops.mul(LOG_SIDE_BOUND, ops.tanh(ops.slice(outputs, [0, 2], [n, 2])));
  const halfSide = ops.mul(SIDE_SCALE / 2, ops.exp(logSide));
  return ops.concat([ops.sub(centre, halfSide), ops.add(centre, halfSide)], 1);
}

/** IoU of each predicted box with its true box. */
function iouPerBox(predicted: ArrayLike<number>, truth: ArrayLike<number>, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => boxIou(predicted, 4 * i, truth, 4 * i));
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

export const boxRegression = defineExperiment({
  name: 'box-regression',
  title: 'Box regression across scales: GIoU vs smooth L1 on coordinates',
  claim: `On boxes whose sides range from ${MIN_SIZE} to ${MAX_SIZE} pixels, a box regressor trained with the GIoU loss reaches a mean held-out IoU at least ${MIN_GAIN} higher than the same model trained with smooth L1 on the box coordinates.`,
  setup: `Each object is an axis-aligned box on a ${BOX_CANVAS}×${BOX_CANVAS} canvas, its sides log-uniform in [${MIN_SIZE}, ${MAX_SIZE}] pixels; the model sees only its two marginal profiles at ${BOX_CANVAS / PROFILE_BINS} pixels per bin (the share of each bin the box covers, plus Gaussian noise of deviation ${NOISE}), ${2 * PROFILE_BINS} numbers. An MLP (${2 * PROFILE_BINS} → ${HIDDEN} → ${HIDDEN} → 4, ReLU) outputs a centre and a log side per axis, decoded to (x1, y1, x2, y2) = centre ∓ ${SIDE_SCALE / 2}·exp(${LOG_SIDE_BOUND}·tanh(log-side output)), so every prediction is a valid box. Both arms start from the same weights and see the same minibatches of 64 with Adam (cosine-decayed learning rate); one minimises GIoU on the decoded boxes, the other smooth L1 (beta 1 pixel) on their four coordinates. IoU is measured on ${TEST_COUNT} fresh boxes.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'meanIou',
      label: 'mean IoU',
      better: 'higher',
      description: 'Mean IoU of the predicted and true held-out boxes.',
    },
    {
      id: 'hitRate',
      label: 'IoU > 0.5',
      better: 'higher',
      description: 'Share of held-out boxes predicted with IoU above 0.5.',
    },
    {
      id: 'smallIou',
      label: `mean IoU, small`,
      better: 'higher',
      description: `Mean IoU on the held-out boxes with √area < ${SMALL} pixels.`,
    },
    {
      id: 'largeIou',
      label: `mean IoU, large`,
      better: 'higher',
      description: `Mean IoU on the held-out boxes with √area ≥ ${SMALL} pixels.`,
    },
  ],
  headline: ['meanIou', 'hitRate'],
  run({ seed, quick, onProgress }) {
    const spec = { minSize: MIN_SIZE, maxSize: MAX_SIZE, noise: NOISE };
    const dataRng = rngFor(seed, 'box-regression/data');
    const train = boxProfiles(dataRng, { ...spec, count: quick ? 1500 : 4000 });
    const test = boxProfiles(dataRng, { ...spec, count: quick ? 500 : TEST_COUNT });
    const steps = quick ? 800 : 4000;
    const dims = 2 * PROFILE_BINS;
    const trainX = new Tensor(train.features, [train.count, dims]);
    const trainBoxes = new Tensor(train.boxes, [train.count, 4]);
    const testX = new Tensor(test.features, [test.count, dims]);
    const sizes = Float64Array.from({ length: test.count }, (_, i) =>
      Math.sqrt(
        (test.boxes[4 * i + 2] - test.boxes[4 * i]) * (test.boxes[4 * i + 3] - test.boxes[4 * i + 1]),
      ),
    );
    const metrics: Record<string, Record<string, number>> = {};
    const bySize: Series[] = [];
    arms.forEach((variant, v) => {
      const model = mlp([dims, HIDDEN, HIDDEN, 4], {
        dtype: 'float64',
        rng: rngFor(seed, 'box-regression/init'),
      });
      const optimizer = new Adam(model.parameters(), {
        lr: 0.003,
        schedule: cosineDecay({ steps, minFactor: 0.05 }),
      });
      const objective = armObjective(variant);
      const batches = shuffledBatches({
        count: train.count,
        batchSize: 64,
        steps,
        rng: rngFor(seed, 'box-regression/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainX, rows);
        const y = takeRows(trainBoxes, rows);
        trainStep(model, optimizer, () => objective(decodeBoxes(model.forward(x)), y), {
          measureGradNorm: false,
        });
        if (step % 100 === 0) onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
        step++;
      }
      const predicted = noGrad(() => decodeBoxes(model.forward(testX))).data;
      const iou = iouPerBox(predicted, test.boxes, test.count);
      const where = (keep: (i: number) => boolean) => mean(iou.filter((_, i) => keep(i)));
      metrics[variant.id] = {
        meanIou: mean(iou),
        hitRate: mean(Float64Array.from(iou, (x) => (x > 0.5 ? 1 : 0))),
        smallIou: where((i) => sizes[i] < SMALL),
        largeIou: where((i) => sizes[i] >= SMALL),
      };
      bySize.push({
        name: variant.label,
        points: SIZE_EDGES.slice(0, -1).map(
          (lo, b) =>
            [
              Math.sqrt(lo * SIZE_EDGES[b + 1]),
              where((i) => sizes[i] >= lo && sizes[i] < SIZE_EDGES[b + 1]),
            ] as const,
        ),
      });
    });
    onProgress(1);
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Held-out IoU by box size',
          caption: `Mean IoU of the held-out boxes in bins of √area (edges ${SIZE_EDGES.join(', ')} pixels). Smooth L1 weighs a pixel of error alike on every box, which costs small boxes most of their IoU.`,
          x: { label: '√area (pixels)', scale: 'log' },
          y: { label: 'mean IoU', domain: [0, 1] },
          series: bySize,
        },
      ],
      notes: [
        `${train.count} training boxes, ${steps} steps of 64; ${test.count} held-out boxes, ${sizes.filter((s) => s < SMALL).length} of them small (√area < ${SMALL} pixels).`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const giou = m('giou', 'meanIou');
    const l1 = m('smooth-l1', 'meanIou');
    const gain = giou - l1;
    const numbers = `Mean held-out IoU: GIoU ${formatNumber(giou)}, smooth L1 ${formatNumber(l1)} (gain ${formatNumber(gain)}, needed ${MIN_GAIN}); IoU > 0.5: ${formatNumber(100 * m('giou', 'hitRate'))}% vs ${formatNumber(100 * m('smooth-l1', 'hitRate'))}%; small boxes ${formatNumber(m('giou', 'smallIou'))} vs ${formatNumber(m('smooth-l1', 'smallIou'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "GIoU's mean IoU": giou, "smooth L1's mean IoU": l1 },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (giou < LEARNED_IOU && l1 < LEARNED_IOU)
      return inconclusive(
        numbers,
        `neither model learned to place boxes (both mean IoUs below ${LEARNED_IOU})`,
      );
    if (gain <= 0)
      return decided(false, `${numbers} The claim fails: smooth L1 is at least as good on mean IoU.`);
    if (gain >= MIN_GAIN)
      return decided(
        true,
        `${numbers} GIoU's boxes overlap the truth better by at least ${MIN_GAIN} of IoU.`,
      );
    return {
      outcome: 'inconclusive',
      explanation: `${numbers} Inconclusive: GIoU is ahead, but by less than ${MIN_GAIN}, which the run-to-run noise can explain.`,
    };
  },
});
