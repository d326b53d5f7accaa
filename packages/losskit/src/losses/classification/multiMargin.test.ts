import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import { multiMargin, multiMarginLoss } from './multiMargin.js';

const entry = multiMarginLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('multiMargin');

/** torch's multi_margin_loss for one row, written out: (w_y/C)·Σ_{c≠y} max(0, m − x_y + x_c)^p. */
function torchRow(x: number[], y: number, p: number, margin: number, w: number[] | null): number {
  let sum = 0;
  for (let c = 0; c < x.length; c++) if (c !== y) sum += Math.max(0, margin - x[y] + x[c]) ** p;
  return ((w === null ? 1 : w[y]) * sum) / x.length;
}

const rows = [
  [0.4, -1.2, 0.9, 0.1],
  [2.5, 0.3, -0.7, 1.1],
  [-0.6, -0.2, -1.5, 0.35],
];
const labels = [2, 0, 3];
const input = t([3, 4], rows.flat());
const target = t([3], labels);

describe('multiMargin', () => {
  test('torch’s documented example: x = [0.1, 0.2, 0.4, 0.8], y = 3 gives 0.325', () => {
    assertClose(
      multiMargin([[0.1, 0.2, 0.4, 0.8]], [3]),
      { shape: [], data: [0.325] },
      { rtol: 1e-12, atol: 0 },
      'value',
    );
  });

  test('p = 2 and the class weight apply as torch’s kernel: the weight multiplies after the power', () => {
    const w = [1, 2, 0.5, 1.5];
    const expected = rows.map((x, r) => torchRow(x, labels[r], 2, 0.7, w));
    assertClose(
      multiMargin(input, target, { p: 2, margin: 0.7, weight: w, reduction: 'none' }),
      { shape: [3], data: expected },
      { rtol: 1e-14, atol: 0 },
      'none',
    );
    // The mean is over rows, unweighted (torch divides by N, not by Σ w_y).
    const mean = expected.reduce((a, b) => a + b, 0) / 3;
    assertClose(
      multiMargin(input, target, { p: 2, margin: 0.7, weight: w }),
      { shape: [], data: [mean] },
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
  });

  test('a term exactly at the margin has gradient 0 (torch counts z > 0 only)', () => {
    const { value, grads } = multiMarginLoss.valueAndGrad({ input: [[0, 1]], target: [1] });
    assert.equal(value.item(), 0);
    assert.deepEqual([...grads.input.data], [0, 0]);
  });

  test('an unbatched [C] input with a 0-d label gives a 0-d value', () => {
    const value = multiMargin([0.4, -1.2, 0.9, 0.1], 2, { reduction: 'none' });
    assert.deepEqual(value.shape, []);
    assertClose(
      value,
      { shape: [], data: [torchRow([0.4, -1.2, 0.9, 0.1], 2, 1, 1, null)] },
      { rtol: 1e-15, atol: 0 },
      'value',
    );
  });

  test('gradients match central differences for every option', () => {
    const weight = t([4], [1, 2, 0.5, 1.5]);
    gradcheck(entry, { input, target });
    gradcheck(entry, { input, target }, { p: 2, margin: 0.7, weight });
    gradcheck(entry, { input, target }, { p: 1, margin: 2, weight, reduction: 'sum' });
    gradcheck(entry, { input, target }, { p: 2, reduction: 'none' }, t([3], [1, -2, 0.5]));
  });

  test('scores of ±1e4 give the exact finite loss in float32 and float64', () => {
    for (const data of [new Float64Array([1e4, -1e4, 0]), new Float32Array([1e4, -1e4, 0])]) {
      const { value, grads } = multiMarginLoss.valueAndGrad(
        { input: { shape: [1, 3], data }, target: [1] },
        { reduction: 'sum' },
      );
      // (1 + 1e4 + 1e4) + (1 + 1e4 + 0), over C = 3.
      assertClose(value, { shape: [], data: [(2 + 3e4) / 3] }, { rtol: 1e-7, atol: 0 }, 'value');
      assertClose(
        grads.input,
        { shape: [1, 3], data: [1 / 3, -2 / 3, 1 / 3] },
        { rtol: 1e-7, atol: 0 },
        'grad',
      );
    }
  });

  test('a class weight whose gradient overflows float32 is an error naming the weight', () => {
    rejects(
      () =>
        multiMarginLoss.valueAndGrad(
          { input: { shape: [1, 2], data: new Float32Array([0, 0]) }, target: [0] },
          { weight: [1e39, 1], margin: 1e-3, reduction: 'sum' },
        ),
      'options.weight',
      /overflow/,
    );
  });

  test('bad options, labels and shapes are errors naming the argument', () => {
    rejects(() => multiMargin(input, target, { p: 3 as never }), 'options.p', /must be 1 or 2, got 3/);
    rejects(() => multiMargin(input, [0, 4, 1]), 'target', /label 4 at index \[1\] is outside \[0, 4\)/);
    rejects(() => multiMargin(input, [0, -1, 1]), 'target', /label -1 at index \[1\] is outside/);
    rejects(() => multiMargin(input, [0, 1]), 'target', /shape \[2\] does not match input shape \[3, 4\]/);
    rejects(
      () => multiMargin(input, target, { weight: [1, 2, 3] }),
      'options.weight',
      /must have shape \[4\]/,
    );
    rejects(() => multiMargin(input, target, { margin: Number.NaN }), 'options.margin', /finite number/);
  });
});
