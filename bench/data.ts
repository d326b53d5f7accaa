// Deterministic inputs that the JS, C and Python peers generate identically from a seed, so
// every peer computes the same loss on the same numbers (and the bench can compare the values).
//
// Element i of stream `seed` is u = (lowbias32(i + seed·0x9E3779B9) >>> 8) / 2^24, an exact
// float32 in [0, 1). bench/reference.c and bench/torch_peer.py implement the same generator.

/** Chris Wellons' lowbias32 integer hash (32-bit, unsigned result). */
export function lowbias32(x: number): number {
  x = x >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The i-th uniform number in [0, 1) of stream `seed`. */
export function uniformAt(seed: number, i: number): number {
  return (lowbias32((i + Math.imul(seed, 0x9e3779b9)) >>> 0) >>> 8) / 16777216;
}

/** How one input array is generated; the same description drives the C and Python peers. */
export type Fill =
  | { readonly kind: 'uniform'; readonly seed: number; readonly lo: number; readonly hi: number }
  | { readonly kind: 'bits'; readonly seed: number }
  /** Integers lo + ⌊u·(hi − lo + 1)⌋, each in [lo, hi] (CTC labels and lengths). */
  | { readonly kind: 'integers'; readonly seed: number; readonly lo: number; readonly hi: number }
  | {
      readonly kind: 'labels';
      readonly seed: number;
      readonly classes: number;
      readonly ignoreSeed?: number;
      readonly ignoreRate?: number;
      readonly ignoreIndex?: number;
    };

/** Fills `out` (float32 storage) with the values `fill` describes. */
export function fillArray(out: Float32Array, fill: Fill): Float32Array {
  const n = out.length;
  if (fill.kind === 'uniform') {
    const span = fill.hi - fill.lo;
    for (let i = 0; i < n; i++) out[i] = fill.lo + span * uniformAt(fill.seed, i);
  } else if (fill.kind === 'bits') {
    for (let i = 0; i < n; i++) out[i] = uniformAt(fill.seed, i) < 0.5 ? 0 : 1;
  } else if (fill.kind === 'integers') {
    const count = fill.hi - fill.lo + 1;
    for (let i = 0; i < n; i++) out[i] = fill.lo + Math.floor(uniformAt(fill.seed, i) * count);
  } else {
    const { classes, ignoreSeed, ignoreRate = 0, ignoreIndex = -100 } = fill;
    for (let i = 0; i < n; i++) {
      const ignored = ignoreSeed !== undefined && uniformAt(ignoreSeed, i) < ignoreRate;
      out[i] = ignored ? ignoreIndex : Math.floor(uniformAt(fill.seed, i) * classes);
    }
  }
  return out;
}

/** A new float32 array of `size` elements filled as `fill` describes. */
export function generate(size: number, fill: Fill): Float32Array {
  return fillArray(new Float32Array(size), fill);
}
