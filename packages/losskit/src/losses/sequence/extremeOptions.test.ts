// Options and probabilities at the edges of the float range (issue #12) for the sequence losses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, losses, type Tensor } from '../../index.js';

const tokenCrossEntropy = losses.tokenCrossEntropy as unknown as LossEntry;
const klDivergence = losses.klDivergence as unknown as LossEntry;
const linearCrossEntropy = losses.linearCrossEntropy as unknown as LossEntry;

const logits = [
  [
    [0.5, -1, 2],
    [1, 0, -0.5],
  ],
];
const ids = [[2, 0]];

test('tokenCrossEntropy: a subnormal normalizer (5e-324, 1e-310) is an error naming options.normalizer; 0.5 and 1 divide the sum', () => {
  for (const normalizer of [5e-324, 1e-310]) {
    assertLossInputError(
      () => tokenCrossEntropy.valueAndGrad({ input: logits, target: ids } as never, { normalizer } as never),
      {
        loss: 'tokenCrossEntropy',
        argument: 'options.normalizer',
        message: new RegExp(`must be a finite number >= 2.2250738585072014e-308, got ${normalizer}$`),
      },
    );
  }
  const sum = tokenCrossEntropy
    .value({ input: logits, target: ids } as never, { reduction: 'sum' } as never)
    .item();
  for (const normalizer of [0.5, 1]) {
    const r = tokenCrossEntropy.valueAndGrad(
      { input: logits, target: ids } as never,
      { normalizer } as never,
    );
    assert.equal(r.value.item(), sum / normalizer);
    assertAllFinite((r.grads as Record<string, Tensor>).input, 'grads');
  }
});

test('klDivergence: a probability Q so small that −P/Q overflows (5e-324; 1e-45 in float32) is an error naming input and the index', () => {
  for (const [dtype, tiny] of [
    ['float64', 5e-324],
    ['float32', 1e-45],
  ] as const) {
    const Arr = dtype === 'float32' ? Float32Array : Float64Array;
    const input = { shape: [1, 3], data: Arr.of(tiny, 0.5, 0.5 - tiny) };
    for (const targetKind of ['probs', 'logits'] as const) {
      const target = { shape: [1, 3], data: Arr.of(0.2, 0.3, 0.5) };
      assertLossInputError(
        () =>
          klDivergence.valueAndGrad({ input, target } as never, { inputKind: 'probs', targetKind } as never),
        {
          loss: 'klDivergence',
          argument: 'input',
          message: new RegExp(
            `probability ${dtype === 'float32' ? Math.fround(tiny) : tiny} at index \\[0, 0\\] is so small that the gradient −P/Q overflows ${dtype}`,
          ),
        },
      );
    }
  }
  // Where P is 0 the tiny Q costs nothing and is accepted; a Q of 1e-300 keeps P/Q finite.
  const zeroMass = klDivergence.valueAndGrad(
    { input: [[5e-324, 0.5, 0.5]], target: [[0, 0.5, 0.5]] } as never,
    { inputKind: 'probs' } as never,
  );
  assert.equal(zeroMass.value.item(), 0);
  const small = klDivergence.valueAndGrad(
    { input: [[1e-300, 0.5, 0.5]], target: [[0.2, 0.3, 0.5]] } as never,
    { inputKind: 'probs' } as never,
  );
  assertAllFinite((small.grads as Record<string, Tensor>).input, 'grads');
});

test('linearCrossEntropy: a gradient that overflows while the value does not is an error naming the larger input', () => {
  // Two tokens with hidden states of −1e308: logits −1e308 and −5e307, each token's loss 5e307,
  // but the weight gradient of class 0 sums (softmax − y)·h = (0 − 1)·(−1e308) over both: 2e308.
  const hidden = [
    [-1e308, 0],
    [-1e308, 0],
  ];
  const weight = [
    [1, 0],
    [0.5, 0],
  ];
  assertLossInputError(
    () =>
      linearCrossEntropy.valueAndGrad(
        { hidden, weight, target: [0, 0] } as never,
        { reduction: 'none' } as never,
      ),
    {
      loss: 'linearCrossEntropy',
      argument: 'hidden',
      message:
        /the gradient grads\.weight is -?Infinity at index \[\d, 0\] in float64 for these finite arguments \(an overflow\)/,
    },
  );
});
