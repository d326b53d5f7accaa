// One short example per loss family, the same code as the README's "Examples" section.
// Run: npm run example
import {
  binaryCrossEntropyWithLogits,
  dice,
  focal,
  gae,
  ganDiscriminator,
  huber,
  klDivergence,
  losses,
  ppoClip,
  sparseCategoricalCrossEntropy,
  tensor,
  tokenCrossEntropy,
  triplet,
  tripletBatchHard,
  vaeLoss,
} from '../packages/losskit/src/index.js';

/** Computes one loss of every family and returns the printed lines. */
export function familyExamples(): string[] {
  const out: string[] = [];
  const show = (label: string, value: number) => out.push(`${label.padEnd(44)} ${value.toFixed(6)}`);

  // Regression: Huber is quadratic inside delta and linear outside.
  show('regression  huber', huber([2.5, 0.0, 2.0], [3.0, -0.5, 9.0], { delta: 1 }).item());
  const { grads } = losses.huber.valueAndGrad({ input: [2.5, 0.0, 2.0], target: [3.0, -0.5, 9.0] });
  show('            |d huber / d input|', Math.hypot(...grads.input.data));

  // Classification: logits in, classes on the last axis.
  show('classification  bce with logits', binaryCrossEntropyWithLogits([2.0, -1.0, 0.5], [1, 0, 1]).item());
  show('                focal (alpha 0.25, gamma 2)', focal([2.0, -1.0, 0.5], [1, 0, 1]).item());
  show('                sparse CE', sparseCategoricalCrossEntropy([[2, 0.5, -1], [0.1, 0.2, 3]], [0, 2]).item());

  // Ranking: triplets pull the positive closer than the negative by a margin.
  const anchor = [[0, 0], [1, 1]];
  show('ranking  triplet', triplet(anchor, [[0.1, 0], [1, 0.9]], [[0.5, 0.5], [3, 3]]).item());
  const mined = tripletBatchHard([[0, 0], [0.2, 0], [3, 3], [3.1, 2.9]], [0, 0, 1, 1], { margin: 1 });
  show('         batch-hard triplet', mined.value.item());

  // Sequence: token cross-entropy ignores -100 by default; KL(P‖Q) takes Q first.
  const logits = tensor([[[2, 0, -1], [0, 1, 0]]]); // [batch 1, T 2, V 3]
  show('sequence  token CE', tokenCrossEntropy(logits, [[0, -100]]).item());
  show('          KL(P‖Q), Q from logits', klDivergence([[1, 0, -1]], [[0.7, 0.2, 0.1]]).item());

  // Segmentation: Dice keeps eps in numerator and denominator.
  const mask = tensor([1, 0, 0, 1], [1, 2, 2]);
  show('segmentation  dice', dice(tensor([0.9, 0.1, 0.2, 0.7], [1, 2, 2]), mask).item());

  // GAN: each expectation is a mean over its own batch.
  show('gan  discriminator (logits)', ganDiscriminator([2.0, 1.5], [-1.0, 0.5, -2.0]).item());

  // RL: advantages from GAE, then the clipped PPO objective.
  const { advantages } = gae([1, 1, 1], [0.5, 0.4, 0.3], [0, 0, 1], { gamma: 0.99, lambda: 0.95 });
  show('rl  ppoClip', ppoClip([-0.5, -1.0, -0.2], [-0.6, -0.9, -0.2], advantages).item());

  // Autoencoder: reconstruction + beta * KL, averaged over the batch.
  const x = [[0.2, 0.8], [0.5, 0.1]];
  show('autoencoder  vaeLoss (beta 1)', vaeLoss(x, [[0.25, 0.7], [0.4, 0.2]], [[0.1, -0.2], [0, 0.3]], [[0.0, -0.1], [0.2, 0]]).item());
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of familyExamples()) console.log(line);
}
