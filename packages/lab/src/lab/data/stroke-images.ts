import type { RandomSource } from './random.js';

/** Binary images, `count × size × size`, row-major, with the kind of shape each one shows. */
export interface StrokeImages {
  readonly images: Float64Array;
  /** Index into `STROKE_KINDS` per image. */
  readonly kinds: Int32Array;
  readonly count: number;
  /** Pixels per image side. */
  readonly size: number;
}

/** The shapes drawn, in the order of `StrokeImages.kinds`. */
export const STROKE_KINDS = ['horizontal bar', 'vertical bar', 'diagonal', 'square outline', 'plus'] as const;

const int = (rng: RandomSource, lo: number, hi: number) => lo + Math.floor(rng.uniform() * (hi - lo + 1));

/** Draws one shape of `kind` at a random place and size into the image at `base`. */
function draw(rng: RandomSource, kind: number, image: Float64Array, base: number, size: number): void {
  const set = (y: number, x: number) => {
    image[base + y * size + x] = 1;
  };
  switch (kind) {
    case 0: {
      const length = int(rng, 3, size - 2);
      const x0 = int(rng, 0, size - length);
      const y = int(rng, 0, size - 1);
      for (let x = x0; x < x0 + length; x++) set(y, x);
      return;
    }
    case 1: {
      const length = int(rng, 3, size - 2);
      const y0 = int(rng, 0, size - length);
      const x = int(rng, 0, size - 1);
      for (let y = y0; y < y0 + length; y++) set(y, x);
      return;
    }
    case 2: {
      const length = int(rng, 3, size - 2);
      const rising = rng.uniform() < 0.5;
      const y0 = int(rng, 0, size - length);
      const x0 = int(rng, 0, size - length);
      for (let k = 0; k < length; k++) set(y0 + k, rising ? x0 + length - 1 - k : x0 + k);
      return;
    }
    case 3: {
      const side = int(rng, 3, Math.min(5, size));
      const y0 = int(rng, 0, size - side);
      const x0 = int(rng, 0, size - side);
      for (let k = 0; k < side; k++) {
        set(y0, x0 + k);
        set(y0 + side - 1, x0 + k);
        set(y0 + k, x0);
        set(y0 + k, x0 + side - 1);
      }
      return;
    }
    default: {
      const arm = int(rng, 1, 2);
      const cy = int(rng, arm, size - 1 - arm);
      const cx = int(rng, arm, size - 1 - arm);
      for (let k = -arm; k <= arm; k++) {
        set(cy + k, cx);
        set(cy, cx + k);
      }
    }
  }
}

/**
 * Small binary images of one stroke shape each (a bar, a diagonal, a square outline or a plus)
 * at a random position and size: data with a few factors of variation for an autoencoder.
 */
export function strokeImages(
  rng: RandomSource,
  spec: { readonly count: number; readonly size: number },
): StrokeImages {
  const { count, size } = spec;
  const images = new Float64Array(count * size * size);
  const kinds = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const kind = Math.floor(rng.uniform() * STROKE_KINDS.length);
    kinds[i] = kind;
    draw(rng, kind, images, i * size * size, size);
  }
  return { images, kinds, count, size };
}
