// Ranking options at the edges of the float range (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, losses, type Tensor } from '../../index.js';

const triplet = losses.triplet as unknown as LossEntry;
const args = {
  anchor: [
    [0, 1, 2, 3],
    [1, 1, 1, 1],
  ],
  positive: [
    [0.5, 1, 2, 2],
    [1, 0, 1, 1],
  ],
  negative: [
    [3, 1, 0, 3],
    [0, 2, 1, 1],
  ],
};

test('triplet: an eps that puts every distance beyond the float64 range (1e308 on rows of 4) is an error naming options.eps', () => {
  for (const p of [2, 1]) {
    assertLossInputError(() => triplet.valueAndGrad(args as never, { eps: 1e308, p } as never), {
      loss: 'triplet',
      argument: 'options.eps',
      message:
        /1e\+308 added to each of the 4 coordinates makes every distance at least .* beyond the float64 range; use an eps below/,
    });
  }
});

test('triplet: eps 1e308 on rows of 1 and 2 coordinates, and eps 1e300, give finite values and gradients (float64 and float32)', () => {
  const rows = (d: number, f: (i: number) => number, dtype: 'float32' | 'float64') => {
    const values = Array.from({ length: 64 * d }, (_, i) => f(i));
    return {
      shape: [64, d],
      data: dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values),
    };
  };
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [d, eps] of [
      [1, 1e308],
      [2, 1e308],
      [4, 1e300],
    ] as const) {
      const r = triplet.valueAndGrad(
        {
          anchor: rows(d, Math.sin, dtype),
          positive: rows(d, Math.cos, dtype),
          negative: rows(d, (i) => Math.sin(2 * i), dtype),
        } as never,
        { eps } as never,
      );
      assertAllFinite(r.value, `value ${dtype} D = ${d}`);
      for (const g of Object.values(r.grads as Record<string, Tensor>))
        assertAllFinite(g, `grads ${dtype} D = ${d}`);
    }
  }
});

test('triplet: eps 1 and eps 5e-324 give finite values and gradients, with and without swap', () => {
  for (const eps of [1, 5e-324]) {
    for (const swap of [false, true]) {
      const r = triplet.valueAndGrad(args as never, { eps, swap } as never);
      assertAllFinite(r.value, `value eps ${eps}`);
      for (const g of Object.values(r.grads as Record<string, Tensor>))
        assertAllFinite(g, `grads eps ${eps}`);
    }
  }
  assert.ok(triplet.value(args as never, { eps: 1 } as never).item() >= 0);
});
