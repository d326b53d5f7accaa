import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { diceScore, iou, iouScore } from '../../index.js';

const rejects = lossInputErrorAsserter('iouScore');

const probs = [
  [0.9, 0.4, 0.6, 0.2],
  [0.3, 0.8, 0.05, 0.55],
];
const target = [
  [1, 0, 1, 0],
  [0, 1, 0, 0],
];

describe('iouScore', () => {
  test('without a threshold it is the soft score, 1 − iou with the same options', () => {
    for (const options of [{}, { aggregate: 'sample' as const }, { fromLogits: true, eps: 0.5 }]) {
      assert.ok(
        Math.abs(iouScore(probs, target, options) - (1 - iou(probs, target, options).item())) < 1e-15,
        JSON.stringify(options),
      );
    }
  });

  test('with a threshold it counts hard overlaps: intersection 2, union 3 → 2/3', () => {
    assert.ok(
      Math.abs(iouScore([[0.9, 0.7, 0.6, 0.2]], [[1, 0, 1, 0]], { threshold: 0.5, eps: 1e-12 }) - 2 / 3) <
        1e-12,
    );
  });

  test('hard IoU and hard Dice satisfy J = D / (2 − D)', () => {
    const j = iouScore(probs, target, { threshold: 0.5, eps: 1e-12 });
    const d = diceScore(probs, target, { threshold: 0.5, eps: 1e-12 });
    assert.ok(Math.abs(j - d / (2 - d)) < 1e-9, `${j} vs ${d / (2 - d)}`);
  });

  test('an empty prediction of an empty target scores 1', () => {
    assert.equal(iouScore([[0, 0, 0]], [[0, 0, 0]]), 1);
  });

  test('bad inputs and options are errors naming the argument', () => {
    rejects(() => iouScore([[-0.5]], [[1]]), 'pred', /probability -0.5/);
    rejects(() => iouScore([[0.5]], [[1]], { threshold: -0.1 }), 'options.threshold', />= 0/);
    rejects(() => iouScore([[0.5]], [[1]], { eps: 0 }), 'options.eps', />= 1\.1754943508222875e-38, got 0/);
    rejects(
      () => iouScore(0.5, 1, { aggregate: 'sample' }),
      'pred',
      /must have shape \[N, \.\.\.\] for aggregate 'sample', got \[\]/,
    );
  });
});
