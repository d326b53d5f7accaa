import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, pairwiseLogistic, pairwiseLogisticLoss } from '../../index.js';

const check = nestedGradcheck(pairwiseLogisticLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('pairwiseLogistic');

/** Every pair (i, j) with yᵢ > yⱼ of one list and its loss log(1 + exp(−(sᵢ − sⱼ))), enumerated. */
function pairLosses(scores: number[], labels: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < scores.length; i++)
    for (let j = 0; j < scores.length; j++)
      if (labels[i] > labels[j]) out.push(Math.log1p(Math.exp(-(scores[i] - scores[j]))));
  return out;
}

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

function randomLists(seed: number, lists: number, length: number) {
  const r = random(seed);
  const scores = Array.from({ length: lists }, () => Array.from({ length }, () => 4 * r() - 2));
  // The first list has one grade only (no pair); the others grades 0..3 with ties.
  const labels = Array.from({ length: lists }, (_, l) =>
    Array.from({ length }, () => (l === 0 ? 2 : Math.floor(r() * 4))),
  );
  return { scores, labels };
}

describe('pairwiseLogistic', () => {
  test("'mean' is over every pair of every list, 'sum' their total, 'none' each list's own mean (0 without a pair), as the pairs enumerated", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { scores, labels } = randomLists(seed, 4, 5);
      const perList = scores.map((s, l) => pairLosses(s, labels[l]));
      const all = perList.flat();
      const tol = { rtol: 1e-12, atol: 1e-15 };
      assertClose(
        pairwiseLogistic(scores, labels),
        { shape: [], data: [sum(all) / all.length] },
        tol,
        'mean',
      );
      assertClose(
        pairwiseLogistic(scores, labels, { reduction: 'sum' }),
        { shape: [], data: [sum(all)] },
        tol,
        'sum',
      );
      const units = perList.map((p) => (p.length === 0 ? 0 : sum(p) / p.length));
      assertClose(
        pairwiseLogistic(scores, labels, { reduction: 'none' }),
        { shape: [4], data: units },
        tol,
        'none',
      );
    }
  });

  test('gradients match central differences for every reduction, with an upstream, for [B, Q, L] scores', () => {
    const { scores, labels } = randomLists(3, 3, 5);
    check({ scores, labels });
    check({ scores, labels }, { reduction: 'sum' }, -0.75);
    check({ scores, labels }, { reduction: 'none' }, [2, -1, 0.5]);
    check({
      scores: [scores.slice(0, 2), scores.slice(1, 3)],
      labels: [labels.slice(0, 2), labels.slice(1, 3)],
    });
  });

  test('no pair anywhere gives 0 with a zero gradient under every reduction', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const { value, grads } = pairwiseLogisticLoss.valueAndGrad(
        { scores: [[1, 2, 3]], labels: [[1, 1, 1]] },
        { reduction },
      );
      assert.deepEqual([...value.data], [0]);
      assert.deepEqual([...grads.scores.data], [0, 0, 0]);
    }
  });

  test('only the order of the labels matters', () => {
    const scores = [[0.4, -1, 2.2, 0.1]];
    const a = pairwiseLogistic(scores, [[3, 0, 1, 1]]).item();
    const b = pairwiseLogistic(scores, [[100, 0.5, 7, 7]]).item();
    assertClose({ shape: [], data: [b] }, { shape: [], data: [a] }, { rtol: 1e-15, atol: 0 }, 'relabelled');
  });

  test('scores of ±1e4 give finite values and gradients; a gap beyond the float range in the right order gives 0, not NaN', () => {
    const { value, grads } = pairwiseLogisticLoss.valueAndGrad({
      scores: [[1e4, -1e4, 0]],
      labels: [[0, 1, 2]],
    });
    assertAllFinite(value, 'value');
    assertAllFinite(grads.scores, 'grads');
    // Pairs (1, 0): softplus(2e4) = 2e4; (2, 0): softplus(1e4) = 1e4; (2, 1): softplus(−1e4) ≈ 0.
    assertClose(value, { shape: [], data: [(2e4 + 1e4) / 3] }, { rtol: 1e-12, atol: 0 }, 'linear far out');
    const right = pairwiseLogisticLoss.valueAndGrad({ scores: [[1e308, -1e308]], labels: [[1, 0]] });
    assert.equal(right.value.item(), 0);
    assert.deepEqual([...right.grads.scores.data], [0, 0]);
  });

  test('a negative label, mismatched shapes and 0-d scores are errors naming the argument', () => {
    rejects(
      () => pairwiseLogistic([[1, 2]], [[1, -1]]),
      'labels',
      /relevance -1 at index \[0, 1\] is negative/,
    );
    rejects(
      () => pairwiseLogistic([[1, 2]], [[1], [0]]),
      'labels',
      /shape \[2, 1\] does not match scores shape \[1, 2\]/,
    );
    rejects(() => pairwiseLogistic(1, 1), 'scores', /must have shape \[\.\.\., L\]/);
  });
});
