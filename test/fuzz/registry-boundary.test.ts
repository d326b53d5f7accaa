// The boundary fuzzer (issue #12 "Nothing but LossInputError escapes"): random valid and
// malformed calls of every registry loss. For any call, either the result is finite with
// gradients of the inputs' shapes and the first input's dtype, or the call throws a
// LossInputError whose message starts with the loss name and names an argument.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import * as losskit from '../../packages/losskit/src/index.js';
import { type LossEntry, LossInputError, losses, Tensor, tensor } from '../../packages/losskit/src/index.js';
import {
  type CallPlan,
  callPlanArb,
  type MaterializedCall,
  materialize,
  seedCases,
} from '../helpers/fuzz-calls.js';

const registry = losses as unknown as Record<string, LossEntry>;
const cases = seedCases(registry);

/** Fixed, so that a failure reproduces; the time budget keeps `npm test` within seconds. */
const SEED = 20261204;
const TIME_LIMIT_MS = 12_000;
const MAX_RUNS = 40_000;

function isFiniteTensor(t: Tensor): boolean {
  for (const v of t.data) if (!Number.isFinite(v)) return false;
  return true;
}

/** Throws (with the reason) when the outcome of one call breaks the property. */
function checkCall(call: MaterializedCall): 'value' | 'error' {
  const entry = registry[call.loss];
  let result: { value: Tensor; grads: Record<string, Tensor> };
  try {
    if (call.method === 'value') {
      result = { value: entry.value(call.inputs as never, call.options as never), grads: {} };
    } else if (call.method === 'function') {
      const fn = (losskit as unknown as Record<string, (...args: unknown[]) => Tensor>)[call.loss];
      result = { value: fn(...entry.inputs.map((k) => call.inputs[k]), call.options), grads: {} };
    } else {
      const r = entry.valueAndGrad(
        call.inputs as never,
        call.options as never,
        call.upstream as never,
        call.out as never,
      );
      result = { value: r.value, grads: r.grads as Record<string, Tensor> };
    }
  } catch (e) {
    if (!(e instanceof LossInputError)) {
      throw new Error(
        `${call.loss}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}, not a LossInputError`,
      );
    }
    assert.ok(
      e.message.startsWith(`${call.loss}: `),
      `message does not start with the loss name: ${e.message}`,
    );
    assert.ok(
      e.argument.length > 0 && e.message.startsWith(`${call.loss}: ${e.argument}: `),
      `no argument named: ${e.message}`,
    );
    return 'error';
  }
  assert.ok(result.value instanceof Tensor, 'value is not a Tensor');
  assert.ok(
    isFiniteTensor(result.value),
    `${call.loss}: value ${Array.from(result.value.data).slice(0, 8)} is not finite`,
  );
  const dtype = tensor(call.inputs[entry.inputs[0]] as never).dtype;
  if (call.method !== 'valueAndGrad') return 'value';
  for (const name of entry.differentiable) {
    const g = result.grads[name];
    assert.ok(g instanceof Tensor, `${call.loss}: grads.${name} is not a Tensor`);
    assert.deepEqual(g.shape, tensor(call.inputs[name] as never).shape, `${call.loss}: grads.${name} shape`);
    assert.equal(g.dtype, dtype, `${call.loss}: grads.${name} dtype`);
    assert.ok(
      isFiniteTensor(g),
      `${call.loss}: grads.${name} is not finite: ${Array.from(g.data).slice(0, 8)}`,
    );
    if (name in call.validOut)
      assert.equal(g, call.validOut[name], `${call.loss}: grads.${name} is not the out buffer`);
  }
  return 'value';
}

test('every registry loss, called with random valid and malformed arguments, returns finite results or throws a LossInputError naming the loss and an argument', () => {
  const counts = { calls: 0, values: 0, errors: 0 };
  const perLoss = new Set<string>();
  const start = performance.now();
  fc.assert(
    fc.property(callPlanArb(cases), (plan: CallPlan) => {
      const call = materialize(plan, cases, registry);
      counts.calls++;
      perLoss.add(call.loss);
      counts[checkCall(call) === 'value' ? 'values' : 'errors']++;
    }),
    { seed: SEED, numRuns: MAX_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
  );
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `boundary fuzzer: ${counts.calls} calls (${counts.values} results, ${counts.errors} LossInputErrors) over ${perLoss.size} losses in ${seconds.toFixed(1)} s, seed ${SEED}`,
  );
  assert.equal(perLoss.size, Object.keys(registry).length, 'every registry loss was called');
});
