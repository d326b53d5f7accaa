import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logSigmoid, softplus } from './math.js';

test('softplus is exact at the ends of the float range: x for x = 1e308 and the largest double, 0 below', () => {
  for (const x of [1e308, Number.MAX_VALUE, 8.9e307]) {
    assert.equal(softplus(x), x);
    assert.equal(softplus(-x), 0);
  }
  assert.equal(softplus(0), Math.LN2);
});

test('logSigmoid is −|x| for large negative x (−1e308, −MAX) and 0 for large positive x, never −∞ or NaN', () => {
  for (const x of [1e308, Number.MAX_VALUE]) {
    assert.equal(logSigmoid(-x), -x);
    assert.ok(logSigmoid(x) === 0, `logSigmoid(${x}) = ${logSigmoid(x)}`);
  }
  assert.equal(logSigmoid(0), -Math.LN2);
});
