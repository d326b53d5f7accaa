import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, tokenCrossEntropy, tokenCrossEntropyLoss } from '../../index.js';
import { referenceLogSoftmax, rowsOf, sum } from '../../../../../test/helpers/cross-entropy-reference.js';

const entry = tokenCrossEntropyLoss as unknown as LossEntry;
const loss = tokenCrossEntropyLoss;

const rejects = lossInputErrorAsserter();

// Two sequences of three tokens over a vocabulary of four.
const logits = t(
  [2, 3, 4],
  [
    0.5, -1, 2, 0.1, 1.5, 0.2, -0.3, 0, -2, 0.7, 1.1, 0.4, 0.9, 0.9, -0.4, 1, 0, 0.3, -0.6, 2, 1, -1, 0.5,
    0.5,
  ],
);

/** Sequences of token logits [batch, time, vocab] with ids, about a third of them padding (−100). */
const batches = fc
  .record({
    batch: fc.integer({ min: 1, max: 6 }),
    time: fc.integer({ min: 1, max: 4 }),
    vocab: fc.integer({ min: 1, max: 5 }),
  })
  .chain(({ batch, time, vocab }) =>
    fc.record({
      batch: fc.constant(batch),
      time: fc.constant(time),
      vocab: fc.constant(vocab),
      logits: fc.array(fc.double({ min: -20, max: 20, noNaN: true }), {
        minLength: batch * time * vocab,
        maxLength: batch * time * vocab,
      }),
      ids: fc.array(fc.oneof(fc.integer({ min: 0, max: vocab - 1 }), fc.constant(-100)), {
        minLength: batch * time,
        maxLength: batch * time,
      }),
    }),
  );

describe('tokenCrossEntropy extremes and edge cases', () => {
  test('logits of ±1e4 give the exact finite loss and gradient', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([1, 2, 3], [1e4, -1e4, 0, -1e4, 1e4, 1e4]), target: [[1, 0]] },
      { reduction: 'none' },
    );
    assertClose(value, { shape: [1, 2], data: [2e4, 2e4 + Math.LN2] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertClose(
      grads.input,
      { shape: [1, 2, 3], data: [1, -1, 0, -1, 0.5, 0.5] },
      { rtol: 0, atol: 1e-12 },
      'grad',
    );
  });

  test('−100 is ignored by default: padding changes neither the value nor the other gradients', () => {
    const padded = loss.valueAndGrad({
      input: logits,
      target: [
        [2, 0, -100],
        [3, -100, -100],
      ],
    });
    const trimmed = loss.valueAndGrad({
      input: t([2, 4], Array.from(logits.data.slice(0, 8))),
      target: [2, 0],
    });
    const last = loss.valueAndGrad({ input: t([1, 4], Array.from(logits.data.slice(12, 16))), target: [3] });
    assertClose(
      padded.value,
      t([], [(2 * trimmed.value.item() + last.value.item()) / 3]),
      { rtol: 1e-14, atol: 0 },
      'value',
    );
    assert.deepEqual(Array.from(padded.grads.input.data.slice(8, 12)), [0, 0, 0, 0]);
    assert.deepEqual(Array.from(padded.grads.input.data.slice(16)), new Array(8).fill(0));
  });

  test('an all-padding batch gives 0 and a zero gradient (mean, sum and with a normalizer), not NaN', () => {
    const target = [
      [-100, -100, -100],
      [-100, -100, -100],
    ];
    for (const options of [{}, { reduction: 'sum' as const }, { normalizer: 5 }, { labelSmoothing: 0.1 }]) {
      const { value, grads } = loss.valueAndGrad({ input: logits, target }, options);
      assert.equal(value.item(), 0);
      assert.ok(grads.input.data.every((g) => g === 0));
    }
  });

  test('a custom ignoreIndex replaces −100, which becomes an out-of-range id', () => {
    const withPad0 = tokenCrossEntropy(
      logits,
      [
        [2, 0, 1],
        [3, 0, 0],
      ],
      { ignoreIndex: 0 },
    ).item();
    const withDefault = tokenCrossEntropy(logits, [
      [2, -100, 1],
      [3, -100, -100],
    ]).item();
    assertClose(t([], [withPad0]), t([], [withDefault]), { rtol: 1e-14, atol: 0 }, 'same tokens counted');
    rejects(
      () =>
        tokenCrossEntropy(
          logits,
          [
            [2, -100, 1],
            [3, 0, 0],
          ],
          { ignoreIndex: 0 },
        ),
      'target',
      /label -100 at index \[0, 1\] is outside \[0, 4\) \(or the ignoreIndex 0\)/,
    );
  });

  test('normalizer replaces the count of the mean: the value is sum / normalizer', () => {
    const target = [
      [2, 0, -100],
      [3, 1, 1],
    ];
    const total = tokenCrossEntropy(logits, target, { reduction: 'sum' }).item();
    assertClose(
      tokenCrossEntropy(logits, target, { normalizer: 8 }),
      t([], [total / 8]),
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
    assertClose(
      tokenCrossEntropy(logits, target, { normalizer: 8, reduction: 'sum' }),
      t([], [total]),
      { rtol: 0, atol: 0 },
      'sum ignores it',
    );
  });
});

describe('tokenCrossEntropy rejects bad input', () => {
  test('an input without a time axis', () => {
    rejects(
      () => tokenCrossEntropy([0.1, 0.2], 1),
      'input',
      /must have shape \[\.\.\., T, V\] with at least one class, got \[2\]/,
    );
  });
  test('an id out of the vocabulary, naming the value and index', () => {
    rejects(
      () =>
        tokenCrossEntropy(logits, [
          [2, 0, 1],
          [3, 4, 0],
        ]),
      'target',
      /label 4 at index \[1, 1\] is outside \[0, 4\) \(or the ignoreIndex -100\)/,
    );
  });
  test('a non-integer id', () => {
    rejects(
      () =>
        tokenCrossEntropy(logits, [
          [2, 0.5, 1],
          [3, 1, 0],
        ]),
      'target',
      /label 0\.5 at index \[0, 1\] is not an integer/,
    );
  });
  test('ids of the wrong shape', () => {
    rejects(
      () =>
        tokenCrossEntropy(logits, [
          [2, 0],
          [3, 1],
        ]),
      'target',
      /shape \[2, 2\] does not match input shape \[2, 3, 4\] without its class axis \(\[2, 3\]\)/,
    );
  });
  test('labelSmoothing outside [0, 1] and a normalizer of 0 (or subnormal) are errors', () => {
    rejects(
      () =>
        tokenCrossEntropy(
          logits,
          [
            [2, 0, 1],
            [3, 1, 0],
          ],
          { labelSmoothing: -0.01 },
        ),
      'options.labelSmoothing',
      /got -0\.01/,
    );
    rejects(
      () =>
        tokenCrossEntropy(
          logits,
          [
            [2, 0, 1],
            [3, 1, 0],
          ],
          { normalizer: 0 },
        ),
      'options.normalizer',
      />= 2\.2250738585072014e-308, got 0/,
    );
    rejects(
      () =>
        tokenCrossEntropy(
          logits,
          [
            [2, 0, 1],
            [3, 1, 0],
          ],
          { normalizer: -4 },
        ),
      'options.normalizer',
      /got -4/,
    );
  });
});

describe('tokenCrossEntropy properties', () => {
  test('without smoothing it equals plain cross-entropy averaged over the counted tokens', () => {
    fc.assert(
      fc.property(batches, ({ batch, time, vocab, logits: x, ids }) => {
        const terms = rowsOf(x, vocab).flatMap((row, i) =>
          ids[i] === -100 ? [] : [-referenceLogSoftmax(row)[ids[i]]],
        );
        const value = tokenCrossEntropy(t([batch, time, vocab], x), t([batch, time], ids), {
          labelSmoothing: 0,
        });
        assertClose(
          value,
          t([], [terms.length === 0 ? 0 : sum(terms) / terms.length]),
          { rtol: 1e-10, atol: 1e-10 },
          'value',
        );
      }),
    );
  });

  test('summing per-shard sums (or normalised shard means) and dividing by the global count gives the unsharded mean', () => {
    fc.assert(
      fc.property(
        batches,
        fc.nat(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        ({ batch, time, vocab, logits: x, ids }, cut, alpha) => {
          const split = cut % (batch + 1); // shard A holds sequences [0, split), shard B the rest
          const shard = (from: number, to: number) => ({
            input: t([to - from, time, vocab], x.slice(from * time * vocab, to * time * vocab)),
            target: t([to - from, time], ids.slice(from * time, to * time)),
          });
          const globalCount = ids.filter((id) => id !== -100).length;
          const whole = loss.valueAndGrad(
            { input: t([batch, time, vocab], x), target: t([batch, time], ids) },
            { labelSmoothing: alpha },
          );
          const parts = [shard(0, split), shard(split, batch)];
          const sums = parts.map((p) =>
            tokenCrossEntropy(p.input, p.target, { labelSmoothing: alpha, reduction: 'sum' }).item(),
          );
          assertClose(
            t([], [globalCount === 0 ? 0 : sum(sums) / globalCount]),
            whole.value,
            { rtol: 1e-12, atol: 1e-12 },
            'sum / count',
          );
          if (globalCount === 0) return;
          const normalised = parts.map((p) =>
            loss.valueAndGrad(p, { labelSmoothing: alpha, normalizer: globalCount }),
          );
          assertClose(
            t([], [sum(normalised.map((n) => n.value.item()))]),
            whole.value,
            { rtol: 1e-12, atol: 1e-12 },
            'normalised means',
          );
          const joined = [...normalised[0].grads.input.data, ...normalised[1].grads.input.data];
          assertClose(
            t([batch, time, vocab], joined),
            whole.grads.input,
            { rtol: 1e-12, atol: 1e-15 },
            'gradients',
          );
        },
      ),
    );
  });

  test('float32 inputs give results within 1e-5 of float64 on the same values', () => {
    fc.assert(
      fc.property(batches, ({ batch, time, vocab, logits: x, ids }) => {
        const x32 = Float32Array.from(x);
        const target = t([batch, time], ids);
        const f32 = loss.valueAndGrad(
          { input: { shape: [batch, time, vocab], data: x32 }, target },
          { labelSmoothing: 0.1 },
        );
        const f64 = loss.valueAndGrad(
          { input: t([batch, time, vocab], Array.from(x32)), target },
          { labelSmoothing: 0.1 },
        );
        assert.equal(f32.value.dtype, 'float32');
        assert.equal(f32.grads.input.dtype, 'float32');
        assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, 'value');
        assertClose(f32.grads.input, f64.grads.input, { rtol: 1e-5, atol: 1e-5 }, 'grad');
      }),
    );
  });
});

describe('tokenCrossEntropy gradients match central differences where the oracle has no case', () => {
  const target = t([2, 3], [2, -100, 1, 3, 0, -100]);
  test('label smoothing with a normalizer', () => {
    gradcheck(entry, { input: logits, target }, { labelSmoothing: 0.2, normalizer: 10 });
  });
  test('label smoothing, none with an upstream', () => {
    gradcheck(
      entry,
      { input: logits, target },
      { labelSmoothing: 0.15, reduction: 'none' },
      t([2, 3], [1, 9, -2, 0.5, 3, 9]),
    );
  });
  test('custom ignoreIndex with label smoothing, sum', () => {
    gradcheck(
      entry,
      { input: logits, target: t([2, 3], [2, 0, 1, 3, 0, 1]) },
      { ignoreIndex: 1, labelSmoothing: 0.4, reduction: 'sum' },
    );
  });
});

describe('tokenCrossEntropy zLoss (PaLM z-loss)', () => {
  const ids = [
    [0, -100, 3],
    [1, 2, -100],
  ];

  test('adds zLoss·lse² per counted token, over the counted tokens or the normalizer', () => {
    const flat = ids.flat();
    let ce = 0;
    let z = 0;
    rowsOf(logits.data, 4).forEach((row, r) => {
      if (flat[r] === -100) return;
      const logp = referenceLogSoftmax(row);
      ce -= logp[flat[r]];
      z += (row[0] - logp[0]) ** 2;
    });
    assertClose(
      tokenCrossEntropy(logits, ids, { zLoss: 0.01 }),
      t([], [(ce + 0.01 * z) / 4]),
      { rtol: 1e-13, atol: 0 },
      'mean',
    );
    assertClose(
      tokenCrossEntropy(logits, ids, { zLoss: 0.01, normalizer: 10 }),
      t([], [(ce + 0.01 * z) / 10]),
      { rtol: 1e-13, atol: 0 },
      'normalizer',
    );
    const none = tokenCrossEntropy(logits, ids, { zLoss: 0.01, reduction: 'none' });
    assert.equal(none.data[1], 0);
    assert.equal(none.data[5], 0);
  });

  test('central differences hold with label smoothing, a normalizer and each reduction', () => {
    gradcheck(entry, { input: logits, target: t([2, 3], ids.flat()) }, { zLoss: 0.05, labelSmoothing: 0.1 });
    gradcheck(entry, { input: logits, target: t([2, 3], ids.flat()) }, { zLoss: 0.5, normalizer: 7 });
    gradcheck(
      entry,
      { input: logits, target: t([2, 3], ids.flat()) },
      { zLoss: 1, reduction: 'none' },
      t([2, 3], [1, 2, -1, 0.5, 3, 1]),
    );
    gradcheck(entry, { input: logits, target: t([2, 3], ids.flat()) }, { zLoss: 0.01, reduction: 'sum' });
  });

  test('logits of ±1e4 give a finite value and gradient', () => {
    const { value, grads } = loss.valueAndGrad(
      { input: t([1, 2, 2], [1e4, -1e4, -1e4, 1e4]), target: [[1, 1]] },
      { zLoss: 1e-4, reduction: 'sum' },
    );
    // Token 0: cross-entropy 2e4 and lse 1e4; token 1: 0 and 1e4.
    assertClose(value, t([], [2e4 + 2 * 1e-4 * 1e8]), { rtol: 1e-14, atol: 0 }, 'value');
    assertClose(grads.input, t([1, 2, 2], [1 + 2, -1, 0, 2]), { rtol: 1e-12, atol: 1e-12 }, 'grad');
  });

  test('zLoss below 0 is an error, and an overflowing gradient names zLoss', () => {
    rejects(() => tokenCrossEntropy(logits, ids, { zLoss: -0.1 }), 'options.zLoss', />= 0/);
    rejects(
      () => loss.valueAndGrad({ input: t([1, 1, 1], [1]), target: [[0]] }, { zLoss: 1e308 }),
      'options.zLoss',
      /overflow/,
    );
  });
});
