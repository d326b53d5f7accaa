import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { klDivergence, klDivergenceLoss, type LossEntry } from '../../index.js';
import { categoricalCrossEntropy } from '../classification/categoricalCrossEntropy.js';
import {
  referenceLogSoftmax,
  rowsOf,
  scoresAndDistributions,
  sum,
} from '../../../../../test/helpers/cross-entropy-reference.js';

const entry = klDivergenceLoss as unknown as LossEntry;
const loss = klDivergenceLoss;
const scalar = (v: number) => t([], [v]);

const rejects = lossInputErrorAsserter();

const logSoftmaxRows = (x: readonly number[], classes: number) =>
  rowsOf(x, classes).flatMap(referenceLogSoftmax);

describe('klDivergence values', () => {
  test('KL(P‖P) is 0 whichever way P is given, with a zero gradient for logits', () => {
    fc.assert(
      fc.property(scoresAndDistributions(), ({ rows, classes, logits, probabilities }) => {
        const shape = [rows, classes];
        const logProbs = logSoftmaxRows(logits, classes);
        const same = [
          { input: logits, target: logits, inputKind: 'logits', targetKind: 'logits' },
          { input: logits, target: logProbs.map(Math.exp), inputKind: 'logits', targetKind: 'probs' },
          { input: logProbs, target: logProbs, inputKind: 'logProbs', targetKind: 'logProbs' },
          { input: probabilities, target: probabilities, inputKind: 'probs', targetKind: 'probs' },
          {
            input: probabilities.map(Math.log),
            target: probabilities,
            inputKind: 'logProbs',
            targetKind: 'probs',
          },
        ] as const;
        for (const { input, target, inputKind, targetKind } of same) {
          const { value, grads } = loss.valueAndGrad(
            { input: t(shape, input), target: t(shape, target) },
            { inputKind, targetKind },
          );
          assertClose(value, scalar(0), { rtol: 0, atol: 1e-12 }, `${inputKind}/${targetKind}`);
          if (inputKind === 'logits')
            assertClose(
              grads.input,
              t(shape, new Array(rows * classes).fill(0)),
              { rtol: 0, atol: 1e-12 },
              'grad',
            );
        }
      }),
    );
  });

  test('KL is cross-entropy minus the entropy of P, and never negative', () => {
    fc.assert(
      fc.property(scoresAndDistributions(), ({ rows, classes, logits, probabilities }) => {
        const shape = [rows, classes];
        const kl = klDivergence(t(shape, logits), t(shape, probabilities), { reduction: 'sum' }).item();
        const crossEntropy = categoricalCrossEntropy(t(shape, logits), t(shape, probabilities), {
          reduction: 'sum',
        }).item();
        const entropy = -sum(probabilities.map((p) => p * Math.log(p)));
        assertClose(
          scalar(kl),
          scalar(crossEntropy - entropy),
          { rtol: 1e-9, atol: 1e-9 },
          'KL = H(P, Q) − H(P)',
        );
        assert.ok(kl >= -1e-12, `KL ${kl} is negative`);
      }),
    );
  });

  test("reductions: 'none' has the full shape, 'mean' divides by every element, 'batchmean' by shape[0]", () => {
    const input = t([2, 3], [0.2, -1, 1.5, 0, 0.4, 2]);
    const target = t([2, 3], [0.1, 0.6, 0.3, 0.5, 0.25, 0.25]);
    const none = klDivergence(input, target, { reduction: 'none' });
    assert.deepEqual(none.shape, [2, 3]);
    const total = sum(Array.from(none.data));
    assertClose(
      klDivergence(input, target, { reduction: 'sum' }),
      scalar(total),
      { rtol: 1e-14, atol: 0 },
      'sum',
    );
    assertClose(
      klDivergence(input, target, { reduction: 'mean' }),
      scalar(total / 6),
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
    assertClose(
      klDivergence(input, target),
      scalar(total / 2),
      { rtol: 1e-14, atol: 0 },
      'batchmean is the default',
    );
  });

  test("an unbatched [C] input under 'batchmean' is divided by C, as torch does; 'sum' is its KL", () => {
    const kl = klDivergence([0, 0], [1, 0], { reduction: 'sum' }).item();
    assertClose(scalar(kl), scalar(Math.LN2), { rtol: 1e-15, atol: 0 }, 'sum');
    assertClose(klDivergence([0, 0], [1, 0]), scalar(Math.LN2 / 2), { rtol: 1e-15, atol: 0 }, 'batchmean');
  });

  test('logits of ±1e4 give a finite loss and gradient, in both arguments', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: [[1e4, -1e4, 0]], target: [[-1e4, 1e4, 0]] },
      { targetKind: 'logits', reduction: 'sum' },
    );
    assertClose(value, scalar(2e4), { rtol: 1e-12, atol: 0 }, 'value'); // P = e₂, log Q₂ = −2e4
    assertClose(grads.input, t([1, 3], [1, -1, 0]), { rtol: 0, atol: 1e-12 }, 'grad');
  });

  test('probabilities exactly 0 and 1: 0·log 0 = 0 with a zero gradient, and Q = P = one-hot costs 0', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: [[1, 0, 0]], target: [[1, 0, 0]] },
      { inputKind: 'probs', reduction: 'none' },
    );
    assert.deepEqual(Array.from(value.data), [0, 0, 0]);
    assert.deepEqual(Array.from(grads.input.data), [-1, 0, 0]);
    const fromLogits = loss.valueAndGrad({ input: [[0, 0, 5]], target: [[0, 0, 1]] }, { reduction: 'none' });
    assert.deepEqual(Array.from(fromLogits.value.data.slice(0, 2)), [0, 0]);
  });
});

describe('klDivergence rejects bad input', () => {
  test('Q = 0 given as a probability where P has mass (the KL is infinite)', () => {
    rejects(
      () => klDivergence([[0.5, 0.5, 0]], [[0.2, 0.3, 0.5]], { inputKind: 'probs' }),
      'input',
      /probability 0 at index \[0, 2\] where the target has mass/,
    );
    rejects(
      () => klDivergence([[1, 0]], [[0, -3]], { inputKind: 'probs', targetKind: 'logits' }),
      'input',
      /index \[0, 1\]/,
    );
  });
  test('probabilities outside [0, 1], and log-probabilities above 0 (errors, not clamps)', () => {
    rejects(
      () => klDivergence([[0.5, 0.5]], [[1.2, -0.2]]),
      'target',
      /probability 1\.2 at index \[0, 0\] is outside \[0, 1\]/,
    );
    rejects(
      () => klDivergence([[0.5, 1.5]], [[0.5, 0.5]], { inputKind: 'probs' }),
      'input',
      /probability 1\.5 at index \[0, 1\]/,
    );
    rejects(
      () => klDivergence([[-1, 0.25]], [[0.5, 0.5]], { inputKind: 'logProbs' }),
      'input',
      /log-probability 0\.25 at index \[0, 1\] is above 0/,
    );
    rejects(
      () => klDivergence([[0, 0]], [[0.1, -1]], { targetKind: 'logProbs' }),
      'target',
      /log-probability 0\.1 at index \[0, 0\]/,
    );
  });
  test('a target of another shape, and an unknown kind', () => {
    rejects(
      () => klDivergence([[0, 0]], [[1, 0, 0]]),
      'target',
      /shape \[1, 3\] does not match input shape \[1, 2\]/,
    );
    rejects(
      () => klDivergence([[0, 0]], [[1, 0]], { inputKind: 'log' as never }),
      'options.inputKind',
      /'logits' \| 'logProbs' \| 'probs', got 'log'/,
    );
  });
  test('a 0-d input (no class axis)', () => {
    rejects(() => klDivergence(0.5, 0.5), 'input', /must have shape \[\.\.\., C\]/);
  });
});

describe('klDivergence properties', () => {
  test('float32 inputs give results within 1e-5 of float64 on the same values', () => {
    fc.assert(
      fc.property(
        scoresAndDistributions(),
        fc.constantFrom('logits', 'probs'),
        ({ rows, classes, logits, probabilities }, inputKind) => {
          const shape = [rows, classes];
          const x32 = Float32Array.from(inputKind === 'logits' ? logits : probabilities);
          const y32 = Float32Array.from(probabilities);
          const options = { inputKind, reduction: 'none' } as const;
          const f32 = loss.valueAndGrad(
            { input: { shape, data: x32 }, target: { shape, data: y32 } },
            options,
          );
          const f64 = loss.valueAndGrad(
            { input: t(shape, Array.from(x32)), target: t(shape, Array.from(y32)) },
            options,
          );
          assert.equal(f32.value.dtype, 'float32');
          assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, 'value');
          assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-5 }, 'grad');
        },
      ),
    );
  });
});

describe('klDivergence gradients match central differences where the oracle has no case', () => {
  const x = t([2, 3], [0.3, -1.1, 0.8, 2, 0.1, -0.5]);
  const probs = t([2, 3], [0.2, 0.5, 0.3, 0.6, 0.3, 0.1]);
  const logProbs = t([2, 3], Array.from(probs.data, Math.log));
  test('logits against logits, none with an upstream', () => {
    gradcheck(
      entry,
      { input: x, target: t([2, 3], [1, 0, -2, 0.5, 0.5, 3]) },
      { targetKind: 'logits', reduction: 'none' },
      t([2, 3], [1, -2, 0.5, 3, 0, 1]),
    );
  });
  test('probabilities against logits, mean', () => {
    gradcheck(
      entry,
      { input: probs, target: x },
      { inputKind: 'probs', targetKind: 'logits', reduction: 'mean' },
    );
  });
  test('log-probabilities against log-probabilities, sum', () => {
    gradcheck(
      entry,
      { input: t([2, 3], [-1.2, -0.9, -1.3, -0.4, -1.5, -2.1]), target: logProbs },
      { inputKind: 'logProbs', targetKind: 'logProbs', reduction: 'sum' },
    );
  });
  test('logits against a target with zeros, 3-d batchmean', () => {
    gradcheck(
      entry,
      { input: t([1, 2, 3], Array.from(x.data)), target: t([1, 2, 3], [0, 0.4, 0.6, 1, 0, 0]) },
      {},
    );
  });
});
