// What is particular to the hinge GAN pair; the registry-driven tests cover the PyTorch reference
// cases, float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hingeGanDiscriminator, hingeGanDiscriminatorLoss } from './hingeGanDiscriminator.js';
import { hingeGanGenerator } from './hingeGanGenerator.js';
import { wganGenerator } from './wganGenerator.js';

test('hingeGanDiscriminator: each batch is averaged on its own, and samples beyond the margin cost nothing', () => {
  // real [2, 0.5, -1]: hinges 0, 0.5, 2 (mean 5/6); fake [-2, 0]: hinges 0, 1 (mean 1/2).
  assert.ok(Math.abs(hingeGanDiscriminator([2, 0.5, -1], [-2, 0]).item() - (5 / 6 + 1 / 2)) < 1e-15);
  const { grads } = hingeGanDiscriminatorLoss.valueAndGrad({ real: [2, 0.5, -1], fake: [-2, 0] });
  assert.deepEqual(Array.from(grads.real.data), [0, -1 / 3, -1 / 3]);
  assert.deepEqual(Array.from(grads.fake.data), [0, 1 / 2]);
  // At the hinge itself there is no gradient (torch's relu).
  const atKink = hingeGanDiscriminatorLoss.valueAndGrad({ real: [1], fake: [-1] });
  assert.equal(atKink.value.item(), 0);
  assert.deepEqual([atKink.grads.real.data[0], atKink.grads.fake.data[0]], [0, 0]);
  assert.equal(hingeGanDiscriminator([], [0]).item(), 1);
});

test('hingeGanGenerator is −E[D(G(z))], the same function as wganGenerator', () => {
  for (const fake of [[1, 2], [-3, 0.5, 4], []])
    assert.equal(hingeGanGenerator(fake).item(), wganGenerator(fake).item());
});
