import type { RandomSource } from './random.js';

/** One utterance: a digit string spoken as a sequence of noisy feature frames. */
export interface DigitSequence {
  /** The digits 0–9, in order. */
  readonly digits: Int32Array;
  /** Number of frames. */
  readonly length: number;
  /** `length × dims` features, row-major (one row per frame). */
  readonly frames: Float64Array;
  /** The digit each frame belongs to, or −1 for a silent frame (what frame-level labels would say). */
  readonly frameDigits: Int32Array;
}

export interface DigitFramesSpec {
  readonly count: number;
  /** Digits per sequence, drawn uniformly in [minDigits, maxDigits]. */
  readonly minDigits: number;
  readonly maxDigits: number;
  /** Frames per digit, drawn uniformly in [minFrames, maxFrames]. */
  readonly minFrames: number;
  readonly maxFrames: number;
  /** Standard deviation of the Gaussian noise added to every feature of every frame. */
  readonly noise: number;
}

/** Most silent frames before the first digit and after the last. */
const EDGE_SILENCE = 2;

/** Ten digit prototypes in `dims` dimensions, Gaussian with standard deviation `scale`; silence is the origin. */
export function digitPrototypes(rng: RandomSource, dims: number, scale: number): Float64Array[] {
  return Array.from({ length: 10 }, () => Float64Array.from({ length: dims }, () => scale * rng.normal()));
}

/** An integer drawn uniformly in [lo, hi]. */
function between(rng: RandomSource, lo: number, hi: number): number {
  return lo + Math.floor(rng.uniform() * (hi - lo + 1));
}

/**
 * Synthetic utterances of digit strings: each digit lasts a random number of frames, each frame
 * is the digit's prototype plus Gaussian noise, and silent frames (noise only) come before the
 * first digit and after the last (0–2 each), between two different digits (0–1) and between two
 * equal ones (1–2, so that repeated digits stay separable, as a pause separates them in speech).
 * Only the digit string is a training target; where each digit starts and ends is what an
 * alignment-free loss such as CTC has to find.
 */
export function digitSequences(
  rng: RandomSource,
  prototypes: readonly Float64Array[],
  spec: DigitFramesSpec,
): DigitSequence[] {
  const dims = prototypes[0].length;
  const sequences: DigitSequence[] = [];
  for (let n = 0; n < spec.count; n++) {
    const digits = Int32Array.from({ length: between(rng, spec.minDigits, spec.maxDigits) }, () =>
      Math.floor(rng.uniform() * 10),
    );
    const owners: number[] = [];
    const silence = (frames: number) => {
      for (let f = 0; f < frames; f++) owners.push(-1);
    };
    silence(between(rng, 0, EDGE_SILENCE));
    digits.forEach((digit, i) => {
      if (i > 0) silence(digit === digits[i - 1] ? between(rng, 1, 2) : between(rng, 0, 1));
      for (let f = between(rng, spec.minFrames, spec.maxFrames); f > 0; f--) owners.push(digit);
    });
    silence(between(rng, 0, EDGE_SILENCE));
    const frames = new Float64Array(owners.length * dims);
    owners.forEach((owner, t) => {
      for (let d = 0; d < dims; d++) {
        frames[t * dims + d] = (owner < 0 ? 0 : prototypes[owner][d]) + spec.noise * rng.normal();
      }
    });
    sequences.push({ digits, length: owners.length, frames, frameDigits: Int32Array.from(owners) });
  }
  return sequences;
}
