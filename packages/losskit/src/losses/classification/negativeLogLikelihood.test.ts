import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import type { LossEntry } from '../../index.js';
import { negativeLogLikelihood, negativeLogLikelihoodLoss } from './negativeLogLikelihood.js';
import { sparseCategoricalCrossEntropy } from './sparseCategoricalCrossEntropy.js';

const entry = negativeLogLikelihoodLoss as unknown as LossEntry;
const loss = negativeLogLikelihoodLoss;
const rejects = lossInputErrorAsserter('negativeLogLikelihood');

const logits = [0.5, -1, 2, 1.5, 0.2, -0.3, -2, 0.7, 1.1, 0.9, 0.9, -0.4];

/** log softmax of each row of 3, written out here (independent of the library's kernels). */
function logSoftmaxRows(x: number[], classes: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < x.length; r += classes) {
    const row = x.slice(r, r + classes);
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    out.push(...row.map((v) => v - lse));
  }
  return out;
}

const logProbs = t([4, 3], logSoftmaxRows(logits, 3));

describe('negativeLogLikelihood', () => {
  test('on log-softmax outputs it equals sparse cross-entropy on the logits, with weights and an ignored label', () => {
    const weight = [0.5, 2, 1];
    for (const options of [
      {},
      { weight },
      { weight, ignoreIndex: 2 },
      { ignoreIndex: 0, reduction: 'sum' as const },
    ]) {
      const target = [0, 2, 1, 2];
      const nll = negativeLogLikelihood(logProbs, target, options);
      const ce = sparseCategoricalCrossEntropy(t([4, 3], logits), target, options);
      assertClose(nll, ce, { rtol: 1e-12, atol: 1e-12 }, JSON.stringify(options));
    }
  });

  test('each position is −w_y·x_y; an unbatched [C] input with a 0-d label gives a 0-d value', () => {
    const { value, grads } = loss.valueAndGrad({ input: [-0.2, -1.5, -3], target: 1 }, { weight: [1, 4, 1] });
    assert.deepEqual(value.shape, []);
    // mean divides by Σ w_y = 4, so the value is −x_y and the gradient −w_y/4 = −1 on class 1.
    assert.equal(value.item(), 1.5);
    assert.deepEqual([...grads.input.data], [0, -1, 0]);
  });

  test("'mean' divides by the weights of the counted labels; all ignored gives 0 and a zero gradient", () => {
    const value = negativeLogLikelihood(logProbs, [0, 1, 1, 2], { weight: [1, 3, 0.5], ignoreIndex: 2 });
    const x = logProbs.data;
    const expected = -(1 * x[0] + 3 * x[4] + 3 * x[7]) / (1 + 3 + 3);
    assertClose(value, { shape: [], data: [expected] }, { rtol: 1e-14, atol: 0 }, 'weighted mean');
    const { value: empty, grads } = loss.valueAndGrad(
      { input: logProbs, target: [-100, -100, -100, -100] },
      { ignoreIndex: -100 },
    );
    assert.equal(empty.item(), 0);
    assert.deepEqual([...grads.input.data], new Array(12).fill(0));
  });

  test('gradients match central differences for every option', () => {
    const input = logProbs;
    const target = t([4], [0, 2, 1, 0]);
    gradcheck(entry, { input, target });
    gradcheck(entry, { input, target }, { weight: t([3], [0.2, 1, 2.5]) });
    gradcheck(entry, { input, target }, { ignoreIndex: 0, reduction: 'sum' });
    gradcheck(
      entry,
      { input, target },
      { weight: t([3], [0.2, 1, 2.5]), ignoreIndex: 1, reduction: 'none' },
      t([4], [1, -2, 0.5, 3]),
    );
  });

  test('inputs of ±1e4 give exact finite results in float32 and float64', () => {
    for (const data of [new Float64Array([1e4, -1e4, 0, -1e4]), new Float32Array([1e4, -1e4, 0, -1e4])]) {
      const { value, grads } = loss.valueAndGrad(
        { input: { shape: [2, 2], data }, target: [1, 1] },
        { reduction: 'sum' },
      );
      assert.equal(value.item(), 2e4);
      assertClose(grads.input, { shape: [2, 2], data: [0, -1, 0, -1] }, { rtol: 0, atol: 0 }, 'grad');
    }
  });

  test('a float64 class weight too large for a float32 gradient is an error naming the weight, not ∞', () => {
    rejects(
      () =>
        loss.valueAndGrad(
          { input: { shape: [1, 2], data: new Float32Array([0, 0]) }, target: [0] },
          { weight: [1e39, 1], reduction: 'sum' },
        ),
      'options.weight',
      /overflow/,
    );
  });

  test('bad labels, shapes and weights are errors naming the argument', () => {
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 3, 0]),
      'target',
      /label 3 at index \[2\] is outside \[0, 3\)/,
    );
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 0.5, 0]),
      'target',
      /label 0.5 at index \[2\] is not an integer/,
    );
    rejects(() => negativeLogLikelihood(logProbs, [-100, 1, 1, 0]), 'target', /label -100 .* is outside/);
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 1]),
      'target',
      /shape \[3\] does not match input shape \[4, 3\]/,
    );
    rejects(() => negativeLogLikelihood(5, 0), 'input', /must have shape \[\.\.\., C\]/);
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 1, 0], { weight: [1, 2] }),
      'options.weight',
      /must have shape \[3\]/,
    );
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 1, 0], { weight: [1, -2, 1] }),
      'options.weight',
      /negative/,
    );
    rejects(
      () => negativeLogLikelihood(logProbs, [0, 1, 1, 0], { ignoreIndex: 0.5 }),
      'options.ignoreIndex',
      /integer/,
    );
  });
});
