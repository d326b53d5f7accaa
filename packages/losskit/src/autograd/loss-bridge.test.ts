// Registry-driven: every registry loss, called on tensors that require grad (the plain
// function, through the tensor hooks, and `lossOp` on its entry), is one differentiable op
// whose gradient equals the loss's own valueAndGrad. New losses are picked up automatically.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as losskit from '../index.js';
import {
  type LossEntry,
  LossInputError,
  type Tensor,
  gradients,
  huber,
  lossList,
  lossOp,
  ops,
  tensor,
  variable,
} from '../index.js';
import { assertClose } from '../../../../test/helpers/assert-close.js';
import { caseArgs, oracleCases } from '../../../../test/helpers/oracle.js';

const exact = { rtol: 1e-12, atol: 1e-14 };
const plainFunctions = losskit as unknown as Record<string, ((...args: unknown[]) => Tensor) | undefined>;

function trackedInputs(entry: LossEntry, inputs: Record<string, unknown>): Record<string, Tensor> {
  return Object.fromEntries(
    entry.inputs.map((name) => {
      const value = inputs[name] as losskit.TensorLike;
      return [
        name,
        (entry.differentiable as readonly string[]).includes(name) ? variable(value) : tensor(value),
      ];
    }),
  );
}

for (const entry of lossList as readonly LossEntry[]) {
  const cases = oracleCases.filter((c) => c.loss === entry.name);
  describe(`${entry.name} through the autograd bridge`, () => {
    test('has a plain function exported under its registry name', () => {
      assert.equal(typeof plainFunctions[entry.name], 'function');
    });
    for (const c of cases) {
      const { inputs, options, upstream } = caseArgs(c);
      const withOptions = Object.keys(c.options).length > 0;
      const expected = () => entry.valueAndGrad(inputs as never, options as never, upstream ?? null);
      const compare = (value: Tensor, tensors: Record<string, Tensor>, label: string) => {
        const want = expected();
        assertClose(value, want.value, exact, `${label} value`);
        value.backward(upstream === undefined ? undefined : tensor(upstream));
        for (const name of entry.differentiable) {
          const g = tensors[name].grad;
          assert.ok(g !== null, `${label}: ${name} received no gradient`);
          assertClose(g, (want.grads as Record<string, Tensor>)[name], exact, `${label} grads.${name}`);
        }
      };
      test(`plain function: ${c.id}`, () => {
        const tensors = trackedInputs(entry, inputs);
        const fn = plainFunctions[entry.name] as (...args: unknown[]) => Tensor;
        const value = fn(...entry.inputs.map((n) => tensors[n]), ...(withOptions ? [options] : []));
        assert.ok(value.gradNode !== null, 'the result is not part of the graph');
        compare(value, tensors, c.id);
      });
      test(`lossOp on the entry: ${c.id}`, () => {
        const tensors = trackedInputs(entry, inputs);
        compare(lossOp(entry, tensors, withOptions ? options : undefined), tensors, c.id);
      });
    }
  });
}

test('a loss composes with ops by the chain rule: d huber(2x, y)/dx = 2·huber′', () => {
  const x = variable([0.1, 2, -3]);
  const y = [0, 0, 0];
  huber(ops.mul(x, 2), y).backward();
  const direct = losskit.losses.huber.valueAndGrad({ input: [0.2, 4, -6], target: y }).grads.input;
  assertClose(x.grad as Tensor, ops.mul(direct, 2), exact, 'chain rule');
});

test('a registry loss on untracked tensors returns a plain value', () => {
  assert.equal(huber(tensor([0, 0]), tensor([0.5, 3])).gradNode, null);
});

test('differentiating a loss gradient again is refused with a clear error, not silently wrong', () => {
  const x = variable([0.3, -0.2]);
  const [g] = gradients(huber(ops.tanh(x), [0, 1]), [x], { createGraph: true });
  assert.throws(
    () => gradients(ops.sum(g), [x]),
    (e) =>
      e instanceof LossInputError &&
      e.loss === 'huber' &&
      /second derivatives through a registry loss/.test(e.message),
  );
});

test('the upstream of a reduced loss is still differentiable under createGraph', () => {
  const x = variable([1, 2]);
  const s = variable(3);
  const [g] = gradients(ops.mul(losskit.mse(x, [0, 0]), s), [x], { createGraph: true });
  assert.deepEqual(g.toArray(), [3, 6]);
  const [gs] = gradients(ops.sum(g), [s]);
  assert.deepEqual(gs.toArray(), 3);
});
