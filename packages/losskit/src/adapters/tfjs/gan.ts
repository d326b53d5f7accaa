import * as tf from '@tensorflow/tfjs-core';
import { ganDiscriminatorLoss } from '../../losses/gan/ganDiscriminator.js';
import { ganGeneratorLoss } from '../../losses/gan/ganGenerator.js';
import { hingeGanDiscriminatorLoss } from '../../losses/gan/hingeGanDiscriminator.js';
import { hingeGanGeneratorLoss } from '../../losses/gan/hingeGanGenerator.js';
import { lsganDiscriminatorLoss } from '../../losses/gan/lsganDiscriminator.js';
import { lsganGeneratorLoss } from '../../losses/gan/lsganGenerator.js';
import { wganCriticLoss } from '../../losses/gan/wganCritic.js';
import { wganGeneratorLoss } from '../../losses/gan/wganGenerator.js';
import { defineTfLoss } from './define.js';
import { meanOrZero, probabilityBce } from './ops.js';

// The adversarial losses in TF.js ops, with the core's names, options and semantics (API.md).
// Every expectation is a mean over its own tensor (real and fake batches may differ in size);
// an empty tensor has expectation 0.

/** E[−log D] (binary cross-entropy against "real"): softplus(−x) for logits, torch's BCE for probabilities. */
function againstReal(d: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return meanOrZero(fromLogits ? tf.softplus(tf.neg(d)) : probabilityBce(d, tf.onesLike(d)));
}

/** E[−log(1 − D)] (binary cross-entropy against "fake"): softplus(x) for logits, torch's BCE for probabilities. */
function againstFake(d: tf.Tensor, fromLogits: boolean): tf.Tensor {
  return meanOrZero(fromLogits ? tf.softplus(d) : probabilityBce(d, tf.zerosLike(d)));
}

/** E[½(D − target)²]. */
const halfSquaredTo = (d: tf.Tensor, target: number) => meanOrZero(tf.mul(0.5, tf.square(tf.sub(d, target))));

/** −E[log D(x)] − E[log(1 − D(G(z)))] on critic outputs, as the core `ganDiscriminator`. */
export const { entry: ganDiscriminatorTf, fn: ganDiscriminator } = defineTfLoss(
  'ganDiscriminator',
  ganDiscriminatorLoss,
  {
    compute: (t, o) => tf.add(againstReal(t.real, o.fromLogits), againstFake(t.fake, o.fromLogits)),
  },
);

/** The generator's loss (non-saturating by default), as the core `ganGenerator`. */
export const { entry: ganGeneratorTf, fn: ganGenerator } = defineTfLoss('ganGenerator', ganGeneratorLoss, {
  // Non-saturating −E[log D(G(z))]; saturating E[log(1 − D(G(z)))].
  compute: (t, o) =>
    o.saturating ? tf.neg(againstFake(t.fake, o.fromLogits)) : againstReal(t.fake, o.fromLogits),
});

/** ½E[(D(x) − 1)²] + ½E[D(G(z))²], as the core `lsganDiscriminator`. */
export const { entry: lsganDiscriminatorTf, fn: lsganDiscriminator } = defineTfLoss(
  'lsganDiscriminator',
  lsganDiscriminatorLoss,
  {
    compute: (t) => tf.add(halfSquaredTo(t.real, 1), halfSquaredTo(t.fake, 0)),
  },
);

/** ½E[(D(G(z)) − 1)²], as the core `lsganGenerator`. */
export const { entry: lsganGeneratorTf, fn: lsganGenerator } = defineTfLoss(
  'lsganGenerator',
  lsganGeneratorLoss,
  {
    compute: (t) => halfSquaredTo(t.fake, 1),
  },
);

/** E[D(G(z))] − E[D(x)], as the core `wganCritic`. */
export const { entry: wganCriticTf, fn: wganCritic } = defineTfLoss('wganCritic', wganCriticLoss, {
  compute: (t) => tf.sub(meanOrZero(t.fake), meanOrZero(t.real)),
});

/** −E[D(G(z))], as the core `wganGenerator`. */
export const { entry: wganGeneratorTf, fn: wganGenerator } = defineTfLoss(
  'wganGenerator',
  wganGeneratorLoss,
  {
    compute: (t) => tf.neg(meanOrZero(t.fake)),
  },
);

/** E[max(0, 1 − D(x))] + E[max(0, 1 + D(G(z)))], as the core `hingeGanDiscriminator` (relu: no gradient at the hinge). */
export const { entry: hingeGanDiscriminatorTf, fn: hingeGanDiscriminator } = defineTfLoss(
  'hingeGanDiscriminator',
  hingeGanDiscriminatorLoss,
  {
    compute: (t) => tf.add(meanOrZero(tf.relu(tf.sub(1, t.real))), meanOrZero(tf.relu(tf.add(1, t.fake)))),
  },
);

/** −E[D(G(z))], as the core `hingeGanGenerator`. */
export const { entry: hingeGanGeneratorTf, fn: hingeGanGenerator } = defineTfLoss(
  'hingeGanGenerator',
  hingeGanGeneratorLoss,
  {
    compute: (t) => tf.neg(meanOrZero(t.fake)),
  },
);

export const ganTfLosses = {
  ganDiscriminator: ganDiscriminatorTf,
  ganGenerator: ganGeneratorTf,
  lsganDiscriminator: lsganDiscriminatorTf,
  lsganGenerator: lsganGeneratorTf,
  wganCritic: wganCriticTf,
  wganGenerator: wganGeneratorTf,
  hingeGanDiscriminator: hingeGanDiscriminatorTf,
  hingeGanGenerator: hingeGanGeneratorTf,
} as const;
