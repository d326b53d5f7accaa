import * as tf from '@tensorflow/tfjs-core';
import { type TfOptions, defineTfLoss } from './define.js';
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

export const ganDiscriminatorTf = defineTfLoss('ganDiscriminator', {
  compute: (t, o) => tf.add(againstReal(t.real, o.fromLogits), againstFake(t.fake, o.fromLogits)),
});

export const ganGeneratorTf = defineTfLoss('ganGenerator', {
  // Non-saturating −E[log D(G(z))]; saturating E[log(1 − D(G(z)))].
  compute: (t, o) =>
    o.saturating ? tf.neg(againstFake(t.fake, o.fromLogits)) : againstReal(t.fake, o.fromLogits),
});

export const lsganDiscriminatorTf = defineTfLoss('lsganDiscriminator', {
  compute: (t) => tf.add(halfSquaredTo(t.real, 1), halfSquaredTo(t.fake, 0)),
});

export const lsganGeneratorTf = defineTfLoss('lsganGenerator', {
  compute: (t) => halfSquaredTo(t.fake, 1),
});

export const wganCriticTf = defineTfLoss('wganCritic', {
  compute: (t) => tf.sub(meanOrZero(t.fake), meanOrZero(t.real)),
});

export const wganGeneratorTf = defineTfLoss('wganGenerator', {
  compute: (t) => tf.neg(meanOrZero(t.fake)),
});

/** −E[log D(x)] − E[log(1 − D(G(z)))] on critic outputs, as the core `ganDiscriminator`. */
export function ganDiscriminator(
  real: tf.Tensor,
  fake: tf.Tensor,
  options?: TfOptions<'ganDiscriminator'>,
): tf.Tensor {
  return ganDiscriminatorTf.value({ real, fake }, options);
}

/** The generator's loss (non-saturating by default), as the core `ganGenerator`. */
export function ganGenerator(fake: tf.Tensor, options?: TfOptions<'ganGenerator'>): tf.Tensor {
  return ganGeneratorTf.value({ fake }, options);
}

/** ½E[(D(x) − 1)²] + ½E[D(G(z))²], as the core `lsganDiscriminator`. */
export function lsganDiscriminator(real: tf.Tensor, fake: tf.Tensor): tf.Tensor {
  return lsganDiscriminatorTf.value({ real, fake });
}

/** ½E[(D(G(z)) − 1)²], as the core `lsganGenerator`. */
export function lsganGenerator(fake: tf.Tensor): tf.Tensor {
  return lsganGeneratorTf.value({ fake });
}

/** E[D(G(z))] − E[D(x)], as the core `wganCritic`. */
export function wganCritic(real: tf.Tensor, fake: tf.Tensor): tf.Tensor {
  return wganCriticTf.value({ real, fake });
}

/** −E[D(G(z))], as the core `wganGenerator`. */
export function wganGenerator(fake: tf.Tensor): tf.Tensor {
  return wganGeneratorTf.value({ fake });
}

export const ganTfLosses = {
  ganDiscriminator: ganDiscriminatorTf,
  ganGenerator: ganGeneratorTf,
  lsganDiscriminator: lsganDiscriminatorTf,
  lsganGenerator: lsganGeneratorTf,
  wganCritic: wganCriticTf,
  wganGenerator: wganGeneratorTf,
} as const;
