import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { logCosh, losses } from '../../index.js';

const check = inputTargetGradcheck(losses.logCosh);

test('logCosh is log(cosh(x − y)) elementwise (Math.cosh where it does not overflow)', () => {
  const input = [0.3, -2, 5, 0, 12.5, -0.999, 1.001];
  const target = [0, 1, -3, 0, 1, 0, 0];
  const expected = input.map((x, i) => Math.log(Math.cosh(x - target[i])));
  assertClose(
    logCosh(input, target, { reduction: 'none' }),
    { shape: [input.length], data: expected },
    { rtol: 1e-14, atol: 1e-16 },
    'value',
  );
});

test('logCosh keeps the precision of tiny residuals: its series ½d² − d⁴/12 + d⁶/45, not a cancellation against log 2', () => {
  for (const d of [1e-8, -3e-5, 1e-3]) {
    const series = (d * d) / 2 - d ** 4 / 12 + d ** 6 / 45;
    const got = logCosh([d], [0], { reduction: 'sum' }).item();
    assert.ok(Math.abs(got - series) <= 1e-14 * series, `d = ${d}: got ${got}, want ${series}`);
  }
});

test('logCosh gradient is tanh(x − y): 0 at a zero residual, ±1 far out', () => {
  const input = [0.5, -2, 3, 1e4, -1e300];
  const target = [0, 0, 3, 0, 0];
  const { grads } = losses.logCosh.valueAndGrad({ input, target }, { reduction: 'sum' });
  assertClose(
    grads.input,
    { shape: [5], data: input.map((x, i) => Math.tanh(x - target[i])) },
    { rtol: 1e-15, atol: 0 },
    'grad',
  );
  assert.equal(grads.input.data[2], 0);
});

test('logCosh of residuals up to the float range is finite: |d| − log 2', () => {
  for (const d of [1e4, -1e4, 1e300, 8e307]) {
    const { value, grads } = losses.logCosh.valueAndGrad({ input: [d], target: [0] }, { reduction: 'sum' });
    assert.equal(value.item(), Math.abs(d) - Math.LN2, `value at ${d}`);
    assert.equal(grads.input.item(), Math.sign(d), `grad at ${d}`);
  }
  // The float32 path too: logits of ±1e4 in float32 inputs.
  const f32 = losses.logCosh.valueAndGrad({
    input: new Float32Array([1e4, -1e4]),
    target: new Float32Array([0, 0]),
  });
  assertClose(f32.value, { shape: [], data: [1e4 - Math.LN2] }, { rtol: 1e-7, atol: 0 }, 'float32 value');
  assert.deepEqual(Array.from(f32.grads.input.data), [0.5, -0.5]);
});

test('logCosh analytic gradient equals central differences, on both sides of the |d| = 1 switch, for every reduction', () => {
  const input = [
    [0.2, -0.7, 0.999],
    [1.001, 2.5, -4],
  ];
  const target = [
    [0, 0.1, 0],
    [0, -0.5, 1],
  ];
  check(input, target);
  check(input, target, { reduction: 'sum' });
  check(input, target, { reduction: 'none' }, [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]);
});

test('logCosh rejects inputs of different shapes, naming both', () => {
  assertLossInputError(() => logCosh([1, 2], [1, 2, 3]), {
    loss: 'logCosh',
    argument: 'target',
    message: /shape \[3\] does not match input shape \[2\]/,
  });
});
