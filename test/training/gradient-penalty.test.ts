// WGAN-GP: the penalty's value as API.md defines it, and its gradient with respect to the
// critic's parameters (a gradient of a gradient norm) against finite differences.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Conv2d,
  Flatten,
  Linear,
  LossInputError,
  Rng,
  Sequential,
  Tanh,
  type Tensor,
  gradientPenalty,
  gradients,
  mlp,
  noGrad,
  ops,
  tensor,
  variable,
  wganCritic,
} from '../../packages/losskit/src/index.js';
import { assertClose } from '../helpers/assert-close.js';
import { sample } from './check-gradients.js';

test('a linear critic x·w has ‖∇‖ = ‖w‖ for every sample: penalty λ(‖w‖ − 1)², gradient 2λ(‖w‖ − 1)·w/‖w‖', () => {
  const w = variable([[0.6], [1.2], [-0.4]]);
  const critic = (x: Tensor) => ops.matmul(x, w);
  const gp = gradientPenalty(critic, sample([5, 3], 1), sample([5, 3], 2), {
    lambda: 10,
    alpha: [0, 0.25, 0.5, 0.75, 1],
  });
  const norm = Math.sqrt(0.36 + 1.44 + 0.16 + 1e-12);
  assert.ok(Math.abs(gp.item() - 10 * (norm - 1) ** 2) < 1e-12);
  gp.backward();
  const expected = [0.6, 1.2, -0.4].map((v) => (20 * (norm - 1) * v) / norm);
  assertClose(w.grad as Tensor, { shape: [3, 1], data: expected }, { rtol: 1e-10, atol: 1e-12 }, 'd gp / dw');
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
  const fake = sample([4, 3], 4);
  const alpha = [0.1, 0.5, 0.7, 0.95];
  checkAgainstFiniteDifferences('mlp critic', critic.parameters(), () =>
    gradientPenalty((x) => critic.forward(x), real, fake, { alpha }),
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
  const fake = sample([2, 1, 4, 4], 6);
  checkAgainstFiniteDifferences('conv critic', critic.parameters(), () =>
    gradientPenalty((x) => critic.forward(x), real, fake, { alpha: [0.3, 0.8], lambda: 5 }),
  );
});

test('alpha drawn from a seeded generator is reproducible, and the penalty adds to a critic loss', () => {
  const critic = mlp([2, 4, 1], { rng: new Rng(0), dtype: 'float64' });
  const real = sample([8, 2], 1);
  const fake = sample([8, 2], 2);
  const a = noGrad(() => gradientPenalty((x) => critic.forward(x), real, fake, { rng: new Rng(5) })).item();
  const b = noGrad(() => gradientPenalty((x) => critic.forward(x), real, fake, { rng: new Rng(5) })).item();
  assert.equal(a, b);
  const loss = ops.add(
    wganCritic(critic.forward(real), critic.forward(fake)),
    gradientPenalty((x) => critic.forward(x), real, fake, { rng: new Rng(5) }),
  );
  loss.backward();
  assert.ok(critic.parameters().every((p) => p.grad?.data.every(Number.isFinite)));
});

test('bad penalty arguments are errors naming the argument', () => {
  const critic = (x: Tensor) => ops.sum(x, { axis: 1 });
  const real = tensor([
    [1, 2],
    [3, 4],
  ]);
  assert.throws(
    () => gradientPenalty(critic, real, tensor([[1, 2]])),
    (e) => e instanceof LossInputError && e.argument === 'fake',
  );
  assert.throws(
    () => gradientPenalty(critic, real, real, { alpha: [0.5] }),
    (e) => e instanceof LossInputError && /one value per sample/.test(e.message),
  );
  assert.throws(
    () => gradientPenalty(critic, real, real, { alpha: [0.5, 1.5] }),
    (e) => e instanceof LossInputError && /outside \[0, 1\]/.test(e.message),
  );
  assert.throws(
    () => gradientPenalty(critic, real, real, { lambda: -1 }),
    (e) => e instanceof LossInputError && e.argument === 'options.lambda',
  );
});
