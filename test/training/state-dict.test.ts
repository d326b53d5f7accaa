// PyTorch state_dict import/export: names and layouts as PyTorch writes them, checked against a
// fixture made by real PyTorch (test/fixtures/generate_state_dict_mlp.py).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Linear, LossInputError, Rng, Sequential, Tanh, mlp, predict, tensor } from '../../packages/losskit/src/index.js';
import { type StateDict, exportStateDict, loadStateDict } from '../../packages/losskit/src/nn/index.js';

interface Fixture {
  readonly stateDict: Record<string, { shape: number[]; data: number[] }>;
  readonly inputs: { shape: number[]; data: number[] };
  readonly outputs: { shape: number[]; data: number[] };
}
const fixture: Fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/state-dict-mlp.json', import.meta.url), 'utf8'),
);
const inputs = tensor(Float64Array.from(fixture.inputs.data), fixture.inputs.shape);
const build = (dtype: 'float32' | 'float64' = 'float64') =>
  mlp([3, 5, 2], { activation: 'tanh', dtype, rng: new Rng(9) });
const copy = (): Record<string, { shape: number[]; data: number[] }> => structuredClone(fixture.stateDict);

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    assert.ok(
      diff <= tolerance,
      `output ${i}: got ${actual[i]}, PyTorch ${expected[i]}, |diff| ${diff} > ${tolerance}`,
    );
  }
}

test("a PyTorch nn.Sequential(Linear, Tanh, Linear) state_dict loaded into mlp gives PyTorch's outputs", () => {
  const model = build();
  assert.deepEqual(loadStateDict(model, fixture.stateDict), { missingKeys: [], unexpectedKeys: [] });
  assertClose(predict(model, inputs).data, fixture.outputs.data, 1e-12);
  // float32 parameters round the weights and still agree to float32 precision.
  const single = build('float32');
  loadStateDict(single, fixture.stateDict);
  assertClose(predict(single, inputs).data, fixture.outputs.data, 1e-5);
});

test("Linear weights are [in, out] in losskit and [out, in] in the state dict, PyTorch's layout", () => {
  const model = build();
  loadStateDict(model, fixture.stateDict);
  const first = model.at(0) as Linear;
  assert.deepEqual(first.weight.shape, [3, 5]);
  const torchWeight = fixture.stateDict['0.weight'];
  assert.deepEqual(torchWeight.shape, [5, 3]);
  // losskit weight[i][o] is PyTorch weight[o][i].
  for (let i = 0; i < 3; i++)
    for (let o = 0; o < 5; o++) assert.equal(first.weight.data[i * 5 + o], torchWeight.data[o * 3 + i]);
});

test('exportStateDict writes the names, shapes and values PyTorch has, so it round-trips exactly', () => {
  const model = build();
  loadStateDict(model, fixture.stateDict);
  const exported = exportStateDict(model);
  assert.deepEqual(Object.keys(exported), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual(exported, fixture.stateDict);
  const again = build();
  loadStateDict(again, JSON.parse(JSON.stringify(exported)));
  assert.deepEqual(exportStateDict(again), exported);
  // Nested modules get dotted names, a bare Linear PyTorch's 'weight' and 'bias'.
  const nested = new Sequential(new Sequential(new Linear(2, 3, { rng: new Rng(1) }), new Tanh()));
  assert.deepEqual(Object.keys(exportStateDict(nested)), ['0.0.weight', '0.0.bias']);
  assert.deepEqual(Object.keys(exportStateDict(new Linear(2, 3, { bias: false }))), ['weight']);
});

/** Expects loadStateDict to throw on `dict` naming `argument`, and the model to be unchanged. */
function refused(dict: unknown, argument: string, problem: RegExp): void {
  const model = build();
  const before = exportStateDict(model);
  assert.throws(
    () => loadStateDict(model, dict as StateDict),
    (e) => {
      assert.ok(e instanceof LossInputError, `expected a LossInputError, got ${String(e)}`);
      assert.equal(e.argument, argument);
      assert.match(e.problem, problem);
      return true;
    },
  );
  assert.deepEqual(exportStateDict(model), before, 'the failed load changed the model');
}

test('missing and unexpected keys are listed together, as PyTorch strict loading does', () => {
  const dict = copy();
  delete dict['2.bias'];
  dict['4.weight'] = { shape: [1], data: [0] };
  refused(dict, 'stateDict', /missing keys: "2\.bias"; unexpected keys: "4\.weight"/);
  const model = build();
  const before = exportStateDict(model);
  assert.deepEqual(loadStateDict(model, dict, { strict: false }), {
    missingKeys: ['2.bias'],
    unexpectedKeys: ['4.weight'],
  });
  assert.deepEqual(exportStateDict(model)['2.bias'], before['2.bias']);
  assert.deepEqual(exportStateDict(model)['0.weight'], fixture.stateDict['0.weight']);
});

test('a wrong shape, length or value fails before anything is written, naming the entry', () => {
  // The last entry is bad: nothing before it may have been written either.
  const transposed = copy();
  transposed['2.weight'] = { shape: [5, 2], data: transposed['2.weight'].data };
  refused(
    transposed,
    'stateDict["2.weight"]',
    /shape \[5, 2\] does not match the model's \[2, 5\] \(Linear weights are \[out, in\]/,
  );
  const short = copy();
  short['2.bias'].data.pop();
  refused(short, 'stateDict["2.bias"].data', /has 1 values, shape \[2\] needs 2/);
  const nan = copy();
  nan['2.bias'].data[1] = Number.NaN;
  refused(nan, 'stateDict["2.bias"].data[1]', /finite number, got NaN/);
  const text = copy() as Record<string, unknown>;
  text['2.bias'] = { shape: [2], data: ['1', '2'] };
  refused(text, 'stateDict["2.bias"].data[0]', /finite number, got 1/);
  refused(null, 'stateDict', /must be an object/);
  refused({ ...copy(), '2.bias': [1, 2] }, 'stateDict["2.bias"]', /must be an object \{ shape, data \}/);
});
