// What is particular to grpo; the registry-driven tests cover the PyTorch reference cases
// (pubB/grpo/*), float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, type LossEntry, tensor } from '../../index.js';
import { groupAdvantages } from './groupAdvantages.js';
import { grpo, grpoLoss } from './grpo.js';

const entry = grpoLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('grpo');

interface Batch {
  logProbs: number[][];
  oldLogProbs: number[][];
  refLogProbs: number[][];
  advantages: number[];
  mask: number[][];
}

interface Settings {
  clipEpsilon: number;
  clipEpsilonHigh?: number;
  beta: number;
  aggregate: 'token' | 'sequence' | 'constant';
}

/**
 * The formula of API.md written out directly (TRL's `GRPOTrainer._compute_loss`, token by
 * token, with Math.min and a clamp): the independent reference for the fused kernel.
 */
function reference(b: Batch, s: Settings): number {
  const high = s.clipEpsilonHigh ?? s.clipEpsilon;
  const perSequence: { sum: number; count: number }[] = [];
  for (let i = 0; i < b.logProbs.length; i++) {
    let sum = 0;
    let count = 0;
    for (let j = 0; j < b.logProbs[i].length; j++) {
      const ratio = Math.exp(b.logProbs[i][j] - b.oldLogProbs[i][j]);
      const clamped = Math.min(Math.max(ratio, 1 - s.clipEpsilon), 1 + high);
      const a = b.advantages[i];
      const d = b.refLogProbs[i][j] - b.logProbs[i][j];
      const l = -Math.min(ratio * a, clamped * a) + s.beta * (Math.exp(d) - d - 1);
      sum += b.mask[i][j] * l;
      count += b.mask[i][j];
    }
    perSequence.push({ sum, count });
  }
  const total = perSequence.reduce((acc, q) => acc + q.sum, 0);
  const tokens = perSequence.reduce((acc, q) => acc + q.count, 0);
  if (s.aggregate === 'token') return tokens === 0 ? 0 : total / tokens;
  if (s.aggregate === 'constant') {
    const size = b.logProbs.length * (b.logProbs[0]?.length ?? 0);
    return size === 0 ? 0 : total / size;
  }
  const kept = perSequence.filter((q) => q.count > 0);
  return kept.length === 0 ? 0 : kept.reduce((acc, q) => acc + q.sum / q.count, 0) / kept.length;
}

/** A random batch: ratios e^{±0.5}, reference log-probs near the policy's, a padded mask. */
function randomBatch(seed: number, rows: number, tokens: number, emptyRow = -1): Batch {
  const next = random(seed);
  const matrix = (f: (i: number, j: number) => number) =>
    Array.from({ length: rows }, (_, i) => Array.from({ length: tokens }, (_, j) => f(i, j)));
  const logProbs = matrix(() => -0.1 - 3 * next());
  const oldLogProbs = logProbs.map((row) => row.map((v) => v + (next() - 0.5)));
  const refLogProbs = logProbs.map((row) => row.map((v) => v + 0.8 * (next() - 0.5)));
  const advantages = Array.from({ length: rows }, () => 2 * next() - 1);
  // Row i keeps its first tokens − (i mod tokens) tokens; `emptyRow` keeps none.
  const mask = matrix((i, j) => (i === emptyRow ? 0 : j < tokens - (i % tokens) ? 1 : 0));
  return { logProbs, oldLogProbs, refLogProbs, advantages, mask };
}

/** The batch as tensors, for gradcheck. */
const tensors = (b: Batch) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, tensor(v)]));

/** grpo of a batch, positionally. */
const call = (b: Batch, options?: Parameters<typeof grpo>[5]) =>
  grpo(b.logProbs, b.oldLogProbs, b.refLogProbs, b.advantages, b.mask, options);

const settings: Settings[] = [];
for (const aggregate of ['token', 'sequence', 'constant'] as const) {
  settings.push({ clipEpsilon: 0.2, beta: 0.04, aggregate });
  settings.push({ clipEpsilon: 0.1, clipEpsilonHigh: 0.28, beta: 0, aggregate });
  settings.push({ clipEpsilon: 0.3, beta: 0.5, aggregate });
}

test('grpo equals the formula written out token by token, for every aggregation and option', () => {
  for (const [k, s] of settings.entries()) {
    const b = randomBatch(10 + k, 4, 5, k % 2 === 0 ? 2 : -1);
    const got = call(b, s).item();
    const want = reference(b, s);
    assert.ok(
      Math.abs(got - want) <= 1e-14 + 1e-12 * Math.abs(want),
      `${JSON.stringify(s)}: ${got} vs ${want}`,
    );
  }
});

test('the gradient equals central differences in float64 for every aggregation and option', () => {
  for (const [k, s] of settings.entries()) {
    const b = randomBatch(30 + k, 3, 4, k % 3 === 0 ? 1 : -1);
    gradcheck(entry, tensors(b), { ...s });
  }
  // A non-default upstream scales the gradient of the 0-d value.
  const b = randomBatch(50, 2, 3);
  gradcheck(entry, tensors(b), { aggregate: 'sequence' }, tensor(-2.5));
});

test('tokens with mask 0 add nothing and get no gradient, whatever their log-probabilities', () => {
  const b = randomBatch(60, 2, 4);
  const padded: Batch = {
    ...b,
    logProbs: b.logProbs.map((row, i) => row.map((v, j) => (b.mask[i][j] === 0 ? -900 : v))),
    oldLogProbs: b.oldLogProbs.map((row, i) => row.map((v, j) => (b.mask[i][j] === 0 ? 900 : v))),
  };
  for (const aggregate of ['token', 'sequence', 'constant'] as const) {
    const plain = grpoLoss.valueAndGrad(b, { aggregate });
    const withPadding = grpoLoss.valueAndGrad(padded, { aggregate });
    assert.equal(withPadding.value.item(), plain.value.item(), aggregate);
    assert.deepEqual(Array.from(withPadding.grads.logProbs.data), Array.from(plain.grads.logProbs.data));
    b.mask.flat().forEach((m, i) => {
      if (m === 0) assert.equal(withPadding.grads.logProbs.data[i], 0);
    });
  }
});

test("'sequence' leaves out all-0 rows; every aggregation of an all-0 mask is 0 with a zero gradient", () => {
  const b = randomBatch(70, 3, 4, 1);
  const kept: Batch = {
    logProbs: [b.logProbs[0], b.logProbs[2]],
    oldLogProbs: [b.oldLogProbs[0], b.oldLogProbs[2]],
    refLogProbs: [b.refLogProbs[0], b.refLogProbs[2]],
    advantages: [b.advantages[0], b.advantages[2]],
    mask: [b.mask[0], b.mask[2]],
  };
  const opts = { aggregate: 'sequence' } as const;
  assert.ok(Math.abs(call(b, opts).item() - call(kept, opts).item()) < 1e-15);
  const none = { ...b, mask: b.mask.map((row) => row.map(() => 0)) };
  for (const aggregate of ['token', 'sequence', 'constant'] as const) {
    const { value, grads } = grpoLoss.valueAndGrad(none, { aggregate });
    assert.equal(value.item(), 0, aggregate);
    assert.ok(
      grads.logProbs.data.every((g) => g === 0),
      aggregate,
    );
  }
  // An empty batch or empty completions are 0 as well.
  assert.equal(grpo([[]], [[]], [[]], [1], [[]]).item(), 0);
  assert.equal(
    grpo(tensor([[], []]), [[], []], [[], []], [0, 1], [[], []], { aggregate: 'constant' }).item(),
    0,
  );
});

test('torch’s conventions at the clip: inclusive edges pass the gradient, and past the band the favoured side gets none', () => {
  // clipEpsilon 0: ρ = 1 sits on both edges of [1, 1]; torch.clamp passes the gradient there and
  // torch.min splits the tie between two equal branches, so the gradient is −ρA = −A.
  const onEdge = grpoLoss.valueAndGrad(
    { logProbs: [[-1]], oldLogProbs: [[-1]], refLogProbs: [[-1]], advantages: [0.7], mask: [[1]] },
    { clipEpsilon: 0 },
  );
  assert.equal(onEdge.value.item(), -0.7);
  assert.equal(onEdge.grads.logProbs.data[0], -0.7);
  // ρ = 2 with A > 0: the clipped branch (1.2·A) is the minimum and constant; only the KL term moves.
  const beyond = grpoLoss.valueAndGrad(
    { logProbs: [[Math.log(2)]], oldLogProbs: [[0]], refLogProbs: [[0]], advantages: [1], mask: [[1]] },
    { beta: 0.1 },
  );
  const d = -Math.log(2);
  assert.ok(Math.abs(beyond.value.item() - (-1.2 + 0.1 * (Math.exp(d) - d - 1))) < 1e-15);
  assert.ok(Math.abs(beyond.grads.logProbs.data[0] - 0.1 * (1 - Math.exp(d))) < 1e-15);
  // ρ = 2 with A < 0: the unclipped branch is the minimum, gradient −ρA = 2.
  const wrongWay = grpoLoss.valueAndGrad(
    {
      logProbs: [[Math.log(2)]],
      oldLogProbs: [[0]],
      refLogProbs: [[Math.log(2)]],
      advantages: [-1],
      mask: [[1]],
    },
    {},
  );
  assert.ok(Math.abs(wrongWay.grads.logProbs.data[0] - 2) < 1e-15);
  // clipEpsilonHigh widens only the upper edge: ρ = 1.25 is inside [0.8, 1.28], outside [0.8, 1.2].
  const lp = [[Math.log(1.25)]];
  const inside = grpoLoss.valueAndGrad(
    { logProbs: lp, oldLogProbs: [[0]], refLogProbs: lp, advantages: [1], mask: [[1]] },
    { clipEpsilonHigh: 0.28 },
  );
  assert.ok(Math.abs(inside.grads.logProbs.data[0] + 1.25) < 1e-15);
  const outside = grpoLoss.valueAndGrad({
    logProbs: lp,
    oldLogProbs: [[0]],
    refLogProbs: lp,
    advantages: [1],
    mask: [[1]],
  });
  assert.equal(outside.grads.logProbs.data[0], 0);
});

test('with group-relative advantages: completions better than their group are pushed up', () => {
  // Two prompts, two completions each; at ρ = 1 and ref = policy the loss is −mean of the
  // advantages over the tokens, and its gradient −A/(token count) per token.
  const rewards = [1, 0, 0.2, 0.6];
  const advantages = groupAdvantages(rewards, 2);
  const lp = [
    [-1, -2],
    [-0.5, -1.5],
    [-2, -1],
    [-1, -1],
  ];
  const mask = [
    [1, 1],
    [1, 0],
    [1, 1],
    [1, 1],
  ];
  const { value, grads } = grpoLoss.valueAndGrad({
    logProbs: lp,
    oldLogProbs: lp,
    refLogProbs: lp,
    advantages,
    mask,
  });
  const a = Array.from(advantages.data);
  const expected = -(2 * a[0] + a[1] + 2 * a[2] + 2 * a[3]) / 7;
  assert.ok(Math.abs(value.item() - expected) < 1e-15);
  assert.ok(
    grads.logProbs.data[0] < 0 && grads.logProbs.data[2] > 0,
    'the better completion of a group is pushed up',
  );
  assert.ok(Math.abs(grads.logProbs.data[0] + a[0] / 7) < 1e-15);
});

test('extreme log-probabilities give a finite result, or a LossInputError where the true value overflows', () => {
  // ρ = e^{2e4} with A > 0: the clipped branch (1 + ε)A is the minimum, finite, with no gradient.
  const capped = grpoLoss.valueAndGrad(
    { logProbs: [[1e4]], oldLogProbs: [[-1e4]], refLogProbs: [[1e4]], advantages: [1], mask: [[1]] },
    { beta: 0 },
  );
  assert.equal(capped.value.item(), -1.2);
  assert.equal(capped.grads.logProbs.data[0], 0);
  // ρ = ∞ with A = 0 contributes 0 (not ∞·0).
  assert.equal(grpo([[1e308]], [[-1e308]], [[1e308]], [0], [[1]], { beta: 0 }).item(), 0);
  // Log-probabilities of ±1e4 that agree: every term finite.
  const agreeing = grpoLoss.valueAndGrad({
    logProbs: [[-1e4, -1e-4]],
    oldLogProbs: [[-1e4, -1e-4]],
    refLogProbs: [[-1e4, -1e-4]],
    advantages: [1],
    mask: [[1, 1]],
  });
  assert.equal(agreeing.value.item(), -1);
  assert.ok(agreeing.grads.logProbs.data.every(Number.isFinite));
  // ref − lp = 2e4: the KL estimate e^{2e4} is not representable, which is an error, not ∞ or NaN.
  assert.throws(
    () => grpo([[-1e4]], [[-1e4]], [[1e4]], [1], [[1]]),
    (e: unknown) => e instanceof LossInputError && e.loss === 'grpo',
  );
  // A float32 gradient β(1 − e^{d}) beyond 3.4e38 while the value still fits: named, not ∞.
  const f32 = (v: number) => ({ shape: [1, 1], data: Float32Array.of(v) });
  rejects(
    () =>
      grpoLoss.valueAndGrad(
        {
          logProbs: f32(0),
          oldLogProbs: f32(0),
          refLogProbs: f32(1.1),
          advantages: { shape: [1], data: Float32Array.of(0) },
          mask: f32(1),
        },
        { beta: 3e38 },
      ),
    'refLogProbs',
    /overflow/,
  );
});

test('bad inputs are LossInputErrors naming grpo, the argument and the problem', () => {
  const b = randomBatch(80, 2, 3);
  rejects(
    () =>
      grpo(b.logProbs, b.oldLogProbs, b.refLogProbs, b.advantages, [
        [1, 0.5, 0],
        [1, 1, 1],
      ]),
    'mask',
    /0\.5 at index \[0, 1\] must be 0 or 1/,
  );
  rejects(
    () => grpo(b.logProbs, b.oldLogProbs, b.refLogProbs, [1, 2, 3], b.mask),
    'advantages',
    /\[3\] must be \[B\] = \[2\]/,
  );
  rejects(
    () => grpo(b.logProbs, b.oldLogProbs, b.refLogProbs, [[1], [2]], b.mask),
    'advantages',
    /must be \[B\]/,
  );
  rejects(() => grpo([1, 2], [1, 2], [1, 2], [1], [1, 1]), 'logProbs', /must have shape \[B, T\]/);
  rejects(
    () => grpo(b.logProbs, [[0, 0]], b.refLogProbs, b.advantages, b.mask),
    'oldLogProbs',
    /does not match/,
  );
  rejects(
    () => grpo(b.logProbs, b.oldLogProbs, [[0, 0, 0]], b.advantages, b.mask),
    'refLogProbs',
    /does not match/,
  );
  rejects(
    () => grpo(b.logProbs, b.oldLogProbs, b.refLogProbs, b.advantages, [[1, 1, 1]]),
    'mask',
    /does not match/,
  );
  rejects(() => call(b, { clipEpsilon: -0.1 }), 'options.clipEpsilon', />= 0/);
  rejects(() => call(b, { clipEpsilonHigh: -0.1 }), 'options.clipEpsilonHigh', />= 0/);
  rejects(() => call(b, { beta: -1 }), 'options.beta', />= 0/);
  rejects(
    () => call(b, { aggregate: 'mean' as never }),
    'options.aggregate',
    /'token' \| 'sequence' \| 'constant'/,
  );
});
