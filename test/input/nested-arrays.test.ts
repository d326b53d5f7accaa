// Nested arrays are walked without recursion, their depth and size bounded before anything is
// allocated: no stack overflow, no endless loop on an array that contains itself, no
// out-of-memory on shared rows that stand for billions of numbers (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

function nestedDeep(depth: number): unknown {
  let a: unknown = [1];
  for (let i = 0; i < depth; i++) a = [a];
  return a;
}

const mse = (input: unknown) => losses.mse.valueAndGrad({ input: input as number[], target: [1] });

test('an array nested 100 000 deep is a LossInputError naming the input, not a stack overflow', () => {
  assertLossInputError(() => mse(nestedDeep(100_000)), {
    loss: 'mse',
    argument: 'input',
    message: /nested array is deeper than 64 levels/,
  });
});

test('an array nested 64 deep is a tensor of rank 64; 65 deep is rejected', () => {
  assert.equal(tensor(nestedDeep(63) as number[]).rank, 64);
  assertLossInputError(() => tensor(nestedDeep(64) as number[]), {
    argument: 'values',
    message: /deeper than 64 levels/,
  });
});

test('an array that contains itself is a LossInputError (it reads as nesting deeper than 64 levels)', () => {
  const a: unknown[] = [];
  a.push(a);
  assertLossInputError(() => mse(a), {
    loss: 'mse',
    argument: 'input',
    message: /deeper than 64 levels \(or contains itself\)/,
  });
});

test('a row that contains its parent is a LossInputError naming the entry, not an endless walk', () => {
  const row: unknown[] = [1, 2];
  const a: unknown[] = [row, row];
  row[1] = a;
  assertLossInputError(() => mse(a), {
    argument: 'input',
    message: /entry \[0, 1\] is an array of 2, not a number/,
  });
});

test('shared rows standing for 2^36 numbers are rejected before any allocation', () => {
  const row = new Array(4096).fill(0.5);
  const plane = new Array(4096).fill(row);
  const cube = new Array(4096).fill(plane);
  assertLossInputError(() => mse(cube), {
    loss: 'mse',
    argument: 'input',
    message: /\[4096, 4096, 4096\] holds more than 2\^27 numbers/,
  });
});

test('a sparse array of 2^30 holes is rejected before allocating 8 GiB, a smaller one at its first hole', () => {
  const sparse: number[] = [];
  sparse.length = 2 ** 30;
  assertLossInputError(() => mse(sparse), { argument: 'input', message: /holds more than 2\^27 numbers/ });
  const small: number[] = [0.5];
  small.length = 2 ** 20;
  assertLossInputError(() => mse([small]), {
    argument: 'input',
    message: /entry \[0, 1\] is undefined, not a number/,
  });
});

test('nested arrays reject null, booleans and strings, naming the entry', () => {
  for (const [bad, shown] of [
    [null, 'null'],
    [true, 'true'],
    ['1', "the string '1'"],
  ] as const) {
    assertLossInputError(
      () =>
        tensor([
          [1, 2],
          [3, bad as unknown as number],
        ]),
      {
        argument: 'values',
        message: new RegExp(`entry \\[1, 1\\] is ${shown}, not a number`),
      },
    );
  }
});

test('a ragged nested array names the entry and both lengths', () => {
  assertLossInputError(() => tensor([[1, 2], [3]]), {
    argument: 'values',
    message: /ragged: entry \[1\] has 1 entries, expected 2 entries/,
  });
  assertLossInputError(() => tensor([[1, 2], 3] as never), {
    argument: 'values',
    message: /ragged: entry \[1\] is 3, expected 2 entries/,
  });
});

test('valid nested arrays keep their shape and values, empty axes included', () => {
  assert.deepEqual(
    tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]).toArray(),
    [
      [1, 2, 3],
      [4, 5, 6],
    ],
  );
  assert.deepEqual(
    tensor([
      [[1], [2]],
      [[3], [4]],
    ]).shape,
    [2, 2, 1],
  );
  assert.deepEqual(tensor([[], []]).shape, [2, 0]);
  assert.deepEqual(tensor([]).shape, [0]);
  assert.equal(tensor([[1, 2]], undefined, 'float32').dtype, 'float32');
});
