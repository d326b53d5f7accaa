import type { RandomSource } from './random.js';

/** Grey-scale images with their binary masks, `count × size × size`, row-major. */
export interface SegmentationData {
  readonly images: Float64Array;
  readonly masks: Float64Array;
  readonly count: number;
  /** Pixels per image side. */
  readonly size: number;
}

export interface SmallObjectSpec {
  readonly count: number;
  /** Pixels per image side. */
  readonly size: number;
  /** Brightness added on an object pixel. */
  readonly contrast: number;
  /** Standard deviation of the Gaussian pixel noise. */
  readonly noise: number;
  /** Bright single-pixel specks per image that are not objects (the model must look at shape, not brightness). */
  readonly specks: number;
}

/** Draws one small object into `mask` (offset `base`): a square of side 2–3 or a disc of radius ~1.5. */
function drawObject(rng: RandomSource, mask: Float64Array, base: number, size: number): void {
  const disc = rng.uniform() < 0.5;
  if (disc) {
    const cy = 2 + rng.uniform() * (size - 4);
    const cx = 2 + rng.uniform() * (size - 4);
    const r2 = 1.2 + rng.uniform() * 1.3;
    for (let y = Math.floor(cy - 2); y <= Math.ceil(cy + 2); y++) {
      for (let x = Math.floor(cx - 2); x <= Math.ceil(cx + 2); x++) {
        if (y >= 0 && y < size && x >= 0 && x < size && (y + 0.5 - cy) ** 2 + (x + 0.5 - cx) ** 2 <= r2)
          mask[base + y * size + x] = 1;
      }
    }
    return;
  }
  const side = 2 + Math.floor(rng.uniform() * 2);
  const y0 = 1 + Math.floor(rng.uniform() * (size - side - 1));
  const x0 = 1 + Math.floor(rng.uniform() * (size - side - 1));
  for (let y = y0; y < y0 + side; y++) for (let x = x0; x < x0 + side; x++) mask[base + y * size + x] = 1;
}

/**
 * Images of one or two small objects (squares and discs of a few pixels, about 2% of the image)
 * on Gaussian noise, with a few bright single-pixel specks that are not part of the mask.
 * Pixel = contrast·mask + noise (+ contrast on a speck).
 */
export function smallObjects(rng: RandomSource, spec: SmallObjectSpec): SegmentationData {
  const { count, size } = spec;
  const pixels = size * size;
  const images = new Float64Array(count * pixels);
  const masks = new Float64Array(count * pixels);
  for (let i = 0; i < count; i++) {
    const base = i * pixels;
    const objects = rng.uniform() < 0.5 ? 1 : 2;
    for (let k = 0; k < objects; k++) drawObject(rng, masks, base, size);
    for (let p = 0; p < pixels; p++)
      images[base + p] = spec.contrast * masks[base + p] + spec.noise * rng.normal();
    for (let k = 0; k < spec.specks; k++) {
      const p = Math.floor(rng.uniform() * pixels);
      if (masks[base + p] === 0) images[base + p] += spec.contrast;
    }
  }
  return { images, masks, count, size };
}

/** Share of mask pixels that are foreground. */
export function foregroundShare(data: SegmentationData): number {
  let sum = 0;
  for (let i = 0; i < data.masks.length; i++) sum += data.masks[i];
  return data.masks.length === 0 ? 0 : sum / data.masks.length;
}
