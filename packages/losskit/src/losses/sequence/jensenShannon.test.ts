// What is particular to jensenShannon; the registry-driven tests cover the PyTorch reference
// cases (pubB/jensenShannon/*), float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, tensor } from '../../index.js';
import { klDivergence } from './klDivergence.js';
import { jensenShannon, jensenShannonLoss } from './jensenShannon.js';

const entry = jensenShannonLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('jensenShannon');
type Kind = 'logits' | 'logProbs' | 'probs';

const softmax = (row: readonly number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

/** The distribution a row stands for, in probabilities. */
const probabilities = (row: readonly number[], kind: Kind) =>
  kind === 'logits' ? softmax(row) : kind === 'logProbs' ? row.map(Math.exp) : [...row];

/** The pointwise terms written out in probability space, 0·log 0 = 0: the independent reference. */
function referenceTerms(
  input: number[][],
  target: number[][],
  beta: number,
  inputKind: Kind,
  targetKind: Kind,
) {
  return input.flatMap((row, r) => {
    const q = probabilities(row, inputKind);
    const p = probabilities(target[r], targetKind);
    return q.map((qc, c) => {
      const m = beta * p[c] + (1 - beta) * qc;
      const pTerm = p[c] === 0 ? 0 : beta * p[c] * Math.log(p[c] / m);
      const qTerm = qc === 0 ? 0 : (1 - beta) * qc * Math.log(qc / m);
      return pTerm + qTerm;
    });
  });
}

/** `rows` rows of `classes` values given as `kind`, drawn from `next`. */
function rowsOf(next: () => number, rows: number, classes: number, kind: Kind): number[][] {
  return Array.from({ length: rows }, () => {
    const logits = Array.from({ length: classes }, () => 4 * next() - 2);
    if (kind === 'logits') return logits;
    const p = softmax(logits);
    return kind === 'probs' ? p : p.map(Math.log);
  });
}

const kinds: Kind[] = ['logits', 'logProbs', 'probs'];

test('jensenShannon equals β·KL(P‖M) + (1 − β)·KL(Q‖M) written out, for every kind, β and reduction', () => {
  const next = random(3);
  for (const inputKind of kinds) {
    for (const targetKind of kinds) {
      for (const beta of [0.5, 0.1, 0.9]) {
        const input = rowsOf(next, 3, 4, inputKind);
        const target = rowsOf(next, 3, 4, targetKind);
        const terms = referenceTerms(input, target, beta, inputKind, targetKind);
        const options = { beta, inputKind, targetKind };
        const label = JSON.stringify(options);
        const tol = { rtol: 1e-12, atol: 1e-15 };
        assertClose(
          jensenShannon(input, target, { ...options, reduction: 'none' }),
          { shape: [3, 4], data: terms },
          tol,
          label,
        );
        const total = terms.reduce((a, b) => a + b, 0);
        assertClose(
          jensenShannon(input, target, options),
          { shape: [], data: [total / 3] },
          tol,
          `${label} batchmean`,
        );
        assertClose(
          jensenShannon(input, target, { ...options, reduction: 'mean' }),
          { shape: [], data: [total / 12] },
          tol,
          `${label} mean`,
        );
        assertClose(
          jensenShannon(input, target, { ...options, reduction: 'sum' }),
          { shape: [], data: [total] },
          tol,
          `${label} sum`,
        );
      }
    }
  }
});

test('the gradient equals central differences in float64 for every kind, β and reduction', () => {
  const next = random(5);
  for (const inputKind of kinds) {
    for (const targetKind of kinds) {
      for (const [beta, reduction] of [
        [0.5, 'batchmean'],
        [0.2, 'mean'],
        [0.8, 'sum'],
        [0.35, 'none'],
      ] as const) {
        const input = tensor(rowsOf(next, 2, 3, inputKind));
        const target = tensor(rowsOf(next, 2, 3, targetKind));
        const upstream = reduction === 'none' ? tensor(rowsOf(next, 2, 3, 'logits')) : undefined;
        gradcheck(entry, { input, target }, { beta, inputKind, targetKind, reduction }, upstream);
      }
    }
  }
});

test('β = ½ is symmetric, bounded by log 2, and 0 with a zero gradient when Q = P', () => {
  const p = [[0.7, 0.2, 0.1, 0]];
  const q = [[0.1, 0.3, 0.2, 0.4]];
  const probs = { inputKind: 'probs', targetKind: 'probs' } as const;
  const a = jensenShannon(q, p, probs).item();
  const b = jensenShannon(p, q, probs).item();
  assert.ok(Math.abs(a - b) < 1e-15 && a > 0 && a < Math.log(2));
  // Disjoint supports reach the bound exactly: −β log β − (1 − β) log(1 − β).
  const beta = 0.3;
  const disjoint = jensenShannon([[0, 1]], [[1, 0]], { ...probs, beta }).item();
  assert.ok(Math.abs(disjoint - (-beta * Math.log(beta) - (1 - beta) * Math.log(1 - beta))) < 1e-15);
  const same = jensenShannonLoss.valueAndGrad({ input: [[2, -1, 0.5]], target: [softmax([2, -1, 0.5])] });
  assert.ok(Math.abs(same.value.item()) < 1e-15);
  assert.ok(same.grads.input.data.every((g) => Math.abs(g) < 1e-15));
});

test('small β approaches β·KL(P‖Q), β near 1 approaches (1 − β)·KL(Q‖P)', () => {
  const q = [[0.5, -1, 2]];
  const p = [[0.2, 0.5, 0.3]];
  const small = 1e-6;
  const forward = klDivergence(q, p).item();
  assert.ok(Math.abs(jensenShannon(q, p, { beta: small }).item() / small - forward) < 1e-4 * forward);
  const reverse = klDivergence(p, [softmax(q[0])], { inputKind: 'probs' }).item();
  assert.ok(Math.abs(jensenShannon(q, p, { beta: 1 - small }).item() / small - reverse) < 1e-4 * reverse);
});

test('a target P = 0 adds only the Q term; a probability input Q = 0 under P > 0 has a value but no gradient', () => {
  const beta = 0.4;
  const probs = { beta, inputKind: 'probs', targetKind: 'probs', reduction: 'none' } as const;
  // P = 0 at class 1: the term is (1 − β)·Q·log(1/(1 − β)), and its gradient −(1 − β)·log(1 − β).
  const { value, grads } = jensenShannonLoss.valueAndGrad({ input: [[0.5, 0.5]], target: [[1, 0]] }, probs);
  assert.ok(Math.abs(value.data[1] - (1 - beta) * 0.5 * -Math.log(1 - beta)) < 1e-15);
  assert.ok(Math.abs(grads.input.data[1] + (1 - beta) * Math.log(1 - beta)) < 1e-15);
  // Q = 0 where P = 1: value β·log(1/β), finite; the gradient (1 − β)·log(Q/M) is −∞.
  assert.ok(Math.abs(jensenShannon([[0, 1]], [[1, 0]], probs).data[0] + beta * Math.log(beta)) < 1e-15);
  rejects(
    () => jensenShannonLoss.valueAndGrad({ input: [[0, 1]], target: [[1, 0]] }, probs),
    'input',
    /probability 0 at index \[0, 0\] where the target has mass/,
  );
  // Unless its upstream is 0.
  const masked = jensenShannonLoss.valueAndGrad({ input: [[0, 1]], target: [[1, 0]] }, probs, [[0, 1]]);
  assert.equal(masked.grads.input.data[0], 0);
});

test('logits of ±1e4 (and a teacher of ±1e4) give finite values and gradients, and the right limit', () => {
  for (const targetKind of ['probs', 'logits'] as const) {
    const target =
      targetKind === 'probs'
        ? [
            [1, 0, 0],
            [0.5, 0.5, 0],
          ]
        : [
            [1e4, -1e4, 0],
            [0, 0, -1e4],
          ];
    const { value, grads } = jensenShannonLoss.valueAndGrad(
      {
        input: [
          [1e4, -1e4, 0],
          [-1e4, 1e4, -1e4],
        ],
        target,
      },
      { targetKind, reduction: 'none' },
    );
    assert.ok(value.data.every(Number.isFinite) && grads.input.data.every(Number.isFinite), targetKind);
    // Row 0: Q = P = one-hot, 0. Row 1: Q = [0, 1, 0], P = [½, ½, 0]: M = [¼, ¾, 0].
    assert.ok(Math.abs(value.data[0] + value.data[1] + value.data[2]) < 1e-15, `${targetKind} row 0`);
    const row1 = value.data[3] + value.data[4] + value.data[5];
    const expected = 0.5 * (0.5 * Math.log(2) + 0.5 * Math.log(2 / 3)) + 0.5 * Math.log(4 / 3);
    assert.ok(Math.abs(row1 - expected) < 1e-15, `${targetKind} row 1`);
  }
});

test('bad inputs are LossInputErrors naming jensenShannon, the argument and the problem', () => {
  const q = [[0.1, 0.2, 0.7]];
  rejects(() => jensenShannon(q, q, { beta: 0 }), 'options.beta', /> 0 and < 1/);
  rejects(() => jensenShannon(q, q, { beta: 1 }), 'options.beta', /> 0 and < 1/);
  rejects(() => jensenShannon(q, q, { beta: 1.5 }), 'options.beta', /> 0 and < 1/);
  rejects(() => jensenShannon(q, [[0.5, 1.5, 0]]), 'target', /1\.5 at index \[0, 1\] is outside \[0, 1\]/);
  rejects(
    () => jensenShannon(q, [[-1, 0.5, -2]], { targetKind: 'logProbs' }),
    'target',
    /0\.5 at index \[0, 1\] is above 0/,
  );
  rejects(() => jensenShannon([[0.1, -0.2, 0.7]], q, { inputKind: 'probs' }), 'input', /outside \[0, 1\]/);
  rejects(() => jensenShannon([[-1, 2, -2]], q, { inputKind: 'logProbs' }), 'input', /above 0/);
  rejects(() => jensenShannon(q, [[0.5, 0.5]]), 'target', /does not match/);
  rejects(() => jensenShannon([[]], [[]]), 'input', /at least one class/);
  rejects(
    () => jensenShannon(q, q, { inputKind: 'probabilities' as never }),
    'options.inputKind',
    /'logits' \| 'logProbs' \| 'probs'/,
  );
  rejects(() => jensenShannon(q, q, { reduction: 'batch' as never }), 'options.reduction', /'batchmean'/);
});
