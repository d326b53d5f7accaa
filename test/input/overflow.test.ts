// Finite arguments whose result overflows the dtype (an upstream of 1e308, inputs of 1e200, a
// float64 weight of 1e300 in a float32 call) are a LossInputError naming the argument of largest
// magnitude, never a silent Infinity or NaN; a finite answer is still returned (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, Tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

test('an upstream of 1e308 that makes the gradient overflow is a LossInputError naming upstream', () => {
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input: [1, 2, 3], target: [-5, 0, 0] }, { reduction: 'sum' }, 1e308),
    {
      loss: 'mse',
      argument: 'upstream',
      message:
        /grads.input is -?Infinity in float64 .*an overflow: the largest magnitude, 1e\+308, is in upstream/,
    },
  );
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input: [1, 2], target: [4, 0] }, { reduction: 'none' }, [1, -1e308]),
    { loss: 'mse', argument: 'upstream', message: /grads.input is -?Infinity/ },
  );
});

test('an upstream of 1e38 overflows a float32 gradient: a LossInputError naming upstream', () => {
  const input = new Tensor(new Float32Array([1, 2, 3]), [3]);
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input, target: [-5, 0, 0] }, { reduction: 'sum' }, 1e38),
    {
      argument: 'upstream',
      message: /grads.input is -?Infinity in float32/,
    },
  );
});

test('an upstream of 1e308 gives the finite gradient where there is one', () => {
  const r = losses.mae.valueAndGrad({ input: [1, 2, 3], target: [0, 2, 5] }, { reduction: 'sum' }, 1e308);
  assert.deepEqual(Array.from(r.grads.input.data), [1e308, 0, -1e308]);
  const m = losses.mse.valueAndGrad({ input: [1e-300, 0], target: [0, 0] }, { reduction: 'sum' }, 1e300);
  assert.deepEqual(Array.from(m.grads.input.data), [2, 0]);
});

test('a custom loss (dice) with an overflowing upstream is a LossInputError too', () => {
  assertLossInputError(() => losses.dice.valueAndGrad({ input: [[0.001]], target: [[1]] }, {}, 1e308), {
    loss: 'dice',
    argument: 'upstream',
    message: /grads.input is -?Infinity/,
  });
});

test('inputs whose loss overflows float64 are a LossInputError naming the input, not an Infinity', () => {
  assertLossInputError(() => losses.mse.valueAndGrad({ input: [1e200, 0], target: [-1e200, 0] }), {
    loss: 'mse',
    argument: 'input',
    message: /the loss value is Infinity in float64 .*the largest magnitude, 1e\+200, is in input/,
  });
  assertLossInputError(() => losses.mse.value({ input: [0, 1], target: [0, 1e300] }, { reduction: 'none' }), {
    loss: 'mse',
    argument: 'target',
    message: /the loss value is Infinity/,
  });
});

test('float32 inputs whose loss overflows float32 are a LossInputError', () => {
  const input = new Tensor(new Float32Array([3e20, 0]), [2]);
  assertLossInputError(
    () => losses.mse.valueAndGrad({ input, target: new Tensor(new Float32Array(2), [2]) }),
    {
      argument: 'input',
      message: /the loss value is Infinity in float32/,
    },
  );
});

test('float64 weights whose float32 gradient of the hidden states overflows are a LossInputError', () => {
  const hidden = new Tensor(new Float32Array(6), [2, 3]);
  // Within float32's range, but Σ_v (p_v − y_v)·W_v = −0.75·3e38 − 0.75·3e38 is not.
  const weight = {
    shape: [4, 3],
    data: Float64Array.from([3e38, 0, 0, -3e38, 0, 0, -3e38, 0, 0, -3e38, 0, 0]),
  };
  assertLossInputError(
    () => losses.linearCrossEntropy.valueAndGrad({ hidden, weight, target: [0, 1] }, { reduction: 'sum' }),
    {
      loss: 'linearCrossEntropy',
      argument: 'weight',
      message: /grads\.hidden is -?Infinity/,
    },
  );
});

test('a float64 input of a float32 call must hold float32 values: beyond ±3.4e38 is a LossInputError naming it', () => {
  const logProbs = new Tensor(new Float32Array([0, -1]), [2]);
  assertLossInputError(() => losses.policyGradient.valueAndGrad({ logProbs, advantages: [1, 8e138] }), {
    loss: 'policyGradient',
    argument: 'advantages',
    message: /8e\+138 at index \[1\] is beyond float32's range/,
  });
  // Up to float32's largest value (and what rounds to it) is fine.
  const r = losses.policyGradient.valueAndGrad({ logProbs, advantages: [1, 3.4028235e38] });
  assert.equal(r.grads.logProbs.dtype, 'float32');
});
