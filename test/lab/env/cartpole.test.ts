import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CARTPOLE,
  CartPoleBatch,
  cartPoleFailed,
  cartPoleReset,
  cartPoleStep,
} from '../../../packages/lab/src/lab/env/cartpole.js';
import { Rng } from '../../../packages/losskit/src/nn/index.js';

const close = (actual: readonly number[], expected: readonly number[], tolerance = 1e-12) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tolerance,
      `component ${i}: ${actual[i]} vs ${expected[i]}`,
    );
  }
};

test('a push to the right from rest accelerates the cart right and tips the pole left by the hand-computed amounts', () => {
  // temp = 10 / 1.1 = 100/11; θ̈ = −temp / (0.5·(4/3 − 0.1/1.1)) = −600/41; ẍ = temp − 0.05·θ̈ / 1.1 = 4400/451.
  // Euler with τ = 0.02 moves only the velocities on the first step.
  close(cartPoleStep([0, 0, 0, 0], 1), [0, (0.02 * 4400) / 451, 0, (-0.02 * 600) / 41]);
});

test('a step from a tilted, moving state matches the Gym CartPole-v1 equations', () => {
  // Reference values from Gym's cartpole.py step (Euler) run in Python on the same state.
  close(
    cartPoleStep([0.1, 0.2, 0.05, -0.1], 0),
    [0.10400000000000001, 0.0041984452556647345, 0.048, 0.20802915644554562],
  );
});

test('the physics is mirror-symmetric: mirrored state and action give the mirrored next state', () => {
  const right = cartPoleStep([0.3, -0.2, 0.04, 0.1], 1);
  const left = cartPoleStep([-0.3, 0.2, -0.04, -0.1], 0);
  close(
    left,
    right.map((v) => -v),
    1e-15,
  );
});

test('pushing right from a slight right lean ends the episode after 10 steps when the pole passes 12°', () => {
  let state = cartPoleStep([0, 0, 0.01, 0], 1);
  let steps = 1;
  while (!cartPoleFailed(state)) {
    state = cartPoleStep(state, 1);
    steps++;
  }
  assert.equal(steps, 10); // the same count as Gym's equations in Python
  assert.ok(Math.abs(state[2]) > CARTPOLE.thetaLimit);
});

test('the episode ends when the cart leaves [-2.4, 2.4] or the pole leans past 12°, and not before', () => {
  const limit = (12 * 2 * Math.PI) / 360;
  assert.equal(cartPoleFailed([2.4, 0, 0, 0]), false);
  assert.equal(cartPoleFailed([2.4001, 0, 0, 0]), true);
  assert.equal(cartPoleFailed([-2.4001, 0, 0, 0]), true);
  assert.equal(cartPoleFailed([0, 0, limit, 0]), false);
  assert.equal(cartPoleFailed([0, 0, limit + 1e-9, 0]), true);
  assert.equal(cartPoleFailed([0, 0, -limit - 1e-9, 0]), true);
});

test('initial states are seeded and uniform in ±0.05', () => {
  const a = cartPoleReset(new Rng(3));
  assert.deepEqual(cartPoleReset(new Rng(3)), a);
  const rng = new Rng(4);
  for (let i = 0; i < 200; i++) for (const v of cartPoleReset(rng)) assert.ok(Math.abs(v) <= 0.05);
});

test('a batch of cart-poles resets finished episodes, records their returns, and truncates at 500 steps', () => {
  const env = new CartPoleBatch(2, new Rng(1));
  let failures = 0;
  // Environment 0 always pushes right and falls within a few dozen steps; environment 1 balances
  // by pushing against the lean and angular velocity, and lasts until the 500-step limit.
  for (let t = 0; t < 500; t++) {
    const o = env.observations;
    const balance = o[4 + 2] + 0.5 * o[4 + 3] > 0 ? 1 : 0;
    const { rewards, dones, truncated } = env.step([1, balance]);
    assert.deepEqual([...rewards], [1, 1]);
    if (dones[0] === 1) {
      failures++;
      assert.equal(truncated[0], 0);
    }
    if (t < 499) assert.equal(dones[1], 0, `balanced pole fell at step ${t + 1}`);
    else assert.deepEqual([dones[1], truncated[1]], [1, 1]);
  }
  assert.ok(failures > 5);
  assert.equal(env.steps, 1000);
  assert.equal(env.finishedReturns.length, failures + 1);
  assert.equal(env.finishedReturns.at(-1), 500);
  assert.equal(env.finishedReturns.slice(0, -1).reduce((s, r) => s + r, 0) <= 500, true);
});
