// Option combinations and edge inputs that the oracle cases do not cover: the adapter must still
// give the core's value and gradient (kinks, clamps, ignored labels, unbatched and 0-d inputs,
// empty batches), on the cpu and wasm backends.
import { before, describe, test } from 'node:test';
import { type LossEntry, losses } from '../../index.js';
import { type PlainTensor, assertMatchesCore } from '../../../../../test/helpers/tfjs-compare.js';
import { BACKENDS, useBackend } from '../../../../../test/helpers/tfjs-backends.js';

/** A deterministic uniform [0, 1) generator (Park–Miller). */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}
const next = uniform(2024);

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const of = (shape: number[], data: number[]): PlainTensor => ({ shape, data });
const filled = (shape: number[], value: (i: number) => number): PlainTensor => ({
  shape,
  data: Array.from({ length: size(shape) }, (_, i) => value(i)),
});
const logits = (shape: number[]) => filled(shape, () => next() * 6 - 3);
const probs = (shape: number[]) => filled(shape, () => 0.02 + 0.96 * next());
const binary = (shape: number[]) => filled(shape, (i) => (i % 3 === 0 ? 1 : 0));
/** Integer labels in [0, classes), with every third one replaced by `ignore` when given. */
const labels = (shape: number[], classes: number, ignore?: number) =>
  filled(shape, (i) => (ignore !== undefined && i % 3 === 1 ? ignore : Math.floor(next() * classes)));

interface Case {
  readonly title: string;
  readonly loss: keyof typeof losses;
  readonly inputs: Record<string, PlainTensor>;
  readonly options?: Record<string, unknown>;
  readonly upstream?: PlainTensor;
}

const cases: Case[] = [
  {
    title: 'mae at exact ties has gradient 0 there',
    loss: 'mae',
    inputs: { input: of([4], [1, 2, 3, 4]), target: of([4], [1, 0, 3, 5]) },
  },
  {
    title: 'huber with |d| exactly δ',
    loss: 'huber',
    inputs: { input: of([3], [1.5, -0.5, 0]), target: of([3], [0, 0, 0]) },
    options: { delta: 0.5 },
  },
  {
    title: 'smoothL1 with β = 0 is L1',
    loss: 'smoothL1',
    inputs: { input: logits([5]), target: logits([5]) },
    options: { beta: 0 },
  },
  {
    title: 'sparse probabilities with class weights, ignoreIndex 0 and smoothing',
    loss: 'sparseCategoricalCrossEntropy',
    inputs: { input: probs([6, 4]), target: labels([6], 4, 0) },
    options: { fromLogits: false, weight: of([4], [0.5, 2, 1, 1.5]), ignoreIndex: 0, labelSmoothing: 0.1 },
  },
  {
    title: "sparse 'none' with weights, an ignored label and an upstream",
    loss: 'sparseCategoricalCrossEntropy',
    inputs: { input: logits([2, 3, 4]), target: labels([2, 3], 4, -100) },
    options: { weight: of([4], [1, 2, 3, 4]), ignoreIndex: -100, reduction: 'none' },
    upstream: logits([2, 3]),
  },
  {
    title: 'an unbatched [C] input with a 0-d label',
    loss: 'sparseCategoricalCrossEntropy',
    inputs: { input: logits([4]), target: of([], [2]) },
  },
  {
    title: 'categorical probabilities below the clip and exactly 1, unbatched',
    loss: 'categoricalCrossEntropy',
    inputs: { input: of([4], [1e-9, 1, 0, 0.5]), target: of([4], [0.25, 0.25, 0.25, 0.25]) },
    options: { fromLogits: false, labelSmoothing: 0.1 },
  },
  {
    title: 'focal on probabilities that equal the target (q = 0) with γ = 0.5',
    loss: 'focal',
    inputs: { input: of([5], [1, 0, 0.3, 0.8, 0.999]), target: of([5], [1, 0, 0, 1, 0]) },
    options: { fromLogits: false, gamma: 0.5, alpha: null },
  },
  {
    title: "focal 'none' on logits with γ = 0.5 and an upstream",
    loss: 'focal',
    inputs: { input: logits([2, 3]), target: binary([2, 3]) },
    options: { gamma: 0.5, alpha: 0.6, reduction: 'none' },
    upstream: logits([2, 3]),
  },
  {
    title: 'BCE with logits on a 0-d input with a [1] posWeight',
    loss: 'binaryCrossEntropyWithLogits',
    inputs: { input: of([], [0.7]), target: of([], [1]) },
    options: { posWeight: of([1], [3]) },
  },
  {
    title: 'BCE with logits with a 0-d posWeight',
    loss: 'binaryCrossEntropyWithLogits',
    inputs: { input: logits([2, 3]), target: binary([2, 3]) },
    options: { posWeight: of([], [2.5]), reduction: 'sum' },
  },
  {
    title: 'BCE on probabilities of exactly 0 and 1 (torch gradient floor)',
    loss: 'binaryCrossEntropy',
    inputs: { input: of([4], [0, 1, 0, 1]), target: of([4], [1, 0, 0, 1]) },
  },
  {
    title: 'contrastive with identical embeddings in a similar and a dissimilar pair',
    loss: 'contrastive',
    inputs: {
      a: of([3, 2], [1, 2, 1, 2, 0, 1]),
      b: of([3, 2], [1, 2, 1, 2, 3, -1]),
      label: of([3], [1, 0, 0]),
    },
    options: { margin: 2 },
  },
  {
    title: 'triplet with p = 3 and the distance swap',
    loss: 'triplet',
    inputs: { anchor: logits([4, 3]), positive: logits([4, 3]), negative: logits([4, 3]) },
    options: { p: 3, swap: true, margin: 2 },
  },
  {
    title: 'triplet on one unbatched row with p = 1.5',
    loss: 'triplet',
    inputs: { anchor: logits([3]), positive: logits([3]), negative: logits([3]) },
    options: { p: 1.5, margin: 3 },
  },
  {
    title: 'pairwise hinge exactly at the margin',
    loss: 'pairwiseHinge',
    inputs: { positive: of([3], [2, 1, 0]), negative: of([3], [1, 1, 0.5]) },
  },
  {
    title: 'tokens with smoothing, padding and a normalizer',
    loss: 'tokenCrossEntropy',
    inputs: { input: logits([2, 3, 4]), target: labels([2, 3], 4, -100) },
    options: { labelSmoothing: 0.1, normalizer: 5 },
  },
  {
    title: "tokens 'none' with smoothing and an upstream",
    loss: 'tokenCrossEntropy',
    inputs: { input: logits([2, 3, 4]), target: labels([2, 3], 4, -100) },
    options: { labelSmoothing: 0.2, reduction: 'none' },
    upstream: logits([2, 3]),
  },
  {
    title: "uniform smoothing with an ignored class index, 'none'",
    loss: 'labelSmoothingCrossEntropy',
    inputs: { input: logits([5, 3]), target: labels([5], 3, 1) },
    options: { distribution: 'uniform', smoothing: 0.3, ignoreIndex: 1, reduction: 'none' },
    upstream: logits([5]),
  },
  {
    title: "'others' smoothing over a single class",
    loss: 'labelSmoothingCrossEntropy',
    inputs: { input: logits([3, 1]), target: of([3], [0, 0, 0]) },
  },
  {
    title: 'KL of probabilities Q against logits P',
    loss: 'klDivergence',
    inputs: { input: probs([3, 4]), target: logits([3, 4]) },
    options: { inputKind: 'probs', targetKind: 'logits' },
  },
  {
    title: "KL of logits against log-probabilities, 'none' with an upstream",
    loss: 'klDivergence',
    inputs: {
      input: logits([2, 3]),
      target: of([2, 3], [0.3, 0.5, 0.2, 0.9, 0.05, 0.05].map(Math.log)),
    },
    options: { targetKind: 'logProbs', reduction: 'none' },
    upstream: logits([2, 3]),
  },
  {
    title: 'KL with Q = 0 where P = 0',
    loss: 'klDivergence',
    inputs: {
      input: of([2, 3], [0.5, 0.5, 0, 0.2, 0.3, 0.5]),
      target: of([2, 3], [0.4, 0.6, 0, 0.1, 0.1, 0.8]),
    },
    options: { inputKind: 'probs', reduction: 'sum' },
  },
  { title: 'Dice of a 0-d input', loss: 'dice', inputs: { input: of([], [0.7]), target: of([], [1]) } },
  {
    title: 'per-sample IoU on logits with ε = 0.5',
    loss: 'iou',
    inputs: { input: logits([3, 2, 2]), target: binary([3, 2, 2]) },
    options: { fromLogits: true, aggregate: 'sample', eps: 0.5 },
  },
  {
    title: 'per-sample BCE + IoU with probabilities of exactly 0 and 1',
    loss: 'bceIou',
    inputs: { input: of([2, 2], [0, 1, 0.5, 1]), target: of([2, 2], [1, 1, 0, 0]) },
    options: { aggregate: 'sample', alpha: 0.4 },
  },
  {
    title: 'the GAN discriminator on probabilities of exactly 0 and 1, batches of different sizes',
    loss: 'ganDiscriminator',
    inputs: { real: of([3], [1, 0, 0.5]), fake: of([2], [0, 1]) },
    options: { fromLogits: false },
  },
  {
    title: 'the saturating generator on logits',
    loss: 'ganGenerator',
    inputs: { fake: logits([4]) },
    options: { saturating: true },
  },
  { title: 'an empty fake batch has expectation 0', loss: 'wganGenerator', inputs: { fake: of([0], []) } },
  {
    title: 'advantage normalisation is skipped for a single sample',
    loss: 'policyGradient',
    inputs: { logProbs: of([1], [-0.7]), advantages: of([1], [2.5]) },
    options: { normalizeAdvantages: true },
  },
  {
    title: "normalised advantages, 'none' with an upstream",
    loss: 'policyGradient',
    inputs: { logProbs: logits([2, 3]), advantages: logits([2, 3]) },
    options: { normalizeAdvantages: true, reduction: 'none' },
    upstream: logits([2, 3]),
  },
  {
    title: "PPO ratios outside the band on both sides, 'none' with an upstream",
    loss: 'ppoClip',
    inputs: {
      logProbs: of([6], [0.5, -0.5, 0.5, -0.5, 0.05, 0]),
      oldLogProbs: of([6], [0, 0, 0, 0, 0, 0]),
      advantages: of([6], [1, 1, -1, -1, 2, -3]),
    },
    options: { reduction: 'none' },
    upstream: of([6], [1, 2, 3, 4, 5, 6]),
  },
  {
    title: "BCE reconstruction of exact 0s and 1s, 'batchmean'",
    loss: 'reconstruction',
    inputs: { input: of([2, 2], [0, 1, 0.3, 1]), target: of([2, 2], [0, 0, 1, 1]) },
    options: { kind: 'bce', reduction: 'batchmean' },
  },
  {
    title: "vaeKl of [N, Z, K] latents, 'none' with an upstream",
    loss: 'vaeKl',
    inputs: { mu: logits([2, 2, 2]), logVar: logits([2, 2, 2]) },
    options: { reduction: 'none' },
    upstream: logits([2, 2, 2]),
  },
  {
    title: "the VAE loss of image-shaped inputs, 'batchmean'",
    loss: 'vaeLoss',
    inputs: { input: probs([2, 2, 3]), target: probs([2, 2, 3]), mu: logits([2, 4]), logVar: logits([2, 4]) },
    options: { reconstruction: 'bce', beta: 2 },
  },
  {
    title: "the VAE loss with L1 reconstruction, 'mean'",
    loss: 'vaeLoss',
    inputs: { input: logits([3, 2]), target: logits([3, 2]), mu: logits([3, 2]), logVar: logits([3, 2]) },
    options: { reconstruction: 'l1', reduction: 'mean', beta: 0.5 },
  },
];

for (const backend of BACKENDS) {
  describe(`the adapter equals the core beyond the oracle cases (${backend})`, () => {
    before(() => useBackend(backend));
    for (const c of cases) {
      test(`${c.loss}: ${c.title}`, () => {
        const entry = losses[c.loss] as unknown as LossEntry;
        assertMatchesCore(entry, c.inputs, c.options ?? {}, c.upstream, `${c.loss}: ${c.title}`);
      });
    }
  });
}
