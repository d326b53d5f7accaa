// The README's training-loop example, verbatim apart from the assertions: it must run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam, Rng, fit, huber, mlp, predict, tensor } from '../../packages/losskit/src/index.js';

test('the README example trains a small model with a registry loss', () => {
  // --- README example begins ---
  // Noisy samples of y = sin(3x), fitted by a small MLP with the Huber loss.
  const rng = new Rng(0);
  const xs = Array.from({ length: 256 }, () => [rng.uniform(-1, 1)]);
  const ys = xs.map(([x]) => [Math.sin(3 * x) + rng.normal(0, 0.05)]);
  const model = mlp([1, 32, 32, 1], { activation: 'tanh', rng });
  const history = fit(model, {
    x: tensor(xs),
    y: tensor(ys),
    loss: { loss: 'huber', options: { delta: 0.5 } }, // any registry loss, or combine({ ... })
    optimizer: new Adam(model.parameters(), { lr: 0.02 }),
    epochs: 100,
    batchSize: 32,
    onProgress: ({ step, totalSteps, loss }) => void [step, totalSteps, loss], // draw a progress bar here
  });
  const prediction = predict(model, tensor([[0.5]])).item(); // ≈ sin(1.5) ≈ 0.997
  // --- README example ends ---
  assert.ok(history.loss[history.loss.length - 1] < 0.01, `final loss ${history.loss.at(-1)}`);
  assert.ok(Math.abs(prediction - Math.sin(1.5)) < 0.05, `prediction ${prediction}`);
});

test('the README example of the PyTorch-style loop: zeroGrad, forward, loss, backward, step', () => {
  const model = mlp([1, 16, 1], { rng: new Rng(1) });
  const optimizer = new Adam(model.parameters(), { lr: 0.05 });
  const x = tensor([[-1], [0], [1]]);
  const y = tensor([[1], [0], [1]]);
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 0; step < 100; step++) {
    optimizer.zeroGrad();
    const loss = huber(model.forward(x), y); // the plain loss function, tracked because parameters require grad
    loss.backward();
    optimizer.step();
    if (step === 0) first = loss.item();
    last = loss.item();
  }
  assert.ok(last < first / 10, `loss went from ${first} to ${last}`);
});
