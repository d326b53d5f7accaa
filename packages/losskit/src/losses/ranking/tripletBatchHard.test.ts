import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { type TripletBatchHardOptions, tripletBatchHard } from '../../index.js';

const rejects = lossInputErrorAsserter('tripletBatchHard');

/** Central differences of the value with respect to every embedding entry. */
function numericGrad(x: number[][], labels: number[], options: TripletBatchHardOptions, h = 1e-6): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let k = 0; k < x[i].length; k++) {
      const saved = x[i][k];
      x[i][k] = saved + h;
      const plus = tripletBatchHard(x, labels, options).value.item();
      x[i][k] = saved - h;
      const minus = tripletBatchHard(x, labels, options).value.item();
      x[i][k] = saved;
      out.push((plus - minus) / (2 * h));
    }
  }
  return out;
}

const embeddings = [
  [0.12, -0.53, 0.91],
  [0.47, 0.22, -0.38],
  [-0.71, 0.64, 0.05],
  [0.33, -0.19, 0.58],
  [1.02, 0.41, -0.27],
  [-0.44, -0.87, 0.36],
];
const labels = [0, 1, 2, 0, 1, 2];

describe('tripletBatchHard', () => {
  test('mines the farthest positive and the nearest negative of every anchor', () => {
    // Anchor 0: positive 1 at distance 1, negative 2 at 1.5 → 0.5; anchor 1: positive 0 at 1,
    // negative 2 at 0.5 → 1.5; anchor 2 has no positive and is skipped.
    const { value, validAnchors } = tripletBatchHard(
      [
        [0, 0],
        [0, 1],
        [0, 1.5],
      ],
      [0, 0, 1],
    );
    assert.equal(validAnchors, 2);
    assert.equal(value.item(), (0.5 + 1.5) / 2);
  });

  test('the gradient matches central differences for p = 2, p = 1 and another margin', () => {
    for (const options of [{}, { p: 1 }, { margin: 0.3 }, { p: 3, margin: 2 }]) {
      const { grads, validAnchors } = tripletBatchHard(embeddings, labels, options);
      assert.equal(validAnchors, 6);
      const numeric = numericGrad(
        embeddings.map((r) => [...r]),
        labels,
        options,
      );
      assertClose(
        grads.embeddings,
        { shape: [6, 3], data: numeric },
        { rtol: 1e-5, atol: 1e-7 },
        `grads ${JSON.stringify(options)}`,
      );
    }
  });

  test('anchors without a positive or a negative are skipped, and none at all gives 0 with a zero gradient', () => {
    for (const lab of [
      [0, 1, 2, 3, 4, 5],
      [7, 7, 7, 7, 7, 7],
    ]) {
      const { value, grads, validAnchors } = tripletBatchHard(embeddings, lab);
      assert.equal(validAnchors, 0);
      assert.equal(value.item(), 0);
      assert.ok(grads.embeddings.data.every((g) => g === 0));
    }
    const empty = tripletBatchHard({ shape: [0, 3], data: [] }, []);
    assert.equal(empty.value.item(), 0);
    assert.deepEqual(empty.grads.embeddings.shape, [0, 3]);
  });

  test('duplicate embeddings (distance 0) give finite values and gradients', () => {
    const { value, grads } = tripletBatchHard(
      [
        [1, 2],
        [1, 2],
        [1, 2],
        [1, 2],
      ],
      [0, 0, 1, 1],
    );
    assert.equal(value.item(), 1);
    assertAllFinite(grads.embeddings, 'grads');
  });

  test('float32 embeddings give a float32 value and gradient', () => {
    const { value, grads } = tripletBatchHard(
      { shape: [6, 3], data: Float32Array.from(embeddings.flat()) },
      labels,
    );
    assert.equal(value.dtype, 'float32');
    assert.equal(grads.embeddings.dtype, 'float32');
    assertClose(value, tripletBatchHard(embeddings, labels).value, { rtol: 1e-6, atol: 1e-6 }, 'value');
  });

  test('bad inputs are errors naming the argument', () => {
    rejects(
      () => tripletBatchHard(embeddings, [0, 1, 2]),
      'labels',
      /shape \[3\] does not match embeddings shape \[6, 3\]/,
    );
    rejects(
      () => tripletBatchHard(embeddings, [0, 1, 2, 0, 1.5, 2]),
      'labels',
      /label 1.5 at index \[4\] is not an integer/,
    );
    rejects(
      () => tripletBatchHard([1, 2, 3], [0, 1, 2]),
      'embeddings',
      /must have shape \[N, D\], got \[3\]/,
    );
    rejects(() => tripletBatchHard([[1, Number.NaN]], [0]), 'embeddings', /NaN at index \[0, 1\]/);
    rejects(() => tripletBatchHard(embeddings, labels, { margin: -1 }), 'options.margin', />= 0/);
    rejects(() => tripletBatchHard(embeddings, labels, { p: 0 }), 'options.p', />= 1/);
    rejects(
      () => tripletBatchHard(embeddings, labels, { swap: true } as never),
      'options.swap',
      /unknown option/,
    );
  });
});
