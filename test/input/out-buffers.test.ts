// `out` gradient buffers are checked like any input before anything is written: each must be a
// Tensor of its input's shape and the call's dtype, keyed by a differentiable input, and share
// no memory with an input, the upstream or another buffer (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, Tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

const input = () => new Tensor(Float64Array.from([1, 2, 3]), [3]);
const target = () => new Tensor(Float64Array.from([0, 0, 0]), [3]);
const mse = (out: unknown) =>
  losses.mse.valueAndGrad({ input: input(), target: target() }, {}, null, out as never);

test('a malformed out.grads.input is a LossInputError naming it and what it must be', () => {
  for (const [buffer, got] of [
    [0, '0'],
    ['grads', "the string 'grads'"],
    [new Float64Array(3), 'a Float64Array'],
    [{ shape: [3], dtype: 'float64', data: new Float64Array(0) }, 'an object'],
    [{ shape: [3], dtype: 'float64', data: new Float64Array(3), size: 3 }, 'an object'],
    [new Tensor(new Float32Array(3), [3]), 'a float32 Tensor of shape \\[3\\]'],
    [new Tensor(new Float64Array(4), [4]), 'a float64 Tensor of shape \\[4\\]'],
    [new Tensor(new Float64Array(3), [3, 1]), 'a float64 Tensor of shape \\[3, 1\\]'],
  ] as const) {
    assertLossInputError(() => mse({ grads: { input: buffer } }), {
      loss: 'mse',
      argument: 'out.grads.input',
      message: new RegExp(`must be a float64 Tensor of shape \\[3\\], got ${got}$`),
    });
  }
});

test('out and out.grads of the wrong kind are LossInputErrors naming them', () => {
  assertLossInputError(() => mse(5), {
    loss: 'mse',
    argument: 'out',
    message: /must be \{ grads: \{ input \} \} of Tensors, got 5/,
  });
  assertLossInputError(() => mse('x'), { argument: 'out', message: /got the string 'x'/ });
  assertLossInputError(() => mse({ grads: 2 }), {
    argument: 'out.grads',
    message: /must be an object of Tensors by input name \(input\), got 2/,
  });
  assertLossInputError(() => mse({ grads: new Tensor(new Float64Array(3), [3]) }), {
    argument: 'out.grads',
    message: /got an object/,
  });
});

test('a buffer for an input that has no gradient is a LossInputError naming it', () => {
  assertLossInputError(() => mse({ grads: { target: new Tensor(new Float64Array(3), [3]) } }), {
    argument: 'out.grads.target',
    message: /is not a gradient of mse \(it returns: input\)/,
  });
});

test('null or undefined out, out.grads or entry means fresh storage', () => {
  for (const out of [
    null,
    undefined,
    {},
    { grads: null },
    { grads: {} },
    { grads: { input: null } },
    { grads: { input: undefined } },
  ]) {
    assert.deepEqual(Array.from(mse(out).grads.input.data), [2 / 3, 4 / 3, 2], JSON.stringify(out));
  }
});

test('a buffer that is the input itself is rejected, not zeroed under the kernel', () => {
  const x = input();
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input: x, target: target() }, {}, null, { grads: { input: x } }),
    {
      argument: 'out.grads.input',
      message: /shares memory with input input/,
    },
  );
  assert.deepEqual(Array.from(x.data), [1, 2, 3], 'the input is untouched');
  const y = target();
  const view = new Tensor(new Float64Array(y.data.buffer, 0, 3), [3]);
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input: input(), target: y }, {}, null, { grads: { input: view } }),
    {
      argument: 'out.grads.input',
      message: /shares memory with input target/,
    },
  );
});

test('one buffer for two gradients is rejected, and no buffer is written before the check', () => {
  const shared = new Tensor(new Float64Array(2).fill(7), [1, 2]);
  assertLossInputError(
    () =>
      losses.triplet.valueAndGrad({ anchor: [[0, 0]], positive: [[1, 0]], negative: [[0, 3]] }, {}, null, {
        grads: {
          anchor: new Tensor(new Float64Array(2).fill(7), [1, 2]),
          positive: shared,
          negative: shared,
        },
      }),
    { loss: 'triplet', argument: 'out.grads.negative', message: /shares memory with out.grads.positive/ },
  );
  assert.deepEqual(Array.from(shared.data), [7, 7]);
});

test('a valid buffer receives the gradient and is the tensor returned', () => {
  const g = new Tensor(new Float64Array(3).fill(99), [3]);
  const r = mse({ grads: { input: g } });
  assert.equal(r.grads.input, g);
  assert.deepEqual(Array.from(g.data), [2 / 3, 4 / 3, 2]);
});
