import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { mse, valueLoss, valueLossLoss } from '../../index.js';

const rejects = lossInputErrorAsserter();

test('the loss is (V − R)² with gradient 2(V − R): no ½ factor', () => {
  const { value, grads } = valueLossLoss.valueAndGrad({ values: t([3]), returns: t([1]) });
  assert.equal(value.item(), 4);
  assert.deepEqual([...grads.values.data], [4]);
});

test('valueLoss equals mse (torch mse_loss) for every reduction', () => {
  const x = fc.double({ min: -1e3, max: 1e3, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(fc.tuple(x, x), { minLength: 1, maxLength: 8 }),
      fc.constantFrom('mean', 'sum', 'none'),
      (pairs, reduction) => {
        const values = pairs.map(([v]) => v);
        const returns = pairs.map(([, r]) => r);
        assertClose(
          valueLoss(values, returns, { reduction }),
          mse(values, returns, { reduction }),
          { rtol: 1e-14, atol: 0 },
          reduction,
        );
      },
    ),
  );
});

test('returns of another shape are an error naming both shapes', () => {
  rejects(() => valueLoss([1, 2, 3], [[1, 2, 3]]), 'returns', /\[1, 3\].*\[3\]/);
});

test("'batchmean' is not a valueLoss reduction, and the error lists the valid ones", () => {
  rejects(
    () => valueLoss([1], [1], { reduction: 'batchmean' as 'mean' }),
    'options.reduction',
    /'mean' \| 'sum' \| 'none'/,
  );
});
