import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { type LossEntry, supervisedContrastive, supervisedContrastiveLoss } from '../../index.js';

const entry = supervisedContrastiveLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('supervisedContrastive');

function rows(seed: number, n: number, d: number): number[][] {
  const r = random(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => 3 * r() - 1.5));
}

const flat = (x: number[][]) => ({ shape: [x.length, x[0].length], data: Float64Array.from(x.flat()) });

/**
 * Khosla et al.'s eq. 2 written out: for each anchor with positives P(i),
 * −(1/|P(i)|) Σ_p log(exp(s_ip) / Σ_{a≠i} exp(s_ia)), the log-softmax taken with the row's
 * largest logit factored out; the mean over the anchors that have a positive.
 */
function bruteForce(x: number[][], y: number[], tau: number): number {
  const unit = x.map((row) => {
    const norm = Math.max(Math.hypot(...row), 1e-6);
    return row.map((v) => v / norm);
  });
  const sim = (i: number, j: number) => unit[i].reduce((acc, v, k) => acc + v * unit[j][k], 0) / tau;
  let total = 0;
  let anchors = 0;
  for (let i = 0; i < x.length; i++) {
    const others = x.map((_, a) => a).filter((a) => a !== i);
    const positives = others.filter((a) => y[a] === y[i]);
    if (positives.length === 0) continue;
    const m = Math.max(...others.map((a) => sim(i, a)));
    const logDenominator = m + Math.log(others.reduce((acc, a) => acc + Math.exp(sim(i, a) - m), 0));
    let sum = 0;
    for (const p of positives) sum += sim(i, p) - logDenominator;
    total += -sum / positives.length;
    anchors++;
  }
  return anchors === 0 ? 0 : total / anchors;
}

const x6 = rows(21, 6, 3);
const y6 = [0, 1, 0, 1, 1, 2]; // label 2 is a singleton anchor

describe('supervisedContrastive', () => {
  test('equals eq. 2 of Khosla et al. (L_out), averaged over the anchors that have a positive', () => {
    const cases: [number[][], number[], number][] = [
      [x6, y6, 0.1],
      [x6, y6, 1],
      [rows(3, 8, 5), [5, -1, 5, 5, -1, 0, 0, 9], 0.25],
      [rows(4, 3, 2), [1, 1, 1], 0.7],
    ];
    for (const [x, y, temperature] of cases) {
      assertClose(
        { shape: [], data: [supervisedContrastive(x, y, { temperature }).item()] },
        { shape: [], data: [bruteForce(x, y, temperature)] },
        { rtol: 1e-12, atol: 1e-12 },
        `labels ${y.join(',')} τ ${temperature}`,
      );
    }
  });

  test('an anchor alone with its label is skipped (not a 0 in the mean), but stays in the others’ denominators', () => {
    const x = rows(8, 4, 3);
    const withSingleton = supervisedContrastive(x, [0, 0, 1, 1], { temperature: 0.5 }).item();
    const lonely = supervisedContrastive(x, [0, 0, 1, 2], { temperature: 0.5 }).item();
    // Only anchors 0 and 1 count in the second call: twice the mean of their two terms.
    assertClose(
      { shape: [], data: [lonely] },
      { shape: [], data: [bruteForce(x, [0, 0, 1, 2], 0.5)] },
      { rtol: 1e-12, atol: 0 },
      'singleton anchors',
    );
    assert.notEqual(withSingleton, lonely);
    const none = supervisedContrastiveLoss.valueAndGrad({ embeddings: x, labels: [0, 1, 2, 3] });
    assert.equal(none.value.item(), 0);
    assert.ok(none.grads.embeddings.data.every((v) => v === 0));
  });

  test('analytic gradient equals central differences for every temperature, with an upstream', () => {
    const labels = { shape: [6], data: Float64Array.from(y6) };
    for (const options of [{}, { temperature: 0.5 }, { temperature: 4 }]) {
      gradcheck(entry, { embeddings: flat(x6), labels }, options);
      gradcheck(entry, { embeddings: flat(x6), labels }, options, { shape: [], data: [1.9] });
    }
  });

  test('a zero row, huge rows and logits of ±1e4 (temperature 1e-4) stay finite, in float64 and float32', () => {
    const zero = x6.map((r, i) => (i === 0 ? [0, 0, 0] : r));
    const huge = x6.map((r, i) => (i === 3 ? r.map((v) => v * 1e300) : r));
    for (const [x, f32] of [
      [zero, true],
      [huge, false],
      [x6, true],
    ] as const) {
      for (const temperature of [0.1, 1e-4]) {
        const data = f32 ? Float32Array.from(x.flat()) : Float64Array.from(x.flat());
        const r = supervisedContrastiveLoss.valueAndGrad(
          { embeddings: { shape: [6, 3], data }, labels: y6 },
          { temperature },
        );
        assertAllFinite(r.value, 'value');
        assertAllFinite(r.grads.embeddings, 'grads');
      }
    }
    assertClose(
      { shape: [], data: [supervisedContrastive(huge, y6, { temperature: 1e-4 }).item()] },
      { shape: [], data: [bruteForce(x6, y6, 1e-4)] },
      { rtol: 1e-10, atol: 1e-8 },
      'τ = 1e-4 with a row scaled by 1e300',
    );
  });

  test('float32 embeddings give a float32 value and gradient close to float64', () => {
    const f64 = supervisedContrastiveLoss.valueAndGrad({ embeddings: flat(x6), labels: y6 });
    const f32 = supervisedContrastiveLoss.valueAndGrad({
      embeddings: { shape: [6, 3], data: Float32Array.from(x6.flat()) },
      labels: y6,
    });
    assert.equal(f32.value.dtype, 'float32');
    assert.equal(f32.grads.embeddings.dtype, 'float32');
    assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-6 }, 'value');
    assertClose(f32.grads.embeddings, f64.grads.embeddings, { rtol: 1e-4, atol: 1e-5 }, 'grads');
  });

  test('bad inputs are LossInputErrors naming the argument', () => {
    rejects(
      () => supervisedContrastive([[[1, 2]]], [0]),
      'embeddings',
      /must have shape \[N, D\], got \[1, 1, 2\]/,
    );
    rejects(
      () => supervisedContrastive(x6, [[0, 1, 0, 1, 1, 2]]),
      'labels',
      /does not match embeddings shape \[6, 3\]/,
    );
    rejects(
      () => supervisedContrastive(x6, [0, 1, 0, 1, 1, 1e-3]),
      'labels',
      /label 0\.001 at index \[5\] is not an integer/,
    );
    rejects(() => supervisedContrastive(x6, y6, { temperature: 0 }), 'options.temperature', /> 0/);
    rejects(() => supervisedContrastive(x6, y6, { temperature: 5e-324 }), 'options.temperature', /overflow/);
  });
});
