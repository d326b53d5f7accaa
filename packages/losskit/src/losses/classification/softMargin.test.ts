import { describe, test } from 'node:test';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { inputTargetGradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import type { LossEntry } from '../../index.js';
import { binaryCrossEntropyWithLogitsLoss } from './binaryCrossEntropyWithLogits.js';
import { softMargin, softMarginLoss } from './softMargin.js';

const check = inputTargetGradcheck(softMarginLoss as unknown as LossEntry);
const rejects = lossInputErrorAsserter('softMargin');

const scores = [0.3, -1.7, 2.4, -0.2, 0.9, -3.1];
const signs = [1, -1, -1, 1, 1, -1];

describe('softMargin', () => {
  test('equals binaryCrossEntropyWithLogits with the target (y + 1)/2, value and gradient', () => {
    for (const reduction of ['mean', 'sum', 'none'] as const) {
      const a = softMarginLoss.valueAndGrad({ input: scores, target: signs }, { reduction });
      const b = binaryCrossEntropyWithLogitsLoss.valueAndGrad(
        { input: scores, target: signs.map((y) => (y + 1) / 2) },
        { reduction },
      );
      assertClose(a.value, b.value, { rtol: 1e-14, atol: 1e-15 }, `${reduction} value`);
      assertClose(a.grads.input, b.grads.input, { rtol: 1e-14, atol: 1e-15 }, `${reduction} grad`);
    }
  });

  test('is finite at |x| = 1e4 in float32 and float64, where torch overflows to ∞', () => {
    for (const data of [new Float64Array([1e4, -1e4, 1e4]), new Float32Array([1e4, -1e4, 1e4])]) {
      const { value, grads } = softMarginLoss.valueAndGrad(
        { input: { shape: [3], data }, target: [-1, 1, 1] },
        { reduction: 'none' },
      );
      // exp(−1e4) underflows: the well-classified score's loss and gradient are 0 to the last subnormal.
      assertClose(value, { shape: [3], data: [1e4, 1e4, 0] }, { rtol: 0, atol: 1e-300 }, 'value');
      assertClose(grads.input, { shape: [3], data: [1, -1, 0] }, { rtol: 0, atol: 1e-300 }, 'grad');
    }
  });

  test('gradients match central differences for every reduction and an upstream', () => {
    const x = [
      [0.3, -1.7, 2.4],
      [-0.2, 0.9, -3.1],
    ];
    const y = [
      [1, -1, -1],
      [1, 1, -1],
    ];
    check(x, y);
    check(x, y, { reduction: 'sum' });
    check(x, y, { reduction: 'none' }, [
      [1, -2, 0.5],
      [3, 1, -1],
    ]);
  });

  test('labels other than −1 and 1 (0 included) are errors naming the label', () => {
    rejects(() => softMargin([1, 2], [1, 0]), 'target', /label 0 at index \[1\] must be -1 or 1/);
    rejects(() => softMargin([1, 2], [1, 0.5]), 'target', /label 0.5/);
    rejects(() => softMargin([1, 2], [[1, 1]]), 'target', /shape \[1, 2\] does not match input shape \[2\]/);
  });
});
