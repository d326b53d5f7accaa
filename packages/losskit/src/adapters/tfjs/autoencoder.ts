import * as tf from '@tensorflow/tfjs-core';
import { reconstructionLoss } from '../../losses/autoencoder/reconstruction.js';
import { vaeKlLoss } from '../../losses/autoencoder/vaeKl.js';
import { vaeLossLoss } from '../../losses/autoencoder/vaeLoss.js';
import { vqCommitmentLoss } from '../../losses/autoencoder/vqCommitment.js';
import { LossInputError, formatShape } from '../../tensor/index.js';
import { type ResolvedOptions, defineTfLoss, requireMinRank, requireSameShape } from './define.js';
import { abs0, divideOrZero, probabilityBce, reduce, stopGradient } from './ops.js';

// The autoencoder losses in TF.js ops, with the core's names, options and semantics (API.md).

type ReconstructionKind = ResolvedOptions<'reconstruction'>['kind'];

/** Element-wise (x̂ − x)², |x̂ − x| (gradient 0 at 0) or torch's BCE on probabilities. */
function reconstructionTerms(kind: ReconstructionKind, xhat: tf.Tensor, x: tf.Tensor): tf.Tensor {
  if (kind === 'mse') return tf.squaredDifference(xhat, x);
  if (kind === 'l1') return abs0(tf.sub(xhat, x));
  return probabilityBce(xhat, x);
}

/** Element-wise ½(exp(lv) + μ² − 1 − lv), the KL of N(μ, exp(lv)) from N(0, 1). */
function gaussianKlTerms(mu: tf.Tensor, logVar: tf.Tensor): tf.Tensor {
  return tf.mul(0.5, tf.sub(tf.add(tf.exp(logVar), tf.square(mu)), tf.add(logVar, 1)));
}

function checkLatents(loss: string, mu: tf.Tensor, logVar: tf.Tensor): void {
  requireMinRank(loss, 'mu', mu, 2, '[N, Z]');
  requireSameShape(loss, 'mu', mu, 'logVar', logVar);
}

/** Element-wise reconstruction loss ('mse', 'l1' or 'bce'), as the core `reconstruction`. */
export const { entry: reconstructionTf, fn: reconstruction } = defineTfLoss(
  'reconstruction',
  reconstructionLoss,
  {
    check: (t) => requireSameShape('reconstruction', 'input', t.input, 'target', t.target),
    compute: (t, o) => reduce(reconstructionTerms(o.kind, t.input, t.target), o.reduction),
  },
);

/** KL of the encoder's N(μ, exp(logVar)) from N(0, 1), as the core `vaeKl`. */
export const { entry: vaeKlTf, fn: vaeKl } = defineTfLoss('vaeKl', vaeKlLoss, {
  check: (t) => checkLatents('vaeKl', t.mu, t.logVar),
  compute: (t, o) => reduce(gaussianKlTerms(t.mu, t.logVar), o.reduction),
});

/** Negative ELBO: reconstruction + β·KL, as the core `vaeLoss`. */
export const { entry: vaeLossTf, fn: vaeLoss } = defineTfLoss('vaeLoss', vaeLossLoss, {
  check(t) {
    requireSameShape('vaeLoss', 'input', t.input, 'target', t.target);
    checkLatents('vaeLoss', t.mu, t.logVar);
    if (t.input.rank === 0 || t.input.shape[0] !== t.mu.shape[0]) {
      throw new LossInputError(
        'vaeLoss',
        'mu',
        `batch size ${t.mu.shape[0]} (shape ${formatShape(t.mu.shape)}) does not match input batch size ${t.input.shape[0] ?? 'none'} (shape ${formatShape(t.input.shape)})`,
      );
    }
  },
  compute(t, o) {
    // Each part reduced over its own elements: 'batchmean' divides both sums by N, 'mean' each by
    // its own element count, 'sum' neither.
    const recon = tf.sum(reconstructionTerms(o.reconstruction, t.input, t.target));
    const kl = tf.sum(gaussianKlTerms(t.mu, t.logVar));
    const divisor = (x: tf.Tensor) =>
      o.reduction === 'batchmean' ? x.shape[0] : o.reduction === 'mean' ? x.size : 1;
    return tf.add(divideOrZero(recon, divisor(t.input)), tf.mul(o.beta, divideOrZero(kl, divisor(t.mu))));
  },
});

/** (sg(z) − e)² + β(z − sg(e))², as the core `vqCommitment`. */
export const { entry: vqCommitmentTf, fn: vqCommitment } = defineTfLoss('vqCommitment', vqCommitmentLoss, {
  check: (t) => requireSameShape('vqCommitment', 'encoded', t.encoded, 'quantized', t.quantized),
  compute(t, o) {
    const codebook = tf.squaredDifference(stopGradient(t.encoded), t.quantized);
    const commitment = tf.squaredDifference(t.encoded, stopGradient(t.quantized));
    return reduce(tf.add(codebook, tf.mul(o.beta, commitment)), o.reduction);
  },
});

export const autoencoderTfLosses = {
  reconstruction: reconstructionTf,
  vaeKl: vaeKlTf,
  vaeLoss: vaeLossTf,
  vqCommitment: vqCommitmentTf,
} as const;
