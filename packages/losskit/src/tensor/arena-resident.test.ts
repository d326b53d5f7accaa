// The arena's float32 arrays in the kernels' resident memory (arena.ts, `ArenaOptions.resident`):
// they are resident during a run and read in place by the products and convolutions; what is kept
// leaves the run as ordinary arrays with the same values; a run in resident memory computes the
// bits of a run on the heap; the resident memory the arena uses stays flat over many runs and is
// given back by `release`; the option is validated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uniformTensor } from '../../../../test/helpers/uniform-tensor.js';
import { isResidentArray, residentMemoryBytes } from '../kernels/wasm/resident.js';
import {
  Adam,
  Arena,
  type ArenaOptions,
  Conv2d,
  Flatten,
  KernelArrays,
  Linear,
  LossInputError,
  MaxPool2d,
  ReLU,
  Rng,
  Sequential,
  Tensor,
  ops,
  sparseCategoricalCrossEntropy,
  tensor,
  trainStep,
} from '../index.js';

/** A float32 tensor of n uniform values in [−1, 1). */
const values = uniformTensor;

const isShared = (a: ArrayBufferView) => a.buffer instanceof SharedArrayBuffer;
const residentAvailable = KernelArrays.available();

test('float32 arrays of a run are resident (float64 and resident: false are not); kept ones leave as ordinary arrays', {
  skip: !residentAvailable && 'no shared WebAssembly memory here',
}, () => {
  const arena = new Arena();
  const x = values(4096, 1);
  const x64 = tensor(Array.from(x.data), [4096], 'float64');
  let inner: Tensor | null = null;
  let kept: Tensor | null = null;
  let keptView: Tensor | null = null;
  const out = arena.run(() => {
    inner = ops.mul(x, 2);
    assert.ok(isResidentArray(inner.data), 'float32: resident');
    assert.ok(!isShared(ops.mul(x64, 2).data), 'float64: on the heap');
    kept = ops.add(x, 1);
    keptView = ops.reshape(kept, [64, 64]);
    arena.keep(kept);
    return ops.sub(x, 3);
  });
  for (const t of [out, kept as unknown as Tensor, keptView as unknown as Tensor]) {
    assert.equal(t.data.length, 4096);
    assert.ok(!isShared(t.data), 'a kept tensor is copied out of the resident memory');
  }
  assert.equal(
    (kept as unknown as Tensor).data,
    (keptView as unknown as Tensor).data,
    'views share the copy',
  );
  assert.deepEqual(
    Array.from(out.data),
    Array.from(x.data, (v) => Math.fround(v - 3)),
  );
  assert.deepEqual(
    Array.from((keptView as unknown as Tensor).data),
    Array.from(x.data, (v) => Math.fround(v + 1)),
  );
  assert.equal((inner as unknown as Tensor).data.length, 0, 'released');
  // The kept arrays went back to the arena: the next run overwrites them, not the copies.
  arena.run(() => ops.mul(ops.add(ops.sub(x, 7), 8), 9));
  assert.deepEqual(
    Array.from(out.data.subarray(0, 4)),
    Array.from(x.data.subarray(0, 4), (v) => Math.fround(v - 3)),
  );
  const heap = new Arena({ resident: false });
  heap.run(() => {
    assert.ok(!isShared(ops.mul(x, 2).data), 'resident: false keeps arrays on the heap');
  });
});

test('a reused resident array is zero-filled where allocation promises zeros', {
  skip: !residentAvailable && 'no shared WebAssembly memory here',
}, () => {
  const arena = new Arena();
  const x = values(4096, 2);
  let first: Float32Array | null = null;
  arena.run(() => {
    first = ops.mul(x, 2).data as Float32Array;
  });
  arena.run(() => {
    const z = Tensor.zeros([4096], 'float32');
    assert.equal(z.data, first, 'the array of the run before');
    assert.ok(z.data.every((v) => v === 0 && !Object.is(v, -0)));
  });
});

/** Parameters, gradients and losses of a small CNN after `steps` Adam steps in `arena`. */
function trainCnn(arena: Arena, steps: number): { params: number[][]; grads: number[][]; losses: number[] } {
  const images = values(24 * 256, 3, [24, 1, 16, 16]);
  const labels = tensor(
    Array.from({ length: 24 }, (_, i) => i % 10),
    [24],
    'float32',
  );
  const model = new Sequential(
    new Conv2d(1, 8, 3, { dtype: 'float32', rng: new Rng(4), padding: 1 }),
    new ReLU(),
    new MaxPool2d(2),
    new Conv2d(8, 8, 3, { dtype: 'float32', rng: new Rng(5) }),
    new ReLU(),
    new Flatten(),
    new Linear(8 * 36, 10, { dtype: 'float32', rng: new Rng(6) }),
  );
  const optimizer = new Adam(model.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++)
    losses.push(
      arena.run(
        () =>
          trainStep(model, optimizer, () => sparseCategoricalCrossEntropy(model.forward(images), labels))
            .loss,
      ),
    );
  return {
    params: model.parameters().map((p) => Array.from(p.data)),
    grads: model.parameters().map((p) => Array.from(p.grad?.data ?? [])),
    losses,
  };
}

test('a CNN trained in resident memory has the bits of one trained on the heap', () => {
  const resident = trainCnn(new Arena(), 4);
  const heap = trainCnn(new Arena({ resident: false }), 4);
  assert.deepEqual(resident.losses, heap.losses);
  assert.deepEqual(resident.grads, heap.grads);
  assert.deepEqual(resident.params, heap.params);
  assert.ok(resident.grads.every((g) => g.length > 0 && g.some((v) => v !== 0)));
});

test('the resident memory an arena uses stays flat over many runs and is given back by release', {
  skip: !residentAvailable && 'no shared WebAssembly memory here',
}, () => {
  const arena = new Arena();
  const x = values(64 * 256, 7, [64, 256]);
  const w = values(256 * 128, 8, [256, 128]);
  w.requireGrad();
  const step = () =>
    arena.run(() => {
      w.grad = null;
      const loss = ops.sum(ops.relu(ops.matmul(x, w)));
      loss.backward();
      return loss.item();
    });
  const before = residentMemoryBytes();
  const first = step();
  for (let i = 0; i < 5; i++) step();
  const warm = residentMemoryBytes();
  assert.ok(warm.usedBytes > before.usedBytes, 'the arena holds resident arrays between runs');
  for (let i = 0; i < 200; i++) assert.equal(step(), first);
  const after = residentMemoryBytes();
  assert.equal(after.usedBytes, warm.usedBytes, 'no resident block is lost or added per run');
  assert.equal(after.reservedBytes, warm.reservedBytes, 'the memory did not grow');
  assert.ok(!isShared(w.grad?.data ?? new Float32Array(0)), 'the gradient left the run as an ordinary array');
  arena.release();
  assert.ok(residentMemoryBytes().usedBytes < warm.usedBytes, 'release gave the arrays back');
  assert.deepEqual(arena.held(), { arrays: 0, bytes: 0 });
  assert.equal(step(), first, 'usable after release');
});

test('Arena options and release are validated', () => {
  const bad = (e: unknown) =>
    e instanceof LossInputError && /Arena/.test(e.message) && /resident/.test(e.message);
  assert.throws(() => new Arena({ resident: 'yes' as unknown as boolean }), bad);
  assert.throws(
    () => new Arena(null as unknown as ArenaOptions),
    (e: unknown) => e instanceof LossInputError && /^Arena: options: must be an object/.test(e.message),
  );
  const arena = new Arena();
  assert.throws(
    () => arena.run(() => arena.release()),
    (e: unknown) =>
      e instanceof LossInputError && /release/.test(e.message) && /during a run/.test(e.message),
  );
});
