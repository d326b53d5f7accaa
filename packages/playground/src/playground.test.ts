// The playground's logic in Node (no browser needed): the URL state, the option controls derived
// from every registry loss, and the training runs the worker performs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossList } from 'losskit';
import { controlsFor, optionsFrom } from './controls.js';
import { defaultState, parseState, writeState } from './state.js';
import { DEFAULT_PAIR, DEFAULT_SHARE } from './state.js';
import {
  averagePrecision,
  IMAGE,
  makeData,
  NOISY_CLASSES,
  N_TEST_IMAGES,
  OBJECT_SHARE,
  SHOWN,
  STEPS,
  TrainingRun,
  trainableLosses,
} from './train-core.js';

test('the URL state round-trips, and the defaults write an empty query', () => {
  assert.equal(writeState(defaultState()), '');
  const search =
    '?view=train&loss=focal&o.gamma=3&data=blobs&share=0.3&seed=42&a=mse&b=binaryCrossEntropy&a.x=1&b.labelSmoothing=0.1&task=binary&imb=1&metric=recall';
  assert.equal(writeState(parseState(search)), search);
  const bad = parseState('?view=nope&data=spiral&share=2&seed=-1');
  assert.deepEqual(bad, defaultState());
});

test('every numeric control of every registry loss spans values its option spec accepts', () => {
  for (const entry of lossList) {
    const schema: Readonly<Record<string, { parse(value: unknown, loss: string, name: string): unknown }>> =
      entry.optionSchema;
    for (const control of controlsFor(entry)) {
      if (control.kind !== 'number') continue;
      const spec = schema[control.name];
      assert.ok(
        control.min <= control.default && control.default <= control.max,
        `${entry.name}.${control.name}`,
      );
      for (const v of [control.min, control.max, control.default]) {
        assert.doesNotThrow(
          () => spec.parse(v, entry.name, control.name),
          `${entry.name}.${control.name} = ${v}`,
        );
      }
    }
  }
});

test('a nullable option switched off becomes null', () => {
  assert.deepEqual(optionsFrom({ alpha: 0.5, 'alpha:off': true, gamma: 2 }), { alpha: null, gamma: 2 });
  assert.deepEqual(optionsFrom({ alpha: 0.5, 'alpha:off': false }), { alpha: 0.5 });
});

test('on the outlier line, huber fits the true line better than mse for several seeds', () => {
  for (const seed of [1, 2, 3]) {
    const run = new TrainingRun({
      data: 'line',
      share: 0.2,
      seed,
      losses: ['huber', 'mse'],
      options: [{}, {}],
      steps: 200,
    });
    run.advance(200);
    const [huber, mse] = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
    assert.ok(huber < mse / 2, `seed ${seed}: huber ${huber}, mse ${mse}`);
  }
});

test('a run is reproducible from its seed, and every offered loss trains without error', () => {
  for (const data of ['line', 'blobs', 'spirals', 'noisy', 'objects'] as const) {
    const names = trainableLosses(data);
    assert.ok(names.length >= 3, data);
    // Objects: a step costs more (16 × 16 pixels per image), a few suffice.
    const steps = data === 'objects' ? 4 : 20;
    for (const name of names) {
      const config = {
        data,
        share: data === 'objects' ? 0.05 : 0.2,
        seed: 5,
        losses: [name, name] as const,
        options: [{}, {}] as const,
        steps,
      };
      const one = new TrainingRun(config);
      one.advance(steps);
      const two = new TrainingRun(config);
      two.advance(steps);
      const [a, b] = one.snapshot().sides;
      assert.equal(a.error, undefined, `${data} ${name}: ${a.error}`);
      assert.deepEqual(a.losses, b.losses, `${data} ${name}: both sides start from the same weights`);
      assert.deepEqual(one.snapshot(), two.snapshot(), `${data} ${name}: the same seed, the same run`);
      assert.ok(a.losses.every(Number.isFinite), `${data} ${name}: finite losses`);
    }
  }
});

test('the new data sets round-trip through the URL with their default pair', () => {
  for (const data of ['spirals', 'noisy'] as const) {
    const plain = parseState(`?view=train&data=${data}`);
    assert.equal(plain.data, data);
    assert.equal(plain.share, DEFAULT_SHARE[data]);
    assert.deepEqual([plain.a, plain.b], DEFAULT_PAIR[data]);
    assert.equal(writeState(plain), `?view=train&data=${data}`);
    const search = `?view=train&data=${data}&share=0.35&seed=9&a=mse&a.x=2`;
    assert.equal(writeState(parseState(search)), search);
  }
  for (const data of ['spirals', 'noisy'] as const) {
    for (const name of DEFAULT_PAIR[data])
      assert.ok(trainableLosses(data).includes(name), `${data}: ${name} offered`);
  }
  // Losses of another task are not offered.
  assert.ok(!trainableLosses('noisy').includes('mse'));
  assert.ok(!trainableLosses('noisy').includes('binaryCrossEntropy'));
  assert.ok(
    !trainableLosses('noisy').includes('negativeLogLikelihood'),
    'takes log-probabilities, not logits',
  );
  assert.ok(!trainableLosses('spirals').includes('sparseCategoricalCrossEntropy'));
});

test('spirals and noisy labels are reproducible from their seed, and the seed matters', () => {
  for (const name of ['spirals', 'noisy'] as const) {
    const one = makeData(name, 0.2, 11);
    assert.deepEqual(makeData(name, 0.2, 11), one, `${name}: same seed, same points`);
    const other = makeData(name, 0.2, 12);
    assert.notDeepEqual(other.x, one.x, `${name}: another seed, other points`);
    assert.ok(one.x.every(Number.isFinite) && one.test?.x.every(Number.isFinite));
    assert.equal(one.test?.x.length, 2 * (one.test?.n ?? 0));
  }
  // Spirals: two arms of equal size; without noise every point lies on its arm (radius 2.6·t at angle 3π·t + arm·π).
  const d = makeData('spirals', 0, 3);
  assert.equal(d.y.filter((v) => v === 1).length, d.n / 2);
  for (let i = 0; i < d.n; i++) {
    const t = Math.hypot(d.x[2 * i], d.x[2 * i + 1]) / 2.6;
    const angle = 3 * Math.PI * t + d.y[i] * Math.PI;
    assert.ok(Math.abs(d.x[2 * i] - 2.6 * t * Math.cos(angle)) < 1e-9, `point ${i} on arm ${d.y[i]}`);
  }
  // Noisy: exactly round(rate · n) training labels flipped to another class, the held-out labels clean.
  for (const rate of [0, 0.1, 0.45]) {
    const noisy = makeData('noisy', rate, 4);
    const clean = makeData('noisy', 0, 4);
    let flipped = 0;
    for (let i = 0; i < noisy.n; i++) {
      // The clean label of training point i is its blob, i mod C (the points are the same at every rate).
      assert.equal(clean.y[i], i % NOISY_CLASSES);
      assert.equal(noisy.x[2 * i], clean.x[2 * i]);
      if (noisy.y[i] !== i % NOISY_CLASSES) flipped++;
      assert.equal(noisy.special[i] === 1, noisy.y[i] !== i % NOISY_CLASSES);
    }
    assert.equal(flipped, Math.round(rate * noisy.n), `rate ${rate}`);
    const test = noisy.test;
    assert.ok(test !== undefined);
    for (let i = 0; i < test.n; i++) assert.equal(test.y[i], i % NOISY_CLASSES, 'held-out labels are clean');
  }
});

test('a short run on the spirals and on noisy labels raises the held-out accuracy over the untrained model', () => {
  for (const [data, steps, floor] of [
    ['spirals', 200, 0.85],
    ['noisy', 100, 0.7],
  ] as const) {
    const run = new TrainingRun({
      data,
      share: DEFAULT_SHARE[data],
      seed: 2,
      losses: DEFAULT_PAIR[data],
      options: [{}, {}],
      steps,
    });
    const untrained = run.currentMetrics();
    run.advance(steps);
    for (const [i, side] of run.snapshot().sides.entries()) {
      const last = side.metrics.at(-1) ?? Number.NaN;
      assert.equal(side.error, undefined, `${data} ${side.loss}`);
      assert.ok(
        last > untrained[i] + 0.1 && last >= floor,
        `${data} ${side.loss}: ${untrained[i]} → ${last}`,
      );
      assert.equal(side.regions?.length, 36 * 36);
      assert.ok(side.regions?.every((r) => r >= 0 && r < (data === 'noisy' ? NOISY_CLASSES : 2)));
    }
  }
});

test('average precision matches the step-wise PR area written out, and blobs report it each step', () => {
  // Ranked labels 1, 0, 1, 0: precision 1 at recall 1/2, 2/3 at recall 1 → (1 + 2/3) / 2.
  assert.ok(Math.abs(averagePrecision([0.9, 0.8, 0.7, 0.6], [1, 0, 1, 0]) - 5 / 6) < 1e-15);
  assert.equal(averagePrecision([0.1, 0.9, 0.3], [0, 1, 0]), 1);
  // Ties form one threshold: all tied → precision = positive share.
  assert.ok(Math.abs(averagePrecision([0.5, 0.5, 0.5, 0.5], [1, 0, 0, 0]) - 0.25) < 1e-15);
  // Against a brute force over thresholds on random data: Σ (R_k − R_{k−1}) · P_k.
  let seed = 7;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const scores = Array.from({ length: 50 }, () => Math.round(rand() * 20) / 20);
  const labels = scores.map((s) => (rand() < s ? 1 : 0));
  const thresholds = [...new Set(scores)].sort((a, b) => b - a);
  const positives = labels.filter((l) => l === 1).length;
  let brute = 0;
  let previous = 0;
  for (const t of thresholds) {
    const chosen = labels.filter((_, i) => scores[i] >= t);
    const tp = chosen.filter((l) => l === 1).length;
    brute += (tp / positives - previous) * (tp / chosen.length);
    previous = tp / positives;
  }
  assert.ok(Math.abs(averagePrecision(scores, labels) - brute) < 1e-12);
  const run = new TrainingRun({
    data: 'blobs',
    share: 0.2,
    seed: 1,
    losses: DEFAULT_PAIR.blobs,
    options: [{}, {}],
    steps: 30,
  });
  run.advance(30);
  for (const side of run.snapshot().sides) {
    assert.equal(side.prAuc?.length, 30);
    assert.ok(side.prAuc?.every((v) => v >= 0 && v <= 1));
  }
  assert.equal(
    new TrainingRun({
      data: 'spirals',
      share: 0.1,
      seed: 1,
      losses: DEFAULT_PAIR.spirals,
      options: [{}, {}],
    }).snapshot().sides[0].prAuc,
    undefined,
  );
});

test('small objects: reproducible from the seed, squares covering about the requested foreground share', () => {
  const one = makeData('objects', 0.05, 3);
  assert.deepEqual(makeData('objects', 0.05, 3), one, 'same seed, same images');
  assert.notDeepEqual(makeData('objects', 0.05, 4).y, one.y, 'another seed, other masks');
  const area = IMAGE * IMAGE;
  assert.equal(one.x.length, one.n * area);
  assert.equal(one.test?.n, N_TEST_IMAGES);
  for (const share of [0.03, 0.05, 0.1]) {
    const d = makeData('objects', share, 7);
    let foreground = 0;
    for (let i = 0; i < d.y.length; i++) {
      assert.ok(d.y[i] === 0 || d.y[i] === 1);
      foreground += d.y[i];
    }
    const got = foreground / d.y.length;
    // Squares of side 2–4 are added until an image reaches round(share · 256) pixels: at most 15 more.
    assert.ok(got >= share && got <= share + 16 / area, `share ${share}: foreground ${got}`);
    // Every image has at least one object, and the intensities are the mask plus noise (mean 1 vs 0).
    let fgSum = 0;
    let bgSum = 0;
    for (let i = 0; i < d.y.length; i++) {
      if (d.y[i] === 1) fgSum += d.x[i];
      else bgSum += d.x[i];
    }
    assert.ok(Math.abs(fgSum / foreground - 1) < 0.15 && Math.abs(bgSum / (d.y.length - foreground)) < 0.05);
    for (let k = 0; k < d.n; k++) assert.ok(d.y.subarray(k * area, (k + 1) * area).some((v) => v === 1));
  }
  // Out of the set's range: clamped, in the data and in the URL state.
  assert.deepEqual(makeData('objects', 0.5, 1), makeData('objects', OBJECT_SHARE.max, 1));
  assert.equal(parseState('?data=objects&share=0.4').share, OBJECT_SHARE.max);
  const search = '?view=train&data=objects&share=0.08&seed=3&b=dice&b.eps=0.5';
  assert.equal(writeState(parseState(search)), search);
  assert.equal(writeState(parseState('?view=train&data=objects')), '?view=train&data=objects');
  // The segmentation losses are offered, the multi-class ones are not.
  const offered = trainableLosses('objects');
  for (const name of ['binaryCrossEntropyWithLogits', 'dice', 'tversky', 'lovaszHinge', 'focal'])
    assert.ok(offered.includes(name), name);
  for (const name of ['lovaszSoftmax', 'categoricalCrossEntropy', 'sparseCategoricalCrossEntropy', 'mse'])
    assert.ok(!offered.includes(name), name);
});

test('small objects: a short run raises the held-out IoU over the untrained model; the IoU is the foreground IoU of the drawn masks', () => {
  const run = new TrainingRun({
    data: 'objects',
    share: DEFAULT_SHARE.objects,
    seed: 2,
    losses: DEFAULT_PAIR.objects,
    options: [{}, {}],
    steps: 60,
  });
  const untrained = run.currentMetrics();
  run.advance(60);
  const snapshot = run.snapshot();
  for (const [i, side] of snapshot.sides.entries()) {
    const last = side.metrics.at(-1) ?? Number.NaN;
    assert.equal(side.error, undefined, side.loss);
    assert.ok(last > untrained[i] + 0.2, `${side.loss}: IoU ${untrained[i]} → ${last}`);
    assert.equal(side.masks?.length, SHOWN * IMAGE * IMAGE);
  }
  // The drawn masks are the model's predictions on the first held-out images: their IoU with the truth.
  const truth = run.data.test?.y;
  assert.ok(truth !== undefined);
  const masks = snapshot.sides[0].masks ?? [];
  let inter = 0;
  let union = 0;
  masks.forEach((m, i) => {
    if (m === 1 && truth[i] === 1) inter++;
    if (m === 1 || truth[i] === 1) union++;
  });
  assert.ok(union > 0 && inter / union > 0.2, `drawn masks IoU ${inter / union}`);
});

test('the default pairs differ visibly: lovaszHinge beats per-pixel BCE on the objects, BCE beats focal on the spirals at 120 steps', () => {
  for (const seed of [1, 2]) {
    const run = new TrainingRun({
      data: 'objects',
      share: DEFAULT_SHARE.objects,
      seed,
      losses: DEFAULT_PAIR.objects,
      options: [{}, {}],
    });
    assert.equal(run.steps, STEPS.objects);
    run.advance(run.steps);
    const [bce, lovasz] = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
    assert.ok(lovasz > bce, `objects seed ${seed}: BCE ${bce}, lovaszHinge ${lovasz}`);
  }
  for (const seed of [1, 2, 3, 4, 5]) {
    const run = new TrainingRun({
      data: 'spirals',
      share: DEFAULT_SHARE.spirals,
      seed,
      losses: DEFAULT_PAIR.spirals,
      options: [{}, {}],
    });
    assert.equal(run.steps, 120);
    run.advance(run.steps);
    const [bce, focal] = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
    assert.ok(bce >= focal + 0.04, `spirals seed ${seed}: BCE ${bce}, focal ${focal}`);
  }
});

test('margin losses of ±1 labels train on the binary sets against 2y − 1', () => {
  const run = new TrainingRun({
    data: 'spirals',
    share: 0.1,
    seed: 3,
    losses: ['hinge', 'softMargin'],
    options: [{}, {}],
    steps: 120,
  });
  const untrained = run.currentMetrics();
  run.advance(120);
  for (const [i, side] of run.snapshot().sides.entries()) {
    assert.equal(side.error, undefined, side.loss);
    assert.ok((side.metrics.at(-1) ?? 0) > untrained[i] + 0.2, `${side.loss}: ${side.metrics.at(-1)}`);
  }
});
