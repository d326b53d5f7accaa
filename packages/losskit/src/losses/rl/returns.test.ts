import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { discountedReturns, gae, tdTargets } from '../../index.js';

const close = { rtol: 1e-12, atol: 1e-14 };
const vec = (data: number[], shape = [data.length]) => ({ shape, data });
const rejects = lossInputErrorAsserter();

test('gae matches a hand-computed trajectory with an episode boundary in the middle', () => {
  // γ = 0.9, λ = 0.8 (γλ = 0.72); step 1 ends episode 1, steps 2–4 are a new episode cut off
  // by the rollout and bootstrapped with lastValue = 0.6. Backwards:
  //   t=4: δ = −1 + 0.9·0.6 − 0.3 = −0.76                      A = −0.76
  //   t=3: δ =  1 + 0.9·0.3 − 0.4 =  0.87                      A = 0.87 + 0.72·(−0.76)   = 0.3228
  //   t=2: δ =  2 + 0.9·0.4 − 0.2 =  2.16                      A = 2.16 + 0.72·0.3228    = 2.392416
  //   t=1: done, no bootstrap: δ = 0 − 1 = −1                  A = −1 (A₂ is not carried over)
  //   t=0: δ =  1 + 0.9·1 − 0.5 =  1.4                         A = 1.4 + 0.72·(−1)       = 0.68
  // returns = A + V = [1.18, 0, 2.592416, 0.7228, −0.46]
  const { advantages, returns } = gae([1, 0, 2, 1, -1], [0.5, 1, 0.2, 0.4, 0.3], [0, 1, 0, 0, 0], {
    gamma: 0.9,
    lambda: 0.8,
    lastValue: 0.6,
  });
  assertClose(advantages, vec([0.68, -1, 2.392416, 0.3228, -0.76]), close, 'advantages');
  assertClose(returns, vec([1.18, 0, 2.592416, 0.7228, -0.46]), close, 'returns');
});

test('gae does not bootstrap lastValue when the final step is done', () => {
  const { advantages } = gae([1], [0.25], [1], { lastValue: 100 });
  assertClose(advantages, vec([0.75]), close, 'advantages');
});

test('discountedReturns restarts at every episode end', () => {
  // γ = 0.5: G₃ = 4; G₂ = 3 + 0.5·4 = 5; step 1 is done: G₁ = 2; G₀ = 1 + 0.5·2 = 2.
  assertClose(
    discountedReturns([1, 2, 3, 4], [0, 1, 0, 0], { gamma: 0.5 }),
    vec([2, 2, 5, 4]),
    close,
    'returns',
  );
  // With a bootstrap value for the unfinished second episode: G₃ = 4 + 0.5·8 = 8, G₂ = 7.
  assertClose(
    discountedReturns([1, 2, 3, 4], [0, 1, 0, 0], { gamma: 0.5, lastValue: 8 }),
    vec([2, 2, 7, 8]),
    close,
    'bootstrapped',
  );
});

test('tdTargets bootstrap the next value except after a terminal step', () => {
  assertClose(
    tdTargets([1, 2, 3], [10, 20, 30], [0, 1, 0], { gamma: 0.9 }),
    vec([10, 2, 30]),
    close,
    'targets',
  );
});

const trajectories = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.record({
    rewards: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
    values: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: n, maxLength: n }),
    dones: fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }),
    gamma: fc.double({ min: 0, max: 1, noNaN: true }),
    lastValue: fc.double({ min: -5, max: 5, noNaN: true }),
  }),
);

test('gae with λ = 1 is discountedReturns minus the values (and its returns are the discounted returns)', () => {
  fc.assert(
    fc.property(trajectories, ({ rewards, values, dones, gamma, lastValue }) => {
      const { advantages, returns } = gae(rewards, values, dones, { gamma, lambda: 1, lastValue });
      const monteCarlo = discountedReturns(rewards, dones, { gamma, lastValue });
      assertClose(returns, monteCarlo, { rtol: 1e-9, atol: 1e-9 }, 'returns');
      assertClose(
        advantages,
        vec([...monteCarlo.data].map((g, i) => g - values[i])),
        { rtol: 1e-9, atol: 1e-9 },
        'advantages',
      );
    }),
  );
});

test('gae with λ = 0 is the one-step TD error tdTargets − values', () => {
  fc.assert(
    fc.property(trajectories, ({ rewards, values, dones, gamma, lastValue }) => {
      const { advantages } = gae(rewards, values, dones, { gamma, lambda: 0, lastValue });
      const next = [...values.slice(1), lastValue];
      const targets = tdTargets(rewards, next, dones, { gamma });
      assertClose(
        advantages,
        vec([...targets.data].map((y, i) => y - values[i])),
        { rtol: 1e-12, atol: 1e-12 },
        'advantages',
      );
    }),
  );
});

test('[T, E] rollouts treat each environment column as its own trajectory', () => {
  const rewards = [
    [1, -1],
    [0, 2],
    [2, 0.5],
  ];
  const values = [
    [0.5, 0],
    [1, 0.3],
    [0.2, -0.4],
  ];
  const dones = [
    [0, 1],
    [1, 0],
    [0, 0],
  ];
  const options = { gamma: 0.9, lambda: 0.8 };
  const both = gae(rewards, values, dones, { ...options, lastValue: [0.6, -0.2] });
  for (const e of [0, 1]) {
    const column = <T>(rows: T[][]) => rows.map((row) => row[e]);
    const alone = gae(column(rewards), column(values), column(dones), {
      ...options,
      lastValue: [0.6, -0.2][e],
    });
    assertClose(
      vec([both.advantages.data[e], both.advantages.data[2 + e], both.advantages.data[4 + e]]),
      alone.advantages,
      close,
      `column ${e}`,
    );
  }
  assert.deepEqual(both.advantages.shape, [3, 2]);
});

test('results take the dtype of the rewards', () => {
  assert.equal(discountedReturns(new Float32Array([1, 2]), [0, 0]).dtype, 'float32');
  assert.equal(gae(new Float32Array([1, 2]), [0, 0], [0, 0]).returns.dtype, 'float32');
  assert.equal(tdTargets([1, 2], [0, 0], [0, 0]).dtype, 'float64');
});

test('inputs of different lengths are an error naming both shapes', () => {
  rejects(() => gae([1, 2, 3], [1, 2], [0, 0, 0]), 'values', /\[2\].*\[3\]/);
  rejects(() => gae([1, 2, 3], [1, 2, 3], [0, 0]), 'dones', /\[2\].*\[3\]/);
  rejects(() => discountedReturns([1, 2], [0, 0, 1]), 'dones', /\[3\].*\[2\]/);
  rejects(() => tdTargets([1, 2], [1], [0, 0]), 'nextValues', /\[1\].*\[2\]/);
});

test('gamma and lambda outside [0, 1] are errors', () => {
  rejects(() => gae([1], [0], [0], { gamma: 1.01 }), 'options.gamma', />= 0 and <= 1, got 1\.01/);
  rejects(() => gae([1], [0], [0], { lambda: -0.1 }), 'options.lambda', />= 0 and <= 1, got -0\.1/);
  rejects(() => discountedReturns([1], [0], { gamma: 2 }), 'options.gamma', /got 2/);
  rejects(() => tdTargets([1], [0], [0], { gamma: -1 }), 'options.gamma', /got -1/);
});

test('dones must be 0 or 1, and a lastValue must have one value per environment', () => {
  rejects(() => gae([1, 2], [0, 0], [0, 0.5]), 'dones', /0\.5 at index \[1\] must be 0 or 1/);
  rejects(
    () => gae([[1, 2]], [[0, 0]], [[0, 0]], { lastValue: [1, 2, 3] }),
    'options.lastValue',
    /\[3\].*\[2\]/,
  );
  rejects(() => discountedReturns(5, 0), 'rewards', /\[T\]/);
});
