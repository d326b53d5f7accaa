import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { nestedGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, rankingSoftmax, rankingSoftmaxLoss } from '../../index.js';

const check = nestedGradcheck(rankingSoftmaxLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('rankingSoftmax');

/** −Σ (yᵢ/Σy)·log(e^{sᵢ}/Σe^{s}) per list, written directly (0 when Σy = 0). */
function naive(scores: number[], labels: number[]): number {
  const total = labels.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  const z = scores.reduce((a, s) => a + Math.exp(s), 0);
  return -scores.reduce((a, s, i) => a + (labels[i] / total) * Math.log(Math.exp(s) / z), 0);
}

function randomLists(seed: number, lists: number, length: number) {
  const r = random(seed);
  const scores = Array.from({ length: lists }, () => Array.from({ length }, () => 4 * r() - 2));
  const labels = Array.from({ length: lists }, (_, l) =>
    Array.from({ length }, () => (l === 0 ? 0 : Math.floor(r() * 4))),
  );
  return { scores, labels };
}

describe('rankingSoftmax', () => {
  test('equals the ListNet cross-entropy written directly, list by list, with a zero-label list counting as 0 in the mean', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const { scores, labels } = randomLists(seed, 4, 6);
      const units = scores.map((s, l) => naive(s, labels[l]));
      const none = rankingSoftmax(scores, labels, { reduction: 'none' });
      assertClose(none, { shape: [4], data: units }, { rtol: 1e-12, atol: 1e-15 }, `seed ${seed} none`);
      const total = units.reduce((a, b) => a + b, 0);
      assertClose(
        rankingSoftmax(scores, labels),
        { shape: [], data: [total / 4] },
        { rtol: 1e-12, atol: 0 },
        'mean',
      );
      assertClose(
        rankingSoftmax(scores, labels, { reduction: 'sum' }),
        { shape: [], data: [total] },
        { rtol: 1e-12, atol: 0 },
        'sum',
      );
    }
  });

  test('gradients match central differences for every reduction, with an upstream, for [B, Q, L] scores', () => {
    const { scores, labels } = randomLists(5, 3, 5);
    check({ scores, labels });
    check({ scores, labels }, { reduction: 'sum' }, 0.5);
    check({ scores, labels }, { reduction: 'none' }, [1.5, -2, 0.25]);
    check({
      scores: [scores.slice(0, 2), scores.slice(1, 3)],
      labels: [labels.slice(0, 2), labels.slice(1, 3)],
    });
  });

  test('the labels are normalised per list: scaling them, even to 1e300 or subnormals, changes nothing', () => {
    const scores = [[0.3, -1.2, 2, 0.7]];
    const labels = [[1, 0, 3, 2]];
    const base = rankingSoftmaxLoss.valueAndGrad({ scores, labels });
    for (const k of [1e300, 1e-320]) {
      const scaled = rankingSoftmaxLoss.valueAndGrad({ scores, labels: [labels[0].map((v) => v * k)] });
      assertClose(scaled.value, base.value, { rtol: 1e-12, atol: 0 }, `labels × ${k}`);
      assertClose(scaled.grads.scores, base.grads.scores, { rtol: 1e-9, atol: 1e-15 }, `grads × ${k}`);
    }
  });

  test('scores of ±1e4 and ±1e300 give finite values and gradients (log-sum-exp with the maximum out)', () => {
    for (const big of [1e4, 1e300]) {
      const { value, grads } = rankingSoftmaxLoss.valueAndGrad({
        scores: [
          [big, -big, 0],
          [big, big, -big],
        ],
        labels: [
          [1, 0, 0],
          [0, 1, 0],
        ],
      });
      assertAllFinite(value, `value ${big}`);
      assertAllFinite(grads.scores, `grads ${big}`);
    }
    // The relevant item far ahead: loss 0 and gradient 0, not 0·∞.
    const { value, grads } = rankingSoftmaxLoss.valueAndGrad({ scores: [[1e300, -1e300]], labels: [[1, 0]] });
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.scores.data], [0, 0]);
  });

  test('a negative label, mismatched shapes and 0-d scores are errors naming the argument', () => {
    rejects(
      () => rankingSoftmax([[1, 2]], [[1, -1]]),
      'labels',
      /relevance -1 at index \[0, 1\] is negative/,
    );
    rejects(
      () => rankingSoftmax([[1, 2]], [[1, 0, 0]]),
      'labels',
      /shape \[1, 3\] does not match scores shape \[1, 2\]/,
    );
    rejects(() => rankingSoftmax(1, 1), 'scores', /must have shape \[\.\.\., L\]/);
    rejects(
      () => rankingSoftmax([[1, 2]], [[1, 0]], { reduction: 'batchmean' as never }),
      'options.reduction',
      /'mean' \| 'sum' \| 'none'/,
    );
  });
});
