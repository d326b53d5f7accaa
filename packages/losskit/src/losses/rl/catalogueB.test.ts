// What is particular to entropyBonus and clippedValueLoss; the registry-driven tests cover the
// PyTorch reference cases, reductions, float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { tensor } from '../../tensor/index.js';
import { clippedValueLoss, clippedValueLossLoss } from './clippedValueLoss.js';
import { entropyBonus, entropyBonusLoss } from './entropyBonus.js';

test('entropyBonus is −log A for uniform logits, → 0 for a peaked policy, and finite at logits of ±1e4', () => {
  assert.ok(Math.abs(entropyBonus([[3, 3, 3, 3]]).item() + Math.log(4)) < 1e-15);
  assert.ok(Math.abs(entropyBonus([[1e4, 0, -1e4]]).item()) < 1e-300);
  const { value, grads } = entropyBonusLoss.valueAndGrad({
    logits: [
      [1e4, -1e4],
      [0, 1e4],
    ],
  });
  assert.ok(Number.isFinite(value.item()) && grads.logits.data.every(Number.isFinite));
});

test('entropyBonus: the gradient equals central differences and sums to 0 over each row', () => {
  const next = random(2);
  const logits = tensor(Array.from({ length: 3 }, () => Array.from({ length: 5 }, () => 4 * next() - 2)));
  gradcheck(entropyBonusLoss, { logits }, { reduction: 'none' }, tensor([1, -0.5, 2]));
  const { grads } = entropyBonusLoss.valueAndGrad({ logits });
  for (let r = 0; r < 3; r++) {
    let row = 0;
    for (let k = 0; k < 5; k++) row += grads.logits.data[5 * r + k];
    assert.ok(Math.abs(row) < 1e-15, `row ${r}`);
  }
});

test('clippedValueLoss: the larger of the plain and clipped squared errors, with torch’s gradient', () => {
  // V moved 2 from V_old = 0; clip 0.2 gives 0.2; R = 2: plain 0, clipped (0.2 − 2)² = 3.24, and
  // the clipped term has no gradient outside the range.
  const a = clippedValueLossLoss.valueAndGrad({ values: [2], oldValues: [0], returns: [2] });
  assert.ok(Math.abs(a.value.item() - 3.24) < 1e-12);
  assert.equal(a.grads.values.data[0], 0);
  // Inside the range both terms are equal: the gradient is 2(V − R).
  const b = clippedValueLossLoss.valueAndGrad(
    { values: [0.1], oldValues: [0], returns: [1] },
    { reduction: 'sum' },
  );
  assert.ok(Math.abs(b.grads.values.data[0] - 2 * (0.1 - 1)) < 1e-15);
  // Away from the ties and clip edges, central differences agree.
  const next = random(4);
  const n = 8;
  const values = tensor(Array.from({ length: n }, () => 2 * next() - 1));
  const oldValues = tensor(Array.from({ length: n }, () => 2 * next() - 1));
  const returns = tensor(Array.from({ length: n }, () => 2 * next() - 1));
  gradcheck(clippedValueLossLoss, { values, oldValues, returns }, { clipRange: 0.3, reduction: 'sum' });
  assert.equal(clippedValueLoss([1], [1], [1], { clipRange: 0 }).item(), 0);
});

test('bad input is a LossInputError naming the loss, the argument and the problem', () => {
  lossInputErrorAsserter('entropyBonus')(() => entropyBonus([[]]), 'logits', /at least one class/);
  const rejects = lossInputErrorAsserter('clippedValueLoss');
  rejects(() => clippedValueLoss([1, 2], [1], [1, 2]), 'oldValues', /does not match/);
  rejects(() => clippedValueLoss([1], [1], [1], { clipRange: -0.1 }), 'options.clipRange', />= 0/);
});
