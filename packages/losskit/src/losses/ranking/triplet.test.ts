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

describe("triplet with distance 'cosine'", () => {
  const anchor4 = [...anchor, [0, 0, 0]];
  const positive4 = [...positive, [0.3, 0.2, 0.1]];
  const negative4 = [...negative, [0.1, 0.4, -0.2]];

  test('swap, a zero anchor (norm clamped at 1e-8) and an upstream match PyTorch 1.13', () => {
    // torch: F.triplet_margin_with_distance_loss(a, p, n, distance_function=lambda x, y:
    // 1 − F.cosine_similarity(x, y, eps=1e-8), margin=0.4, swap=True, reduction='none'), upstream
    // [1, −2, 0.5, 3]; row 1 is satisfied, row 3 has a zero anchor.
    const { value, grads } = tripletLoss.valueAndGrad(
      { anchor: anchor4, positive: positive4, negative: negative4 },
      { distance: 'cosine', margin: 0.4, swap: true, reduction: 'none' },
      [1, -2, 0.5, 3],
    );
    const tol = { rtol: 1e-10, atol: 1e-12 };
    assertClose(
      value,
      { shape: [4], data: [0.3736761674972635, 0, 0.6780663873983124, 0.9248906591678239] },
      tol,
      'value',
    );
    assertClose(
      grads.anchor,
      {
        shape: [4, 3],
        data: [
          -0.5391826879737713, -0.18131807206197614, -0.02067662225268141, 0, 0, 0, -0.1984394226287486,
          0.04116984058803541, -0.6607779189240129, -240535117.7211819, -160356745.14745465,
          -80178372.57372732,
        ],
      },
      tol,
      'grads.anchor',
    );
    assertClose(
      grads.positive,
      {
        shape: [4, 3],
        data: [
          0.13579597905949942, 1.0171054832022772, 0.09478431339285609, 0, 0, 0, 0.28636553444034524,
          -0.5885305466429165, 0.19354360258726774, -1.6246615640908828, 4.749010725804121, -4.62403675933559,
        ],
      },
      tol,
      'grads.positive',
    );
    assertClose(
      grads.negative,
      {
        shape: [4, 3],
        data: [
          0.41382001096546034, -0.3123545275075831, 0.00994759641743892, 0, 0, 0, 0.0571769095695098,
          0.2207196876764167, 0.19633541741883156, 4.49906279286706, 0.49989586587411816, 3.249323128181767,
        ],
      },
      tol,
      'grads.negative',
    );
  });

  test('the cosine distance is 1 − cos: a right angle costs 1, the same direction 0, and p and eps do not apply', () => {
    // d(a, p) = 1 − 1/√2, d(a, n) = 1: ℓ = 1 + (1 − 1/√2) − 1.
    const args = { anchor: [[1, 0]], positive: [[1, 1]], negative: [[0, 1]] };
    const want = 1 - Math.SQRT1_2;
    for (const extra of [{}, { p: 1, eps: 0.5 }, { p: 3 }]) {
      const v = tripletLoss.value(args, { distance: 'cosine', ...extra }).item();
      assert.ok(Math.abs(v - want) <= 1e-15, `${JSON.stringify(extra)}: ${v} vs ${want}`);
    }
  });

  test('gradients match central differences with and without swap, margins and an upstream', () => {
    check({ anchor, positive, negative }, { distance: 'cosine', margin: 0.8 });
    check({ anchor, positive, negative }, { distance: 'cosine', margin: 1.2, swap: true, reduction: 'sum' });
    // (Not at the zero anchor: a step of h crosses the 1e-8 clamp of its norm.)
    check(
      { anchor, positive, negative },
      { distance: 'cosine', margin: 0.5, swap: true, reduction: 'none' },
      [0.5, -1, 2],
    );
    check(
      { anchor: anchor[1], positive: positive[1], negative: negative[1] },
      { distance: 'cosine', margin: 1.5 },
    );
  });

  test('rows at 1e300 and 1e-200 give the value of the same directions at unit scale, with finite gradients', () => {
    const base = tripletLoss.value(
      { anchor, positive, negative },
      { distance: 'cosine', margin: 1, reduction: 'none' },
    );
    for (const scale of [1e300, 1e-200]) {
      const r = tripletLoss.valueAndGrad(
        { anchor: anchor.map((row) => row.map((v) => v * scale)), positive, negative },
        { distance: 'cosine', margin: 1, reduction: 'none' },
      );
      if (scale > 1) assertClose(r.value, base, { rtol: 1e-12, atol: 1e-12 }, `value (scale ${scale})`);
      for (const g of [r.value, r.grads.anchor, r.grads.positive, r.grads.negative])
        assertAllFinite(g, `scale ${scale}`);
    }
  });

  test('float32 rows long enough for the SIMD kernel take the cosine path and agree with float64', () => {
    const rows = 8;
    const d = 64;
    const make = (seed: number) => Array.from({ length: rows * d }, (_, i) => Math.sin(seed * 7.3 + i * 1.7));
    const [a, p, n] = [make(1), make(2), make(3)];
    const f64 = tripletLoss.valueAndGrad(
      {
        anchor: { shape: [rows, d], data: Float64Array.from(Float32Array.from(a)) },
        positive: { shape: [rows, d], data: Float64Array.from(Float32Array.from(p)) },
        negative: { shape: [rows, d], data: Float64Array.from(Float32Array.from(n)) },
      },
      { distance: 'cosine', margin: 1 },
    );
    const f32 = tripletLoss.valueAndGrad(
      {
        anchor: { shape: [rows, d], data: Float32Array.from(a) },
        positive: { shape: [rows, d], data: Float32Array.from(p) },
        negative: { shape: [rows, d], data: Float32Array.from(n) },
      },
      { distance: 'cosine', margin: 1 },
    );
    const euclidean = tripletLoss.value(
      {
        anchor: { shape: [rows, d], data: Float32Array.from(a) },
        positive: { shape: [rows, d], data: Float32Array.from(p) },
        negative: { shape: [rows, d], data: Float32Array.from(n) },
      },
      { margin: 1 },
    );
    assert.notEqual(f32.value.item(), euclidean.item());
    assertClose(f32.value, f64.value, { rtol: 1e-6, atol: 1e-7 }, 'value');
    assertClose(f32.grads.anchor, f64.grads.anchor, { rtol: 1e-5, atol: 1e-7 }, 'grads.anchor');
  });

  test('a distance not in the list is an error listing the valid ones', () => {
    rejects(
      () => triplet(anchor, positive, negative, { distance: 'manhattan' as never }),
      'options.distance',
      /must be one of 'euclidean' \| 'cosine', got 'manhattan'/,
    );
  });
});
