import type { RandomSource } from './random.js';

/** Labels after symmetric noise, and which of them were changed. */
export interface NoisyLabels {
  readonly labels: Int32Array;
  /** 1 where the label was replaced by a wrong class. */
  readonly flipped: Uint8Array;
}

/**
 * Symmetric label noise: exactly `round(share · n)` labels, chosen uniformly at random, are each
 * replaced by one of the other `classes − 1` classes, chosen uniformly (so every wrong class is
 * equally likely, whatever the true one). The input labels are not modified.
 */
export function symmetricLabelNoise(
  rng: RandomSource,
  labels: Int32Array,
  classes: number,
  share: number,
): NoisyLabels {
  const n = labels.length;
  const out = Int32Array.from(labels);
  const flipped = new Uint8Array(n);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const count = Math.round(share * n);
  // A partial Fisher–Yates shuffle: the first `count` positions are a uniform sample without replacement.
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.uniform() * (n - i));
    const chosen = order[j];
    order[j] = order[i];
    order[i] = chosen;
    out[chosen] = (labels[chosen] + 1 + Math.floor(rng.uniform() * (classes - 1))) % classes;
    flipped[chosen] = 1;
  }
  return { labels: out, flipped };
}
