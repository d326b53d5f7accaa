import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, policyGradient, policyGradientLoss } from '../../index.js';

const entry = policyGradientLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter();

test('normalizeAdvantages is skipped for a single sample (no std to divide by)', () => {
  const { value, grads } = policyGradientLoss.valueAndGrad(
    { logProbs: t([-0.5]), advantages: t([3]) },
    { normalizeAdvantages: true },
  );
  assert.equal(value.item(), 1.5);
  assert.deepEqual([...grads.logProbs.data], [-3]);
});

test('normalised advantages use the unbiased std plus 1e-8, and the statistics get no gradient', () => {
  const logProbs = [-1, -0.2, -2.5, -0.7];
  const advantages = [2, -1, 0.5, 4];
  // mean = 1.375; Σ(A − mean)² = 0.390625 + 5.640625 + 0.765625 + 6.890625 = 13.6875; unbiased var = 13.6875/3.
  const std = Math.sqrt(13.6875 / 3);
  const normalised = advantages.map((a) => (a - 1.375) / (std + 1e-8));
  const { value, grads } = policyGradientLoss.valueAndGrad(
    { logProbs: t(logProbs), advantages: t(advantages) },
    { normalizeAdvantages: true },
  );
  const expected = -logProbs.reduce((s, lp, i) => s + lp * normalised[i], 0) / 4;
  assertClose(value, { shape: [], data: [expected] }, { rtol: 1e-12, atol: 1e-15 }, 'value');
  assertClose(
    grads.logProbs,
    t(normalised.map((a) => -a / 4)),
    { rtol: 1e-12, atol: 1e-15 },
    'grads.logProbs',
  );
  assert.deepEqual(Object.keys(grads), ['logProbs']);
});

test('with normalisation the loss does not change when advantages are shifted and rescaled', () => {
  const value = fc.double({ min: -10, max: 10, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(value, value), { minLength: 2, maxLength: 8 }),
      fc.double({ min: 1, max: 100, noNaN: true }),
      value,
      (pairs, scale, shift) => {
        const logProbs = pairs.map(([lp]) => lp);
        const advantages = pairs.map(([, a]) => a);
        // A spread well above the 1e-8 added to the std, so that ε's share stays below the tolerance.
        fc.pre(Math.max(...advantages) - Math.min(...advantages) > 0.5);
        const a = policyGradient(logProbs, advantages, { normalizeAdvantages: true });
        const b = policyGradient(
          logProbs,
          advantages.map((v) => v * scale + shift),
          { normalizeAdvantages: true },
        );
        assertClose(b, a, { rtol: 1e-6, atol: 1e-6 }, 'value');
      },
    ),
  );
});

test('constant advantages normalise to 0: loss and gradient 0, no NaN', () => {
  const { value, grads } = policyGradientLoss.valueAndGrad(
    { logProbs: t([-1, -2, -3]), advantages: t([5, 5, 5]) },
    { normalizeAdvantages: true },
  );
  assert.equal(value.item() + 0, 0);
  assert.ok([...grads.logProbs.data].every((g) => g === 0));
});

test('gradients match central differences with normalisation under reduction none and an upstream', () => {
  gradcheck(
    entry,
    {
      logProbs: t([-1, -0.3, -2, -0.8, -1.5, -0.1], [2, 3]),
      advantages: t([1, -2, 0.5, 3, -0.4, 0.2], [2, 3]),
    },
    { normalizeAdvantages: true, reduction: 'none' },
    t([0.5, -1, 2, 1, 0.3, -0.7], [2, 3]),
  );
});

test('advantages of another shape are an error naming both shapes', () => {
  rejects(() => policyGradient([-1, -2, -3], [[1], [2], [3]]), 'advantages', /\[3, 1\].*\[3\]/);
});

test('normalizeAdvantages must be a boolean', () => {
  rejects(
    () => policyGradient([-1], [1], { normalizeAdvantages: 'true' as unknown as boolean }),
    'options.normalizeAdvantages',
    /true or false/,
  );
});
