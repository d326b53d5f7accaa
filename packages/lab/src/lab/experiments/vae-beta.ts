// Experiment 9: a VAE on small synthetic images with β in {0.5, 1, 4}: the rate–distortion
// trade-off between reconstruction error and KL.
import { noGrad, ops } from 'losskit';
import { reconstruction, vaeKl, vaeLoss } from 'losskit';
import { Linear, Module, mlp, type Rng, type Sequential } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, takeRows, trainStep } from 'losskit';
import { rngFor } from '../data/rng-for.js';
import { type StrokeImages, strokeImages } from '../data/stroke-images.js';
import { defineExperiment, type ImageGrid, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { type LossArm, armVariant } from './loss-arm.js';

const SIZE = 8;
const PIXELS = SIZE * SIZE;
const HIDDEN = 32;
const LATENT = 4;
const BATCH = 32;
/** Test images drawn per β in the rate–distortion scatter. */
const SCATTERED = 150;
/** A latent unit counts as active when its mean KL over the test set exceeds this (nats). */
const ACTIVE_KL = 0.05;
/** Each step up in β must lower the KL and raise the reconstruction error by at least this share. */
const RELATIVE_STEP = 0.02;

// vaeLoss takes (decoded, x, μ, log σ²) rather than (prediction, target): `run` passes each
// variant's declared options to it directly.
const variants = [
  { id: 'beta-0.5', label: 'β = 0.5', loss: 'vaeLoss', options: { beta: 0.5, reconstruction: 'bce' } },
  { id: 'beta-1', label: 'β = 1', loss: 'vaeLoss', options: { beta: 1, reconstruction: 'bce' } },
  { id: 'beta-4', label: 'β = 4', loss: 'vaeLoss', options: { beta: 4, reconstruction: 'bce' } },
] as const satisfies readonly LossArm[];

type VariantId = (typeof variants)[number]['id'];

/** Encoder x → (μ, log σ²) through one hidden layer; decoder z → pixel probabilities. */
class SmallVae extends Module {
  private readonly body: Sequential;
  private readonly muHead: Linear;
  private readonly logVarHead: Linear;
  readonly decoder: Sequential;

  constructor(rng: Rng) {
    super();
    const options = { rng, dtype: 'float64' } as const;
    this.body = this.addModule('body', mlp([PIXELS, HIDDEN], { ...options, outputActivation: 'relu' }));
    this.muHead = this.addModule('mu', new Linear(HIDDEN, LATENT, { ...options, init: 'xavierUniform' }));
    this.logVarHead = this.addModule(
      'logVar',
      new Linear(HIDDEN, LATENT, { ...options, init: 'xavierUniform' }),
    );
    this.decoder = this.addModule(
      'decoder',
      mlp([LATENT, HIDDEN, PIXELS], { ...options, outputActivation: 'sigmoid' }),
    );
  }

  encode(images: Tensor): { mu: Tensor; logVar: Tensor } {
    const h = this.body.forward(images);
    return { mu: this.muHead.forward(h), logVar: this.logVarHead.forward(h) };
  }

  /** The decoder's pixel probabilities for a sample z = μ + σ·ε (the reparameterisation trick). */
  decodeSample(mu: Tensor, logVar: Tensor, noise: Tensor): Tensor {
    return this.decoder.forward(ops.add(mu, ops.mul(ops.exp(ops.mul(logVar, 0.5)), noise)));
  }

  forward(images: Tensor): Tensor {
    return this.decoder.forward(this.encode(images).mu);
  }
}

/** A `[rows, LATENT]` tensor of standard normal draws. */
function standardNormal(rng: Rng, rows: number): Tensor {
  return new Tensor(
    Float64Array.from({ length: rows * LATENT }, () => rng.normal()),
    [rows, LATENT],
  );
}

interface Evaluation {
  /** Reconstruction BCE per image (nats), z sampled from the posterior: the mean, and each image's. */
  readonly recon: number;
  readonly reconPerImage: Float64Array;
  /** KL per image (nats): the mean, and each image's. */
  readonly kl: number;
  readonly klPerImage: Float64Array;
  readonly activeUnits: number;
}

/** Sums of each row of a row-major `rows × width` array. */
function rowSums(data: ArrayLike<number>, width: number): Float64Array {
  const out = new Float64Array(data.length / width);
  for (let i = 0; i < data.length; i++) out[Math.floor(i / width)] += data[i];
  return out;
}

const average = (values: Float64Array) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** Test reconstruction and KL, with one posterior sample per image drawn with a fixed seed. */
function evaluate(model: SmallVae, images: Tensor, noise: Tensor): Evaluation {
  return noGrad(() => {
    const { mu, logVar } = model.encode(images);
    const decoded = model.decodeSample(mu, logVar, noise);
    const reconPerImage = rowSums(
      reconstruction(decoded, images, { kind: 'bce', reduction: 'none' }).data,
      PIXELS,
    );
    const klTerms = vaeKl(mu, logVar, { reduction: 'none' }).data;
    const klPerImage = rowSums(klTerms, LATENT);
    const unitKl = new Float64Array(LATENT);
    for (let i = 0; i < klTerms.length; i++) unitKl[i % LATENT] += klTerms[i] / images.shape[0];
    return {
      recon: average(reconPerImage),
      reconPerImage,
      kl: average(klPerImage),
      klPerImage,
      activeUnits: unitKl.filter((v) => v > ACTIVE_KL).length,
    };
  });
}

const range = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
const imagesOf = (data: StrokeImages, indices: Int32Array) =>
  takeRows(new Tensor(data.images, [data.count, PIXELS]), indices);

export const vaeBeta = defineExperiment({
  name: 'vae-beta',
  title: 'VAE on small images: β = 0.5 vs 1 vs 4',
  claim: `Raising β trades reconstruction quality for a smaller KL: from β = 0.5 to 1 to 4, the test KL falls and the test reconstruction error rises at each step (each by at least ${RELATIVE_STEP * 100}%).`,
  setup: `${SIZE}×${SIZE} binary images of one stroke shape each (horizontal, vertical or diagonal bar, square outline, plus) at a random place and size. A VAE (encoder ${PIXELS} → ${HIDDEN} → μ, log σ² in ${LATENT}-D; decoder ${LATENT} → ${HIDDEN} → ${PIXELS} with sigmoid outputs; ReLU) is trained from the same initialisation with Adam (lr 0.003, batches of ${BATCH}) on vaeLoss with a Bernoulli (BCE) reconstruction term, sampling z = μ + σ·ε through the autograd graph. On held-out images it reports the reconstruction BCE and the KL, each in nats per image, with one posterior sample per image.`,
  variants: variants.map(armVariant),
  metrics: [
    {
      id: 'recon',
      label: 'reconstruction (nats)',
      better: 'lower',
      digits: 2,
      description:
        'Test reconstruction BCE summed over the pixels of an image, averaged over images (distortion).',
    },
    {
      id: 'kl',
      label: 'KL (nats)',
      better: 'neither',
      digits: 2,
      description:
        'Test KL(q(z|x) ‖ N(0, I)) per image (rate): the information the code carries about the image.',
    },
    {
      id: 'negElbo',
      label: '−ELBO (nats)',
      better: 'lower',
      digits: 2,
      description: 'Reconstruction + KL per image, the β = 1 objective: a bound on −log p(x).',
    },
    {
      id: 'activeUnits',
      label: 'active latent units',
      better: 'neither',
      digits: 0,
      description: `Latent dimensions whose mean test KL exceeds ${ACTIVE_KL} nats.`,
    },
  ],
  headline: ['recon', 'kl'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'vae-beta/data');
    const train = strokeImages(dataRng, { count: quick ? 600 : 2000, size: SIZE });
    const test = strokeImages(dataRng, { count: quick ? 200 : 500, size: SIZE });
    const steps = quick ? 300 : 2500;
    const evalEvery = quick ? 50 : 125;
    const testImages = imagesOf(test, range(test.count));
    const testNoise = standardNormal(rngFor(seed, 'vae-beta/test-noise'), test.count);
    const priorDraws = standardNormal(rngFor(seed, 'vae-beta/prior'), 8);
    const shown = range(8);
    const shownImages = imagesOf(test, shown);
    const metrics: Record<string, Record<string, number>> = {};
    const frontier: Series[] = [];
    const means: [number, number][] = [];
    const klCurves: Series[] = [];
    const reconCurves: Series[] = [];
    const reconstructions: ImageGrid['images'][number][] = Array.from(shown, (i) => ({
      row: 'input',
      column: `test ${i + 1}`,
      pixels: Array.from(test.images.subarray(i * PIXELS, (i + 1) * PIXELS)),
    }));
    const samples: ImageGrid['images'][number][] = [];
    variants.forEach((variant, v) => {
      const model = new SmallVae(rngFor(seed, 'vae-beta/init'));
      const optimizer = new Adam(model.parameters(), { lr: 0.003 });
      const noiseRng = rngFor(seed, 'vae-beta/noise');
      const klCurve: [number, number][] = [];
      const reconCurve: [number, number][] = [];
      const record = (step: number) => {
        const e = evaluate(model, testImages, testNoise);
        klCurve.push([step, e.kl]);
        reconCurve.push([step, e.recon]);
      };
      record(0);
      const trainImages = new Tensor(train.images, [train.count, PIXELS]);
      const batches = shuffledBatches({
        count: train.count,
        batchSize: BATCH,
        steps,
        rng: rngFor(seed, 'vae-beta/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const images = takeRows(trainImages, rows);
        trainStep(
          model,
          optimizer,
          () => {
            const { mu, logVar } = model.encode(images);
            const decoded = model.decodeSample(mu, logVar, standardNormal(noiseRng, rows.length));
            return vaeLoss(decoded, images, mu, logVar, variant.options);
          },
          { measureGradNorm: false },
        );
        step++;
        if (step % evalEvery === 0) {
          record(step);
          onProgress((v + step / steps) / variants.length, `training ${variant.label}`);
        }
      }
      const result = evaluate(model, testImages, testNoise);
      metrics[variant.id] = {
        recon: result.recon,
        kl: result.kl,
        negElbo: result.recon + result.kl,
        activeUnits: result.activeUnits,
      };
      frontier.push({
        name: variant.label,
        points: Array.from(
          { length: Math.min(SCATTERED, test.count) },
          (_, i) => [result.klPerImage[i], result.reconPerImage[i]] as const,
        ),
      });
      means.push([result.kl, result.recon]);
      klCurves.push({ name: variant.label, points: klCurve });
      reconCurves.push({ name: variant.label, points: reconCurve });
      noGrad(() => {
        const means = model.forward(shownImages).data;
        for (const i of shown) {
          reconstructions.push({
            row: variant.label,
            column: `test ${i + 1}`,
            pixels: Array.from(means.subarray(i * PIXELS, (i + 1) * PIXELS)),
          });
        }
        const drawn = model.decoder.forward(priorDraws).data;
        for (let k = 0; k < priorDraws.shape[0]; k++) {
          samples.push({
            row: variant.label,
            column: `z ${k + 1}`,
            pixels: Array.from(drawn.subarray(k * PIXELS, (k + 1) * PIXELS)),
          });
        }
      });
    });
    return {
      metrics,
      charts: [
        {
          kind: 'scatter',
          title: 'Rate–distortion: reconstruction error against KL',
          caption: `One dot per test image (the first ${SCATTERED}) per β, and the line through each β's mean: raising β should move the mass left (less KL) and up (worse reconstruction).`,
          x: { label: 'KL per image (nats)' },
          y: { label: 'reconstruction BCE per image (nats)' },
          series: frontier,
          lines: [{ name: 'mean, β = 0.5 → 1 → 4', points: means }],
        },
        {
          kind: 'line',
          title: 'Test KL during training',
          x: { label: 'training step' },
          y: { label: 'KL per image (nats)' },
          series: klCurves,
        },
        {
          kind: 'line',
          title: 'Test reconstruction error during training',
          x: { label: 'training step' },
          y: { label: 'reconstruction BCE per image (nats)' },
          series: reconCurves,
        },
        {
          kind: 'images',
          title: 'Test images and their reconstructions per β',
          caption:
            'Reconstructions decode the posterior mean μ; pixels are the decoder’s probabilities (white = 1).',
          width: SIZE,
          height: SIZE,
          images: reconstructions,
        },
        {
          kind: 'images',
          title: 'Samples from the prior per β',
          caption: 'The same eight draws z ~ N(0, I) decoded by each model.',
          width: SIZE,
          height: SIZE,
          images: samples,
        },
      ],
      notes: [
        `${train.count} training and ${test.count} test images, ${steps} steps of ${BATCH} images per β.`,
        `Active latent units (of ${LATENT}): ${variants.map((v) => `${v.label}: ${metrics[v.id].activeUnits}`).join(', ')}; a unit with no KL carries no information (posterior collapse).`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const ids: readonly VariantId[] = variants.map((v) => v.id);
    const label = (id: VariantId) => variants.find((v) => v.id === id)?.label ?? id;
    const kl = ids.map((id) => metricOf(metrics, id, 'kl'));
    const recon = ids.map((id) => metricOf(metrics, id, 'recon'));
    const numbers = `KL per image: ${ids.map((id, i) => `${label(id)} ${formatNumber(kl[i])}`).join(', ')}; reconstruction: ${ids.map((id, i) => `${label(id)} ${formatNumber(recon[i])}`).join(', ')} (nats).`;
    const failures: string[] = [];
    for (let i = 1; i < ids.length; i++) {
      const step = `from ${label(ids[i - 1])} to ${label(ids[i])}`;
      if (!(kl[i] <= kl[i - 1] * (1 - RELATIVE_STEP)))
        failures.push(`the KL does not fall by ${RELATIVE_STEP * 100}% ${step}`);
      if (!(recon[i] >= recon[i - 1] * (1 + RELATIVE_STEP)))
        failures.push(`the reconstruction error does not rise by ${RELATIVE_STEP * 100}% ${step}`);
    }
    const undefinedMetric = inconclusiveUnlessFinite(
      Object.fromEntries(
        ids.flatMap((id, i) => [
          [`the KL at ${label(id)}`, kl[i]],
          [`the reconstruction at ${label(id)}`, recon[i]],
        ]),
      ),
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (kl.every((v) => v === 0))
      return inconclusive(numbers, 'the posterior collapsed at every β (KL 0), so there is no KL to trade');
    return failures.length === 0
      ? decided(
          true,
          `${numbers} Each step up in β lowers the KL and raises the reconstruction error by at least ${RELATIVE_STEP * 100}%.`,
        )
      : decided(false, `${numbers} The claim fails: ${failures.join('; ')}.`);
  },
});
