// Sequential runs ReLU → MaxPool2d as pooling, then relu (nn/layers.ts): the output and the input
// gradient must keep the bits of relu, then pooling, at the values where the two orders could
// part: NaN of either sign, −0, ties, windows whose maximum is ≤ 0, and overlapping windows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../test/helpers/random.js';
import { MaxPool2d, ReLU, Sequential, Tensor, gradients, ops } from '../index.js';

/** Values in {−2, −1, −0, 0, 1, 2, NaN, −NaN} and random ones, so windows tie, are all ≤ 0 or hold NaN. */
function awkwardImages(
  shape: [number, number, number, number],
  Storage: Float32ArrayConstructor | Float64ArrayConstructor,
) {
  const next = random(shape.reduce((a, b) => a * b));
  const special = [-2, -1, -0, 0, 1, 2, Number.NaN, -Number.NaN];
  const data = new Storage(shape.reduce((a, b) => a * b));
  for (let i = 0; i < data.length; i++) {
    const u = next();
    data[i] = u < 0.6 ? special[Math.floor(next() * special.length)] : 4 * next() - 2;
  }
  // A NaN with its sign bit set (−NaN above may be canonicalised to +NaN).
  if (Storage === Float32Array) new Int32Array(data.buffer)[3] = 0xffc00001 | 0;
  else new Int32Array(data.buffer)[7] = 0xfff80000 | 0;
  return new Tensor(data, shape).requireGrad();
}

function bits(a: ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }) {
  return Array.from(new Int32Array(a.buffer, a.byteOffset, a.byteLength / 4));
}

test('Sequential’s ReLU → MaxPool2d gives the bits of relu, then pooling: output and input gradient', () => {
  let cases = 0;
  for (const Storage of [Float32Array, Float64Array]) {
    for (const [kernel, stride] of [
      [2, 2],
      [3, 1],
      [3, 2],
    ]) {
      for (const shape of [
        [2, 3, 8, 8],
        [1, 2, 7, 9],
      ] as [number, number, number, number][]) {
        const x = awkwardImages(shape, Storage);
        const model = new Sequential(new ReLU(), new MaxPool2d(kernel, stride));
        const fused = model.forward(x);
        const plain = ops.maxPool2d(ops.relu(x), { kernel, stride });
        // The reordered route ran: relu is the last op recorded.
        assert.equal(fused.gradNode?.op, 'relu');
        assert.equal(plain.gradNode?.op, 'maxPool2d');
        assert.deepEqual(bits(fused.data), bits(plain.data), `output, ${Storage.name} k${kernel} s${stride}`);
        const next = random(cases + 1);
        const up = new Tensor(
          Float64Array.from(plain.data, () => 0.5 + next()),
          plain.shape,
        );
        const [gFused] = gradients(ops.sum(ops.mul(fused, up)), [x]);
        const [gPlain] = gradients(ops.sum(ops.mul(plain, up)), [x]);
        assert.deepEqual(
          bits(gFused.data),
          bits(gPlain.data),
          `gradient, ${Storage.name} k${kernel} s${stride}`,
        );
        cases++;
      }
    }
  }
  assert.equal(cases, 12);
});

test('a subclass of ReLU or MaxPool2d runs in the order written (its forward may differ)', () => {
  const calls: string[] = [];
  class LoggedReLU extends ReLU {
    override forward(input: Tensor): Tensor {
      calls.push('relu');
      return super.forward(input);
    }
  }
  class LoggedPool extends MaxPool2d {
    override forward(input: Tensor): Tensor {
      calls.push('pool');
      return super.forward(input);
    }
  }
  const x = new Tensor(new Float64Array(16).fill(1), [1, 1, 4, 4]);
  new Sequential(new LoggedReLU(), new MaxPool2d()).forward(x);
  new Sequential(new ReLU(), new LoggedPool()).forward(x);
  new Sequential(new LoggedReLU(), new LoggedPool()).forward(x);
  assert.deepEqual(calls, ['relu', 'pool', 'relu', 'pool']);
});
