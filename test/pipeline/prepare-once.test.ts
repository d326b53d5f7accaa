// A loss called on tensors that require grad is prepared (inputs coerced and checked, options
// resolved) once, as a plain call is: the engine receives the prepared call (issue #13).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { huber, tensor, variable } from '../../packages/losskit/src/index.js';

/** Options whose every property read is counted. */
function countedOptions(values: Record<string, unknown>): { options: Record<string, unknown>; reads: () => number } {
  let reads = 0;
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    Object.defineProperty(options, key, {
      enumerable: true,
      get: () => {
        reads++;
        return value;
      },
    });
  }
  return { options, reads: () => reads };
}

const input = [2.5, 0, 2];
const target = [3, -0.5, 9];

test('a tracked loss call reads its options exactly as often as a plain call', () => {
  const plain = countedOptions({ delta: 1 });
  huber(tensor(input), tensor(target), plain.options);
  assert.ok(plain.reads() > 0, 'the plain call reads delta');

  const tracked = countedOptions({ delta: 1 });
  const x = variable(input);
  const loss = huber(x, tensor(target), tracked.options);
  loss.backward();
  assert.equal(tracked.reads(), plain.reads(), 'forward and backward of a tracked call');
  assert.deepEqual(
    Array.from(x.grad?.data ?? []).map((g) => Number(g.toFixed(4))),
    [-0.1667, 0.1667, -0.3333],
  );
});

test('a tracked call with reduction none, differentiated with a non-scalar upstream, still prepares once', () => {
  const plain = countedOptions({ delta: 1, reduction: 'none' });
  huber(tensor(input), tensor(target), plain.options);

  const tracked = countedOptions({ delta: 1, reduction: 'none' });
  const x = variable(input);
  const loss = huber(x, tensor(target), tracked.options);
  loss.backward(tensor([1, 2, 3]));
  assert.equal(tracked.reads(), plain.reads());
  assert.deepEqual(Array.from(x.grad?.data ?? []), [-0.5, 1, -3]);
});
