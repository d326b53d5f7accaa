// Value checks declared as data in a loss spec (`checks`) run once per call: at the boundary,
// or fused into the kernel's own pass (`fusesChecks`), which absorbs what it verified; whatever
// a fusing kernel leaves, the boundary still runs (issue #13).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defineLoss, type FusedChecks } from '../../packages/losskit/src/losses/define.js';
import { booleanOption } from '../../packages/losskit/src/losses/options.js';
import { reductionOption } from '../../packages/losskit/src/losses/reduce.js';
import { losses, Tensor, tensor, variable } from '../../packages/losskit/src/index.js';
import { lossInputErrorAsserter } from '../helpers/loss-errors.js';

const rejects = lossInputErrorAsserter('checked');

/** What the test kernel does with the checks it is handed. */
type Plan = 'absorb' | 'absorbHead' | 'run' | 'nothing' | 'runOnRepeat';

/**
 * A test loss Σ(x − y)² with a declared [0, 1] check of the target, fused or not; its kernel
 * records each call and follows `plan`. `checked` (the option) switches the check on.
 */
function checkedLoss(fuses: boolean) {
  const log = { kernelCalls: 0, plan: 'absorb' as Plan, head: 0 };
  const { entry, fn } = defineLoss({
    kind: 'reducible',
    name: 'checked',
    family: 'regression',
    inputs: ['input', 'target'],
    differentiable: ['input'],
    options: { checked: booleanOption(true), reduction: reductionOption() },
    validate() {},
    checks: [{ input: 'target', check: 'unitInterval', what: 'target', when: (o) => o.checked }],
    fusesChecks: () => fuses,
    unitShape: (t) => t.input.shape,
    kernel({ t, plan, units, grads, checks }) {
      log.kernelCalls++;
      follow(log.plan, checks, log.head, log.kernelCalls);
      const x = t.input.data;
      const y = t.target.data;
      let total = 0;
      for (let i = 0; i < x.length; i++) {
        const d = x[i] - y[i];
        total += d * d;
        if (units !== null) units[i] = d * d;
        if (grads !== null)
          grads.input[i] = (plan.upstream === null ? plan.scale : plan.scale * plan.upstream[i]) * 2 * d;
      }
      return total;
    },
    info: {
      title: 'Checked',
      summary: 'A test loss.',
      formula: 'ℓ = (x − y)²',
      properties: {
        differentiability: '',
        robustness: '',
        gradientBehaviour: '',
        scaleSensitivity: '',
        classImbalance: '',
      },
      whenToUse: [],
      limitations: [],
      hyperparameters: [],
      references: [],
      tasks: ['regression'],
    },
  });
  return { entry, fn, log };
}

function follow(plan: Plan, checks: FusedChecks, head: number, call: number): void {
  if (plan === 'absorb') checks.absorb();
  else if (plan === 'absorbHead') checks.absorb(head);
  else if (plan === 'run') checks.run();
  else if (plan === 'runOnRepeat') {
    if (call === 1) checks.absorb();
    else checks.run();
  }
}

const input = [0.5, 0.5, 0.5, 0.5];
const bad = [0.25, 2, 0.75, 1];
const outside = /^checked: target: target 2 at index \[1\] is outside \[0, 1\]$/;

test('a declared check that no kernel fuses runs at the boundary, before the kernel, with the validate.ts message', () => {
  const { entry, log } = checkedLoss(false);
  rejects(() => entry.valueAndGrad({ input, target: bad }), 'target', outside);
  assert.equal(log.kernelCalls, 0, 'the kernel never saw the bad target');
  // Its kernel is handed nothing to do: absorbing would not skip the boundary's check.
  assert.equal(
    entry.value({ input, target: [0, 1, 0.5, 0.25] }, { reduction: 'sum' }).item(),
    0.25 + 0.25 + 0 + 0.0625,
  );
});

test('a declared check whose `when` is false for the options does not run', () => {
  const { entry } = checkedLoss(false);
  assert.equal(
    entry.value({ input, target: bad }, { checked: false, reduction: 'sum' }).item(),
    0.0625 + 2.25 + 0.0625 + 0.25,
  );
});

test('a fused check the kernel absorbs is not run again by the boundary (one run per call)', () => {
  const { entry, log } = checkedLoss(true);
  log.plan = 'absorb';
  // The kernel claims to have verified every target: the boundary trusts it and scans nothing,
  // so even an offender passes here. (Real kernels absorb only what their pass verified.)
  assert.equal(
    entry.value({ input, target: bad }, { reduction: 'sum' }).item(),
    0.0625 + 2.25 + 0.0625 + 0.25,
  );
  assert.equal(log.kernelCalls, 1);
});

test('a fused check absorbed over a head still checks the tail, naming the offender as the boundary would', () => {
  const { entry, log } = checkedLoss(true);
  log.plan = 'absorbHead';
  log.head = 1;
  rejects(() => entry.valueAndGrad({ input, target: bad }), 'target', outside);
  log.head = 2;
  assert.equal(
    entry.value({ input, target: bad }, { reduction: 'sum' }).item(),
    0.0625 + 2.25 + 0.0625 + 0.25,
  );
});

test('a fused check the kernel runs throws inside the kernel; one it neither runs nor absorbs runs after it', () => {
  for (const plan of ['run', 'nothing'] as const) {
    const { entry, log } = checkedLoss(true);
    log.plan = plan;
    rejects(() => entry.valueAndGrad({ input, target: bad }), 'target', outside);
    assert.equal(log.kernelCalls, 1, plan);
    assert.equal(
      entry.value({ input, target: [0, 1, 0.5, 0.25] }, { reduction: 'sum' }).item(),
      0.5625,
      plan,
    );
  }
});

test('a fused check still runs when the kernel does not (nothing to reduce)', () => {
  const { entry, log } = checkedLoss(true);
  log.plan = 'absorb';
  assert.equal(entry.value({ input: [], target: [] }).item(), 0);
  assert.equal(log.kernelCalls, 0);
});

test('a tracked call evaluated twice (non-scalar upstream) settles its fused checks once', () => {
  const { fn, log } = checkedLoss(true);
  // First evaluation absorbs; the second calls run(), which would throw if the checks were
  // pending again. They are not: the prepared call checked its target once.
  log.plan = 'runOnRepeat';
  const x = variable(input);
  const loss = fn(x, tensor(bad), { reduction: 'none' });
  loss.backward(tensor([1, 2, 3, 4]));
  assert.ok(log.kernelCalls >= 2, `kernel calls: ${log.kernelCalls}`);
  assert.deepEqual(Array.from(x.grad?.data ?? []), [0.5, -6, -1.5, -4]);
});

test('a fused target check (large float32, the SIMD pass) and the boundary one (float64) name the same offender', () => {
  for (const name of ['binaryCrossEntropyWithLogits', 'focal'] as const) {
    for (const ctor of [Float32Array, Float64Array]) {
      for (const at of [700, 1025]) {
        const n = 1027;
        const x = new ctor(n).fill(0.3);
        const y = new ctor(n).fill(1);
        y[at] = 1.5;
        assert.throws(
          () => losses[name].valueAndGrad({ input: new Tensor(x, [n]), target: new Tensor(y, [n]) }),
          {
            name: 'LossInputError',
            message: `${name}: target: target 1.5 at index [${at}] is outside [0, 1]`,
          },
        );
      }
    }
  }
  for (const name of ['dice', 'bceIou'] as const) {
    for (const ctor of [Float32Array, Float64Array]) {
      const n = 4096;
      const x = new ctor(n).fill(0.3);
      const y = new ctor(n).fill(1);
      y[3000] = -0.5;
      assert.throws(
        () => losses[name].valueAndGrad({ input: new Tensor(x, [n]), target: new Tensor(y, [n]) }),
        {
          name: 'LossInputError',
          message: `${name}: target: target value -0.5 at index [3000] is outside [0, 1]`,
        },
      );
    }
  }
});
