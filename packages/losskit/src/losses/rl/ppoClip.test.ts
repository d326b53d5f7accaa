import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, ppoClip, ppoClipLoss } from '../../index.js';

const entry = ppoClipLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter();

/** Unit loss and gradient of one sample with ratio r = e^logRatio, under reduction 'none'. */
function single(logRatio: number, advantage: number, clipEpsilon = 0.2) {
  const { value, grads } = ppoClipLoss.valueAndGrad(
    { logProbs: t([logRatio]), oldLogProbs: t([0]), advantages: t([advantage]) },
    { clipEpsilon, reduction: 'none' },
  );
  return { loss: value.data[0], grad: grads.logProbs.data[0] };
}

test('the gradient is −rA unless the clipped branch is strictly the minimum, where it is 0', () => {
  const cases = [
    { why: 'inside the band, A > 0', logRatio: Math.log(1.1), advantage: 2, clipped: false },
    { why: 'inside the band, A < 0', logRatio: Math.log(0.9), advantage: -2, clipped: false },
    { why: 'above the band, A > 0 (gain capped)', logRatio: Math.log(1.5), advantage: 2, clipped: true },
    { why: 'above the band, A < 0 (loss uncapped)', logRatio: Math.log(1.5), advantage: -2, clipped: false },
    { why: 'below the band, A > 0 (loss uncapped)', logRatio: Math.log(0.5), advantage: 2, clipped: false },
    { why: 'below the band, A < 0 (gain capped)', logRatio: Math.log(0.5), advantage: -2, clipped: true },
  ];
  for (const c of cases) {
    const r = Math.exp(c.logRatio);
    const { loss, grad } = single(c.logRatio, c.advantage);
    const clippedRatio = Math.min(Math.max(r, 0.8), 1.2);
    assert.equal(loss, -Math.min(r * c.advantage, clippedRatio * c.advantage), `${c.why}: loss`);
    assert.equal(grad, c.clipped ? 0 : -r * c.advantage, `${c.why}: gradient`);
  }
});

test('at the band edges r = 1 ± ε the branches tie and the gradient is kept, as torch min and clamp (inclusive) give', () => {
  for (const [r, advantage] of [
    [1.2, 3],
    [0.8, -3],
  ]) {
    assert.equal(Math.exp(Math.log(r)), r, 'precondition: the ratio is exactly on the edge');
    const { loss, grad } = single(Math.log(r), advantage);
    assert.equal(loss, -r * advantage);
    assert.equal(grad, -r * advantage);
  }
});

test('clipEpsilon 0 pins the ratio to 1: the loss is −A·min(r, 1) for A > 0 and the gradient is kept only at r ≤ 1', () => {
  assert.deepEqual(single(0, 2, 0), { loss: -2, grad: -2 });
  assert.deepEqual(single(Math.log(1.5), 2, 0), { loss: -2, grad: 0 });
  assert.deepEqual(single(Math.log(0.5), 2, 0), { loss: -1, grad: -1 });
});

test('a zero advantage gives loss 0 and gradient 0', () => {
  const { loss, grad } = single(Math.log(3), 0);
  assert.equal(loss + 0, 0);
  assert.equal(grad + 0, 0);
});

test('ratios of e^±20 give finite values and gradients', () => {
  const { value, grads } = ppoClipLoss.valueAndGrad(
    { logProbs: t([20, -20, 20, -20]), oldLogProbs: t([0, 0, 0, 0]), advantages: t([1, -1, -1, 1]) },
    { reduction: 'none' },
  );
  const big = Math.exp(20);
  const small = Math.exp(-20);
  // Capped gains: −1.2·1 and −0.8·(−1) with zero gradient; uncapped losses: −e^20·(−1) and −e^−20·1 with gradient −rA.
  assertClose(value, t([-1.2, 0.8, big, -small]), { rtol: 1e-12, atol: 0 }, 'value');
  assertClose(grads.logProbs, t([0, 0, big, -small]), { rtol: 1e-12, atol: 0 }, 'grads.logProbs');
  assertAllFinite(grads.logProbs, 'grads.logProbs');
});

test('gradients match central differences for clipEpsilon 0.3 under reduction none with an upstream, away from the kinks', () => {
  gradcheck(
    entry,
    {
      logProbs: t([-1, -0.5, -2, -0.2, -1.1, -0.9], [3, 2]),
      oldLogProbs: t([-1.1, -1.2, -1.5, -0.25, -0.3, -0.95], [3, 2]),
      advantages: t([1.5, 0.7, -0.4, -2, 1.2, 0.3], [3, 2]),
    },
    { clipEpsilon: 0.3, reduction: 'none' },
    t([1, -0.5, 2, 0.25, 1, 3], [3, 2]),
  );
});

test('clipEpsilon must be >= 0', () => {
  rejects(() => ppoClip([0], [0], [1], { clipEpsilon: -0.1 }), 'options.clipEpsilon', />= 0, got -0\.1/);
});

test('oldLogProbs and advantages must have the shape of logProbs, and the error names both shapes', () => {
  rejects(() => ppoClip([0, 0], [0, 0, 0], [1, 1]), 'oldLogProbs', /\[3\].*\[2\]/);
  rejects(() => ppoClip([0, 0], [0, 0], [[1, 1]]), 'advantages', /\[1, 2\].*\[2\]/);
});
