import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import {
  oneHot,
  referenceLogSoftmax,
  rowsOf,
  scoresAndLabels,
} from '../../../../../test/helpers/cross-entropy-reference.js';
import { categoricalFocalLoss } from './categoricalFocal.js';
import { sparseCategoricalFocal, sparseCategoricalFocalLoss } from './sparseCategoricalFocal.js';

const entry = sparseCategoricalFocalLoss as unknown as LossEntry;
const loss = sparseCategoricalFocalLoss;
const rejects = lossInputErrorAsserter('sparseCategoricalFocal');

const logits = t([4, 3], [0.5, -1, 2, 1.5, 0.2, -0.3, -2, 0.7, 1.1, 0.9, 0.9, -0.4]);
const labels = [2, 0, 1, 1];
const probabilities = t([4, 3], [0.6, 0.2, 0.2, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.25, 0.5, 0.25]);

/** The labels as one-hot rows [N, C] (a zero row for an ignored label). */
const oneHotRows = (ys: readonly number[], classes: number) =>
  t(
    [ys.length, classes],
    ys.flatMap((y) => (y >= 0 && y < classes ? oneHot(y, classes) : new Array(classes).fill(0))),
  );

describe('sparseCategoricalFocal values', () => {
  test('equals −α_y (1 − p_y)^γ log p_y with p = softmax(x), on random logits and labels', () => {
    fc.assert(
      fc.property(scoresAndLabels(), fc.double({ min: 0, max: 4, noNaN: true }), (b, gamma) => {
        const alpha = Array.from({ length: b.classes }, (_, c) => 1 / (c + 1));
        const got = sparseCategoricalFocal(t([b.rows, b.classes], b.logits), b.labels, {
          alpha,
          gamma,
          reduction: 'none',
        });
        const want = rowsOf(b.logits, b.classes).map((row, r) => {
          const l = referenceLogSoftmax(row)[b.labels[r]];
          return -alpha[b.labels[r]] * (1 - Math.exp(l)) ** gamma * l;
        });
        assertClose(got, { shape: [b.rows], data: want }, { rtol: 1e-9, atol: 1e-13 }, 'rows');
      }),
      { seed: 14, numRuns: 150 },
    );
  });

  test('equals categoricalFocal on one-hot targets, value and gradient, for logits and probabilities', () => {
    for (const [input, fromLogits] of [
      [logits, true],
      [probabilities, false],
    ] as const) {
      for (const options of [{}, { alpha: [0.5, 0.25, 0.125], gamma: 0.5 }, { alpha: null, gamma: 3 }]) {
        const sparse = loss.valueAndGrad({ input, target: labels }, { ...options, fromLogits });
        const dense = categoricalFocalLoss.valueAndGrad(
          { input, target: oneHotRows(labels, 3) },
          { ...options, fromLogits },
        );
        assertClose(sparse.value, dense.value, { rtol: 1e-13, atol: 0 }, `value ${JSON.stringify(options)}`);
        assertClose(sparse.grads.input, dense.grads.input, { rtol: 1e-12, atol: 1e-15 }, 'grad');
      }
    }
  });

  test("'mean' divides by the counted positions, not by α, and ignored positions get zero gradient", () => {
    const target = [2, -100, 0, -100];
    const options = { ignoreIndex: -100, alpha: [0.5, 0.25, 0.125] };
    const total = sparseCategoricalFocal(logits, target, { ...options, reduction: 'sum' }).item();
    const { value, grads } = loss.valueAndGrad({ input: logits, target }, options);
    assertClose(value, t([], [total / 2]), { rtol: 1e-14, atol: 0 }, 'mean');
    assert.deepEqual(Array.from(grads.input.data.slice(3, 6)), [0, 0, 0]);
    assert.deepEqual(Array.from(grads.input.data.slice(9, 12)), [0, 0, 0]);
  });

  test('ignoreIndex may be a valid class, and an all-ignored batch gives 0 with a zero gradient', () => {
    const kept = loss.valueAndGrad({ input: t([2, 3], [1.5, 0.2, -0.3, 0.9, 0.9, -0.4]), target: [0, 1] });
    const withIgnored = loss.valueAndGrad({ input: logits, target: [2, 0, 2, 1] }, { ignoreIndex: 2 });
    assertClose(withIgnored.value, kept.value, { rtol: 1e-14, atol: 0 }, 'value');
    const none = loss.valueAndGrad({ input: logits, target: [2, 2, 2, 2] }, { ignoreIndex: 2 });
    assert.ok(none.value.item() === 0);
    assert.ok(none.grads.input.data.every((g) => g === 0));
  });

  test('an unbatched [C] input with a 0-d label gives a 0-d value', () => {
    const value = sparseCategoricalFocal([2, 0, 0], 0, { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    const l = referenceLogSoftmax([2, 0, 0])[0];
    assertClose(value, t([], [-0.25 * (1 - Math.exp(l)) ** 2 * l]), { rtol: 1e-14, atol: 0 }, 'value');
  });
});

describe('sparseCategoricalFocal at extreme logits', () => {
  test('logits of ±1e4 give the exact finite value and gradient, also for γ < 1 at p = 1', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([2, 2], [1e4, -1e4, 1e4, -1e4]), target: [1, 0] },
      { alpha: null, gamma: 0.5, reduction: 'none' },
    );
    assertClose(value, t([2], [2e4, 0]), { rtol: 1e-14, atol: 0 }, 'value');
    assertClose(grads.input, t([2, 2], [1, -1, 0, 0]), { rtol: 0, atol: 1e-12 }, 'grad');
  });

  test('float32 logits of ±3e38 give finite results or a LossInputError', () => {
    const input = { shape: [2, 3], data: Float32Array.from([3e38, -3e38, 0, -3e38, 3e38, 1]) };
    try {
      const { value, grads } = loss.valueAndGrad({ input, target: [0, 1] });
      assertAllFinite(value, 'value');
      assertAllFinite(grads.input, 'grad');
    } catch (e) {
      assert.equal((e as Error).name, 'LossInputError');
    }
  });
});

describe('sparseCategoricalFocal gradients equal central differences', () => {
  for (const gamma of [0, 0.5, 2, 3.5]) {
    test(`logits, gamma ${gamma}, alpha list, an ignored position`, () => {
      gradcheck(
        entry,
        { input: logits, target: t([4], [2, -1, 1, 0]) },
        { gamma, alpha: [0.2, 0.5, 0.9], ignoreIndex: -1 },
      );
    });
  }
  test("probabilities (inside the clip), and 'none' with an upstream", () => {
    gradcheck(entry, { input: probabilities, target: t([4], labels) }, { fromLogits: false, gamma: 0.5 });
    gradcheck(
      entry,
      { input: logits, target: t([4], labels) },
      { reduction: 'none' },
      t([4], [1, -2, 0.5, 3]),
    );
    gradcheck(entry, { input: logits, target: t([4], labels) }, { reduction: 'sum', alpha: null });
  });
});

describe('sparseCategoricalFocal rejects bad input', () => {
  test('a label out of range (−100 too without ignoreIndex) or not an integer', () => {
    rejects(
      () => sparseCategoricalFocal(logits, [2, 0, -100, 1]),
      'target',
      /-100 at index \[2\] is outside \[0, 3\)/,
    );
    rejects(
      () => sparseCategoricalFocal(logits, [2, 0, 1.5, 1]),
      'target',
      /1\.5 at index \[2\] is not an integer/,
    );
  });
  test('an alpha list of the wrong length, or an entry outside [0, 1]', () => {
    rejects(
      () => sparseCategoricalFocal(logits, labels, { alpha: [0.5, 0.5] }),
      'options.alpha',
      /3 entries/,
    );
    rejects(
      () => sparseCategoricalFocal(logits, labels, { alpha: [0.5, 2, 0.5] }),
      'options.alpha',
      /entry 1 is 2/,
    );
  });
  test('labels of the wrong shape, and a non-integer ignoreIndex', () => {
    rejects(() => sparseCategoricalFocal(logits, [[2, 0, 1, 1]]), 'target', /\[1, 4\].*\[4, 3\]/);
    rejects(
      () => sparseCategoricalFocal(logits, labels, { ignoreIndex: 0.5 }),
      'options.ignoreIndex',
      /integer/,
    );
  });
  test('a probability outside [0, 1] with fromLogits: false', () => {
    rejects(
      () => sparseCategoricalFocal(t([1, 2], [0.5, 1.5]), [0], { fromLogits: false }),
      'input',
      /probability 1\.5 at index \[0, 1\]/,
    );
  });
});
