// ε of the overlap losses at the edges of the float range (issue #12): below float32's smallest
// normal number it is an error (the empty-mask gradient, up to 2/ε, would be ∞); up to 1e308 the
// value and the gradient are finite and follow the formula, in both dtypes and on every path.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, losses, type Tensor } from '../../index.js';

const names = ['dice', 'iou', 'bceDice', 'bceIou'] as const;
const entryOf = (name: (typeof names)[number]) => losses[name] as unknown as LossEntry;
const gradOf = (r: { grads: unknown }) => (r.grads as Record<string, Tensor>).input;

/** A [2, n] batch: an empty mask and prediction in row 0, an ordinary pair in row 1. */
function batch(dtype: 'float32' | 'float64', n: number) {
  const make = (f: (i: number) => number) =>
    dtype === 'float32'
      ? Float32Array.from({ length: 2 * n }, (_, i) => f(i))
      : Float64Array.from({ length: 2 * n }, (_, i) => f(i));
  return {
    input: { shape: [2, n], data: make((i) => (i < n ? 0 : 0.1 + (0.8 * ((i * 7) % 10)) / 10)) },
    target: { shape: [2, n], data: make((i) => (i < n ? 0 : i % 3 === 0 ? 1 : 0)) },
  };
}

/** The Dice or IoU loss of one group and its gradient in p, from the formula (float64). */
function overlapReference(kind: 'dice' | 'iou', p: number[], y: number[], eps: number) {
  let inter = 0;
  let sumP = 0;
  let sumY = 0;
  for (let i = 0; i < p.length; i++) {
    inter += p[i] * y[i];
    sumP += p[i];
    sumY += y[i];
  }
  const num = kind === 'dice' ? 2 * inter + eps : inter + eps;
  const den = kind === 'dice' ? sumP + sumY + eps : sumP + sumY - inter + eps;
  const s = num / den;
  // ∂(1 − s)/∂pⱼ = −(2yⱼ − s)/d (Dice), −((1 + s)yⱼ − s)/d (IoU).
  const grad = y.map((yj) => -(kind === 'dice' ? 2 * yj - s : (1 + s) * yj - s) / den);
  return { value: 1 - s, grad };
}

describe('overlap losses: eps at the edges of the float range', () => {
  for (const name of names) {
    const entry = entryOf(name);
    test(`${name}: an eps below 2^-126 (5e-324, 1e-320, 1e-39) is an error naming options.eps`, () => {
      for (const eps of [5e-324, 1e-320, 1e-39]) {
        assertLossInputError(() => entry.valueAndGrad(batch('float64', 4) as never, { eps } as never), {
          loss: name,
          argument: 'options.eps',
          message: />= 1\.1754943508222875e-38, got/,
        });
      }
    });
    for (const dtype of ['float64', 'float32'] as const) {
      for (const n of [4, 512]) {
        for (const eps of [2 ** -126, 1e-30, 1e-5, 1, 1e200, 1e308]) {
          for (const aggregate of ['batch', 'sample'] as const) {
            test(`${name}: eps ${eps}, ${dtype}, n = ${n}, aggregate ${aggregate}: finite value and gradients, an empty sample costs 0`, () => {
              const r = entry.valueAndGrad(batch(dtype, n) as never, { eps, aggregate } as never);
              assertAllFinite(r.value, 'value');
              assertAllFinite(gradOf(r), 'grads');
              const empty = { input: [[0, 0, 0]], target: [[0, 0, 0]] };
              if (name === 'dice' || name === 'iou')
                assert.equal(entry.value(empty as never, { eps } as never).item(), 0);
            });
          }
        }
      }
    }
  }
  for (const kind of ['dice', 'iou'] as const) {
    test(`${kind}: with eps 1e200 (where d² overflows) the gradient is −(∂s/∂p) = formula / d, not 0`, () => {
      const p = [0.2, 0.9, 0.4, 0.7];
      const y = [0, 1, 1, 0];
      const expected = overlapReference(kind, p, y, 1e200);
      const r = entryOf(kind).valueAndGrad({ input: [p], target: [y] } as never, { eps: 1e200 } as never);
      assert.equal(r.value.item(), expected.value);
      const g = Array.from(gradOf(r).data);
      for (let j = 0; j < 4; j++) {
        assert.ok(
          Math.abs(g[j] - expected.grad[j]) <= 1e-12 * Math.abs(expected.grad[j]),
          `grad ${j}: ${g[j]} vs ${expected.grad[j]}`,
        );
      }
    });
    test(`${kind}: on an empty mask with the smallest eps, a false positive's gradient is 1/eps (finite in float32)`, () => {
      const eps = 2 ** -126;
      for (const dtype of ['float64', 'float32'] as const) {
        const data = dtype === 'float32' ? new Float32Array(4) : new Float64Array(4);
        const r = entryOf(kind).valueAndGrad(
          { input: { shape: [4], data }, target: { shape: [4], data: data.slice() } } as never,
          { eps } as never,
        );
        assert.equal(r.value.item(), 0);
        // s = 1 and y = 0: −(0 − 1)/ε = 1/ε for Dice and IoU alike.
        for (const v of gradOf(r).data) assert.equal(v, dtype === 'float32' ? Math.fround(1 / eps) : 1 / eps);
      }
    });
    test(`${kind}: gradients still match central differences at eps 1e-5 and 1`, () => {
      const check = inputTargetGradcheck(entryOf(kind));
      for (const eps of [1e-5, 1])
        check(
          [
            [0.2, 0.9],
            [0.4, 0.7],
          ],
          [
            [0, 1],
            [1, 0],
          ],
          { eps, aggregate: 'sample' },
        );
    });
  }
});
