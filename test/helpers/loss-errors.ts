import assert from 'node:assert/strict';
import { LossInputError } from '../../packages/losskit/src/index.js';

/** What a rejected input must report; `loss` is checked only when given. */
export interface ExpectedLossInputError {
  loss?: string;
  argument: string;
  message: RegExp;
}

/**
 * `fn` throws a `LossInputError` naming `argument` (and `loss`, when given) whose message
 * matches `message`. A failure says which of the three did not hold.
 */
export function assertLossInputError(fn: () => unknown, expected: ExpectedLossInputError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof LossInputError, `expected a LossInputError, got ${String(e)}`);
    if (expected.loss !== undefined) assert.equal(e.loss, expected.loss, 'LossInputError.loss');
    assert.equal(e.argument, expected.argument, 'LossInputError.argument');
    assert.match(e.message, expected.message);
    return true;
  });
}

/**
 * A `rejects(fn, argument, message)` asserter for one loss's tests: `assertLossInputError`
 * with `loss` fixed (omit it to accept any loss name).
 */
export function lossInputErrorAsserter(
  loss?: string,
): (fn: () => unknown, argument: string, message: RegExp) => void {
  return (fn, argument, message) => assertLossInputError(fn, { loss, argument, message });
}
