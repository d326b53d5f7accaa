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
  scoresAndDistributions,
} from '../../../../../test/helpers/cross-entropy-reference.js';
import { categoricalCrossEntropy } from './categoricalCrossEntropy.js';
import { poly1CrossEntropy, poly1CrossEntropyLoss } from './poly1CrossEntropy.js';

const entry = poly1CrossEntropyLoss as unknown as LossEntry;
const loss = poly1CrossEntropyLoss;
const rejects = lossInputErrorAsserter('poly1CrossEntropy');

const logits = t([3, 4], [0.5, -1, 2, 0.1, 1.5, 0.2, -0.3, 0.8, -2, 0.7, 1.1, 0.9]);
const soft = t([3, 4], [0.7, 0.1, 0.1, 0.1, 0, 0, 1, 0, 0.25, 0.25, 0.25, 0.25]);

/** Per row −Σ y log p + ε(1 − Σ y p), written directly from the paper's formula. */
function referenceRows(x: number[][], y: number[][], epsilon: number): number[] {
  return x.map((row, r) => {
    const logp = referenceLogSoftmax(row);
    const ce = -logp.reduce((s, l, c) => s + y[r][c] * l, 0);
    const pt = logp.reduce((s, l, c) => s + y[r][c] * Math.exp(l), 0);
    return ce + epsilon * (1 - pt);
  });
}

describe('poly1CrossEntropy values', () => {
  test('equals cross-entropy plus ε(1 − Σ y·softmax) on random logits and distributions', () => {
    fc.assert(
      fc.property(scoresAndDistributions(), fc.double({ min: -1, max: 5, noNaN: true }), (b, epsilon) => {
        const x = t([b.rows, b.classes], b.logits);
        const y = t([b.rows, b.classes], b.probabilities);
        const got = poly1CrossEntropy(x, y, { epsilon, reduction: 'none' });
        const want = referenceRows(rowsOf(b.logits, b.classes), rowsOf(b.probabilities, b.classes), epsilon);
        assertClose(got, { shape: [b.rows], data: want }, { rtol: 1e-10, atol: 1e-12 }, 'rows');
      }),
      { seed: 14, numRuns: 150 },
    );
  });

  test('epsilon 0 is categoricalCrossEntropy', () => {
    const got = poly1CrossEntropy(logits, soft, { epsilon: 0, reduction: 'none' });
    const want = categoricalCrossEntropy(logits, soft, { reduction: 'none' });
    assertClose(got, want, { rtol: 1e-14, atol: 1e-15 }, 'rows');
  });

  test('the default epsilon is 2 and the default reduction the mean over rows', () => {
    const rows = referenceRows(rowsOf(logits.data, 4), rowsOf(soft.data, 4), 2);
    assertClose(
      poly1CrossEntropy(logits, soft),
      t([], [(rows[0] + rows[1] + rows[2]) / 3]),
      { rtol: 1e-13, atol: 0 },
      'mean',
    );
  });

  test('an unbatched [C] row gives a 0-d value', () => {
    const value = poly1CrossEntropy([2, 0, 0], [1, 0, 0], { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    assertClose(value, t([], referenceRows([[2, 0, 0]], [[1, 0, 0]], 2)), { rtol: 1e-14, atol: 0 }, 'value');
  });
});

describe('poly1CrossEntropy at extreme logits', () => {
  test('logits of ±1e4 give the exact finite value and gradient', () => {
    // Row 0: the target class has p = 0: CE = 2e4, 1 − p_t = 1. Row 1: p_t = 1, value 0.
    const { value, grads } = loss.valueAndGrad(
      { input: t([2, 3], [1e4, -1e4, 0, 1e4, -1e4, -1e4]), target: t([2, 3], [0, 1, 0, 1, 0, 0]) },
      { epsilon: 2, reduction: 'none' },
    );
    assertClose(value, t([2], [2e4 + 2, 0]), { rtol: 1e-14, atol: 0 }, 'value');
    // Row 0: p = (1, 0, 0), S = 0: grad = (Σy + εS)·p − (1 + εp)·y = (1, −1, 0). Row 1: S = 1,
    // grad = 3p − (1 + 2p)·y = 0.
    assertClose(grads.input, t([2, 3], [1, -1, 0, 0, 0, 0]), { rtol: 0, atol: 1e-12 }, 'grad');
  });

  test('float32 logits of ±3e38 give finite results or a LossInputError', () => {
    const input = { shape: [2, 3], data: Float32Array.from([3e38, -3e38, 0, -3e38, 3e38, 1]) };
    const target = { shape: [2, 3], data: Float32Array.from([0, 0, 1, 1, 0, 0]) };
    try {
      const { value, grads } = loss.valueAndGrad({ input, target });
      assertAllFinite(value, 'value');
      assertAllFinite(grads.input, 'grad');
    } catch (e) {
      assert.equal((e as Error).name, 'LossInputError');
    }
  });
});

describe('poly1CrossEntropy gradients equal central differences', () => {
  for (const epsilon of [-1, 0, 0.5, 2, 10]) {
    test(`epsilon ${epsilon}, mean over soft targets`, () => {
      gradcheck(entry, { input: logits, target: soft }, { epsilon });
    });
  }
  test("'none' with an upstream, and 'sum'", () => {
    gradcheck(entry, { input: logits, target: soft }, { reduction: 'none' }, t([3], [0.3, -1.2, 2]));
    gradcheck(entry, { input: logits, target: soft }, { epsilon: -0.5, reduction: 'sum' });
  });
  test('targets that do not sum to 1', () => {
    gradcheck(entry, { input: logits, target: t([3, 4], [1, 1, 0, 0.5, 0, 0, 0, 0, 0.3, 0, 0.2, 0]) });
  });
});

describe('poly1CrossEntropy rejects bad input', () => {
  test('epsilon below −1 (the loss would rise with p_t), or not a number', () => {
    rejects(() => poly1CrossEntropy(logits, soft, { epsilon: -1.5 }), 'options.epsilon', />= -1/);
    rejects(
      () => poly1CrossEntropy(logits, soft, { epsilon: '2' as unknown as number }),
      'options.epsilon',
      /finite number/,
    );
  });
  test('a target outside [0, 1], naming the value and index', () => {
    rejects(
      () => poly1CrossEntropy(logits, t([3, 4], [0, 0, 1, 0, 0, 1.5, 0, 0, 0, 0, 0, 1])),
      'target',
      /1\.5 at index \[1, 1\] is outside \[0, 1\]/,
    );
  });
  test('shapes that differ, and an input without a class axis', () => {
    rejects(() => poly1CrossEntropy(logits, t([3, 3], new Array(9).fill(0))), 'target', /\[3, 3\].*\[3, 4\]/);
    rejects(() => poly1CrossEntropy(2, 1), 'input', /\[\.\.\., C\]/);
  });
  test('the option fromLogits does not exist (logits only)', () => {
    rejects(
      () => poly1CrossEntropy(logits, soft, { fromLogits: false } as never),
      'options.fromLogits',
      /unknown option/,
    );
  });
});
