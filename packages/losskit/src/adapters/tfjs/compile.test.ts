// The adapter inside TF.js training: Keras-order factories for model.compile, Dice/IoU metrics,
// and small models whose loss goes down with the adapter's losses.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  LossInputError,
  dice as coreDice,
  diceScore as coreDiceScore,
  iouScore as coreIouScore,
} from '../../index.js';
import {
  binaryCrossEntropy,
  dice,
  diceMetric,
  diceScore,
  focal,
  iouMetric,
  iouScore,
  klDivergence,
  lossFn,
  tfLosses,
  triplet,
} from './index.js';
import { useBackend } from '../../../../../test/helpers/tfjs-backends.js';

before(() => useBackend('cpu'));

const scalarOf = (t: tf.Tensor): number => t.dataSync()[0];
const close = (a: number, b: number, label: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${label}: ${a} vs ${b}`);

/** A deterministic uniform [0, 1) generator (Park–Miller), so the training tests are reproducible. */
function uniform(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

describe('lossFn: a registry loss as a model.compile loss', () => {
  const yTrue = tf.tensor2d([[1, 0, 1, 0]]);
  const yPred = tf.tensor2d([[0.9, 0.2, 0.6, 0.4]]);

  test('takes TF.js arguments in Keras order, target first and prediction second', () => {
    const keras = scalarOf(lossFn('binaryCrossEntropy')(yTrue, yPred));
    close(
      keras,
      scalarOf(binaryCrossEntropy(yPred, yTrue)),
      'lossFn(yTrue, yPred) = binaryCrossEntropy(yPred, yTrue)',
    );
    assert.ok(
      Math.abs(keras - scalarOf(binaryCrossEntropy(yTrue, yPred))) > 1,
      'swapping the arguments changes the loss',
    );
    const q = tf.tensor2d([[2, 0, -1]]);
    const p = tf.tensor2d([[0.7, 0.2, 0.1]]);
    close(
      scalarOf(lossFn('klDivergence')(p, q)),
      scalarOf(klDivergence(q, p)),
      'klDivergence: yPred is Q, yTrue is P',
    );
  });

  test('binds the options once and names the function after the loss', () => {
    const fn = lossFn('focal', { gamma: 1, alpha: null });
    assert.equal(fn.name, 'focal');
    const logits = tf.tensor2d([[2, -1, 0.5, 3]]);
    close(
      scalarOf(fn(yTrue, logits)),
      scalarOf(focal(logits, yTrue, { gamma: 1, alpha: null })),
      'bound options are used',
    );
    const bad = (() => {
      try {
        lossFn('focal', { gamma: -1 });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(
      bad instanceof LossInputError && bad.argument === 'options.gamma',
      'a bad option fails when the loss is made',
    );
  });

  test('an unknown name, Object.prototype member names included, is a LossInputError listing the losses it takes', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'hubber']) {
      assert.throws(
        () => lossFn(name as never),
        (e: unknown) =>
          e instanceof LossInputError &&
          e.argument === 'name' &&
          e.message.startsWith(
            `lossFn: name: '${name}' is not a registry loss; the losses model.compile takes are: `,
          ) &&
          /\bbinaryCrossEntropy\b/.test(e.message) &&
          /\bvalueLoss\b/.test(e.message) &&
          !/\btriplet\b/.test(e.message),
        name,
      );
    }
    assert.throws(
      () => lossFn(42 as never),
      (e: unknown) =>
        e instanceof LossInputError &&
        /^lossFn: name: a value of type number is not a registry loss/.test(e.message),
    );
  });

  test('tfLosses holds the losses only: inherited names look up as undefined', () => {
    const byName = tfLosses as unknown as Readonly<Record<string, unknown>>;
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      assert.equal(byName[name], undefined, name);
      assert.equal(name in tfLosses, false, name);
    }
    assert.equal(tfLosses.mse.name, 'mse');
  });

  test('refuses a loss that does not take a prediction and a target', () => {
    assert.throws(
      () => lossFn('triplet' as never),
      (e: unknown) =>
        e instanceof LossInputError && e.argument === 'name' && /anchor, positive, negative/.test(e.message),
    );
  });
});

describe('Dice and IoU scores as metrics', () => {
  const target = [
    [1, 0, 1, 0],
    [0, 0, 1, 1],
  ];
  const pred = [
    [0.9, 0.4, 0.6, 0.2],
    [0.1, 0.7, 0.8, 0.3],
  ];
  const yTrue = tf.tensor2d(target);
  const yPred = tf.tensor2d(pred);

  test('the soft Dice score is one minus the Dice loss', () => {
    close(scalarOf(diceScore(yPred, yTrue)), 1 - scalarOf(dice(yPred, yTrue)), 'diceScore = 1 − dice');
    close(scalarOf(diceScore(yPred, yTrue)), 1 - coreDice(pred, target).item(), 'and the core agrees');
  });

  test('thresholded and per-sample scores equal the core scores', () => {
    for (const options of [
      { threshold: 0.5 },
      { threshold: 0.5, aggregate: 'sample' as const },
      { aggregate: 'sample' as const },
    ]) {
      close(
        scalarOf(diceScore(yPred, yTrue, options)),
        coreDiceScore(pred, target, options),
        `dice ${JSON.stringify(options)}`,
      );
      close(
        scalarOf(iouScore(yPred, yTrue, options)),
        coreIouScore(pred, target, options),
        `iou ${JSON.stringify(options)}`,
      );
    }
  });

  test('the metrics take (yTrue, yPred) and carry their names for the training logs', () => {
    const metric = diceMetric({ threshold: 0.5 });
    assert.equal(metric.name, 'diceScore');
    assert.equal(iouMetric().name, 'iouScore');
    close(
      scalarOf(metric(yTrue, yPred)),
      coreDiceScore(pred, target, { threshold: 0.5 }),
      'diceMetric(yTrue, yPred)',
    );
  });
});

describe('training TF.js models with the adapter', () => {
  /** Imbalanced binary data: 2 features, about one positive in ten. */
  function imbalancedSet(n: number) {
    const next = uniform(7);
    const x: number[][] = [];
    const y: number[][] = [];
    for (let i = 0; i < n; i++) {
      const a = next() * 2 - 1;
      const b = next() * 2 - 1;
      x.push([a, b]);
      y.push([a + 0.5 * b > 0.75 ? 1 : 0]);
    }
    return { x: tf.tensor2d(x), y: tf.tensor2d(y), positives: y.filter(([v]) => v === 1).length };
  }

  test('a tf.sequential classifier compiled with the focal loss learns an imbalanced set', async () => {
    const { x, y, positives } = imbalancedSet(256);
    assert.ok(positives > 10 && positives < 50, `about 10% positives, got ${positives}`);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 8,
          inputShape: [2],
          activation: 'tanh',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }),
        }),
        tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: lossFn('focal', { alpha: 0.75 }) });
    const history = await model.fit(x, y, { epochs: 40, batchSize: 64, verbose: 0 });
    const losses = history.history.loss as number[];
    assert.ok(losses.every(Number.isFinite), 'finite losses');
    assert.ok(
      losses[losses.length - 1] < 0.5 * losses[0],
      `focal loss went from ${losses[0]} to ${losses[losses.length - 1]}`,
    );
  });

  test('a tf.sequential mask model compiled with BCE + Dice learns sparse masks, and its Dice score rises', async () => {
    const next = uniform(11);
    const n = 128;
    const x: number[][] = [];
    const masks: number[][] = [];
    for (let i = 0; i < n; i++) {
      const row = [next(), next(), next()];
      x.push(row);
      // Eight "pixels", each on only for a narrow band of inputs: about one in eight is on.
      masks.push(Array.from({ length: 8 }, (_, j) => (Math.abs(row[j % 3] - j / 8) < 0.07 ? 1 : 0)));
    }
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({
          units: 16,
          inputShape: [3],
          activation: 'relu',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }),
        }),
        tfl.layers.dense({
          units: 8,
          activation: 'sigmoid',
          kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.05), loss: lossFn('bceDice'), metrics: [diceMetric()] });
    const history = await model.fit(tf.tensor2d(x), tf.tensor2d(masks), {
      epochs: 60,
      batchSize: 32,
      verbose: 0,
    });
    const losses = history.history.loss as number[];
    const scores = history.history.diceScore as number[];
    assert.ok(
      losses[losses.length - 1] < 0.75 * losses[0],
      `BCE + Dice went from ${losses[0]} to ${losses[losses.length - 1]}`,
    );
    assert.ok(
      scores[scores.length - 1] > scores[0],
      `Dice score went from ${scores[0]} to ${scores[scores.length - 1]}`,
    );
  });

  test('a loss outside model.compile (triplet) trains in a custom step with optimizer.minimize', () => {
    const next = uniform(5);
    const row = (cls: number) => [cls + 0.3 * next(), 1 - cls + 0.3 * next(), next(), next()];
    const batch = (cls: number[]) => tf.tensor2d(cls.map(row));
    const classes = Array.from({ length: 32 }, (_, i) => i % 2);
    const anchor = batch(classes);
    const positive = batch(classes);
    const negative = batch(classes.map((c) => 1 - c));
    const projection = tf.variable(tf.randomNormal([4, 2], 0, 0.5, 'float32', 3));
    const optimizer = tf.train.adam(0.05);
    const step = () =>
      optimizer.minimize(
        () =>
          triplet(
            tf.matMul(anchor, projection),
            tf.matMul(positive, projection),
            tf.matMul(negative, projection),
          ) as tf.Scalar,
        true,
      ) as tf.Scalar;
    const first = scalarOf(step());
    let last = first;
    for (let i = 0; i < 60; i++) last = scalarOf(tf.tidy(step));
    assert.ok(last < 0.5 * first, `triplet loss went from ${first} to ${last}`);
  });
});
