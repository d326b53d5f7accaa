// Experiment 4: segmentation of small objects (about 2% foreground) with a tiny conv net:
// BCE vs Dice vs IoU vs BCE + Dice.
import { noGrad, ops } from 'losskit';
import { diceScore, iouScore } from 'losskit';
import { Conv2d, Module, type Rng } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, takeRows, trainStep } from 'losskit';
import { rngFor } from '../data/rng-for.js';
import { foregroundShare, smallObjects } from '../data/small-objects.js';
import { defineExperiment, type ImageGrid, type Metrics, type Series } from '../experiment.js';
import { binaryScores } from '../metrics.js';
import { type LossArm, armObjective, armVariant } from './loss-arm.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const SIZE = 20;
const CHANNELS = 6;
const THRESHOLD = 0.5;
/** Each overlap loss must beat BCE's test IoU by at least this much for the claim to hold. */
const IOU_MARGIN = 0.01;
const DATA = { size: SIZE, contrast: 1, noise: 0.45, specks: 6 } as const;

const arms = [
  { id: 'bce', label: 'BCE', loss: 'binaryCrossEntropyWithLogits' },
  { id: 'dice', label: 'Dice', loss: 'dice', options: { fromLogits: true } },
  { id: 'iou', label: 'IoU', loss: 'iou', options: { fromLogits: true } },
  { id: 'bce-dice', label: 'BCE + Dice', loss: 'bceDice', options: { fromLogits: true, alpha: 0.5 } },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];
const OVERLAP: readonly VariantId[] = ['dice', 'iou', 'bce-dice'];

/**
 * A two-scale conv net: conv at full resolution, max-pool, conv at half resolution, upsample,
 * add the full-resolution features back (a skip connection), then a conv to one logit per pixel.
 */
class TinySegmenter extends Module {
  private readonly inner: Conv2d;
  private readonly coarse: Conv2d;
  private readonly head: Conv2d;

  constructor(channels: number, rng: Rng) {
    super();
    const options = { padding: 'same', rng, dtype: 'float64' } as const;
    this.inner = this.addModule('inner', new Conv2d(1, channels, 3, options));
    this.coarse = this.addModule('coarse', new Conv2d(channels, channels, 3, options));
    this.head = this.addModule('head', new Conv2d(channels, 1, 3, options));
  }

  forward(images: Tensor): Tensor {
    const fine = ops.relu(this.inner.forward(images));
    const coarse = ops.relu(this.coarse.forward(ops.maxPool2d(fine)));
    return this.head.forward(ops.add(fine, ops.upsample2d(coarse)));
  }
}

const PIXELS = SIZE * SIZE;
/** `count` row-major images of `PIXELS` pixels as a [count, 1, SIZE, SIZE] tensor (no copy). */
const asImages = (pixels: Float64Array, count: number) => new Tensor(pixels, [count, 1, SIZE, SIZE]);
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Logits of `images` (no graph). */
function predict(model: TinySegmenter, images: Tensor): Tensor {
  return noGrad(() => model.forward(images));
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

export const segmentationSmallObjects = defineExperiment({
  name: 'segmentation-small-objects',
  title: 'Segmentation of small objects: BCE vs Dice vs IoU vs BCE + Dice',
  claim: `On small foreground objects (about 2% of the pixels), the overlap losses (Dice, IoU, BCE + Dice) each reach a higher test IoU than plain BCE (by at least ${IOU_MARGIN}) for the same training budget.`,
  setup: `${SIZE}×${SIZE} grey-scale images with one or two objects (2×2 or 3×3 squares, small discs) of brightness 1 on Gaussian noise (σ = ${DATA.noise}), plus ${DATA.specks} bright single-pixel specks that are not objects. A tiny conv net (3×3 convs with ${CHANNELS} channels at full and half resolution, max-pool, nearest upsampling, skip connection; 445 weights) is trained from the same initialisation with Adam (lr 0.01, batches of 8) for the same number of steps under each loss, and evaluated on held-out images with the mask thresholded at p > ${THRESHOLD}: IoU and Dice over all test pixels (iouScore and diceScore).`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'iou',
      label: 'test IoU',
      better: 'higher',
      description: `Intersection over union of the thresholded masks (p > ${THRESHOLD}) over all test pixels (iouScore).`,
    },
    {
      id: 'dice',
      label: 'test Dice',
      better: 'higher',
      description: `Dice coefficient (F1) of the thresholded masks over all test pixels (diceScore).`,
    },
    {
      id: 'recall',
      label: 'pixel recall',
      better: 'higher',
      description: 'Share of foreground pixels predicted as foreground.',
    },
    {
      id: 'precision',
      label: 'pixel precision',
      better: 'higher',
      description: 'Share of predicted foreground pixels that are foreground.',
    },
  ],
  headline: ['iou', 'dice'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'segmentation-small-objects/data');
    const train = smallObjects(dataRng, { ...DATA, count: quick ? 128 : 400 });
    const test = smallObjects(dataRng, { ...DATA, count: quick ? 48 : 160 });
    const steps = quick ? 80 : 400;
    const evalEvery = quick ? 20 : 50;
    const testImages = asImages(test.images, test.count);
    const testMasks = asImages(test.masks, test.count);
    const trainImages = asImages(train.images, train.count);
    const trainMasks = asImages(train.masks, train.count);
    const shown = range(6);
    const metrics: Record<string, Record<string, number>> = {};
    const curves: Series[] = [];
    const predictions: ImageGrid['images'][number][] = [];
    const testIou = (logits: Tensor) =>
      iouScore(logits, testMasks, { fromLogits: true, threshold: THRESHOLD });
    arms.forEach((variant, v) => {
      const model = new TinySegmenter(CHANNELS, rngFor(seed, 'segmentation-small-objects/init'));
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const objective = armObjective(variant);
      const curve: [number, number][] = [[0, testIou(predict(model, testImages))]];
      const batches = shuffledBatches({
        count: train.count,
        batchSize: 8,
        steps,
        rng: rngFor(seed, 'segmentation-small-objects/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const images = takeRows(trainImages, rows);
        const masks = takeRows(trainMasks, rows);
        trainStep(model, optimizer, () => objective(model.forward(images), masks), {
          measureGradNorm: false,
        });
        if ((step + 1) % evalEvery === 0) {
          curve.push([step + 1, testIou(predict(model, testImages))]);
          onProgress((v + (step + 1) / steps) / arms.length, `training ${variant.label}`);
        }
        step++;
      }
      const logits = predict(model, testImages);
      const probabilities = Float64Array.from(logits.data, sigmoid);
      // binaryScores counts p ≥ threshold; the overlap scores count p > threshold. Only an exact 0.5 differs.
      const { precision, recall } = binaryScores(probabilities, test.masks, THRESHOLD);
      metrics[variant.id] = {
        iou: testIou(logits),
        dice: diceScore(logits, testMasks, { fromLogits: true, threshold: THRESHOLD }),
        recall,
        precision,
      };
      curves.push({ name: variant.label, points: curve });
      for (const i of shown) {
        predictions.push({
          row: variant.label,
          column: `test ${i + 1}`,
          pixels: Array.from(probabilities.subarray(i * PIXELS, (i + 1) * PIXELS)),
        });
      }
    });
    const inputs = Array.from(shown, (i) => ({
      row: 'input',
      column: `test ${i + 1}`,
      pixels: Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS), (x) =>
        Math.min(1, Math.max(0, (x + 1) / 3)),
      ),
    }));
    const truths = Array.from(shown, (i) => ({
      row: 'ground truth',
      column: `test ${i + 1}`,
      pixels: Array.from(test.masks.subarray(i * PIXELS, (i + 1) * PIXELS)),
    }));
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Test IoU during training',
          caption: `IoU of the thresholded test masks (p > ${THRESHOLD}) every ${evalEvery} steps.`,
          x: { label: 'training step' },
          y: { label: 'test IoU', domain: [0, 1] },
          series: curves,
        },
        {
          kind: 'images',
          title: 'Test images, true masks and predicted probabilities per loss',
          caption:
            'Inputs are scaled from [−1, 2] to black…white; the predictions are the per-pixel probabilities (white = 1), before thresholding.',
          width: SIZE,
          height: SIZE,
          images: [...inputs, ...truths, ...predictions],
        },
      ],
      notes: [
        `Foreground: ${formatNumber(100 * foregroundShare(train))}% of the training pixels, ${formatNumber(100 * foregroundShare(test))}% of the test pixels; ${train.count} training and ${test.count} test images, ${steps} steps of 8 images.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const base = m('bce', 'iou');
    const label = (id: VariantId) => arms.find((v) => v.id === id)?.label ?? id;
    const numbers = `Test IoU: BCE ${formatNumber(base)}, ${OVERLAP.map((id) => `${label(id)} ${formatNumber(m(id, 'iou'))}`).join(', ')} (Dice: BCE ${formatNumber(m('bce', 'dice'))}, ${OVERLAP.map((id) => `${label(id)} ${formatNumber(m(id, 'dice'))}`).join(', ')}).`;
    const short = OVERLAP.filter((id) => !(m(id, 'iou') >= base + IOU_MARGIN));
    const ids: readonly VariantId[] = ['bce', ...OVERLAP];
    const undefinedMetric = inconclusiveUnlessFinite(
      Object.fromEntries(ids.map((id) => [`${label(id)}'s IoU`, m(id, 'iou')])),
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (ids.every((id) => m(id, 'iou') === 0))
      return inconclusive(numbers, 'no variant found any object pixel (every IoU is 0)');
    return short.length === 0
      ? decided(true, `${numbers} Every overlap loss beats BCE's IoU by at least ${IOU_MARGIN}.`)
      : decided(
          false,
          `${numbers} The claim fails: ${short.map(label).join(', ')} ${short.length === 1 ? 'does' : 'do'} not beat BCE's IoU ${formatNumber(base)} by at least ${IOU_MARGIN}.`,
        );
  },
});
