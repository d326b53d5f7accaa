import { LossInputError } from '../tensor/index.js';

/** The complete state of an `Rng`: four unsigned 32-bit words. Plain data, JSON-safe. */
export type RngState = readonly [number, number, number, number];

/** splitmix32: spreads a seed over the generator's state words. */
function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A small seeded pseudo-random generator (xoshiro128**, seeded through splitmix32): the same
 * seed gives the same numbers on every platform, and its state can be saved and restored, so
 * initialisation, shuffling, dropout and data generation reproduce exactly.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform(); // same value on every run
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  constructor(seed = 0) {
    if (!Number.isFinite(seed))
      throw new LossInputError('Rng', 'seed', `must be a finite number, got ${seed}`);
    const next = splitmix32(Math.floor(seed) ^ Math.floor(seed / 0x100000000));
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** Normally distributed (Box–Muller; no cached spare, so the state is just the four words). */
  normal(mean = 0, std = 1): number {
    const u1 = 1 - this.next();
    const u2 = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1)
      throw new LossInputError('Rng.int', 'n', `must be a positive integer, got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** true with probability `p`. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0 … n−1. */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i];
      out[i] = out[j];
      out[j] = tmp;
    }
    return out;
  }

  /** An independent generator seeded from this one's stream (for a layer, a data set, …). */
  fork(): Rng {
    const state: [number, number, number, number] = [
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
      this.nextUint32(),
    ];
    if (state.every((w) => w === 0)) state[0] = 1;
    return Rng.fromState(state);
  }

  /** A copy of the state, to restore later with `setState` or `Rng.fromState`. */
  getState(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Continues exactly where the generator that produced `state` was. */
  setState(state: RngState): this {
    const words: unknown = state;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
    ) {
      throw new LossInputError('Rng', 'state', 'must be four unsigned 32-bit integers');
    }
    if (words.every((w) => w === 0))
      throw new LossInputError('Rng', 'state', 'all-zero is not a valid xoshiro state');
    [this.s0, this.s1, this.s2, this.s3] = state;
    return this;
  }

  /** A generator in the given state. */
  static fromState(state: RngState): Rng {
    return new Rng(0).setState(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

let globalRng = new Rng(0x5eed);

/**
 * The generator layers draw from when no `rng` is passed (PyTorch's global generator): the
 * same construction order in a fresh process gives the same weights. Pass `rng` to layers for
 * reproducibility that does not depend on what was built before.
 */
export function defaultRng(): Rng {
  return globalRng;
}

/** Reseeds the default generator (PyTorch's `torch.manual_seed`). */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}
