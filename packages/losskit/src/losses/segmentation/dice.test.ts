import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { dice, diceLoss, type LossEntry } from '../../index.js';

/** Central-difference check of diceLoss on plain nested arrays. */
const check = inputTargetGradcheck(diceLoss as unknown as LossEntry);

const rejects = lossInputErrorAsserter('dice');

const probs = [
  [0.9, 0.2, 0.65, 0.1, 0.4, 0.75],
  [0.3, 0.8, 0.05, 0.55, 0.6, 0.35],
  [0.15, 0.45, 0.95, 0.25, 0.5, 0.7],
];
const target = [
  [1, 0, 1, 0, 0, 1],
  [0, 1, 0, 1, 0, 0],
  [0, 0, 0, 0, 0, 0],
];

describe('dice', () => {
  test('an empty target with an empty prediction has loss 0, for both aggregates', () => {
    const zeros = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    assert.equal(dice(zeros, zeros).item(), 0);
    assert.equal(dice(zeros, zeros, { aggregate: 'sample' }).item(), 0);
    assert.equal(dice([[-1e4, -1e4]], [[0, 0]], { fromLogits: true }).item(), 0);
  });

  test('on an empty target the loss grows with every false positive', () => {
    const target0 = [[0, 0, 0, 0, 0, 0, 0, 0]];
    let previous = 0;
    for (let k = 1; k <= 4; k++) {
      const pred = [Array.from({ length: 8 }, (_, i) => (i < k ? 0.5 : 0))];
      const loss = dice(pred, target0).item();
      assert.ok(loss > previous, `${k} false positives: ${loss} should exceed ${previous}`);
      previous = loss;
    }
  });

  test('logits of ±1e4 give a finite value and gradient, with both aggregates', () => {
    const logits = [
      [1e4, -1e4, 1e4],
      [-1e4, -1e4, 1e4],
    ];
    const labels = [
      [1, 1, 0],
      [0, 1, 1],
    ];
    for (const aggregate of ['batch', 'sample'] as const) {
      const { value, grads } = diceLoss.valueAndGrad(
        { input: logits, target: labels },
        { fromLogits: true, aggregate },
      );
      assertAllFinite(value, `value (${aggregate})`);
      assertAllFinite(grads.input, `grads.input (${aggregate})`);
    }
  });

  test("'sample' on a batch of one equals 'batch'", () => {
    const a = dice([probs[0]], [target[0]]).item();
    const b = dice([probs[0]], [target[0]], { aggregate: 'sample' }).item();
    assert.equal(a, b);
  });

  test('soft targets in [0, 1] are accepted', () => {
    assertAllFinite(dice([[0.2, 0.9]], [[0.3, 0.7]]), 'value');
  });

  test('gradients match central differences for sample aggregation, logits, eps and an upstream', () => {
    check(probs, target, { aggregate: 'sample' });
    check(
      [
        [2.1, -0.3, 0.8],
        [-1.5, 0.2, 3],
      ],
      [
        [1, 0, 1],
        [0, 0.4, 1],
      ],
      { fromLogits: true, aggregate: 'sample' },
    );
    check(probs, target, { eps: 0.5, fromLogits: true }, 2.5);
    check(
      [
        [
          [0.3, 0.6],
          [0.1, 0.9],
        ],
      ],
      [
        [
          [0, 1],
          [0, 1],
        ],
      ],
      { eps: 1e-3, aggregate: 'sample' },
      -0.75,
    );
  });

  test('the loss lies in [0, 1] for any probabilities and binary targets', () => {
    const pair = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1));
    fc.assert(
      fc.property(
        fc.array(pair, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('batch' as const, 'sample' as const),
        (pairs, aggregate) => {
          const loss = dice(
            pairs.map(([p]) => [p]),
            pairs.map(([, y]) => [y]),
            { aggregate },
          ).item();
          assert.ok(loss >= 0 && loss <= 1, `loss ${loss}`);
        },
      ),
    );
  });

  test('a probability outside [0, 1] is an error naming its value and index', () => {
    rejects(
      () => dice([[0.5, 1.5]], [[0, 1]]),
      'input',
      /probability 1.5 at index \[0, 1\] is outside \[0, 1\]/,
    );
  });

  test('a target outside [0, 1] is an error naming its value and index', () => {
    rejects(
      () => dice([[0.5, 0.5]], [[0, 2]]),
      'target',
      /target value 2 at index \[0, 1\] is outside \[0, 1\]/,
    );
  });

  test("mismatched shapes are errors naming both shapes; a 0-d input pools with 'batch' and is an error with 'sample'", () => {
    rejects(
      () => dice([0.5, 0.5, 0.5], [[0], [1], [1]]),
      'target',
      /shape \[3, 1\] does not match input shape \[3\]/,
    );
    assert.equal(dice(0.5, 1).item(), 1 - (1 + 1e-5) / (1.5 + 1e-5));
    rejects(
      () => dice(0.5, 1, { aggregate: 'sample' }),
      'input',
      /must have shape \[N, \.\.\.\] for aggregate 'sample', got \[\]/,
    );
  });

  test('an aggregate not in the list is an error listing the valid ones; eps must be positive', () => {
    rejects(
      () => dice([[0.5]], [[1]], { aggregate: 'mean' as never }),
      'options.aggregate',
      /must be one of 'batch' \| 'sample', got 'mean'/,
    );
    rejects(() => dice([[0.5]], [[1]], { eps: 0 }), 'options.eps', />= 1\.1754943508222875e-38, got 0/);
  });
});
