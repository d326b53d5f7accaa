// The playground's logic in Node (no browser needed): the URL state, the option controls derived
// from every registry loss, and the training runs the worker performs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossList } from 'losskit';
import { controlsFor, optionsFrom } from './controls.js';
import { defaultState, parseState, writeState } from './state.js';
import { TrainingRun, trainableLosses } from './train-core.js';

test('the URL state round-trips, and the defaults write an empty query', () => {
  assert.equal(writeState(defaultState()), '');
  const search = '?view=train&loss=focal&o.gamma=3&data=blobs&share=0.3&seed=42&a=mse&b=binaryCrossEntropy&a.x=1&b.labelSmoothing=0.1&task=binary&imb=1&metric=recall';
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
      assert.ok(control.min <= control.default && control.default <= control.max, `${entry.name}.${control.name}`);
      for (const v of [control.min, control.max, control.default]) {
        assert.doesNotThrow(() => spec.parse(v, entry.name, control.name), `${entry.name}.${control.name} = ${v}`);
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
    const run = new TrainingRun({ data: 'line', share: 0.2, seed, losses: ['huber', 'mse'], options: [{}, {}], steps: 200 });
    run.advance(200);
    const [huber, mse] = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
    assert.ok(huber < mse / 2, `seed ${seed}: huber ${huber}, mse ${mse}`);
  }
});

test('a run is reproducible from its seed, and every offered loss trains without error', () => {
  for (const data of ['line', 'blobs'] as const) {
    const names = trainableLosses(data);
    assert.ok(names.length >= 3, data);
    for (const name of names) {
      const config = { data, share: 0.2, seed: 5, losses: [name, name] as const, options: [{}, {}] as const, steps: 20 };
      const one = new TrainingRun(config);
      one.advance(20);
      const two = new TrainingRun(config);
      two.advance(20);
      const [a, b] = one.snapshot().sides;
      assert.equal(a.error, undefined, `${data} ${name}: ${a.error}`);
      assert.deepEqual(a.losses, b.losses, `${data} ${name}: both sides start from the same weights`);
      assert.deepEqual(one.snapshot(), two.snapshot(), `${data} ${name}: the same seed, the same run`);
      assert.ok(a.losses.every(Number.isFinite), `${data} ${name}: finite losses`);
    }
  }
});
