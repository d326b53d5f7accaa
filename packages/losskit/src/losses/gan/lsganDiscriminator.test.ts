import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { lsganDiscriminator, lsganDiscriminatorLoss } from '../../index.js';

const exact = { rtol: 1e-12, atol: 0 };

test('a perfect discriminator (real → 1, fake → 0) has loss 0 and zero gradient', () => {
  const { value, grads } = lsganDiscriminatorLoss.valueAndGrad({ real: t([1, 1, 1]), fake: t([0, 0]) });
  assert.equal(value.item(), 0);
  assert.deepEqual([...grads.real.data, ...grads.fake.data], [0, 0, 0, 0, 0]);
});

test('gradients are (D(x) − 1)/n_real and D(G(z))/n_fake', () => {
  const { value, grads } = lsganDiscriminatorLoss.valueAndGrad({ real: t([3, 0]), fake: t([2, -1, 0.5]) });
  // ½·mean((3 − 1)², (0 − 1)²) + ½·mean(2², 1, 0.25) = ½·2.5 + ½·1.75
  assertClose(value, { shape: [], data: [0.5 * 2.5 + 0.5 * 1.75] }, exact, 'value');
  assertClose(grads.real, t([2 / 2, -1 / 2]), exact, 'grads.real');
  assertClose(grads.fake, t([2 / 3, -1 / 3, 0.5 / 3]), exact, 'grads.fake');
});

test('critic outputs of ±1e4 stay finite', () => {
  const { value, grads } = lsganDiscriminatorLoss.valueAndGrad({ real: t([-1e4]), fake: t([1e4]) });
  assertClose(value, { shape: [], data: [0.5 * 10001 ** 2 + 0.5 * 1e8] }, exact, 'value');
  assertAllFinite(grads.real, 'grads.real');
});

test('an empty real batch contributes 0', () => {
  assertClose(lsganDiscriminator([], [2]), { shape: [], data: [2] }, exact, 'value');
});
