import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { gaussianNll, losses } from '../../index.js';

const check = nestedGradcheck(losses.gaussianNll);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

test('gaussianNll is ½(log σ² + (x − y)²/σ²), plus ½·log 2π with full', () => {
  const input = [0.5, -1, 2];
  const target = [0, 0.5, 2.5];
  const variance = [0.25, 2, 1];
  const expected = input.map((x, i) => 0.5 * (Math.log(variance[i]) + (x - target[i]) ** 2 / variance[i]));
  const tol = { rtol: 1e-14, atol: 1e-15 };
  assertClose(
    gaussianNll(input, target, variance, { reduction: 'none' }),
    { shape: [3], data: expected },
    tol,
    'value',
  );
  assertClose(
    gaussianNll(input, target, variance, { full: true, reduction: 'none' }),
    { shape: [3], data: expected.map((v) => v + HALF_LOG_2PI) },
    tol,
    'full',
  );
});

test('a variance per row ([..., 1]) equals that variance repeated along the last axis; its gradient is the row sum', () => {
  const input = [
    [0.5, -1, 2],
    [0.1, 0.2, -0.3],
  ];
  const target = [
    [0, 0.5, 2.5],
    [1, -1, 0],
  ];
  const rows = losses.gaussianNll.valueAndGrad(
    { input, target, variance: [[0.5], [2]] },
    { reduction: 'sum' },
  );
  const each = losses.gaussianNll.valueAndGrad(
    {
      input,
      target,
      variance: [
        [0.5, 0.5, 0.5],
        [2, 2, 2],
      ],
    },
    { reduction: 'sum' },
  );
  const tol = { rtol: 1e-14, atol: 1e-15 };
  assertClose(rows.value, each.value, tol, 'value');
  assertClose(rows.grads.input, each.grads.input, tol, 'grads.input');
  const g = each.grads.variance.data;
  assertClose(
    rows.grads.variance,
    { shape: [2, 1], data: [g[0] + g[1] + g[2], g[3] + g[4] + g[5]] },
    tol,
    'grads.variance',
  );
});

test('a variance below eps is clamped in the value while its gradient passes through (PyTorch)', () => {
  // torch.nn.functional.gaussian_nll_loss(x, y, var, eps=1e-3, reduction='sum') in float64.
  const { value, grads } = losses.gaussianNll.valueAndGrad(
    { input: [0.5, -1, 2], target: [0, 0.5, 1], variance: [1e-8, 0, 2] },
    { eps: 1e-3, reduction: 'sum' },
  );
  const tol = { rtol: 1e-12, atol: 0 };
  assertClose(value, { shape: [], data: [1243.6888183112978] }, tol, 'value');
  assertClose(grads.input, { shape: [3], data: [500, -1500, 0.5] }, tol, 'grads.input');
  assertClose(grads.variance, { shape: [3], data: [-124500, -1124500, 0.125] }, tol, 'grads.variance');
});

test('gaussianNll analytic gradients (input and variance) equal central differences for every option and layout', () => {
  const input = [
    [0.7, -1.2, 3],
    [0.1, 2.2, -0.4],
  ];
  const target = [
    [1, 0.5, -2],
    [0.3, 2, 1.5],
  ];
  const perElement = [
    [0.5, 1.5, 3],
    [0.2, 1, 0.8],
  ];
  check({ input, target, variance: perElement });
  check({ input, target, variance: perElement }, { full: true, reduction: 'sum' });
  check({ input, target, variance: perElement }, { eps: 0.1 });
  check({ input, target, variance: [[0.6], [1.7]] }, { reduction: 'none' }, [
    [1, -2, 0.5],
    [3, 0.25, -1],
  ]);
});

test('gaussianNll keeps large residuals finite where the value is (d·(d/σ²), not d²/σ²)', () => {
  const { value, grads } = losses.gaussianNll.valueAndGrad(
    { input: [1e160], target: [0], variance: [1e100] },
    { reduction: 'sum' },
  );
  assertClose(
    value,
    { shape: [], data: [0.5 * (Math.log(1e100) + 1e220)] },
    { rtol: 1e-14, atol: 0 },
    'value',
  );
  assert.ok(Number.isFinite(grads.input.item()) && Number.isFinite(grads.variance.item()));
});

test('a gradient that overflows where the value does not is an error naming the variance', () => {
  // Value ½(log 1e-300 + 1e300) is finite; ∂/∂σ² = ½(1e300 − 1e600) is not.
  assert.ok(Number.isFinite(gaussianNll([1], [0], [0], { eps: 1e-300 }).item()));
  assertLossInputError(
    () => losses.gaussianNll.valueAndGrad({ input: [1], target: [0], variance: [0] }, { eps: 1e-300 }),
    {
      loss: 'gaussianNll',
      argument: 'variance',
      message: /grads\.variance is -Infinity at index \[0\].*raise eps/,
    },
  );
});

test('gaussianNll rejects a negative variance, a variance of another shape, and eps ≤ 0', () => {
  assertLossInputError(() => gaussianNll([1, 2], [0, 0], [1, -0.5]), {
    loss: 'gaussianNll',
    argument: 'variance',
    message: /variance -0.5 at index \[1\] is negative/,
  });
  assertLossInputError(() => gaussianNll([[1, 2]], [[0, 0]], [[1, 1, 1]]), {
    loss: 'gaussianNll',
    argument: 'variance',
    message: /shape \[1, 3\] matches neither input shape \[1, 2\] nor \[1, 1\] \(one variance per row\)/,
  });
  // The torch form "input shape minus the last axis" is not one of this row's layouts.
  assertLossInputError(() => gaussianNll([[1, 2]], [[0, 0]], [1]), {
    loss: 'gaussianNll',
    argument: 'variance',
    message: /matches neither/,
  });
  assertLossInputError(() => gaussianNll([1], [0], [1], { eps: 0 }), {
    loss: 'gaussianNll',
    argument: 'options.eps',
    message: /must be a finite number > 0/,
  });
  assertLossInputError(() => gaussianNll([1, 2], [0], [1, 1]), {
    loss: 'gaussianNll',
    argument: 'target',
    message: /shape \[1\] does not match input shape \[2\]/,
  });
});
