import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyIn, copyOut, eachChunk } from './module.js';

test('eachChunk covers [start, end) in consecutive chunks of at most `size`', () => {
  const seen: [number, number][] = [];
  assert.equal(
    eachChunk(3, 20, 8, (from, n) => {
      seen.push([from, n]);
    }),
    true,
  );
  assert.deepEqual(seen, [
    [3, 8],
    [11, 8],
    [19, 1],
  ]);
  assert.equal(
    eachChunk(5, 5, 8, () => assert.fail('no chunk of an empty range')),
    true,
  );
});

test('eachChunk stops at the first step that returns false', () => {
  const seen: number[] = [];
  const result = eachChunk(0, 100, 10, (from) => {
    seen.push(from);
    return from < 20;
  });
  assert.equal(result, false);
  assert.deepEqual(seen, [0, 10, 20]);
});

test('copyIn and copyOut move a chunk through a region, whole or partial', () => {
  const region = new Float32Array(4);
  const source = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const target = new Float64Array(8);
  copyIn(region, source, 1, 4);
  copyOut(region, 4, target, 2);
  copyIn(region, source, 5, 1);
  copyOut(region, 1, target, 0);
  assert.deepEqual([...target], [6, 0, 2, 3, 4, 5, 0, 0]);
});
