// Typed arrays outside the contract (bigint arrays, Float16Array, DataView, a bare ArrayBuffer)
// are a LossInputError naming the accepted types, bare or as `{ shape, data }` (issue #12).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { losses, tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from '../helpers/loss-errors.js';

const accepted =
  /use a Float32Array, a Float64Array, or an Int8\/Int16\/Int32\/Uint8\/Uint8Clamped\/Uint16\/Uint32Array/;

const rejected: [string, () => unknown][] = [
  ['BigInt64Array', () => new BigInt64Array(3)],
  ['BigUint64Array', () => new BigUint64Array(3)],
  ['DataView', () => new DataView(new ArrayBuffer(24))],
];
const Float16 = (globalThis as { Float16Array?: new (n: number) => ArrayBufferView }).Float16Array;
if (Float16 !== undefined) rejected.push(['Float16Array', () => new Float16(3)]);

for (const [name, make] of rejected) {
  test(`a bare ${name} input is a LossInputError naming the accepted typed arrays`, () => {
    assertLossInputError(() => losses.mse.valueAndGrad({ input: make() as never, target: [1, 2, 3] }), {
      loss: 'mse',
      argument: 'input',
      message: new RegExp(`typed array an? ${name} is not accepted: ${accepted.source}`),
    });
  });

  test(`a ${name} as the data of { shape, data } is a LossInputError naming the accepted typed arrays`, () => {
    assertLossInputError(
      () => losses.mse.valueAndGrad({ input: [1, 2, 3], target: { shape: [3], data: make() as never } }),
      {
        loss: 'mse',
        argument: 'target',
        message: new RegExp(`data an? ${name} is not accepted: ${accepted.source}`),
      },
    );
  });
}

test('a bare ArrayBuffer is a LossInputError listing every accepted form', () => {
  assertLossInputError(() => tensor(new ArrayBuffer(8) as never), {
    argument: 'values',
    message: /expected a Tensor, a number, a nested number array, a Float32Array.*got an ArrayBuffer/,
  });
});

test('a BigInt64Array as a class-weight option is a LossInputError naming the option', () => {
  assertLossInputError(
    () =>
      losses.sparseCategoricalCrossEntropy.valueAndGrad(
        { input: [[1, 2]], target: [0] },
        { weight: { shape: [2], data: new BigInt64Array(2) } as never },
      ),
    { loss: 'sparseCategoricalCrossEntropy', argument: 'options.weight', message: accepted },
  );
});

test('every accepted typed array still works, integer labels included', () => {
  for (const T of [
    Float32Array,
    Float64Array,
    Int8Array,
    Int16Array,
    Int32Array,
    Uint8Array,
    Uint8ClampedArray,
    Uint16Array,
    Uint32Array,
  ]) {
    const t = tensor(new T([1, 2, 3]));
    assert.deepEqual(Array.from(t.data), [1, 2, 3], T.name);
    assert.equal(t.dtype, T === Float32Array ? 'float32' : 'float64', T.name);
  }
  const r = losses.sparseCategoricalCrossEntropy.valueAndGrad({
    input: { shape: [1, 2], data: new Float32Array([1, 2]) },
    target: new Int32Array([1]),
  });
  assert.equal(r.value.dtype, 'float32');
});

test('a Float64Array from another realm (an iframe, a vm context) is accepted', () => {
  const foreign = runInNewContext('new Float64Array([1, 2, 3])') as Float64Array;
  assert.equal(foreign instanceof Float64Array, false);
  assert.deepEqual(Array.from(tensor(foreign).data), [1, 2, 3]);
});
