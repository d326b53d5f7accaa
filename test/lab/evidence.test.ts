// The selection guide quotes the lab's numbers (src/guide/lab-evidence.ts). Each recorded
// measurement is re-run here with its seed and mode, so the guide cannot drift from the lab.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labEvidence } from '../../packages/losskit/src/guide/index.js';
import { experiments, formatNumber, type Variant } from '../../packages/lab/src/lab/index.js';

for (const evidence of Object.values(labEvidence)) {
  test(`the guide's numbers from ${evidence.experiment} (seed ${evidence.seed}${evidence.quick ? ', quick' : ''}) are what the lab measures`, async () => {
    const experiment = experiments.find((e) => e.name === evidence.experiment);
    assert.ok(experiment, `${evidence.experiment} is a lab experiment`);
    const run = await experiment.run({ seed: evidence.seed, quick: evidence.quick, onProgress: () => {} });
    for (const [variant, arm] of Object.entries(evidence.variants)) {
      for (const [metric, stored] of Object.entries(arm.metrics)) {
        const value = run.metrics[variant]?.[metric];
        assert.equal(typeof value, 'number', `${variant}.${metric} is measured`);
        assert.equal(
          formatNumber(value),
          String(stored),
          `${variant}.${metric}: the lab measures ${value}, the guide quotes ${stored}`,
        );
      }
    }
  });

  test(`every arm the guide cites from ${evidence.experiment} is the experiment's variant, with its loss and options`, () => {
    const experiment = experiments.find((e) => e.name === evidence.experiment);
    assert.ok(experiment);
    for (const [id, arm] of Object.entries(evidence.variants)) {
      const variant: Variant | undefined = experiment.variants.find((v) => v.id === id);
      assert.ok(variant, `variant '${id}'`);
      assert.equal(variant.label, arm.label, id);
      assert.deepEqual(variant.losses, [arm.loss], id);
      for (const [option, value] of Object.entries(arm.options)) {
        const shown = Array.isArray(value) ? `[${value.join(', ')}]` : String(value);
        assert.ok(
          variant.options?.includes(`${option} = ${shown}`),
          `${id}: ${option} = ${shown} in '${variant.options}'`,
        );
      }
      for (const [option, how] of Object.entries(arm.optionsFromData ?? {}))
        assert.ok(variant.options?.includes(`${option} = ${how}`), `${id}: ${option} = ${how}`);
      assert.deepEqual(Object.keys(arm.metrics).sort(), experiment.metrics.map((m) => m.id).sort(), id);
    }
  });
}
