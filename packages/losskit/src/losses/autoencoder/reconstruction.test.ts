import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, reconstruction, reconstructionLoss } from '../../index.js';

const entry = reconstructionLoss as unknown as LossEntry;
const exact = { rtol: 1e-12, atol: 0 };
const rejects = lossInputErrorAsserter();

test("'bce' with probabilities exactly 0 and 1 is finite: logs clamped at −100, torch's gradient (p − y)/max(p(1 − p), 1e-12)", () => {
  const { value, grads } = reconstructionLoss.valueAndGrad(
    { input: t([0, 1, 0, 1]), target: t([0, 1, 1, 0]) },
    { kind: 'bce', reduction: 'none' },
  );
  assertClose(value, t([0, 0, 100, 100]), exact, 'value');
  assertClose(grads.input, t([0, 0, -1e12, 1e12]), exact, 'grads.input');
  assertAllFinite(grads.input, 'grads.input');
});

test("'bce' accepts soft targets in [0, 1]: at x̂ = x = 0.5 the loss is log 2 with gradient 0", () => {
  const { value, grads } = reconstructionLoss.valueAndGrad(
    { input: t([0.5]), target: t([0.5]) },
    { kind: 'bce' },
  );
  assertClose(value, { shape: [], data: [Math.LN2] }, exact, 'value');
  assert.equal(grads.input.data[0], 0);
});

test("'l1' has gradient 0 where the reconstruction equals the target, ±1/n elsewhere", () => {
  const { grads } = reconstructionLoss.valueAndGrad(
    { input: t([1, 2, 3]), target: t([1, 0, 5]) },
    { kind: 'l1' },
  );
  assertClose(grads.input, t([0, 1 / 3, -1 / 3]), exact, 'grads.input');
});

test("'batchmean' sums each sample's terms and averages over the batch", () => {
  const input = t([1, 2, 3, 4, 5, 6], [2, 3]);
  const target = t([0, 0, 0, 0, 0, 0], [2, 3]);
  assertClose(
    reconstruction(input, target, { reduction: 'batchmean' }),
    { shape: [], data: [91 / 2] },
    exact,
    'mse',
  );
  assertClose(
    reconstruction(input, target, { kind: 'l1', reduction: 'batchmean' }),
    { shape: [], data: [21 / 2] },
    exact,
    'l1',
  );
});

test("gradients match central differences for 'batchmean' with every kind, and for 'bce' with 'sum'", () => {
  const input = t([0.2, 0.7, 0.4, 0.9, 0.35, 0.6], [2, 3]);
  const target = t([0, 1, 0.3, 1, 0, 0.8], [2, 3]);
  for (const kind of ['mse', 'l1', 'bce'] as const)
    gradcheck(entry, { input, target }, { kind, reduction: 'batchmean' });
  gradcheck(entry, { input, target }, { kind: 'bce', reduction: 'sum' });
});

test("'bce' rejects a reconstruction or a target outside [0, 1], naming the index", () => {
  rejects(
    () => reconstruction([0.5, 1.2], [0, 1], { kind: 'bce' }),
    'input',
    /1\.2 at index \[1\] is outside \[0, 1\]/,
  );
  rejects(
    () => reconstruction([0.5, 0.5], [0, -1], { kind: 'bce' }),
    'target',
    /-1 at index \[1\] is outside \[0, 1\]/,
  );
});

test("'mse' and 'l1' take any real values", () => {
  assert.equal(reconstruction([-3], [2], { kind: 'l1' }).item(), 5);
});

test('a kind not in the list is an error listing the valid kinds', () => {
  rejects(
    () => reconstruction([0], [0], { kind: 'huber' as 'mse' }),
    'options.kind',
    /'mse' \| 'l1' \| 'bce', got 'huber'/,
  );
});

test('a target of another shape is an error naming both shapes', () => {
  rejects(() => reconstruction([[0, 1]], [0, 1]), 'target', /\[2\].*\[1, 2\]/);
});
