import { LossInputError, type Tensor, formatShape } from '../tensor/index.js';
import { mean } from './reductions.js';
import { gatherFlat } from './indexing.js';
import { type Operand, asTensor } from './operand.js';
import { reshape } from './reshape.js';

// Pooling and upsampling for NCHW images, derived from the primitives: max pooling gathers
// each window's arg-max, average pooling is a mean over reshaped windows, nearest upsampling
// gathers each source pixel several times (its gradient sums them back).

function imageShape(op: string, x: Tensor): [number, number, number, number] {
  if (x.rank !== 4)
    throw new LossInputError(op, 'input', `must be [N, C, H, W], got ${formatShape(x.shape)}`);
  return [x.shape[0], x.shape[1], x.shape[2], x.shape[3]];
}

function positive(op: string, name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1)
    throw new LossInputError(op, `options.${name}`, `must be an integer ≥ 1, got ${v}`);
  return v;
}

/** Window size and step of max pooling. */
export interface MaxPool2dOptions {
  /** Window height and width. Default 2. */
  readonly kernel?: number;
  /** Step between windows. Default: the kernel (non-overlapping windows). */
  readonly stride?: number;
}

/**
 * Maximum over each kernel × kernel window (no padding): [N, C, H, W] → [N, C, OH, OW] with
 * OH = ⌊(H − k)/s⌋ + 1. Backward: the gradient goes to each window's (first) maximum.
 */
export function maxPool2d(input: Operand, options: MaxPool2dOptions = {}): Tensor {
  const x = asTensor(input, 'maxPool2d', 'input');
  const [n, c, h, w] = imageShape('maxPool2d', x);
  const k = positive('maxPool2d', 'kernel', options.kernel ?? 2);
  const s = positive('maxPool2d', 'stride', options.stride ?? k);
  if (h < k || w < k)
    throw new LossInputError('maxPool2d', 'input', `${formatShape(x.shape)} is smaller than the window ${k}`);
  const oh = Math.floor((h - k) / s) + 1;
  const ow = Math.floor((w - k) / s) + 1;
  const index = new Int32Array(n * c * oh * ow);
  const data = x.data;
  let p = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        let best = base + oy * s * w + ox * s;
        let bestValue = data[best];
        for (let ky = 0; ky < k; ky++) {
          const row = base + (oy * s + ky) * w + ox * s;
          for (let kx = 0; kx < k; kx++) {
            const v = data[row + kx];
            if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
              bestValue = v;
              best = row + kx;
            }
          }
        }
        index[p++] = best;
      }
    }
  }
  return gatherFlat(x, index, [n, c, oh, ow]);
}

/**
 * Mean over non-overlapping kernel × kernel windows: [N, C, H, W] → [N, C, H/k, W/k]
 * (H and W divisible by k). Backward: the gradient spread evenly over each window.
 */
export function avgPool2d(input: Operand, kernel = 2): Tensor {
  const x = asTensor(input, 'avgPool2d', 'input');
  const [n, c, h, w] = imageShape('avgPool2d', x);
  const k = positive('avgPool2d', 'kernel', kernel);
  if (h % k !== 0 || w % k !== 0) {
    throw new LossInputError(
      'avgPool2d',
      'input',
      `height and width of ${formatShape(x.shape)} must be divisible by the kernel ${k}`,
    );
  }
  return mean(reshape(x, [n, c, h / k, k, w / k, k]), { axis: [3, 5] });
}

/**
 * Nearest-neighbour upsampling by an integer `scale`: [N, C, H, W] → [N, C, H·s, W·s].
 * Backward: each source pixel receives the sum over its s × s copies.
 */
export function upsample2d(input: Operand, scale = 2): Tensor {
  const x = asTensor(input, 'upsample2d', 'input');
  const [n, c, h, w] = imageShape('upsample2d', x);
  const s = positive('upsample2d', 'scale', scale);
  const oh = h * s;
  const ow = w * s;
  const index = new Int32Array(n * c * oh * ow);
  let p = 0;
  for (let plane = 0; plane < n * c; plane++) {
    const base = plane * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const row = base + Math.floor(oy / s) * w;
      for (let ox = 0; ox < ow; ox++) index[p++] = row + Math.floor(ox / s);
    }
  }
  return gatherFlat(x, index, [n, c, oh, ow]);
}
