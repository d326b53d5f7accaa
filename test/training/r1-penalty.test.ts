// R1: the penalty's value as API.md defines it (γ/2 · mean over samples of ‖∂D/∂x‖²), and its
// gradient with respect to the critic's parameters (a gradient of a gradient) against finite
// differences, as for WGAN-GP's gradientPenalty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Conv2d,
  Flatten,
  Linear,
  Rng,
  Sequential,
  Tanh,
  type Tensor,
  gradients,
  hingeGanDiscriminator,
  mlp,
  ops,
  r1Penalty,
  tensor,
  variable,
} from '../../packages/losskit/src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { lossInputErrorAsserter } from '../helpers/loss-errors.js';
import { sample } from './check-gradients.js';

test('a linear critic x·w has ∂D/∂x = w for every sample: penalty γ/2·‖w‖², gradient γ·w', () => {
  const w = variable([[0.6], [1.2], [-0.4]]);
  const critic = (x: Tensor) => ops.matmul(x, w);
  const r1 = r1Penalty(critic, sample([5, 3], 1), { gamma: 3 });
  assert.ok(Math.abs(r1.item() - 1.5 * (0.36 + 1.44 + 0.16)) < 1e-12);
  r1.backward();
  assertClose(
    w.grad as Tensor,
    { shape: [3, 1], data: [1.8, 3.6, -1.2] },
    { rtol: 1e-12, atol: 1e-14 },
    'dR1/dw',
  );
});

test('a critic Σ x² per sample has ∂D/∂x = 2x: the penalty is 2γ·mean of ‖x‖², with γ = 10 by default', () => {
  const critic = (x: Tensor) => ops.sum(ops.square(x), { axis: 1 });
  const real = sample([4, 3], 7);
  let expected = 0;
  for (const v of real.data) expected += 4 * v * v;
  expected = (10 / 2) * (expected / 4);
  assert.ok(Math.abs(r1Penalty(critic, real).item() - expected) < 1e-12);
  // The data is detached: no gradient reaches it.
  const tracked = variable([
    [1, 2],
    [3, 4],
  ]);
  r1Penalty(critic, tracked).backward();
  assert.equal(tracked.grad, null);
});

/** Central differences of the penalty with respect to every critic parameter. */
function checkAgainstFiniteDifferences(label: string, params: Tensor[], penalty: () => Tensor): void {
  const analytic = gradients(penalty(), params);
  const h = 1e-6;
  params.forEach((p, k) => {
    const numeric = new Float64Array(p.size);
    for (let i = 0; i < p.size; i++) {
      const saved = p.data[i];
      p.data[i] = saved + h;
      const plus = penalty().item();
      p.data[i] = saved - h;
      const minus = penalty().item();
      p.data[i] = saved;
      numeric[i] = (plus - minus) / (2 * h);
    }
    assertClose(
      analytic[k],
      { shape: p.shape, data: numeric },
      { rtol: 1e-5, atol: 1e-7 },
      `${label}: parameter ${k}`,
    );
  });
}

test("the penalty's gradient with respect to an MLP critic's parameters equals finite differences", () => {
  const critic = mlp([3, 6, 6, 1], { activation: 'tanh', rng: new Rng(1), dtype: 'float64' });
  const real = sample([4, 3], 3);
  checkAgainstFiniteDifferences('mlp critic', critic.parameters(), () =>
    r1Penalty((x) => critic.forward(x), real, { gamma: 2 }),
  );
});

test("the penalty's gradient with respect to a convolutional critic's parameters equals finite differences", () => {
  const critic = new Sequential(
    new Conv2d(1, 2, 3, { padding: 1, stride: 2, rng: new Rng(2), dtype: 'float64' }),
    new Tanh(),
    new Flatten(),
    new Linear(8, 1, { rng: new Rng(3), dtype: 'float64' }),
  );
  const real = sample([2, 1, 4, 4], 5);
  checkAgainstFiniteDifferences('conv critic', critic.parameters(), () =>
    r1Penalty((x) => critic.forward(x), real, { gamma: 5 }),
  );
});

test('the penalty adds to a hinge discriminator loss and gives finite parameter gradients', () => {
  const critic = mlp([2, 4, 1], { rng: new Rng(0), dtype: 'float64' });
  const real = sample([8, 2], 1);
  const fake = sample([8, 2], 2);
  const loss = ops.add(
    hingeGanDiscriminator(critic.forward(real), critic.forward(fake)),
    r1Penalty((x) => critic.forward(x), real),
  );
  loss.backward();
  assert.ok(critic.parameters().every((p) => p.grad?.data.every(Number.isFinite)));
});

test('bad arguments are LossInputErrors naming r1Penalty, the argument and the problem', () => {
  const rejects = lossInputErrorAsserter('r1Penalty');
  const critic = (x: Tensor) => ops.sum(x, { axis: 1 });
  const real = tensor([
    [1, 2],
    [3, 4],
  ]);
  rejects(() => r1Penalty(critic, real, { gamma: -1 }), 'options.gamma', />= 0/);
  rejects(() => r1Penalty(critic, real, { gamma: Number.NaN }), 'options.gamma', /finite number/);
  rejects(() => r1Penalty(critic, real, { lambda: 1 } as never), 'options.lambda', /unknown option/);
  rejects(() => r1Penalty(critic, tensor([]) as Tensor), 'real', /non-empty batch axis/);
  rejects(() => r1Penalty('critic' as never, real), 'critic', /must be a function/);
});
