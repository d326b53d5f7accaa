// Registry-driven: every core registry loss has a TF.js implementation whose value and TF.js
// gradient (tf.valueAndGrads) agree with the core's valueAndGrad on every oracle case, on the cpu
// and wasm backends. Losses added to the registry are covered without touching this file.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type LossEntry, lossList, losses } from '../../index.js';
import { type OracleCase, asF32, caseArgs, oracleCases } from '../../../../../test/helpers/oracle.js';
import type { TfLoss } from './define.js';
import * as tfjsEntry from './index.js';
import { tfLosses } from './index.js';
import { assertMatchesCore } from '../../../../../test/helpers/tfjs-compare.js';
import { BACKENDS, isMissingKernel, toTf, useBackend } from '../../../../../test/helpers/tfjs-backends.js';

type AnyTfLoss = TfLoss<keyof typeof losses>;
const adapter = tfLosses as unknown as Record<string, AnyTfLoss | undefined>;

test('the adapter has an implementation for every registry loss, and for nothing else', () => {
  const registry = lossList.map((entry) => entry.name);
  assert.deepEqual(
    registry.filter((name) => adapter[name] === undefined),
    [],
    'registry losses without a TF.js implementation',
  );
  assert.deepEqual(
    Object.keys(tfLosses).filter((name) => !(name in losses)),
    [],
    'TF.js losses that are not in the registry',
  );
  for (const name of registry) {
    assert.equal(adapter[name]?.name, name);
    assert.equal(
      adapter[name]?.core,
      (losses as unknown as Record<string, LossEntry>)[name],
      `${name}: core entry`,
    );
  }
});

const casesByLoss = new Map<string, OracleCase[]>();
for (const c of oracleCases) casesByLoss.set(c.loss, [...(casesByLoss.get(c.loss) ?? []), c]);

for (const backend of BACKENDS) {
  describe(`on the TF.js ${backend} backend`, () => {
    before(() => useBackend(backend));

    for (const entry of lossList as readonly LossEntry[]) {
      const cases = casesByLoss.get(entry.name) ?? [];
      test(`${entry.name}: value and tf.valueAndGrads gradients equal the core's on its ${cases.length} oracle cases`, (t) => {
        assert.ok(cases.length > 0, `${entry.name} has no oracle cases`);
        for (const c of cases) {
          try {
            const { inputs, options, upstream } = caseArgs(c);
            assertMatchesCore(entry, inputs, options, upstream, c.id);
          } catch (e) {
            if (!isMissingKernel(e)) throw e;
            t.skip(`${backend} lacks a kernel: ${(e as Error).message}`);
            return;
          }
        }
      });
    }

    test('no loss leaves intermediate tensors behind', () => {
      for (const entry of lossList as readonly LossEntry[]) {
        const c = casesByLoss.get(entry.name)?.[0];
        if (c === undefined) continue;
        const { inputs } = caseArgs(c, asF32);
        const tfInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toTf(v)]));
        const before = tf.memory().numTensors;
        tf.dispose((adapter[entry.name] as AnyTfLoss).value(tfInputs as never));
        assert.equal(tf.memory().numTensors, before, `${entry.name} leaked tensors`);
        tf.dispose(Object.values(tfInputs));
      }
    });

    test('every loss has a function form in losskit/tfjs: its inputs positionally, then options, as the entry computes', () => {
      const functions = tfjsEntry as unknown as Record<string, unknown>;
      for (const entry of lossList as readonly LossEntry[]) {
        const fn = functions[entry.name];
        assert.equal(typeof fn, 'function', `losskit/tfjs exports no function ${entry.name}`);
        const c = casesByLoss.get(entry.name)?.[0];
        if (c === undefined) continue;
        const { inputs, options } = caseArgs(c, asF32);
        const tfInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, toTf(v)]));
        const positional = entry.inputs.map((name) => tfInputs[name]);
        const viaFunction = (fn as (...args: unknown[]) => tf.Tensor)(...positional, options);
        const viaEntry = (adapter[entry.name] as AnyTfLoss).value(tfInputs as never, options as never);
        assert.deepEqual(viaFunction.shape, viaEntry.shape, `${entry.name}: shape`);
        assert.deepEqual(viaFunction.dataSync(), viaEntry.dataSync(), `${entry.name}: value`);
        tf.dispose([viaFunction, viaEntry, ...Object.values(tfInputs)]);
      }
    });
  });
}
