import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { dice, diceScore } from '../../index.js';

const rejects = lossInputErrorAsserter('diceScore');

const probs = [
  [0.9, 0.4, 0.6, 0.2],
  [0.3, 0.8, 0.05, 0.55],
];
const target = [
  [1, 0, 1, 0],
  [0, 1, 0, 0],
];

describe('diceScore', () => {
  test('without a threshold it is the soft score, 1 − dice with the same options', () => {
    for (const options of [{}, { aggregate: 'sample' as const }, { fromLogits: true, eps: 0.5 }]) {
      const score = diceScore(probs, target, options);
      assert.equal(typeof score, 'number');
      assert.ok(Math.abs(score - (1 - dice(probs, target, options).item())) < 1e-15, JSON.stringify(options));
    }
  });

  test('with a threshold, predictions above it count as 1 and the rest as 0', () => {
    const binary = probs.map((row) => row.map((p) => (p > 0.5 ? 1 : 0)));
    assert.equal(diceScore(probs, target, { threshold: 0.5 }), diceScore(binary, target));
    // A prediction equal to the threshold is not positive.
    assert.equal(diceScore([[0.5]], [[1]], { threshold: 0.5, eps: 1e-9 }), 1e-9 / (1 + 1e-9));
  });

  test('a threshold applies to the sigmoid of logits', () => {
    assert.equal(diceScore([[2, -2, 0.1]], [[1, 0, 1]], { fromLogits: true, threshold: 0.5 }), 1);
  });

  test('a perfect prediction scores 1 and an empty prediction of an empty target scores 1', () => {
    assert.equal(diceScore(target, target, { threshold: 0.5 }), 1);
    assert.equal(diceScore([[0, 0]], [[0, 0]], { aggregate: 'sample' }), 1);
    assert.equal(
      diceScore({ shape: [0, 3], data: [] }, { shape: [0, 3], data: [] }, { aggregate: 'sample' }),
      1,
    );
  });

  test("'sample' averages per-sample scores, so a missed small object costs as much as a missed large one", () => {
    const pred = [
      [1, 1, 1, 1],
      [0, 0, 0, 0],
    ];
    const truth = [
      [1, 1, 1, 1],
      [1, 0, 0, 0],
    ];
    const batch = diceScore(pred, truth, { eps: 1e-9 });
    const sample = diceScore(pred, truth, { eps: 1e-9, aggregate: 'sample' });
    assert.ok(Math.abs(batch - 8 / 9) < 1e-9);
    assert.ok(Math.abs(sample - 0.5) < 1e-9);
  });

  test('bad inputs and options are errors naming the argument', () => {
    rejects(() => diceScore([[1.5]], [[1]]), 'pred', /probability 1.5 at index \[0, 0\] is outside \[0, 1\]/);
    rejects(() => diceScore([[0.5]], [[3]]), 'target', /target value 3/);
    rejects(
      () =>
        diceScore(
          [[0.5, 0.5]],
          [
            [1, 1],
            [1, 1],
          ],
        ),
      'target',
      /shape \[2, 2\] does not match pred shape \[1, 2\]/,
    );
    rejects(
      () => diceScore(probs, target, { threshold: 2 }),
      'options.threshold',
      /must be a finite number >= 0 and <= 1, got 2/,
    );
    rejects(
      () => diceScore(probs, target, { aggregate: 'global' as never }),
      'options.aggregate',
      /'batch' \| 'sample'/,
    );
    rejects(() => diceScore(probs, target, { smooth: 1 } as never), 'options.smooth', /unknown option/);
  });
});
