// Option values of any type (a null-prototype object, a symbol, a bigint) are a LossInputError
// naming the option, never the TypeError that String() throws on them (issue #12).
import { test } from 'node:test';
import { losses } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

const call = (options: unknown) => losses.huber.valueAndGrad({ input: [1], target: [0] }, options as never);

test('an option value that String() cannot convert is a LossInputError naming the option', () => {
  for (const [name, value, shown] of [
    ['delta', Object.create(null), 'an object'],
    ['delta', Symbol('d'), 'a symbol'],
    ['delta', 1n, 'the bigint 1n'],
    ['reduction', Object.create(null), 'an object'],
    ['reduction', Symbol('r'), 'a symbol'],
  ] as const) {
    assertLossInputError(() => call({ [name]: value }), {
      loss: 'huber',
      argument: `options.${name}`,
      message: new RegExp(`got ${shown}$`),
    });
  }
});

test('options that are not an object name what they are', () => {
  assertLossInputError(() => call(3), {
    loss: 'huber',
    argument: 'options',
    message: /must be an object, got 3/,
  });
  assertLossInputError(() => call([]), {
    argument: 'options',
    message: /must be an object, got an array of 0/,
  });
  assertLossInputError(() => call(null), { argument: 'options', message: /must be an object, got null/ });
});
