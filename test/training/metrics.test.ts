// fit's built-in metrics: each one is right for every output / target shape it accepts, takes
// the binary decision threshold from the loss (0 for logits, 0.5 for probabilities), and is an
// error for anything else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Linear,
  LossInputError,
  Rng,
  SGD,
  Sequential,
  Sigmoid,
  type Tensor,
  combine,
  evaluate,
  fit,
  mse,
  tensor,
} from '../../packages/losskit/src/index.js';
import {
  accuracyMetric,
  binaryAccuracyMetric,
  builtinMetrics,
  decisionThreshold,
} from '../../packages/losskit/src/train/index.js';

// x → logit x (weight 1, bias 0): logits -2, -1, 1, 2 classify as 0, 0, 1, 1.
const x = tensor([[-2], [-1], [1], [2]]);
const y = tensor([[0], [0], [1], [0]]);
function identityLogit(): Linear {
  const layer = new Linear(1, 1, { dtype: 'float64', rng: new Rng(0) });
  layer.weight.data.set([1]);
  layer.bias?.data.set([0]);
  return layer;
}
const rejects = (fn: () => unknown, argument: string | RegExp, problem: RegExp) =>
  assert.throws(fn, (e) => {
    assert.ok(e instanceof LossInputError, `not a LossInputError: ${String(e)}`);
    if (typeof argument === 'string') assert.equal(e.argument, argument);
    else assert.match(e.argument, argument);
    assert.match(e.problem, problem);
    return true;
  });

test("fit's 'accuracy' on a one-output logits model is the binary accuracy at threshold 0, not 1.0", () => {
  const model = identityLogit();
  const history = fit(model, {
    x,
    y,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: new SGD(model.parameters(), { lr: 0 }),
    epochs: 2,
    metrics: ['accuracy', 'binaryAccuracy'],
  });
  // predictions 0, 0, 1, 1 against 0, 0, 1, 0
  assert.deepEqual(history.metrics.accuracy, [0.75, 0.75]);
  assert.deepEqual(history.metrics.binaryAccuracy, [0.75, 0.75]);
});

test("a one-output probability model ('binaryCrossEntropy' after a sigmoid) thresholds at 0.5", () => {
  const model = new Sequential(identityLogit(), new Sigmoid());
  const result = evaluate(model, x, y, {
    loss: 'binaryCrossEntropy',
    metrics: ['accuracy', 'binaryAccuracy'],
  });
  // sigmoid(-2), sigmoid(-1) < 0.5 < sigmoid(1), sigmoid(2); threshold 0 would call all four 1 (0.25)
  assert.deepEqual(result.metrics, { accuracy: 0.75, binaryAccuracy: 0.75 });
});

test('the threshold follows fromLogits, aliases and combine terms that settle it', () => {
  assert.equal(decisionThreshold('bceWithLogits'), 0);
  assert.equal(decisionThreshold('bce'), 0.5);
  assert.equal(decisionThreshold('focal'), 0);
  assert.equal(decisionThreshold({ loss: 'focal', options: { fromLogits: false } }), 0.5);
  assert.equal(decisionThreshold('dice'), 0.5);
  assert.equal(decisionThreshold({ loss: 'dice', options: { fromLogits: true } }), 0);
  assert.equal(decisionThreshold(combine({ bce: 0.5, dice: 0.5 })), 0.5);
  assert.equal(
    decisionThreshold(combine({ bceWithLogits: 1, dice: { weight: 1, options: { fromLogits: true } } })),
    0,
  );
  assert.equal(decisionThreshold(combine({ bce: 1, bceWithLogits: 1 })), undefined);
  assert.equal(decisionThreshold('mse'), undefined);
  assert.equal(
    decisionThreshold((p: Tensor, t: Tensor) => mse(p, t)),
    undefined,
  );
});

test('a binary accuracy whose loss does not say logits or probabilities is an error, not a guess', () => {
  const model = identityLogit();
  rejects(
    () =>
      fit(model, {
        x,
        y,
        loss: 'mse',
        optimizer: new SGD(model.parameters(), { lr: 0 }),
        epochs: 1,
        metrics: ['accuracy'],
      }),
    'threshold',
    /logits \(threshold 0\) or probabilities \(threshold 0\.5\)/,
  );
  rejects(
    () => evaluate(model, x, y, { loss: (p, t) => mse(p, t), metrics: ['binaryAccuracy'] }),
    'threshold',
    /binaryAccuracyMetric/,
  );
  // An explicit threshold settles it.
  const result = evaluate(model, x, y, { loss: 'mse', metrics: { acc: accuracyMetric({ threshold: 0 }) } });
  assert.equal(result.metrics.acc, 0.75);
  rejects(() => accuracyMetric({ threshold: Number.NaN }), 'options.threshold', /finite number/);
});

test("'accuracy' on several columns compares arg-max with integer labels, labels [N, 1] or one-hot rows", () => {
  const accuracy = accuracyMetric();
  const p = tensor([
    [0.1, 2, 0.3],
    [3, 1, 0],
    [0, 0, 5],
    [1, 4, 2],
  ]);
  assert.equal(accuracy(p, tensor([1, 0, 2, 0])), 0.75);
  assert.equal(accuracy(p, tensor([[1], [0], [2], [0]])), 0.75);
  const oneHot = tensor([
    [0, 1, 0],
    [1, 0, 0],
    [0, 0, 1],
    [1, 0, 0],
  ]);
  assert.equal(accuracy(p, oneHot), 0.75);
  // Tokens: [N, T, C] against [N, T].
  const tokens = tensor([
    [
      [1, 0],
      [0, 1],
    ],
    [
      [0, 1],
      [0, 1],
    ],
  ]);
  assert.equal(
    accuracy(
      tokens,
      tensor([
        [0, 1],
        [1, 0],
      ]),
    ),
    0.75,
  );
});

test("'accuracy' rejects targets that are neither labels nor rows, and labels outside [0, C)", () => {
  const accuracy = accuracyMetric();
  const p = tensor([
    [0.1, 2, 0.3],
    [3, 1, 0],
  ]);
  rejects(
    () =>
      accuracy(
        p,
        tensor([
          [1, 0],
          [0, 1],
        ]),
      ),
    'target',
    /\[2, 2\] is neither one-hot rows \[2, 3\] nor integer labels \[2\]/,
  );
  rejects(() => accuracy(p, tensor([1, 0, 2])), 'target', /neither/);
  rejects(() => accuracy(p, tensor([1, 3])), 'target[1]', /label 3 is not an integer class in \[0, 3\)/);
  rejects(() => accuracy(p, tensor([0.5, 1])), 'target[0]', /label 0.5 is not an integer/);
  rejects(() => accuracy(tensor(1), tensor(1)), 'prediction', /0-d/);
  rejects(
    () => accuracyMetric({ threshold: 0 })(tensor([[1], [2]]), tensor([1, 0, 1])),
    'target',
    /does not match/,
  );
});

test('binaryAccuracy is per element for multi-label outputs and needs the same shape, up to a trailing 1', () => {
  const binary = binaryAccuracyMetric({ threshold: 0.5 });
  const p = tensor([
    [0.9, 0.2, 0.6],
    [0.4, 0.7, 0.1],
  ]);
  const t = tensor([
    [1, 0, 0],
    [0, 1, 1],
  ]);
  assert.equal(binary(p, t), 4 / 6);
  assert.equal(binary(tensor([0.9, 0.1]), tensor([[1], [1]])), 0.5);
  // Same number of elements, different shape: refused rather than compared out of order.
  rejects(
    () =>
      binary(
        p,
        tensor([
          [1, 0],
          [0, 0],
          [1, 1],
        ]),
      ),
    'target',
    /\[3, 2\] does not match the prediction's shape \[2, 3\]/,
  );
});

test('mae and rmse need the target of the prediction shape (up to a trailing 1) instead of returning NaN', () => {
  const mae = builtinMetrics.mae();
  const rmse = builtinMetrics.rmse();
  assert.equal(mae(tensor([[1], [3]]), tensor([2, 1])), 1.5);
  assert.equal(rmse(tensor([1, 3]), tensor([[2], [1]])), Math.sqrt(2.5));
  const p = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  rejects(() => mae(p, tensor([1, 2])), 'target', /\[2\] does not match the prediction's shape \[2, 3\]/);
  rejects(() => rmse(p, tensor([1, 2])), 'target', /does not match/);
});

test("'accuracy' skips the labels the loss ignores (tokenCrossEntropy's -100 by default)", () => {
  // Identity "model" over token logits [N, T, C]: the prediction is the input itself.
  const model = new Sequential();
  const logits = tensor([
    [
      [2, 0],
      [0, 2],
      [2, 0],
    ],
  ]);
  const labels = tensor([[0, 0, -100]]);
  const result = evaluate(model, logits, labels, { loss: 'tokenCrossEntropy', metrics: ['accuracy'] });
  assert.equal(result.metrics.accuracy, 0.5);
  const explicit = evaluate(model, logits, tensor([[0, 0, 7]]), {
    loss: { loss: 'sparseCategoricalCrossEntropy', options: { ignoreIndex: 7 } },
    metrics: ['accuracy'],
  });
  assert.equal(explicit.metrics.accuracy, 0.5);
  // Without an ignoreIndex, -100 is a label outside [0, C) like any other.
  rejects(
    () => accuracyMetric()(logits, labels),
    'target[2]',
    /label -100 is not an integer class in \[0, 2\)/,
  );
});
