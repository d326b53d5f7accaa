import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { lsganGenerator, lsganGeneratorLoss } from '../../index.js';

const exact = { rtol: 1e-12, atol: 0 };

test('samples the critic scores as real (D = 1) cost nothing', () => {
  const { value, grads } = lsganGeneratorLoss.valueAndGrad({ fake: t([1, 1]) });
  assert.equal(value.item(), 0);
  assert.deepEqual([...grads.fake.data], [0, 0]);
});

test('the gradient (D(G(z)) − 1)/n does not saturate for strongly rejected samples', () => {
  const { value, grads } = lsganGeneratorLoss.valueAndGrad({ fake: t([-99, 0.5], [2, 1]) });
  assertClose(value, { shape: [], data: [(0.5 * (100 ** 2 + 0.25)) / 2] }, exact, 'value');
  assertClose(grads.fake, t([-100 / 2, -0.5 / 2], [2, 1]), exact, 'grads.fake');
});

test('an upstream u scales the gradient by u', () => {
  const { grads } = lsganGeneratorLoss.valueAndGrad({ fake: t([3]) }, {}, -2);
  assertClose(grads.fake, t([-4]), exact, 'grads.fake');
});

test('an empty batch gives 0', () => {
  assert.equal(lsganGenerator([]).item(), 0);
});
