import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { losses, poissonNll } from '../../index.js';

const check = inputTargetGradcheck(losses.poissonNll);

/** log(y!) exactly, for the Stirling comparison. */
const logFactorial = (y: number): number => {
  let s = 0;
  for (let k = 2; k <= y; k++) s += Math.log(k);
  return s;
};

test('poissonNll of a log-rate is eˣ − y·x, and of a rate λ − y·log(λ + eps)', () => {
  const x = [0.5, -1, 2];
  const y = [0, 3, 1];
  assertClose(
    poissonNll(x, y, { reduction: 'none' }),
    { shape: [3], data: x.map((v, i) => Math.exp(v) - y[i] * v) },
    { rtol: 1e-15, atol: 0 },
    'log-rate',
  );
  const rate = [0.5, 2, 0];
  assertClose(
    poissonNll(rate, y, { logInput: false, eps: 1e-3, reduction: 'none' }),
    { shape: [3], data: rate.map((v, i) => v - y[i] * Math.log(v + 1e-3)) },
    { rtol: 1e-15, atol: 0 },
    'rate',
  );
});

test('full adds the Stirling term only where y > 1, and it approximates log(y!)', () => {
  const x = [0.3, 0.3, 0.3, 0.3];
  const y = [0, 1, 2, 10];
  const plain = poissonNll(x, y, { reduction: 'none' }).data;
  const full = poissonNll(x, y, { full: true, reduction: 'none' }).data;
  assert.equal(full[0], plain[0]);
  assert.equal(full[1], plain[1]);
  // Stirling's log(y!) ≈ y log y − y + ½ log(2πy), within 1/(12y) of it.
  for (const i of [2, 3]) {
    const term = full[i] - plain[i];
    assert.ok(Math.abs(term - logFactorial(y[i])) < 1 / (12 * y[i]), `y = ${y[i]}: ${term}`);
  }
});

test('poissonNll of rates matches PyTorch at a zero rate (value and gradient, full)', () => {
  // torch.nn.functional.poisson_nll_loss(x, y, log_input=False, full=True, reduction='sum') in float64.
  const { value, grads } = losses.poissonNll.valueAndGrad(
    { input: [0, 1.5, 3], target: [2, 0, 7] },
    { logInput: false, full: true, reduction: 'sum' },
  );
  assertClose(value, { shape: [], data: [42.81614657961869] }, { rtol: 1e-12, atol: 0 }, 'value');
  assertClose(
    grads.input,
    { shape: [3], data: [-199999999.0, 1.0, -1.3333333255555555] },
    { rtol: 1e-12, atol: 0 },
    'grad',
  );
});

test('poissonNll analytic gradient equals central differences for every option and reduction', () => {
  const x = [
    [0.7, -1.2, 3],
    [0.1, 2.2, 0.4],
  ];
  const y = [
    [1, 0, 2],
    [4, 3, 0.5],
  ];
  check(x, y);
  check(x, y, { full: true, reduction: 'sum' });
  const rates = [
    [0.7, 1.2, 3],
    [0.1, 2.2, 0.4],
  ];
  check(rates, y, { logInput: false, eps: 0.01 });
  check(rates, y, { logInput: false, full: true, reduction: 'none' }, [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]);
});

test('poissonNll is finite at log-rates of ±1e4 where the value is, and names an overflow where it is not', () => {
  const low = losses.poissonNll.valueAndGrad({ input: [-1e4], target: [3] }, { reduction: 'sum' });
  assert.equal(low.value.item(), 3e4);
  assert.equal(low.grads.input.item(), -3);
  assertLossInputError(() => poissonNll([1e4], [3]), {
    loss: 'poissonNll',
    argument: 'input',
    message: /overflow/,
  });
});

test('a rate so close to 0 that y/(λ + eps) overflows is an error naming the input, not an infinite gradient', () => {
  // The value, 2·744, is finite; the gradient 1 − 2/5e-324 is not.
  assert.ok(Number.isFinite(poissonNll([0], [2], { logInput: false, eps: 5e-324 }).item()));
  assertLossInputError(
    () => losses.poissonNll.valueAndGrad({ input: [0], target: [2] }, { logInput: false, eps: 5e-324 }),
    { loss: 'poissonNll', argument: 'input', message: /grads\.input is -Infinity at index \[0\].*raise eps/ },
  );
});

test('poissonNll rejects a negative count, a negative rate, eps ≤ 0 and mismatched shapes', () => {
  assertLossInputError(() => poissonNll([0, 1], [1, -2]), {
    loss: 'poissonNll',
    argument: 'target',
    message: /count -2 at index \[1\] is negative/,
  });
  // A negative input is a valid log-rate, but not a rate.
  assert.ok(Number.isFinite(poissonNll([-0.5], [1]).item()));
  assertLossInputError(() => poissonNll([-0.5], [1], { logInput: false }), {
    loss: 'poissonNll',
    argument: 'input',
    message: /rate \(logInput: false\) -0.5 at index \[0\] is negative/,
  });
  for (const eps of [0, -1e-8]) {
    assertLossInputError(() => poissonNll([1], [1], { eps }), {
      loss: 'poissonNll',
      argument: 'options.eps',
      message: /must be a finite number > 0/,
    });
  }
  assertLossInputError(() => poissonNll([1, 2], [1]), {
    loss: 'poissonNll',
    argument: 'target',
    message: /shape \[1\] does not match input shape \[2\]/,
  });
});
