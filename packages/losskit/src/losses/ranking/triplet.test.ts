import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, triplet, tripletLoss } from '../../index.js';

/** Central-difference check of tripletLoss on plain nested arrays. */
const check = nestedGradcheck(tripletLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('triplet');

const anchor = [
  [0.1, -0.4, 0.9],
  [1.2, 0.3, -0.7],
  [-0.5, 0.8, 0.2],
];
const positive = [
  [0.4, -0.1, 0.5],
  [0.9, 0.9, -0.2],
  [-0.2, 0.1, 0.6],
];
const negative = [
  [0.2, 0.3, 1.1],
  [0.1, -0.6, 0.4],
  [-0.9, 0.5, -0.3],
];

describe('triplet', () => {
  test('an anchor identical to its positive gives a finite value and finite gradients, with and without eps', () => {
    for (const eps of [1e-6, 0]) {
      const { value, grads } = tripletLoss.valueAndGrad(
        { anchor, positive: anchor, negative },
        { eps, margin: 2 },
      );
      assertAllFinite(value, `value (eps ${eps})`);
      for (const g of [grads.anchor, grads.positive, grads.negative])
        assertAllFinite(g, `grads (eps ${eps})`);
    }
    // Without eps the anchor–positive distance is exactly 0, so its gradient term is 0.
    const { grads } = tripletLoss.valueAndGrad(
      { anchor, positive: anchor, negative },
      { eps: 0, margin: 10 },
    );
    assert.deepEqual([...grads.positive.data], new Array(9).fill(0));
  });

  test('an unbatched [D] triplet gives a 0-d value equal to the one-row batch', () => {
    const one = triplet(anchor[0], positive[0], negative[0], { reduction: 'none', margin: 2 });
    const batch = triplet([anchor[0]], [positive[0]], [negative[0]], { reduction: 'none', margin: 2 });
    assert.deepEqual(one.shape, []);
    assert.equal(one.item(), batch.data[0]);
  });

  test('gradients match central differences for p = 1, p = 3, swap with p = 1 and a none upstream', () => {
    check({ anchor, positive, negative }, { p: 1, margin: 2 });
    check({ anchor, positive, negative }, { p: 3, margin: 2 });
    check({ anchor, positive, negative }, { p: 1, swap: true, margin: 2 });
    check({ anchor, positive, negative }, { swap: true, margin: 2, reduction: 'none' }, [0.5, -1, 2]);
    check({ anchor: anchor[1], positive: positive[1], negative: negative[1] }, { p: 2.5, eps: 0, margin: 2 });
  });

  test('swap uses the positive–negative distance when it is the smaller one', () => {
    // d(a, p) = 1, d(a, n) = 3, d(p, n) = 2 (eps 0): without swap 1 + 1 − 3 < 0, with swap 1 + 1 − 2 = 0.
    const args = { anchor: [[0, 0]], positive: [[1, 0]], negative: [[3, 0]] };
    assert.equal(tripletLoss.value(args, { eps: 0, margin: 1.5 }).item(), 0);
    assert.equal(tripletLoss.value(args, { eps: 0, margin: 1.5, swap: true }).item(), 0.5);
  });

  test('a tie between the anchor–negative and swap distances splits the gradient in half, as torch.minimum', () => {
    // d(a, n) = d(p, n) = 1: the negative's gradient is ½·(a − n)/1 + ½·(p − n)/1 = 0.
    const { value, grads } = tripletLoss.valueAndGrad(
      { anchor: [[0, 0]], positive: [[2, 0]], negative: [[1, 0]] },
      { eps: 0, swap: true },
    );
    assert.equal(value.item(), 2);
    assertClose(grads.negative, { shape: [1, 2], data: [0, 0] }, { rtol: 0, atol: 0 }, 'grads.negative');
    assertClose(
      grads.anchor,
      { shape: [1, 2], data: [-1 + 0.5, 0] },
      { rtol: 0, atol: 1e-15 },
      'grads.anchor',
    );
  });

  test('a large p with large magnitudes stays finite and approaches the max-norm', () => {
    // (1e10)^200 overflows; d(a, p) = 2e10 and d(a, n) = (0.5^200 + 1)^(1/200)·1e10 ≈ 1e10.
    const { value, grads } = tripletLoss.valueAndGrad(
      { anchor: [[1e10, 0]], positive: [[-1e10, 0]], negative: [[1.5e10, 1e10]] },
      { p: 200, eps: 0 },
    );
    assertClose(value, { shape: [], data: [1 + 2e10 - 1e10] }, { rtol: 1e-12, atol: 0 }, 'value');
    for (const g of [grads.anchor, grads.positive, grads.negative]) assertAllFinite(g, 'grads');
  });

  test('an empty batch has mean 0', () => {
    const empty = { shape: [0, 4], data: [] };
    assert.equal(triplet(empty, empty, empty).item(), 0);
  });

  test('mismatched shapes are errors naming both shapes', () => {
    rejects(
      () => triplet(anchor, positive, [[0, 1, 2]]),
      'negative',
      /shape \[1, 3\] does not match anchor shape \[3, 3\]/,
    );
    rejects(
      () => triplet(anchor, [[0, 1]], negative),
      'positive',
      /shape \[1, 2\] does not match anchor shape \[3, 3\]/,
    );
    rejects(
      () => triplet([[[0]]], [[[0]]], [[[0]]]),
      'anchor',
      /must have shape \[N, D\] or \[D\], got \[1, 1, 1\]/,
    );
  });

  test('p below 1, a negative margin and a negative eps are errors', () => {
    rejects(
      () => triplet(anchor, positive, negative, { p: 0.5 }),
      'options.p',
      /must be a finite number >= 1, got 0.5/,
    );
    rejects(() => triplet(anchor, positive, negative, { margin: -0.1 }), 'options.margin', />= 0/);
    rejects(() => triplet(anchor, positive, negative, { eps: -1e-6 }), 'options.eps', />= 0/);
  });
});
