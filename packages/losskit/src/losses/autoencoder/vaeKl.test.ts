import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, vaeKl, vaeKlLoss } from '../../index.js';

const entry = vaeKlLoss as unknown as LossEntry;
const exact = { rtol: 1e-12, atol: 0 };
const rejects = lossInputErrorAsserter();

test('the KL is 0 with zero gradient when the posterior is the prior (μ = 0, logVar = 0)', () => {
  const { value, grads } = vaeKlLoss.valueAndGrad({
    mu: t([0, 0, 0, 0], [2, 2]),
    logVar: t([0, 0, 0, 0], [2, 2]),
  });
  assert.equal(value.item(), 0);
  assert.ok([...grads.mu.data, ...grads.logVar.data].every((g) => g === 0));
});

test('log-variances of ±30 give the exact finite terms and gradients', () => {
  const { value, grads } = vaeKlLoss.valueAndGrad(
    { mu: t([0, 0], [1, 2]), logVar: t([30, -30], [1, 2]) },
    { reduction: 'none' },
  );
  // ½(e^30 − 1 − 30) and ½(e^−30 − 1 + 30); ∂/∂logVar = ½(e^lv − 1).
  assertClose(value, t([0.5 * (Math.exp(30) - 31), 0.5 * (Math.exp(-30) + 29)], [1, 2]), exact, 'value');
  assertClose(
    grads.logVar,
    t([0.5 * (Math.exp(30) - 1), 0.5 * (Math.exp(-30) - 1)], [1, 2]),
    exact,
    'grads.logVar',
  );
  assertAllFinite(grads.logVar, 'grads.logVar');
});

test("the default 'batchmean' is the KL per sample: the total over [N, Z] divided by N", () => {
  // Terms: μ² / 2 with logVar 0 → (1 + 4 + 9 + 16)/2 = 15 in total, N = 2.
  assertClose(
    vaeKl(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
    ),
    { shape: [], data: [7.5] },
    exact,
    'batchmean',
  );
  assertClose(
    vaeKl(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      { reduction: 'mean' },
    ),
    { shape: [], data: [3.75] },
    exact,
    'mean',
  );
});

test('gradients match central differences for a [N, C, Z] latent with batchmean and with mean', () => {
  const mu = t([0.3, -1, 0.5, 2, -0.2, 0.1, 1.2, -0.7], [2, 2, 2]);
  const logVar = t([0.1, -0.5, 1, -2, 0.4, 0, -1.2, 0.8], [2, 2, 2]);
  gradcheck(entry, { mu, logVar }, { reduction: 'batchmean' });
  gradcheck(entry, { mu, logVar }, { reduction: 'mean' });
});

test('logVar of another shape is an error naming both shapes', () => {
  rejects(() => vaeKl([[0, 0]], [[0, 0, 0]]), 'logVar', /\[1, 3\].*\[1, 2\]/);
});

test('a 1-D mu is an error asking for [N, Z]', () => {
  rejects(() => vaeKl([0, 0], [0, 0]), 'mu', /\[N, Z\], got \[2\]/);
});
