import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { ppoClipLoss, ppoStats } from '../../index.js';

const rejects = lossInputErrorAsserter();

test('clipFraction is the share of samples whose ratio left [1 − ε, 1 + ε]', () => {
  // Ratios 1, 1.1, 1.5, 0.5, 0.85: two of five are outside [0.8, 1.2].
  const logProbs = [1, 1.1, 1.5, 0.5, 0.85].map(Math.log);
  assert.equal(ppoStats(logProbs, [0, 0, 0, 0, 0]).clipFraction, 2 / 5);
  assert.equal(ppoStats(logProbs, [0, 0, 0, 0, 0], { clipEpsilon: 0.1 }).clipFraction, 3 / 5);
});

test('clipFraction counts exactly the samples whose ppoClip gradient can be cut off by the clamp', () => {
  const logRatio = fc.double({ min: -1, max: 1, noNaN: true });
  fc.assert(
    fc.property(fc.array(logRatio, { minLength: 1, maxLength: 10 }), (d) => {
      const zeros = d.map(() => 0);
      // With A = +1 above the band and A = −1 below it, every clamped sample has gradient 0.
      const advantages = d.map((x) => (x > 0 ? 1 : -1));
      const { grads } = ppoClipLoss.valueAndGrad(
        { logProbs: d, oldLogProbs: zeros, advantages },
        { reduction: 'sum' },
      );
      const cut = [...grads.logProbs.data].filter((g) => g === 0).length;
      assert.equal(ppoStats(d, zeros).clipFraction, cut / d.length);
    }),
  );
});

test('approxKl is mean((r − 1) − log r): 0 for identical policies, positive otherwise', () => {
  assert.deepEqual(ppoStats([-1, -2], [-1, -2]), { clipFraction: 0, approxKl: 0 });
  const d = [0.5, -0.3];
  const expected = d.reduce((s, x) => s + (Math.exp(x) - 1 - x), 0) / 2;
  assert.ok(Math.abs(ppoStats(d, [0, 0]).approxKl - expected) <= 1e-15);
});

test('approxKl stays accurate for tiny policy changes (≈ d²/2, where (r − 1) − log r would cancel to 0)', () => {
  const { approxKl } = ppoStats([1e-9], [0]);
  assert.ok(Math.abs(approxKl - 0.5e-18) <= 1e-24, `approxKl ${approxKl}`);
});

test('log-ratios of ±20 give finite statistics', () => {
  const { clipFraction, approxKl } = ppoStats([20, -20], [0, 0]);
  assert.equal(clipFraction, 1);
  assert.ok(Number.isFinite(approxKl));
  assert.ok(Math.abs(approxKl - (Math.exp(20) - 1 - 20 + Math.exp(-20) - 1 + 20) / 2) <= 1e-6 * approxKl);
});

test('empty inputs give zeros', () => {
  assert.deepEqual(ppoStats([], []), { clipFraction: 0, approxKl: 0 });
});

test('bad inputs are LossInputErrors naming the argument', () => {
  rejects(() => ppoStats([0, 0], [0]), 'oldLogProbs', /\[1\].*\[2\]/);
  rejects(() => ppoStats([0, Number.NaN], [0, 0]), 'logProbs', /NaN at index \[1\]/);
  rejects(() => ppoStats([0], [0], { clipEpsilon: -1 }), 'options.clipEpsilon', />= 0/);
  rejects(() => ppoStats([0], [0], { epsilon: 0.1 } as never), 'options.epsilon', /unknown option/);
});
