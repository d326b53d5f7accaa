// `{ shape, data }` objects are checked as strictly as nested arrays: data holds numbers only
// (null, booleans and strings are rejected, not converted to 0, 1 and 1), shape entries are
// non-negative safe integers, the element count matches, and data is array-like (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

const mse = (target: unknown) =>
  losses.mse.valueAndGrad({
    input: [
      [1, 2],
      [3, 4],
    ],
    target: target as never,
  });

test('data holding null, a boolean, a numeric string, undefined or an array is rejected, naming the element', () => {
  for (const [bad, shown] of [
    [null, 'null'],
    [true, 'true'],
    [false, 'false'],
    ['1', "the string '1'"],
    [undefined, 'undefined'],
    [[4], 'an array of 1'],
    [4n, 'the bigint 4n'],
  ] as const) {
    assertLossInputError(() => mse({ shape: [2, 2], data: [1, 2, 3, bad] }), {
      loss: 'mse',
      argument: 'target',
      message: new RegExp(`data element \\[1, 1\\] is ${shown.replace(/[[\]]/g, '\\$&')}, not a number`),
    });
  }
});

test('{ shape, data } and the same nested array are rejected alike', () => {
  for (const bad of [null, true, '1']) {
    assertLossInputError(() => mse({ shape: [2, 2], data: [1, 2, 3, bad] }), {
      argument: 'target',
      message: /not a number/,
    });
    assertLossInputError(
      () =>
        mse([
          [1, 2],
          [3, bad],
        ]),
      { argument: 'target', message: /not a number/ },
    );
  }
});

test('an array-like object of numbers is data; one with holes is rejected', () => {
  const r = mse({ shape: [2, 2], data: { length: 4, 0: 1, 1: 2, 2: 3, 3: 4 } });
  assert.equal(r.value.item(), 0);
  assertLossInputError(() => mse({ shape: [2, 2], data: { length: 4, 0: 1 } }), {
    argument: 'target',
    message: /data element \[0, 1\] is undefined, not a number/,
  });
});

test('shape entries that are not non-negative safe integers are rejected, naming the entry', () => {
  for (const [shape, message] of [
    [[-1], /shape entry 0 is -1, not a non-negative integer/],
    [[1.5], /shape entry 0 is 1.5/],
    [[Number.NaN], /shape entry 0 is NaN/],
    [[Number.POSITIVE_INFINITY], /shape entry 0 is Infinity/],
    [[2 ** 53 + 2, 0], /shape entry 0 is 9007199254740994/],
    [[2, '2'], /shape entry 1 is the string '2'/],
    [[2, null], /shape entry 1 is null/],
  ] as const) {
    assertLossInputError(() => mse({ shape, data: [] }), { loss: 'mse', argument: 'target', message });
  }
});

test('a shape that is not an array, or has more than 64 axes, is rejected without a TypeError', () => {
  assertLossInputError(() => mse({ shape: Object.create(null), data: [1] }), {
    argument: 'target',
    message: /shape must be an array of non-negative integers, got an object/,
  });
  assertLossInputError(() => mse({ shape: '4', data: [1, 2, 3, 4] }), {
    argument: 'target',
    message: /got the string '4'/,
  });
  assertLossInputError(() => mse({ shape: new Array(65).fill(1), data: [1] }), {
    argument: 'target',
    message: /has 65 axes \(at most 64\)/,
  });
  assertLossInputError(() => tensor([1], Object.create(null)), {
    loss: 'tensor',
    argument: 'shape',
    message: /got an object/,
  });
});

test('a shape beyond 2^31 - 1 elements is rejected, empty axes included', () => {
  assertLossInputError(() => mse({ shape: [2 ** 31], data: [] }), {
    argument: 'target',
    message: /has more than 2147483647/,
  });
  assertLossInputError(() => mse({ shape: [2 ** 40, 0], data: [] }), {
    argument: 'target',
    message: /has more than 2147483647/,
  });
  assertLossInputError(() => mse({ shape: [2 ** 25, 0], data: [] }), {
    argument: 'target',
    message: /is empty, but its other axes span 33554432 positions/,
  });
  assert.deepEqual(tensor({ shape: [1024, 0], data: [] }).shape, [1024, 0]);
});

test('data of the wrong length, or that is not array-like, is rejected', () => {
  for (const [data, message] of [
    [[1, 2, 3], /data has 3 elements but shape \[2, 2\] needs 4/],
    [new Float64Array(5), /data has 5 elements but shape \[2, 2\] needs 4/],
    [5, /data must be an array or typed array of numbers, got 5/],
    ['1234', /data must be an array or typed array of numbers, got the string '1234'/],
    [null, /got null/],
    [{ length: '4' }, /an object whose length is the string '4'/],
    [{ length: -1 }, /an object whose length is -1/],
    [{ length: 1.5 }, /an object whose length is 1.5/],
    [{}, /an object whose length is undefined/],
  ] as const) {
    assertLossInputError(() => mse({ shape: [2, 2], data }), { loss: 'mse', argument: 'target', message });
  }
  assertLossInputError(() => mse({ shape: [2, 2] }), { argument: 'target', message: /got undefined/ });
});
