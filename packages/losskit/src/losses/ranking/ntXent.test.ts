import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, ntXent, ntXentLoss } from '../../index.js';

const entry = ntXentLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('ntXent');

/** n rows of d numbers in [−1.5, 1.5), seeded. */
function rows(seed: number, n: number, d: number): number[][] {
  const r = random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 3 * r() - 1.5));
}

const flat = (x: number[][]) => ({ shape: [x.length, x[0].length], data: Float64Array.from(x.flat()) });

/**
 * The definition, pair by pair: cosine similarity from scratch (norm floored at 1e-6), then for
 * every ordered pair (i, j), i ≠ j, same label: −s_ij + log(e^{s_ij} + Σ_{k: y_k ≠ y_i} e^{s_ik}),
 * the log of the sum taken with the largest term factored out; the mean over the pairs.
 */
function bruteForce(x: number[][], y: number[], tau: number): number {
  const unit = x.map((row) => {
    const norm = Math.max(Math.hypot(...row), 1e-6);
    return row.map((v) => v / norm);
  });
  const sim = (i: number, j: number) => unit[i].reduce((acc, v, k) => acc + v * unit[j][k], 0) / tau;
  let total = 0;
  let pairs = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = 0; j < x.length; j++) {
      if (i === j || y[i] !== y[j]) continue;
      const terms = [sim(i, j)];
      for (let k = 0; k < x.length; k++) if (y[k] !== y[i]) terms.push(sim(i, k));
      const m = Math.max(...terms);
      total += -sim(i, j) + m + Math.log(terms.reduce((acc, v) => acc + Math.exp(v - m), 0));
      pairs++;
    }
  }
  return pairs === 0 ? 0 : total / pairs;
}

const x6 = rows(11, 6, 3);
const y6 = [0, 0, 1, 1, 1, 2];

describe('ntXent', () => {
  test('equals the pair-by-pair definition, every ordered positive pair counted (groups of 1, 2 and 3, any integer labels)', () => {
    const cases: [number[][], number[], number][] = [
      [x6, y6, 0.07],
      [x6, y6, 0.5],
      [rows(5, 7, 4), [-3, 7, -3, 7, 7, 0, -3], 1],
      [rows(9, 4, 2), [1, 1, 1, 1], 0.2],
    ];
    for (const [x, y, temperature] of cases) {
      const got = ntXent(x, y, { temperature }).item();
      assertClose(
        { shape: [], data: [got] },
        { shape: [], data: [bruteForce(x, y, temperature)] },
        { rtol: 1e-12, atol: 1e-12 },
        `labels ${y.join(',')} τ ${temperature}`,
      );
    }
  });

  test('(i, j) and (j, i) are two pairs: a group of three gives six terms, not three', () => {
    // Rows 0–2 share a label, row 3 is the only negative. Each ordered pair has its own anchor's
    // negatives, so the mean is over 6 terms, and it differs from the mean over i < j only.
    const x = [
      [1, 0],
      [0.8, 0.6],
      [0, 1],
      [-1, 0.2],
    ];
    const y = [4, 4, 4, 9];
    const unit = x.map((r) => r.map((v) => v / Math.hypot(...r)));
    const s = (i: number, j: number) => unit[i][0] * unit[j][0] + unit[i][1] * unit[j][1];
    const term = (i: number, j: number) => Math.log1p(Math.exp(s(i, 3) - s(i, j)));
    const ordered = [
      [0, 1],
      [1, 0],
      [0, 2],
      [2, 0],
      [1, 2],
      [2, 1],
    ].reduce((acc, [i, j]) => acc + term(i, j), 0);
    assertClose(
      { shape: [], data: [ntXent(x, y, { temperature: 1 }).item()] },
      { shape: [], data: [ordered / 6] },
      { rtol: 1e-13, atol: 0 },
      'six ordered pairs',
    );
  });

  test('a batch without a positive pair gives 0 with a zero gradient; an anchor without negatives contributes 0', () => {
    const single = ntXentLoss.valueAndGrad({ embeddings: x6, labels: [0, 1, 2, 3, 4, 5] });
    assert.equal(single.value.item(), 0);
    assert.ok(single.grads.embeddings.data.every((v) => v === 0));
    const oneLabel = ntXentLoss.valueAndGrad({ embeddings: x6, labels: [2, 2, 2, 2, 2, 2] });
    assert.equal(oneLabel.value.item(), 0);
    assert.ok(oneLabel.grads.embeddings.data.every((v) => v === 0));
    const empty = ntXentLoss.valueAndGrad({ embeddings: { shape: [0, 3], data: [] }, labels: [] });
    assert.equal(empty.value.item(), 0);
  });

  test('analytic gradient equals central differences for every temperature, with an upstream', () => {
    for (const temperature of [undefined, 0.5, 3]) {
      const options = temperature === undefined ? {} : { temperature };
      gradcheck(
        entry,
        { embeddings: flat(x6), labels: { shape: [6], data: Float64Array.from(y6) } },
        options,
      );
      gradcheck(
        entry,
        { embeddings: flat(x6), labels: { shape: [6], data: Float64Array.from(y6) } },
        options,
        { shape: [], data: [-0.7] },
      );
    }
  });

  test('depends only on directions: a row scaled by 1e300 or 1e-5 (norm above the 1e-6 floor) gives the same value, its gradient scaled by the inverse', () => {
    const base = ntXentLoss.valueAndGrad({ embeddings: x6, labels: y6 }, { temperature: 0.3 });
    for (const c of [1e300, 1e-5, 7]) {
      const scaled = ntXentLoss.valueAndGrad(
        { embeddings: x6.map((r, i) => (i === 2 ? r.map((v) => v * c) : r)), labels: y6 },
        { temperature: 0.3 },
      );
      assertClose(scaled.value, base.value, { rtol: 1e-12, atol: 0 }, `row 2 × ${c}: value`);
      const g = scaled.grads.embeddings.data;
      for (let k = 0; k < 3; k++) {
        const want = base.grads.embeddings.data[6 + k] / c;
        assert.ok(Math.abs(g[6 + k] - want) <= 1e-10 * Math.abs(want) + 1e-300, `row 2 × ${c}: grad ${k}`);
      }
    }
  });

  test('a zero row, subnormal rows and logits of ±1e4 (temperature 1e-4) stay finite, in float64 and float32', () => {
    const zero = x6.map((r, i) => (i === 0 ? [0, 0, 0] : r));
    const tiny = x6.map((r, i) => (i === 1 ? [5e-324, -5e-324, 0] : r));
    for (const x of [zero, tiny, x6]) {
      for (const temperature of [0.07, 1e-4]) {
        for (const data of [Float64Array.from(x.flat()), Float32Array.from(x.flat())]) {
          const r = ntXentLoss.valueAndGrad(
            { embeddings: { shape: [6, 3], data }, labels: y6 },
            { temperature },
          );
          assertAllFinite(r.value, 'value');
          assertAllFinite(r.grads.embeddings, 'grads');
        }
      }
    }
    // A zero row is a zero direction: its similarities are 0, as in the definition.
    assertClose(
      { shape: [], data: [ntXent(zero, y6, { temperature: 0.2 }).item()] },
      { shape: [], data: [bruteForce(zero, y6, 0.2)] },
      { rtol: 1e-12, atol: 1e-12 },
      'zero row',
    );
    // At τ = 1e-4 the loss is about the largest (negative − positive) similarity gap over τ.
    assertClose(
      { shape: [], data: [ntXent(x6, y6, { temperature: 1e-4 }).item()] },
      { shape: [], data: [bruteForce(x6, y6, 1e-4)] },
      { rtol: 1e-10, atol: 1e-8 },
      'τ = 1e-4',
    );
  });

  test('float32 embeddings give a float32 value and gradient close to float64', () => {
    const f64 = ntXentLoss.valueAndGrad({ embeddings: flat(x6), labels: y6 });
    const typed = ntXentLoss.valueAndGrad({
      embeddings: { shape: [6, 3], data: Float32Array.from(x6.flat()) },
      labels: y6,
    });
    assert.equal(typed.value.dtype, 'float32');
    assert.equal(typed.grads.embeddings.dtype, 'float32');
    assertClose(typed.value, f64.value, { rtol: 1e-5, atol: 1e-6 }, 'value');
    assertClose(typed.grads.embeddings, f64.grads.embeddings, { rtol: 1e-4, atol: 1e-5 }, 'grads');
  });

  test('bad inputs are LossInputErrors naming the argument', () => {
    rejects(() => ntXent([1, 2, 3], [0, 0, 1]), 'embeddings', /must have shape \[N, D\], got \[3\]/);
    rejects(() => ntXent(x6, [0, 0, 1]), 'labels', /shape \[3\] does not match embeddings shape \[6, 3\]/);
    rejects(() => ntXent(x6, [0, 0.5, 1, 1, 2, 2]), 'labels', /label 0\.5 at index \[1\] is not an integer/);
    rejects(
      () => ntXent(x6, y6, { temperature: 0 }),
      'options.temperature',
      /must be a finite number > 0, got 0/,
    );
    rejects(() => ntXent(x6, y6, { temperature: -1 }), 'options.temperature', /> 0/);
    rejects(() => ntXent(x6, [0, 0, 1, 1, Number.NaN, 2]), 'labels', /NaN at index/);
    // A subnormal temperature makes the logits overflow: named, not a NaN.
    rejects(() => ntXent(x6, y6, { temperature: 5e-324 }), 'options.temperature', /overflow/);
  });
});
