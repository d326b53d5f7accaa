import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { wganGenerator, wganGeneratorLoss } from '../../index.js';

test('the value is −mean(D(G(z))) and every output gets gradient −1/n', () => {
  const { value, grads } = wganGeneratorLoss.valueAndGrad({ fake: t([1e4, -2, 0, 5], [2, 2]) });
  assertClose(value, { shape: [], data: [-(1e4 + 3) / 4] }, { rtol: 1e-15, atol: 0 }, 'value');
  assertClose(grads.fake, t([-0.25, -0.25, -0.25, -0.25], [2, 2]), { rtol: 0, atol: 0 }, 'grads.fake');
});

test('an empty batch gives 0, not NaN', () => {
  assert.equal(wganGenerator([]).item(), 0);
});
