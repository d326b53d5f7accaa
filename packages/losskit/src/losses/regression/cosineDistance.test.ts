import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { cosineDistance, losses } from '../../index.js';

const check = inputTargetGradcheck(losses.cosineDistance);

const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, v, k) => s + v * b[k], 0);

test('cosineDistance is 1 − x·y/(‖x‖‖y‖) per row of the last axis; none has the shape minus that axis', () => {
  const input = [
    [
      [1, 2, 3],
      [0.5, -1, 0],
    ],
    [
      [-2, 0.1, 4],
      [3, 3, 3],
    ],
  ];
  const target = [
    [
      [1, 0, -1],
      [2, 1, 1],
    ],
    [
      [-1, 0, 2],
      [-3, -3, -3],
    ],
  ];
  const expected = input.flat().map((x, i) => {
    const y = target.flat()[i];
    return 1 - dot(x, y) / (norm(x) * norm(y));
  });
  assertClose(
    cosineDistance(input, target, { reduction: 'none' }),
    { shape: [2, 2], data: expected },
    { rtol: 1e-14, atol: 1e-15 },
    'value',
  );
  // A single vector gives a 0-d value.
  assert.deepEqual(cosineDistance([1, 0], [0, 1], { reduction: 'none' }).shape, []);
});

test('cosineDistance ignores the lengths of both vectors', () => {
  const a = cosineDistance([[1, -2, 0.5]], [[3, 1, 1]]).item();
  const b = cosineDistance([[1e-3, -2e-3, 0.5e-3]], [[3e6, 1e6, 1e6]]).item();
  assert.ok(Math.abs(a - b) <= 1e-15, `${a} vs ${b}`);
});

test('cosineDistance clamps each norm at 1e-8, with PyTorch’s gradient there; a zero input gives 1', () => {
  // 1 − torch.nn.functional.cosine_similarity(x, y, dim=-1, eps=1e-8) and its autograd gradient, float64.
  const { value, grads } = losses.cosineDistance.valueAndGrad(
    {
      input: [
        [1e-9, 2e-9, 0.5e-9],
        [0, 0, 0],
      ],
      target: [
        [3e-9, 1e-9, -1e-9],
        [1, 2, 2],
      ],
    },
    { reduction: 'none' },
  );
  const tol = { rtol: 1e-12, atol: 0 };
  assertClose(value, { shape: [2], data: [0.955, 1] }, tol, 'value');
  assertClose(
    grads.input,
    {
      shape: [2, 3],
      data: [-29550000, -9100000, 10225000, -33333333.333333332, -66666666.666666664, -66666666.666666664],
    },
    tol,
    'grad',
  );
});

test('cosineDistance of vectors up to the float range is finite (rows rescaled by their largest entry)', () => {
  const big = 1.7e308;
  const { value, grads } = losses.cosineDistance.valueAndGrad(
    {
      input: [
        [big, big],
        [big, -big],
        [1e-300, 2e-300],
      ],
      target: [
        [big, big],
        [big, big],
        [1e300, 0],
      ],
    },
    { reduction: 'none' },
  );
  assertClose(value, { shape: [3], data: [0, 1, 1] }, { rtol: 0, atol: 1e-15 }, 'value');
  for (const g of grads.input.data) assert.ok(Number.isFinite(g), `gradient ${g}`);
  // Row 1: ∂/∂x = cos·x/‖x‖² − y/(‖x‖‖y‖) = −y/(2·big²)-sized: tiny but finite and of the right sign.
  assert.ok(grads.input.data[2] < 0 && grads.input.data[3] < 0);
  // Row 2 is clamped: ‖x‖ is below 1e-8, so ∂/∂x = cos·x/eps² − y/(eps·‖y‖) ≈ (−1e8, 0).
  assertClose(
    { shape: [2], data: grads.input.data.slice(4) },
    { shape: [2], data: [-1e8, 0] },
    { rtol: 1e-12, atol: 1e-280 },
    'clamped row gradient',
  );
});

test('cosineDistance analytic gradient equals central differences for every reduction', () => {
  const input = [
    [0.7, -1.2, 3],
    [0.1, 2.2, -0.4],
  ];
  const target = [
    [1, 0.5, -2],
    [0.3, 2, 1.5],
  ];
  check(input, target);
  check(input, target, { reduction: 'sum' });
  check(input, target, { reduction: 'none' }, [2, -0.5]);
  check([0.3, 0.4], [1, -2], { reduction: 'none' }, 3);
});

test('cosineDistance rejects a 0-d input and mismatched shapes', () => {
  assertLossInputError(() => cosineDistance(1, 1), {
    loss: 'cosineDistance',
    argument: 'input',
    message: /must have shape \[\.\.\., D\], got \[\]/,
  });
  assertLossInputError(() => cosineDistance([[1, 2]], [[1, 2, 3]]), {
    loss: 'cosineDistance',
    argument: 'target',
    message: /shape \[1, 3\] does not match input shape \[1, 2\]/,
  });
});
