import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { bceDice, bceDiceLoss, diceLoss, type LossEntry } from '../../index.js';

/** Central-difference check of bceDiceLoss on plain nested arrays. */
const check = inputTargetGradcheck(bceDiceLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('bceDice');

const probs = [
  [0.9, 0.2, 0.65, 0.1],
  [0.3, 0.8, 0.05, 0.55],
];
const target = [
  [1, 0, 1, 0],
  [0, 1, 0, 0],
];
const logit = (p: number) => Math.log(p / (1 - p));

describe('bceDice', () => {
  test('alpha 0 is the Dice loss, value and gradient', () => {
    for (const options of [{}, { aggregate: 'sample' as const, eps: 0.1 }]) {
      const mixed = bceDiceLoss.valueAndGrad({ input: probs, target }, { ...options, alpha: 0 });
      const pure = diceLoss.valueAndGrad({ input: probs, target }, options);
      assertClose(mixed.value, pure.value, { rtol: 1e-15, atol: 0 }, 'value');
      assertClose(mixed.grads.input, pure.grads.input, { rtol: 1e-15, atol: 0 }, 'grads');
    }
  });

  test('alpha 1 is the binary cross-entropy averaged over every element', () => {
    const expected = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.35) + Math.log(0.7)) / 4;
    assertClose(
      bceDice(
        [
          [0.9, 0.2],
          [0.65, 0.3],
        ],
        [
          [1, 0],
          [0, 0],
        ],
        { alpha: 1 },
      ),
      { shape: [], data: [expected] },
      { rtol: 1e-14, atol: 0 },
      'value',
    );
  });

  test('confidently wrong probabilities follow torch: log clamped at −100 and gradient (p − y)/1e-12', () => {
    const { value, grads } = bceDiceLoss.valueAndGrad({ input: [[0, 1]], target: [[1, 0]] }, { alpha: 1 });
    assert.equal(value.item(), 100);
    assertClose(
      grads.input,
      { shape: [1, 2], data: [-1e12 / 2, 1e12 / 2] },
      { rtol: 1e-15, atol: 0 },
      'grads',
    );
  });

  test('logits give the same loss as their probabilities', () => {
    const logits = probs.map((row) => row.map(logit));
    for (const aggregate of ['batch', 'sample'] as const) {
      const fromP = bceDice(probs, target, { aggregate, alpha: 0.3 });
      const fromX = bceDice(logits, target, { aggregate, alpha: 0.3, fromLogits: true });
      assertClose(fromX, fromP, { rtol: 1e-12, atol: 0 }, `value (${aggregate})`);
    }
  });

  test('logits of ±1e4 give a finite value and gradient, even on the wrong side', () => {
    const { value, grads } = bceDiceLoss.valueAndGrad(
      {
        input: [
          [1e4, -1e4],
          [-1e4, 1e4],
        ],
        target: [
          [0, 1],
          [0, 1],
        ],
      },
      { fromLogits: true, aggregate: 'sample' },
    );
    // BCE: two elements cost 1e4 each, two cost 0. Dice per sample: 1 − ε/(2 + ε) (no overlap) and 0.
    assertClose(
      value,
      { shape: [], data: [0.5 * ((1e4 + 1e4 + 0 + 0) / 4) + 0.5 * ((1 - 1e-5 / (2 + 1e-5) + 0) / 2)] },
      { rtol: 1e-12, atol: 0 },
      'value',
    );
    assertAllFinite(grads.input, 'grads.input');
  });

  test('gradients match central differences for alpha, sample aggregation, logits, soft targets and an upstream', () => {
    check(probs, target, { alpha: 0.25, aggregate: 'sample' });
    check(
      [
        [2.1, -0.3, 0.8],
        [-1.5, 0.2, 3],
      ],
      [
        [1, 0, 1],
        [0, 0.4, 1],
      ],
      { fromLogits: true, aggregate: 'sample', alpha: 0.8 },
    );
    check(
      probs,
      [
        [0.9, 0.1, 0.5, 0],
        [0.2, 1, 0, 0.3],
      ],
      { eps: 1 },
      3,
    );
  });

  test('alpha outside [0, 1], a target outside [0, 1] and a bad aggregate are errors', () => {
    rejects(
      () => bceDice(probs, target, { alpha: 1.5 }),
      'options.alpha',
      /must be a finite number >= 0 and <= 1, got 1.5/,
    );
    rejects(() => bceDice(probs, target, { alpha: -0.1 }), 'options.alpha', /got -0.1/);
    rejects(
      () => bceDice([[0.5]], [[1.2]]),
      'target',
      /target value 1.2 at index \[0, 0\] is outside \[0, 1\]/,
    );
    rejects(
      () => bceDice([[0.5]], [[1]], { aggregate: 'none' as never }),
      'options.aggregate',
      /must be one of 'batch' \| 'sample'/,
    );
    rejects(
      () => bceDice([[0.5, 0.5]], [[1]]),
      'target',
      /shape \[1, 1\] does not match input shape \[1, 2\]/,
    );
  });
});
