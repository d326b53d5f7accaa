// Registry-driven conformance: every loss against the PyTorch reference cases, central finite
// differences, float32 against float64, reductions against a manual one, and generic bad input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  LossInputError,
  type LossEntry,
  lossByName,
  lossList,
  Tensor,
} from '../packages/losskit/src/index.js';
import { assertClose } from './helpers/assert-close.js';
import { gradcheck } from './helpers/gradcheck.js';
import { type OracleCase, asF32, caseArgs, oracleCases, oracleCasesByLoss } from './helpers/oracle.js';

/**
 * Registry losses allowed to have no PyTorch reference case, each with the reason. Empty: every
 * loss has one. A loss added without cases fails below, by name, until it gets cases (see
 * test/fixtures/README.md) or a line here saying why PyTorch cannot check it.
 */
const withoutOracleCases: ReadonlyMap<string, string> = new Map<string, string>([]);

const byLoss = oracleCasesByLoss(oracleCases);
const registeredNames = new Set(lossList.map((entry) => entry.name));

test('every registry entry is complete', () => {
  for (const entry of lossList) {
    const { name } = entry;
    assert.ok(entry.info.formula.length > 0, `${name}: info.formula`);
    assert.ok(entry.info.whenToUse.length > 0, `${name}: info.whenToUse`);
    assert.ok(entry.info.limitations.length > 0, `${name}: info.limitations`);
    assert.ok(entry.info.references.length > 0, `${name}: info.references`);
    assert.ok(entry.info.tasks.length > 0, `${name}: info.tasks`);
    assert.ok(entry.differentiable.length > 0, `${name}: differentiable inputs`);
  }
});

test('every oracle case names a registry loss (a renamed or dropped loss fails here)', () => {
  const orphans = [...byLoss.keys()].filter((name) => !registeredNames.has(name));
  assert.deepEqual(orphans, [], `oracle cases for losses not in the registry: ${orphans.join(', ')}`);
});

test('the allow-list of losses without oracle cases names only registry losses that have none', () => {
  for (const name of withoutOracleCases.keys()) {
    assert.ok(registeredNames.has(name), `${name} is allowed no oracle cases but is not in the registry`);
    assert.ok(!byLoss.has(name), `${name} has oracle cases now: take it off the allow-list`);
  }
});

/**
 * Losses whose `'mean'` (and for some `'sum'`) is, by their API row, not the mean (or sum) of
 * their `'none'` units, with the reason; the test below skips what differs, and their oracle cases
 * and own tests check those reductions.
 */
const meanOfOtherUnits: ReadonlyMap<string, string> = new Map([
  ['ctc', "each sample's loss is divided by its target length (at least 1) before the batch mean"],
  ['pairwiseLogistic', "'mean' and 'sum' run over every pair of every list; 'none' is each list's mean"],
]);
const sumOfOtherUnits: ReadonlySet<string> = new Set(['pairwiseLogistic']);

function call(entry: LossEntry, c: OracleCase, convert = undefined as Parameters<typeof caseArgs>[1]) {
  const { inputs, options, upstream } = caseArgs(c, convert);
  return entry.valueAndGrad(inputs as never, options as never, upstream ?? null);
}

/**
 * Cases where central differences of the value do not give the expected gradient: on a kink or
 * a clamp edge a difference straddles two branches; with `stop-gradient` (CIoU's α, VQ-VAE's
 * stop-gradients) and `eps-clamp` (gaussianNll's variance clamp) the reference gradient is, by
 * design, not the derivative of the value (shared/oracle/README.md, "Catalogue II conventions").
 */
const noFiniteDifference = new Set(['kink-ok', 'zero-grad', 'clip', 'stop-gradient', 'eps-clamp']);
const onKink = (c: OracleCase) => c.tags.some((t) => noFiniteDifference.has(t));

/** The registry entry of a registry name, as the generic `LossEntry` the checks below take. */
function registered(name: string): LossEntry {
  const entry = lossByName(name);
  if (entry === undefined) throw new Error(`lossByName does not find the registry loss ${name}`);
  return entry;
}

for (const { name } of lossList) {
  const entry = registered(name);
  const cases = byLoss.get(name) ?? [];
  describe(`${name} conforms`, () => {
    if (cases.length === 0) {
      if (!withoutOracleCases.has(name))
        test(`${name} has PyTorch reference cases`, () =>
          assert.fail(
            `${name} is a registry loss with no oracle case: add cases to test/fixtures (see its README), or put it on withoutOracleCases with the reason`,
          ));
      return;
    }
    for (const c of cases) {
      test(`matches PyTorch: ${c.id}`, () => {
        const { value, grads } = call(entry, c);
        assertClose(value, c.expected.value, c.tol, `${c.id} value`);
        for (const [g, exp] of Object.entries(c.expected.grads)) {
          assert.ok(g in grads, `${c.id}: no gradient for ${g}`);
          assertClose((grads as Record<string, typeof value>)[g], exp, c.tol, `${c.id} grads.${g}`);
        }
      });

      if (!onKink(c)) {
        test(`analytic gradient equals central differences: ${c.id}`, () => {
          const { inputs, options, upstream } = caseArgs(c);
          gradcheck(entry, inputs, options, upstream);
        });
      }

      test(`float32 inputs give float32 results within 1e-5 of float64: ${c.id}`, () => {
        const f64 = call(entry, c);
        const f32 = call(entry, c, asF32);
        assert.equal(f32.value.dtype, 'float32');
        // Inputs were rounded to float32, so compare against float64 with a float32-sized tolerance.
        assertClose(f32.value, f64.value, { rtol: 1e-5, atol: 1e-5 }, `${c.id} float32 value`);
        for (const g of Object.keys(f64.grads)) {
          const a = (f32.grads as Record<string, typeof f32.value>)[g];
          assert.equal(a.dtype, 'float32', `${c.id} grads.${g} dtype`);
          assertClose(
            a,
            (f64.grads as Record<string, typeof a>)[g],
            { rtol: 1e-4, atol: 1e-5 },
            `${c.id} float32 grads.${g}`,
          );
        }
      });
    }

    const sample = cases[0];
    test(`${name} names the index of a NaN in each input`, () => {
      for (const inputName of Object.keys(sample.inputs)) {
        const { inputs, options } = caseArgs(sample);
        const bad = inputs[inputName];
        if (bad.data.length === 0) continue;
        bad.data[bad.data.length - 1] = Number.NaN;
        assert.throws(
          () => entry.valueAndGrad(inputs as never, options as never),
          (e: unknown) =>
            e instanceof LossInputError &&
            e.loss === name &&
            e.argument === inputName &&
            /NaN at index/.test(e.message),
          `${name}.${inputName}`,
        );
      }
    });

    test(`${name}: gradient buffers reused through \`out\` give the fresh gradients, whatever they held`, () => {
      for (const c of cases) {
        const { inputs, options, upstream } = caseArgs(c);
        const fresh = entry.valueAndGrad(inputs as never, options as never, upstream ?? null);
        const freshGrads = fresh.grads as Record<string, typeof fresh.value>;
        const reused: Record<string, typeof fresh.value> = {};
        for (const [g, t] of Object.entries(freshGrads)) {
          reused[g] = new Tensor(new Float64Array(t.size).fill(1234.5), t.shape);
        }
        entry.valueAndGrad(inputs as never, options as never, upstream ?? null, { grads: reused } as never);
        for (const g of Object.keys(freshGrads)) {
          assert.deepEqual(Array.from(reused[g].data), Array.from(freshGrads[g].data), `${c.id} grads.${g}`);
        }
      }
    });

    test(`${name} rejects an unknown option by name`, () => {
      const { inputs } = caseArgs(sample);
      assert.throws(
        () => entry.valueAndGrad(inputs as never, { notAnOption: 1 } as never),
        (e: unknown) =>
          e instanceof LossInputError &&
          e.argument === 'options.notAnOption' &&
          /unknown option/.test(e.message),
      );
    });

    test(`${name} rejects a missing input`, () => {
      const { inputs } = caseArgs(sample);
      const first = entry.inputs[0];
      const partial = { ...inputs };
      delete partial[first];
      assert.throws(
        () => entry.valueAndGrad(partial as never),
        (e: unknown) => e instanceof LossInputError && e.argument === first,
      );
    });

    if (entry.reducible) {
      const plain =
        cases.find(
          (c) =>
            !['weight', 'ignoreIndex', 'normalizer'].some((k) => k in c.options) &&
            !c.tags.includes('ignoreIndex') &&
            c.options.normalizeAdvantages !== true,
        ) ?? null;
      if (plain !== null) {
        test(`${name}: 'sum' and 'mean' equal the sum and mean of 'none'`, () => {
          const { inputs, options } = caseArgs(plain);
          const value = (reduction: string) =>
            entry.value(inputs as never, { ...options, reduction } as never);
          const units = value('none');
          let total = 0;
          for (const v of units.data) total += v;
          if (!sumOfOtherUnits.has(name))
            assertClose(value('sum'), { shape: [], data: [total] }, { rtol: 1e-12, atol: 1e-12 }, 'sum');
          if (!meanOfOtherUnits.has(name))
            assertClose(
              value('mean'),
              { shape: [], data: [total / units.size] },
              { rtol: 1e-12, atol: 1e-12 },
              'mean',
            );
          if (entry.optionSchema.reduction.accepts.includes('batchmean')) {
            const batch = units.shape.length > 0 ? units.shape[0] : 1;
            assertClose(
              value('batchmean'),
              { shape: [], data: [total / batch] },
              { rtol: 1e-12, atol: 1e-12 },
              'batchmean',
            );
          }
        });
      }
      test(`${name}: an upstream of the wrong shape is an error naming both shapes`, () => {
        const { inputs } = caseArgs(sample);
        assert.throws(
          () =>
            entry.valueAndGrad(inputs as never, { reduction: 'none' } as never, {
              shape: [7, 7, 7],
              data: new Float64Array(343),
            }),
          (e: unknown) =>
            e instanceof LossInputError && e.argument === 'upstream' && /\[7, 7, 7\]/.test(e.message),
        );
      });
    }
  });
}
