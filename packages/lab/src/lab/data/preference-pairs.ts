import type { RandomSource } from './random.js';

/** A synthetic preference task: contexts, a reference distribution over short token sequences, a hidden reward. */
export interface PreferenceTask {
  readonly contexts: number;
  /** Tokens per output sequence. */
  readonly length: number;
  readonly vocabulary: number;
  /** `contexts × length × vocabulary`: the reference distribution, per context and position (rows sum to 1). */
  readonly referenceProbs: Float64Array;
  /** `contexts × length × vocabulary`: the hidden reward of each token at each position; a sequence's reward is their sum. */
  readonly reward: Float64Array;
}

/** Sampled comparisons: per pair a context, the chosen and the rejected sequence (`pairs × length` tokens). */
export interface PreferencePairs {
  readonly count: number;
  readonly context: Int32Array;
  readonly chosen: Int32Array;
  readonly rejected: Int32Array;
}

/**
 * A task whose reference distribution is a softmax of Gaussian logits (deviation `sharpness`) per
 * context and position, and whose hidden per-token reward is standard normal, independent of the
 * reference: what the reference prefers is not what the reward prefers.
 */
export function preferenceTask(
  rng: RandomSource,
  spec: { contexts: number; length: number; vocabulary: number; sharpness: number },
): PreferenceTask {
  const size = spec.contexts * spec.length * spec.vocabulary;
  const referenceProbs = new Float64Array(size);
  const reward = Float64Array.from({ length: size }, () => rng.normal());
  for (let row = 0; row < spec.contexts * spec.length; row++) {
    const base = row * spec.vocabulary;
    let total = 0;
    for (let v = 0; v < spec.vocabulary; v++) {
      referenceProbs[base + v] = Math.exp(spec.sharpness * rng.normal());
      total += referenceProbs[base + v];
    }
    for (let v = 0; v < spec.vocabulary; v++) referenceProbs[base + v] /= total;
  }
  return { ...spec, referenceProbs, reward };
}

/** The hidden reward of the sequence `tokens[offset .. offset + length)` in context `c`. */
export function sequenceReward(
  task: PreferenceTask,
  c: number,
  tokens: ArrayLike<number>,
  offset = 0,
): number {
  let r = 0;
  for (let p = 0; p < task.length; p++)
    r += task.reward[(c * task.length + p) * task.vocabulary + tokens[offset + p]];
  return r;
}

/**
 * `count` comparisons: a context uniformly, two sequences drawn from the reference distribution,
 * and a labeller who prefers the first with probability σ(R₁ − R₂) (Bradley–Terry on the hidden
 * reward R), so close pairs are sometimes labelled the wrong way round.
 */
export function preferencePairs(rng: RandomSource, task: PreferenceTask, count: number): PreferencePairs {
  const { length, vocabulary } = task;
  const context = new Int32Array(count);
  const chosen = new Int32Array(count * length);
  const rejected = new Int32Array(count * length);
  const a = new Int32Array(length);
  const b = new Int32Array(length);
  const draw = (c: number, out: Int32Array) => {
    for (let p = 0; p < length; p++) {
      const base = (c * length + p) * vocabulary;
      let u = rng.uniform();
      let v = 0;
      while (v < vocabulary - 1 && u >= task.referenceProbs[base + v]) u -= task.referenceProbs[base + v++];
      out[p] = v;
    }
  };
  for (let i = 0; i < count; i++) {
    const c = Math.floor(rng.uniform() * task.contexts);
    context[i] = c;
    draw(c, a);
    draw(c, b);
    const firstWins =
      rng.uniform() < 1 / (1 + Math.exp(sequenceReward(task, c, b) - sequenceReward(task, c, a)));
    chosen.set(firstWins ? a : b, i * length);
    rejected.set(firstWins ? b : a, i * length);
  }
  return { count, context, chosen, rejected };
}
