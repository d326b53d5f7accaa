import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import {
  referenceLogSoftmax,
  rowsOf,
  scoresAndLabels,
} from '../../../../../test/helpers/cross-entropy-reference.js';
import { generalizedCrossEntropy, generalizedCrossEntropyLoss } from './generalizedCrossEntropy.js';
import { sparseCategoricalCrossEntropy } from './sparseCategoricalCrossEntropy.js';

const entry = generalizedCrossEntropyLoss as unknown as LossEntry;
const loss = generalizedCrossEntropyLoss;
const rejects = lossInputErrorAsserter('generalizedCrossEntropy');

const logits = t([4, 3], [0.5, -1, 2, 1.5, 0.2, -0.3, -2, 0.7, 1.1, 0.9, 0.9, -0.4]);
const labels = [2, 0, 1, 1];
const probabilities = t([3, 4], [0.6, 0.2, 0.1, 0.1, 0.05, 0.8, 0.1, 0.05, 0.3, 0.3, 0.2, 0.2]);

describe('generalizedCrossEntropy values', () => {
  test('equals (1 − p_y^q)/q with p = softmax(x), on random logits, labels and q', () => {
    fc.assert(
      fc.property(scoresAndLabels(), fc.double({ min: 0.05, max: 1, noNaN: true }), (b, q) => {
        const got = generalizedCrossEntropy(t([b.rows, b.classes], b.logits), b.labels, {
          q,
          reduction: 'none',
        });
        const want = rowsOf(b.logits, b.classes).map((row, r) => {
          const py = Math.exp(referenceLogSoftmax(row)[b.labels[r]]);
          return (1 - py ** q) / q;
        });
        assertClose(got, { shape: [b.rows], data: want }, { rtol: 1e-9, atol: 1e-12 }, 'rows');
      }),
      { seed: 14, numRuns: 150 },
    );
  });

  test('q = 1 is the mean absolute error of the true-class probability, 1 − p_y', () => {
    const got = generalizedCrossEntropy(logits, labels, { q: 1, reduction: 'none' });
    const want = rowsOf(logits.data, 3).map((row, r) => 1 - Math.exp(referenceLogSoftmax(row)[labels[r]]));
    assertClose(got, t([4], want), { rtol: 1e-13, atol: 1e-15 }, 'rows');
  });

  test('q near 0 (down to the smallest subnormal) is the cross-entropy −log p_y, to the last digits', () => {
    const ce = sparseCategoricalCrossEntropy(logits, labels, { reduction: 'none' });
    for (const q of [1e-12, 1e-300, 5e-324]) {
      const got = generalizedCrossEntropy(logits, labels, { q, reduction: 'none' });
      assertClose(got, ce, { rtol: 1e-11, atol: 0 }, `q ${q}`);
    }
  });

  test('probability inputs: p_y itself, clipped to 1e-7 below (value capped, gradient 0)', () => {
    const p = t([2, 3], [1e-9, 0.5, 0.5, 0.25, 0.25, 0.5]);
    const { value, grads } = loss.valueAndGrad(
      { input: p, target: [0, 2] },
      { fromLogits: false, q: 0.5, reduction: 'none' },
    );
    assertClose(
      value,
      t([2], [(1 - Math.sqrt(1e-7)) / 0.5, (1 - Math.sqrt(0.5)) / 0.5]),
      { rtol: 1e-14, atol: 0 },
      'value',
    );
    // ∂/∂p_y = −p_y^(q−1): 0 under the clip, −0.5^(−0.5) for the second row; 0 off the label.
    assertClose(grads.input, t([2, 3], [0, 0, 0, 0, 0, -(0.5 ** -0.5)]), { rtol: 1e-14, atol: 0 }, 'grad');
  });
});

describe('generalizedCrossEntropy at extreme logits', () => {
  test('logits of ±1e4 give the exact finite value and gradient', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([2, 2], [1e4, -1e4, 1e4, -1e4]), target: [1, 0] },
      { reduction: 'none' },
    );
    // Row 0: p_y = e^(−2e4) = 0 to double precision: the loss is its bound 1/q, the gradient 0.
    assertClose(value, t([2], [1 / 0.7, 0]), { rtol: 1e-14, atol: 0 }, 'value');
    assertClose(grads.input, t([2, 2], [0, 0, 0, 0]), { rtol: 0, atol: 1e-300 }, 'grad');
  });

  test('float32 logits of ±3e38 give finite values and gradients', () => {
    const input = { shape: [2, 3], data: Float32Array.from([3e38, -3e38, 0, -3e38, 3e38, 1]) };
    const { value, grads } = loss.valueAndGrad({ input, target: [1, 1] }, { reduction: 'sum' });
    assertAllFinite(value, 'value');
    assertAllFinite(grads.input, 'grad');
  });
});

describe('generalizedCrossEntropy gradients equal central differences', () => {
  for (const q of [0.1, 0.3, 0.7, 1]) {
    test(`logits, q ${q}`, () => gradcheck(entry, { input: logits, target: t([4], labels) }, { q }));
  }
  test("probabilities (away from the clip), and 'none' with an upstream", () => {
    gradcheck(entry, { input: probabilities, target: t([3], [0, 1, 3]) }, { fromLogits: false });
    gradcheck(
      entry,
      { input: probabilities, target: t([3], [2, 1, 0]) },
      { fromLogits: false, q: 0.4, reduction: 'sum' },
    );
    gradcheck(
      entry,
      { input: logits, target: t([4], labels) },
      { reduction: 'none' },
      t([4], [0.5, -2, 1, 3]),
    );
  });
});

describe('generalizedCrossEntropy rejects bad input', () => {
  test('q of 0, below 0 or above 1', () => {
    for (const q of [0, -0.5, 1.5])
      rejects(() => generalizedCrossEntropy(logits, labels, { q }), 'options.q', /> 0 and <= 1/);
  });
  test('a label out of range or not an integer, naming the value and index', () => {
    rejects(
      () => generalizedCrossEntropy(logits, [2, 0, 3, 1]),
      'target',
      /label 3 at index \[2\] is outside \[0, 3\)/,
    );
    rejects(
      () => generalizedCrossEntropy(logits, [2, 0.5, 1, 1]),
      'target',
      /0\.5 at index \[1\] is not an integer/,
    );
  });
  test('labels of the wrong shape', () => {
    rejects(() => generalizedCrossEntropy(logits, [2, 0, 1]), 'target', /\[3\].*\[4, 3\]/);
  });
  test('a probability outside [0, 1] with fromLogits: false', () => {
    rejects(
      () => generalizedCrossEntropy(t([1, 2], [1.2, -0.2]), [0], { fromLogits: false }),
      'input',
      /probability 1\.2 at index \[0, 0\] is outside \[0, 1\]/,
    );
  });
  test('the option ignoreIndex does not exist', () => {
    assert.throws(
      () => generalizedCrossEntropy(logits, labels, { ignoreIndex: -100 } as never),
      /unknown option/,
    );
  });
});
