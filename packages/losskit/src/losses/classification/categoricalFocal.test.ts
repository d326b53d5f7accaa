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
import { categoricalFocal, categoricalFocalLoss } from './categoricalFocal.js';

const entry = categoricalFocalLoss as unknown as LossEntry;
const loss = categoricalFocalLoss;
const rejects = lossInputErrorAsserter('categoricalFocal');

const logits = t([3, 4], [0.5, -1, 2, 0.1, 1.5, 0.2, -0.3, 0.8, -2, 0.7, 1.1, 0.9]);
const soft = t([3, 4], [0.7, 0.1, 0.1, 0.1, 0, 0, 1, 0, 0.25, 0.25, 0.25, 0.25]);
const probabilities = t([3, 4], [0.6, 0.2, 0.1, 0.1, 0.05, 0.8, 0.1, 0.05, 0.3, 0.3, 0.2, 0.2]);

/** Per row −Σ_c α_c y_c (1 − p_c)^γ log p_c from log-probabilities, written directly. */
function referenceRows(
  logp: number[][],
  y: number[][],
  alpha: (c: number) => number,
  gamma: number,
): number[] {
  return logp.map(
    (row, r) => -row.reduce((s, l, c) => s + alpha(c) * y[r][c] * (1 - Math.exp(l)) ** gamma * l, 0),
  );
}

describe('categoricalFocal values', () => {
  test('equals −Σ α_c y_c (1 − p_c)^γ log p_c with p = softmax(x), for a number, a list and null', () => {
    fc.assert(
      fc.property(
        scoresAndDistributions(),
        fc.double({ min: 0, max: 4, noNaN: true }),
        fc.constantFrom<'number' | 'list' | 'null'>('number', 'list', 'null'),
        (b, gamma, kind) => {
          const list = Array.from({ length: b.classes }, (_, c) => (c + 1) / (b.classes + 1));
          const alpha = kind === 'number' ? 0.3 : kind === 'list' ? list : null;
          const alphaOf = (c: number) => (kind === 'number' ? 0.3 : kind === 'list' ? list[c] : 1);
          const got = categoricalFocal(
            t([b.rows, b.classes], b.logits),
            t([b.rows, b.classes], b.probabilities),
            {
              alpha,
              gamma,
              reduction: 'none',
            },
          );
          const logp = rowsOf(b.logits, b.classes).map(referenceLogSoftmax);
          const want = referenceRows(logp, rowsOf(b.probabilities, b.classes), alphaOf, gamma);
          assertClose(got, { shape: [b.rows], data: want }, { rtol: 1e-9, atol: 1e-13 }, 'rows');
        },
      ),
      { seed: 14, numRuns: 150 },
    );
  });

  test('gamma 0 with alpha null is categoricalCrossEntropy (logits and probabilities)', () => {
    for (const [input, fromLogits] of [
      [logits, true],
      [probabilities, false],
    ] as const) {
      const focal = loss.valueAndGrad({ input, target: soft }, { gamma: 0, alpha: null, fromLogits });
      const ce = categoricalCrossEntropy(input, soft, { fromLogits });
      assertClose(focal.value, ce, { rtol: 1e-14, atol: 0 }, `fromLogits ${fromLogits}`);
    }
  });

  test('probabilities are clipped to [1e-7, 1] without renormalising, with gradient 0 under the clip', () => {
    const p = t([1, 3], [1e-9, 0.3, 0.2]); // sums to 0.5: not renormalised
    const y = t([1, 3], [0.5, 0.5, 0]);
    const { value, grads } = loss.valueAndGrad({ input: p, target: y }, { fromLogits: false, alpha: null });
    const clipped = 1e-7;
    const want = -0.5 * (1 - clipped) ** 2 * Math.log(clipped) - 0.5 * 0.7 ** 2 * Math.log(0.3);
    assertClose(value, t([], [want]), { rtol: 1e-14, atol: 0 }, 'value');
    // ∂/∂p = y(1 − p)^γ(γ log p/(1 − p) − 1/p) at p = 0.3; 0 under the clip and where y = 0.
    const slope = 0.5 * 0.7 ** 2 * ((2 * Math.log(0.3)) / 0.7 - 1 / 0.3);
    assertClose(grads.input, t([1, 3], [0, slope, 0]), { rtol: 1e-13, atol: 0 }, 'grad');
  });

  test('a probability of exactly 1 has loss 0 and gradient 0 for γ < 1, where autograd gives NaN', () => {
    for (const gamma of [0.25, 0.5, 1, 2]) {
      const { value, grads } = loss.valueAndGrad(
        { input: t([1, 2], [1, 0]), target: t([1, 2], [1, 0]) },
        { fromLogits: false, gamma },
      );
      assert.ok(value.item() === 0, `gamma ${gamma}: value ${value.item()}`);
      assert.ok(
        grads.input.data.every((g) => g === 0),
        `gamma ${gamma}: gradient ${Array.from(grads.input.data)}`,
      );
    }
  });
});

describe('categoricalFocal at extreme logits', () => {
  test('logits of ±1e4 give the exact finite value and gradient', () => {
    // Row 0: the target class has log p = −2e4 and 1 − p = 1; row 1: p = 1 exactly (γ = 0.5).
    const input = t([2, 2], [1e4, -1e4, 1e4, -1e4]);
    const { value, grads } = loss.valueAndGrad(
      { input, target: t([2, 2], [0, 1, 1, 0]) },
      { alpha: null, gamma: 0.5, reduction: 'none' },
    );
    assertClose(value, t([2], [2e4, 0]), { rtol: 1e-14, atol: 0 }, 'value');
    // Row 0: g_1 = (1 − γ·p·log p/(1 − p)) = 1, ∂ℓ/∂x = p·g_1 − g·onehot = (1, −1).
    assertClose(grads.input, t([2, 2], [1, -1, 0, 0]), { rtol: 0, atol: 1e-12 }, 'grad');
  });

  test('float32 logits of ±3e38 give finite results or a LossInputError', () => {
    const input = { shape: [2, 3], data: Float32Array.from([3e38, -3e38, 0, -3e38, 3e38, 1]) };
    const target = { shape: [2, 3], data: Float32Array.from([0.5, 0, 0.5, 1, 0, 0]) };
    try {
      const { value, grads } = loss.valueAndGrad({ input, target });
      assertAllFinite(value, 'value');
      assertAllFinite(grads.input, 'grad');
    } catch (e) {
      assert.equal((e as Error).name, 'LossInputError');
    }
  });
});

describe('categoricalFocal gradients equal central differences', () => {
  for (const gamma of [0, 0.5, 1, 2, 3.5]) {
    test(`logits, gamma ${gamma}, alpha list`, () => {
      gradcheck(entry, { input: logits, target: soft }, { gamma, alpha: [0.1, 0.2, 0.3, 0.4] });
    });
  }
  test('probabilities (inside the clip), alpha number and null', () => {
    gradcheck(entry, { input: probabilities, target: soft }, { fromLogits: false });
    gradcheck(entry, { input: probabilities, target: soft }, { fromLogits: false, alpha: null, gamma: 0.5 });
  });
  test("'none' with an upstream, 'sum'", () => {
    gradcheck(entry, { input: logits, target: soft }, { reduction: 'none' }, t([3], [2, -0.5, 1.5]));
    gradcheck(entry, { input: logits, target: soft }, { reduction: 'sum', alpha: null });
  });
});

describe('categoricalFocal rejects bad input', () => {
  test('an alpha list of the wrong length', () => {
    rejects(
      () => categoricalFocal(logits, soft, { alpha: [0.5, 0.5] }),
      'options.alpha',
      /must have 4 entries.*got 2/,
    );
  });
  test('alpha outside [0, 1], as a number or a list entry, or of another type', () => {
    rejects(() => categoricalFocal(logits, soft, { alpha: 1.5 }), 'options.alpha', /in \[0, 1\]/);
    rejects(
      () => categoricalFocal(logits, soft, { alpha: [0.1, 0.2, Number.NaN, 0.4] }),
      'options.alpha',
      /entry 2 is NaN/,
    );
    rejects(
      () => categoricalFocal(logits, soft, { alpha: 'all' as never }),
      'options.alpha',
      /or null, got the string/,
    );
  });
  test('gamma below 0', () => {
    rejects(() => categoricalFocal(logits, soft, { gamma: -1 }), 'options.gamma', />= 0/);
  });
  test('a target, or a probability input, outside [0, 1]', () => {
    rejects(
      () => categoricalFocal(logits, t([3, 4], [0, 0, 1, 0, 0, -0.5, 0, 0, 0, 0, 0, 1])),
      'target',
      /-0\.5 at index \[1, 1\] is outside \[0, 1\]/,
    );
    rejects(
      () => categoricalFocal(t([1, 2], [0.5, 2]), t([1, 2], [1, 0]), { fromLogits: false }),
      'input',
      /probability 2 at index \[0, 1\]/,
    );
  });
  test('shapes that differ', () => {
    rejects(() => categoricalFocal(logits, t([3, 3], new Array(9).fill(0))), 'target', /\[3, 3\].*\[3, 4\]/);
  });
});
