import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { diceLoss, iouLoss, type LossEntry, tversky, tverskyLoss } from '../../index.js';

/** Central-difference check of tverskyLoss on plain nested arrays. */
const check = inputTargetGradcheck(tverskyLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('tversky');

const probs = [
  [0.9, 0.2, 0.65, 0.1, 0.4, 0.75],
  [0.3, 0.8, 0.05, 0.55, 0.6, 0.35],
  [0.15, 0.45, 0.95, 0.25, 0.5, 0.7],
];
const target = [
  [1, 0, 1, 0, 0, 1],
  [0, 1, 0, 1, 0, 0.4],
  [0, 0, 0, 0, 0, 0],
];
const logits = [
  [2.1, -0.3, 0.8, -1.2],
  [-1.5, 0.2, 3, 0.4],
  [0.5, 0.5, -2, 1],
];
const logitTarget = [
  [1, 0, 1, 0],
  [0, 0.4, 1, 1],
  [0, 0, 0, 0],
];

describe('tversky', () => {
  test('alpha = beta = ½ is Dice with eps doubled, alpha = beta = 1 is IoU: values and gradients, both aggregates, logits', () => {
    for (const aggregate of ['batch', 'sample'] as const) {
      for (const [input, y, fromLogits] of [
        [probs, target, false],
        [logits, logitTarget, true],
      ] as const) {
        const half = tverskyLoss.valueAndGrad(
          { input, target: y },
          { eps: 2e-3, fromLogits, aggregate },
          1.5,
        );
        const dice = diceLoss.valueAndGrad({ input, target: y }, { eps: 4e-3, fromLogits, aggregate }, 1.5);
        const one = tverskyLoss.valueAndGrad(
          { input, target: y },
          { alpha: 1, beta: 1, eps: 2e-3, fromLogits, aggregate },
          1.5,
        );
        const iou = iouLoss.valueAndGrad({ input, target: y }, { eps: 2e-3, fromLogits, aggregate }, 1.5);
        const tol = { rtol: 1e-12, atol: 1e-14 };
        const label = `${aggregate}${fromLogits ? ', logits' : ''}`;
        assertClose(half.value, dice.value, tol, `½, ½ value (${label})`);
        assertClose(half.grads.input, dice.grads.input, tol, `½, ½ grads (${label})`);
        assertClose(one.value, iou.value, tol, `1, 1 value (${label})`);
        assertClose(one.grads.input, iou.grads.input, tol, `1, 1 grads (${label})`);
      }
    }
  });

  test("focal Tversky with 'sample', logits, alpha 0.2, beta 0.8, gamma 1.5 and eps 1e-3 matches PyTorch 1.13", () => {
    // The API.md formula written in torch (float64, autograd), as test/fixtures' parity-a cases.
    const { value, grads } = tverskyLoss.valueAndGrad(
      { input: logits, target: logitTarget },
      { alpha: 0.2, beta: 0.8, gamma: 1.5, eps: 1e-3, fromLogits: true, aggregate: 'sample' },
    );
    const tol = { rtol: 1e-10, atol: 1e-14 };
    assertClose(value, { shape: [], data: [0.4112271567522294] }, tol, 'value');
    assertClose(
      grads.input,
      {
        shape: [3, 4],
        data: [
          -0.009574140961572056, 0.0043981013684487305, -0.021071123079528305, 0.0032005366372566497,
          0.0023593381735097867, -0.00659104432156609, -0.004079459219297638, -0.021695581747048748,
          0.00013304055189634686, 0.00013304055189634686, 5.943908041621123e-5, 0.00011130615709344941,
        ],
      },
      tol,
      'grads.input',
    );
  });

  test('gradients match central differences for alpha, beta, gamma below and above 1, eps, logits, sample and an upstream', () => {
    check(probs, target, { alpha: 0.3, beta: 0.7 });
    check(probs, target, { alpha: 0.8, beta: 0.1, gamma: 0.6, aggregate: 'sample' });
    check(probs, target, { gamma: 2.5, eps: 0.5 }, -0.75);
    check(logits, logitTarget, { alpha: 0, beta: 1, gamma: 0.75, fromLogits: true }, 2);
    check(logits, logitTarget, { alpha: 0.6, beta: 0.4, gamma: 1.3, fromLogits: true, aggregate: 'sample' });
  });

  test('an empty target with an empty prediction has loss 0 and gradient 0 for gamma < 1 (the minimum), for both aggregates', () => {
    const zeros = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    for (const aggregate of ['batch', 'sample'] as const) {
      const { value, grads } = tverskyLoss.valueAndGrad(
        { input: zeros, target: zeros },
        { gamma: 0.5, aggregate },
      );
      assert.equal(value.item(), 0);
      assert.deepEqual([...grads.input.data], [0, 0, 0, 0, 0, 0]);
    }
    // With gamma 1 the false-positive slope stays, as Dice's: α/ε per element.
    const { grads } = tverskyLoss.valueAndGrad({ input: [[0, 0]], target: [[0, 0]] }, { alpha: 0.3 });
    assertClose(
      grads.input,
      { shape: [1, 2], data: [0.3 / 1e-5, 0.3 / 1e-5] },
      { rtol: 1e-12, atol: 0 },
      'grads',
    );
  });

  test('on an empty target the loss grows with every false positive; with beta > alpha a miss costs more than a false alarm', () => {
    const empty = [[0, 0, 0, 0, 0, 0, 0, 0]];
    let previous = 0;
    for (let k = 1; k <= 4; k++) {
      const loss = tversky([Array.from({ length: 8 }, (_, i) => (i < k ? 0.5 : 0))], empty).item();
      assert.ok(loss > previous, `${k} false positives: ${loss} should exceed ${previous}`);
      previous = loss;
    }
    const y = [[1, 1, 0, 0]];
    const miss = tversky([[1, 0, 0, 0]], y, { alpha: 0.3, beta: 0.7 }).item();
    const falseAlarm = tversky([[1, 1, 1, 0]], y, { alpha: 0.3, beta: 0.7 }).item();
    assert.ok(miss > falseAlarm, `a miss ${miss} should cost more than a false alarm ${falseAlarm}`);
  });

  test('logits of ±1e4 give a finite value and gradient, with both aggregates and gamma below 1', () => {
    const big = [
      [1e4, -1e4, 1e4],
      [-1e4, -1e4, 1e4],
    ];
    const labels = [
      [1, 1, 0],
      [0, 1, 1],
    ];
    for (const aggregate of ['batch', 'sample'] as const) {
      const { value, grads } = tverskyLoss.valueAndGrad(
        { input: big, target: labels },
        { fromLogits: true, aggregate, gamma: 0.75 },
      );
      assertAllFinite(value, `value (${aggregate})`);
      assertAllFinite(grads.input, `grads.input (${aggregate})`);
    }
  });

  test('gamma < 1 on a nearly perfect mask: a gradient float32 cannot hold is an error naming options.gamma; float64 holds it', () => {
    // ε = 2⁻¹²⁶ and one false positive of 1e-45: 1 − TI ≈ 6e-8, so γ(1 − TI)^(γ − 1)/ε ≈ 2e41.
    const options = { gamma: 0.5, eps: 2 ** -126 };
    const f32 = { shape: [1, 2], data: Float32Array.from([1e-45, 0]) };
    rejects(
      () =>
        tverskyLoss.valueAndGrad(
          { input: f32, target: { shape: [1, 2], data: new Float32Array(2) } },
          options,
        ),
      'options.gamma',
      /the gradient γ·\(1 − TI\)\^\(γ − 1\)·∂TI\/∂p overflows float32/,
    );
    const f64 = { shape: [1, 2], data: Float64Array.from(f32.data) };
    const { value, grads } = tverskyLoss.valueAndGrad({ input: f64, target: [[0, 0]] }, options);
    assertAllFinite(value, 'value');
    assertAllFinite(grads.input, 'grads');
  });

  test('probabilities and targets outside [0, 1] are errors naming the value and index', () => {
    rejects(
      () => tversky([[0.5, 1.5]], [[0, 1]]),
      'input',
      /probability 1.5 at index \[0, 1\] is outside \[0, 1\]/,
    );
    rejects(
      () => tversky([[0.5, 0.5]], [[0, 2]]),
      'target',
      /target value 2 at index \[0, 1\] is outside \[0, 1\]/,
    );
  });

  test("mismatched shapes are errors naming both shapes; 'sample' needs a first axis", () => {
    rejects(
      () => tversky([0.5, 0.5, 0.5], [[0], [1], [1]]),
      'target',
      /shape \[3, 1\] does not match input shape \[3\]/,
    );
    rejects(
      () => tversky(0.5, 1, { aggregate: 'sample' }),
      'input',
      /must have shape \[N, \.\.\.\] for aggregate 'sample', got \[\]/,
    );
  });

  test('alpha and beta outside [0, 1], gamma <= 0 and eps below 2^-126 are errors', () => {
    rejects(() => tversky([[0.5]], [[1]], { alpha: 1.5 }), 'options.alpha', />= 0 and <= 1, got 1.5/);
    rejects(() => tversky([[0.5]], [[1]], { beta: -0.1 }), 'options.beta', />= 0 and <= 1, got -0.1/);
    rejects(
      () => tversky([[0.5]], [[1]], { gamma: 0 }),
      'options.gamma',
      /must be a finite number > 0, got 0/,
    );
    rejects(() => tversky([[0.5]], [[1]], { eps: 0 }), 'options.eps', />= 1\.1754943508222875e-38, got 0/);
  });
});
