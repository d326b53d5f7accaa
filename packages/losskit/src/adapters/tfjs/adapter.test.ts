// The adapter's own behaviour: log-space logits paths, the boundary (options and shapes checked
// as the core checks them), label and option types, and tensor hygiene.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type LossEntry, LossInputError, lossList, losses } from '../../index.js';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { caseArgs, oracleCases } from '../../../../../test/helpers/oracle.js';
import type { TfLoss } from './define.js';
import {
  bceDice,
  binaryCrossEntropyWithLogits,
  categoricalCrossEntropy,
  focal,
  ganDiscriminator,
  diceScore,
  klDivergence,
  linearCrossEntropy,
  sparseCategoricalCrossEntropy,
  tfLosses,
  tokenCrossEntropy,
} from './index.js';
import { BACKENDS, fromTf, toTf, useBackend } from '../../../../../test/helpers/tfjs-backends.js';

const adapter = tfLosses as unknown as Record<string, TfLoss<keyof typeof losses>>;
const core = losses as unknown as Record<string, LossEntry>;

before(() => useBackend('cpu'));

/** The error a call throws (fails if it does not throw). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (e) {
    return e;
  }
  return assert.fail('expected the call to throw');
}

/** Value and gradient with respect to the first argument. */
function valueAndGrad(f: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) {
  const { value, grad } = tf.valueAndGrad(f)(x);
  return { value: fromTf(value), grad: fromTf(grad) };
}

describe('logits paths stay in log space', () => {
  const logits = tf.tensor2d([
    [1e4, -1e4, 0],
    [-1e4, 1e4, 3],
  ]);
  const binary = tf.tensor2d([
    [1, 0, 1],
    [1, 0, 0],
  ]);
  const calls: Record<string, (x: tf.Tensor) => tf.Tensor> = {
    focal: (x) => focal(x, binary),
    'focal, gamma 0.5': (x) => focal(x, binary, { gamma: 0.5, alpha: null }),
    binaryCrossEntropyWithLogits: (x) => binaryCrossEntropyWithLogits(x, binary, { posWeight: [2, 1, 0.5] }),
    categoricalCrossEntropy: (x) =>
      categoricalCrossEntropy(
        x,
        tf.tensor2d([
          [0, 1, 0],
          [1, 0, 0],
        ]),
        { labelSmoothing: 0.1 },
      ),
    sparseCategoricalCrossEntropy: (x) => sparseCategoricalCrossEntropy(x, tf.tensor1d([1, 0])),
    tokenCrossEntropy: (x) => tokenCrossEntropy(tf.reshape(x, [1, 2, 3]), tf.tensor2d([[1, -100]])),
    klDivergence: (x) =>
      klDivergence(
        x,
        tf.softmax(
          tf.tensor2d([
            [1e4, 0, -1e4],
            [0, 0, 1],
          ]),
        ),
        { targetKind: 'probs' },
      ),
    'klDivergence, logits target': (x) =>
      klDivergence(
        x,
        tf.tensor2d([
          [1e4, 0, -1e4],
          [0, 0, 1],
        ]),
        { targetKind: 'logits' },
      ),
    bceDice: (x) => bceDice(x, binary, { fromLogits: true }),
    ganDiscriminator: (x) => ganDiscriminator(x, tf.neg(x)),
  };
  for (const [label, call] of Object.entries(calls)) {
    test(`${label}: logits of ±1e4 give a finite value and finite gradients`, () => {
      const { value, grad } = valueAndGrad(call, logits);
      assertAllFinite(value, `${label} value`);
      assertAllFinite(grad, `${label} gradient`);
    });
  }

  test('a confidently wrong logit costs its size, not a clamp', () => {
    const value = focal(tf.tensor1d([-1e4]), tf.tensor1d([1]), { alpha: null, gamma: 0 }).dataSync()[0];
    assert.ok(Math.abs(value - 1e4) < 1, `focal with γ = 0 is BCE: got ${value}, want 1e4`);
  });
});

describe('the boundary checks options as the core does', () => {
  for (const entry of lossList as readonly LossEntry[]) {
    test(`${entry.name}: an unknown option, a missing input and a non-tensor input are LossInputErrors`, () => {
      const c = oracleCases.find((x) => x.loss === entry.name);
      assert.ok(c !== undefined, `${entry.name} has no oracle case`);
      const plain = caseArgs(c).inputs;
      const inputs = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, toTf(v)]));
      const loss = adapter[entry.name];
      const unknown = thrown(() => loss.value(inputs as never, { notAnOption: 1 } as never));
      assert.ok(unknown instanceof LossInputError);
      assert.equal(unknown.argument, 'options.notAnOption');
      assert.equal(
        unknown.message,
        (thrown(() => core[entry.name].value(plain as never, { notAnOption: 1 } as never)) as Error).message,
      );

      const first = entry.inputs[0];
      const partial: Record<string, tf.Tensor> = { ...inputs };
      delete partial[first];
      const missing = thrown(() => loss.value(partial as never));
      assert.ok(
        missing instanceof LossInputError && missing.argument === first && /is missing/.test(missing.message),
      );

      const array = thrown(() => loss.value({ ...inputs, [first]: [1, 2, 3] } as never));
      assert.ok(
        array instanceof LossInputError &&
          array.argument === first &&
          /must be a tf\.Tensor/.test(array.message),
      );
      tf.dispose(Object.values(inputs));
    });
  }

  test('an option outside its domain is the core error, before any tensor is read', () => {
    const e = thrown(() =>
      tfLosses.huber.value({ input: tf.zeros([2]), target: tf.zeros([2]) }, { delta: 0 }),
    );
    assert.ok(e instanceof LossInputError);
    assert.equal(e.argument, 'options.delta');
    assert.match(e.message, /^huber: options\.delta: must be a finite number > 0, got 0$/);
  });

  test('bind checks the options once, when the loss is bound', () => {
    const e = thrown(() => tfLosses.focal.bind({ gamma: -1 }));
    assert.ok(e instanceof LossInputError && e.argument === 'options.gamma');
  });

  test('a disposed tensor and a string tensor are named in the error', () => {
    const x = tf.zeros([2]);
    x.dispose();
    const disposed = thrown(() => tfLosses.mse.value({ input: x, target: tf.zeros([2]) }));
    assert.ok(
      disposed instanceof LossInputError &&
        disposed.argument === 'input' &&
        /disposed/.test(disposed.message),
    );
    const strings = thrown(() => tfLosses.mse.value({ input: tf.zeros([1]), target: tf.tensor(['a']) }));
    assert.ok(
      strings instanceof LossInputError &&
        strings.argument === 'target' &&
        /not numeric/.test(strings.message),
    );
  });
});

describe('shape errors read as the core errors', () => {
  /** Pairs of the same bad call to the core and to the adapter. */
  const cases: Array<{
    title: string;
    name: string;
    shapes: Record<string, number[]>;
    options?: Record<string, unknown>;
  }> = [
    { title: 'a [3] input against a [3, 1] target', name: 'mse', shapes: { input: [3], target: [3, 1] } },
    {
      title: 'sparse labels with the class axis kept',
      name: 'sparseCategoricalCrossEntropy',
      shapes: { input: [2, 3], target: [2, 3] },
    },
    {
      title: 'class weights of the wrong length',
      name: 'sparseCategoricalCrossEntropy',
      shapes: { input: [2, 3], target: [2] },
      options: { weight: [1, 2] },
    },
    {
      title: 'posWeight that does not follow the last axis',
      name: 'binaryCrossEntropyWithLogits',
      shapes: { input: [2, 3], target: [2, 3] },
      options: { posWeight: [1, 2] },
    },
    {
      title: 'token logits without a time axis',
      name: 'tokenCrossEntropy',
      shapes: { input: [5], target: [] },
    },
    {
      title: 'contrastive labels that are not one per row',
      name: 'contrastive',
      shapes: { a: [2, 3], b: [2, 3], label: [3] },
    },
    {
      title: 'a triplet negative of another shape',
      name: 'triplet',
      shapes: { anchor: [2, 3], positive: [2, 3], negative: [3, 3] },
    },
    {
      title: "a 0-d input with aggregate 'sample'",
      name: 'dice',
      shapes: { input: [], target: [] },
      options: { aggregate: 'sample' },
    },
    {
      title: 'VAE latents of another batch size',
      name: 'vaeLoss',
      shapes: { input: [2, 3], target: [2, 3], mu: [3, 2], logVar: [3, 2] },
    },
    { title: 'vaeKl latents without a batch axis', name: 'vaeKl', shapes: { mu: [2], logVar: [2] } },
    {
      title: 'a projection weight whose H differs from the hidden size',
      name: 'linearCrossEntropy',
      shapes: { hidden: [2, 3, 4], weight: [5, 3], target: [2, 3] },
    },
    {
      title: 'a projection weight with no vocabulary rows',
      name: 'linearCrossEntropy',
      shapes: { hidden: [2, 3, 4], weight: [0, 4], target: [2, 3] },
    },
    {
      title: 'a projection weight with a third axis',
      name: 'linearCrossEntropy',
      shapes: { hidden: [2, 3, 4], weight: [5, 4, 1], target: [2, 3] },
    },
    {
      title: 'a batch of projection weights',
      name: 'linearCrossEntropy',
      shapes: { hidden: [2, 3, 4], weight: [2, 5, 4], target: [2, 3] },
    },
  ];
  for (const c of cases) {
    test(`${c.name}: ${c.title}`, () => {
      const plain = Object.fromEntries(
        Object.entries(c.shapes).map(([k, shape]) => [
          k,
          { shape, data: new Float64Array(shape.reduce((a, b) => a * b, 1)) },
        ]),
      );
      const expected = thrown(() => core[c.name].value(plain as never, c.options as never));
      assert.ok(expected instanceof LossInputError);
      const tensors = Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, toTf(v)]));
      const actual = thrown(() => adapter[c.name].value(tensors as never, c.options as never));
      assert.ok(actual instanceof LossInputError);
      assert.equal(actual.message, expected.message);
      tf.dispose(Object.values(tensors));
    });
  }
});

/** The LossInputError a call throws, asserting the argument it names. */
function inputError(call: () => unknown, argument: string): LossInputError {
  const e = thrown(call);
  assert.ok(e instanceof LossInputError, `expected a LossInputError, got ${String(e)}`);
  assert.equal(e.argument, argument);
  return e;
}

for (const backend of BACKENDS) {
  describe(`disposed tensors at the boundary (${backend} backend)`, () => {
    before(() => useBackend(backend));
    after(() => useBackend('cpu'));

    test('a disposed tensor option is a LossInputError naming the option, in value and in bind', () => {
      const weight = tf.tensor1d([1, 2, 3]);
      weight.dispose();
      const logits = tf.ones([2, 3]);
      const labels = tf.tensor1d([0, 1]);
      const called = inputError(
        () => sparseCategoricalCrossEntropy(logits, labels, { weight }),
        'options.weight',
      );
      assert.equal(called.message, 'sparseCategoricalCrossEntropy: options.weight: tensor is disposed');
      inputError(
        () => tfLosses.binaryCrossEntropyWithLogits.bind({ posWeight: weight }),
        'options.posWeight',
      );
      tf.dispose([logits, labels]);
    });

    test('a disposed or non-numeric tensor given to diceScore or a metric is named in the error', () => {
      const pred = tf.ones([2]);
      pred.dispose();
      const target = tf.ones([2]);
      assert.match(inputError(() => diceScore(pred, target), 'pred').message, /disposed/);
      assert.match(inputError(() => diceScore(tf.tensor(['a', 'b']), target), 'pred').message, /not numeric/);
      assert.match(
        inputError(() => diceScore(target, tf.tensor(['a', 'b'])), 'target').message,
        /not numeric/,
      );
      target.dispose();
    });

    test('linearCrossEntropy refuses a weight that is not [V, H] before any matmul', () => {
      const hidden = tf.ones([2, 3, 4]);
      const target = tf.zeros([2, 3], 'int32');
      const weight = tf.ones([0, 4]);
      assert.equal(
        inputError(() => linearCrossEntropy(hidden, weight, target), 'weight').message,
        'linearCrossEntropy: weight: shape [0, 4] must be [V, 4] with V ≥ 1 (hidden has H = 4)',
      );
      const ones = tf.ones([5, 4]);
      const good = linearCrossEntropy(hidden, ones, target);
      assertClose(
        fromTf(good),
        { shape: [], data: [Math.log(5)] },
        { rtol: 1e-6, atol: 0 },
        'uniform logits',
      );
      tf.dispose([hidden, target, weight, ones, good]);
    });
  });
}

describe('labels and tensor-valued options', () => {
  const logits = tf.tensor2d([
    [2, 0.5, -1],
    [0, 1, 3],
    [1, 1, 1],
  ]);
  test('int32 labels give the same loss and gradient as float labels', () => {
    const options = { ignoreIndex: 0, labelSmoothing: 0.2 };
    const asFloat = valueAndGrad(
      (x) => sparseCategoricalCrossEntropy(x, tf.tensor1d([2, 0, 1]), options),
      logits,
    );
    const asInt = valueAndGrad(
      (x) => sparseCategoricalCrossEntropy(x, tf.tensor1d([2, 0, 1], 'int32'), options),
      logits,
    );
    assert.deepEqual(asInt, asFloat);
  });

  test('class weights as a tf.Tensor, an array and a typed array give the same loss', () => {
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const value = (weight: tf.Tensor | number[] | Float32Array) =>
      sparseCategoricalCrossEntropy(logits, labels, { weight }).dataSync()[0];
    const fromTensor = value(tf.tensor1d([0.5, 2, 1]));
    assert.equal(value([0.5, 2, 1]), fromTensor);
    assert.equal(value(Float32Array.of(0.5, 2, 1)), fromTensor);
  });

  test('every label ignored gives a 0 loss and a 0 gradient, not NaN', () => {
    const { value, grad } = valueAndGrad(
      (x) => tokenCrossEntropy(tf.reshape(x, [1, 3, 3]), tf.tensor2d([[-100, -100, -100]])),
      logits,
    );
    assertClose(value, { shape: [], data: [0] }, { rtol: 0, atol: 0 }, 'value');
    assertClose(grad, { shape: [3, 3], data: new Float64Array(9) }, { rtol: 0, atol: 0 }, 'gradient');
  });
});

test('the loss is reduced as asked: none keeps the per-unit shape', () => {
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
  ]);
  const y = tf.zeros([2, 2]);
  assert.deepEqual(tfLosses.mse.value({ input: x, target: y }, { reduction: 'none' }).shape, [2, 2]);
  assert.equal(tfLosses.mse.value({ input: x, target: y }, { reduction: 'sum' }).dataSync()[0], 30);
  assert.equal(tfLosses.mse.value({ input: x, target: y }).dataSync()[0], 7.5);
  assert.deepEqual(
    tfLosses.sparseCategoricalCrossEntropy.value(
      { input: x, target: tf.tensor1d([0, 1]) },
      { reduction: 'none' },
    ).shape,
    [2],
  );
});
