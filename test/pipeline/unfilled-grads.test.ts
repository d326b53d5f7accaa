// A fresh gradient array of a kernel that writes every element (`overwritesGrads`) is not
// zero-filled first (Node: storage from `Buffer.allocUnsafeSlow`, 64 KiB and up; issue #17). That
// is sound only if the kernel really writes every element on the large, SIMD-sized inputs where it
// applies: a reused buffer full of NaN must come back equal to the fresh gradient, bit for bit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { losses, Tensor } from '../../packages/losskit/src/index.js';

const f32 = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));
const N = 1 << 15; // 128 KiB of float32: above the unfilled-allocation threshold

interface Call {
  readonly name: keyof typeof losses;
  readonly inputs: Record<string, Tensor | Float32Array>;
  readonly options: Record<string, unknown>;
}

const rows = 64;
const classes = 512;
const logits = new Tensor(
  f32(rows * classes, (i) => 4 * Math.sin(i * 0.37)),
  [rows, classes],
);
const labels = f32(rows, (r) => (r % 5 === 0 ? -100 : (r * 7) % classes));
const calls: readonly Call[] = [
  {
    name: 'mse',
    inputs: { input: f32(N, (i) => Math.sin(i)), target: f32(N, (i) => Math.cos(i)) },
    options: {},
  },
  {
    name: 'huber',
    inputs: { input: f32(N, (i) => 3 * Math.sin(i)), target: f32(N, (i) => Math.cos(i)) },
    options: { delta: 0.5, reduction: 'sum' },
  },
  {
    name: 'binaryCrossEntropyWithLogits',
    inputs: { input: f32(N, (i) => 6 * Math.sin(i)), target: f32(N, (i) => (i % 3 === 0 ? 1 : 0)) },
    options: {},
  },
  {
    name: 'focal',
    inputs: { input: f32(N, (i) => 6 * Math.sin(i)), target: f32(N, (i) => (i % 3 === 0 ? 1 : 0)) },
    options: {},
  },
  {
    name: 'sparseCategoricalCrossEntropy',
    inputs: { input: logits, target: labels },
    options: { ignoreIndex: -100 },
  },
  {
    name: 'sparseCategoricalCrossEntropy',
    inputs: { input: logits, target: labels },
    options: { ignoreIndex: -100, zLoss: 1e-3, reduction: 'sum' },
  },
  {
    name: 'tokenCrossEntropy',
    inputs: {
      input: new Tensor(logits.data, [2, rows / 2, classes]),
      target: new Tensor(labels, [2, rows / 2]),
    },
    options: { ignoreIndex: -100, zLoss: 1e-2 },
  },
  {
    name: 'triplet',
    inputs: {
      anchor: new Tensor(
        f32(N, (i) => Math.sin(i)),
        [N / 128, 128],
      ),
      positive: new Tensor(
        f32(N, (i) => Math.cos(i)),
        [N / 128, 128],
      ),
      negative: new Tensor(
        f32(N, (i) => Math.sin(2 * i)),
        [N / 128, 128],
      ),
    },
    options: { margin: 1 },
  },
];

test('large float32 gradients: a NaN-filled reused buffer is written whole and equals the fresh gradient', () => {
  for (const { name, inputs, options } of calls) {
    const entry = losses[name] as unknown as {
      valueAndGrad(i: unknown, o: unknown, u?: unknown, out?: unknown): { grads: Record<string, Tensor> };
    };
    const fresh = entry.valueAndGrad(inputs, options);
    const reused: Record<string, Tensor> = {};
    for (const [g, t] of Object.entries(fresh.grads)) {
      assert.ok(t.data.byteLength >= 1 << 16, `${name}: grads.${g} is large enough for unfilled storage`);
      reused[g] = new Tensor(new Float32Array(t.size).fill(Number.NaN), t.shape);
    }
    entry.valueAndGrad(inputs, options, null, { grads: reused });
    for (const g of Object.keys(fresh.grads)) {
      assert.deepEqual(reused[g].data, fresh.grads[g].data, `${name} ${JSON.stringify(options)}: grads.${g}`);
    }
  }
});

test('every label ignored under mean: the fresh and the reused gradients are zeros (nothing computed)', () => {
  const ignored = new Float32Array(rows).fill(-100);
  const entry = losses.sparseCategoricalCrossEntropy;
  const fresh = entry.valueAndGrad({ input: logits, target: ignored }, { ignoreIndex: -100 });
  assert.equal(fresh.value.item(), 0);
  assert.ok(fresh.grads.input.data.every((v) => Object.is(v, 0)));
  const reused = new Tensor(new Float32Array(logits.size).fill(Number.NaN), logits.shape);
  entry.valueAndGrad({ input: logits, target: ignored }, { ignoreIndex: -100 }, null, {
    grads: { input: reused },
  });
  assert.ok(reused.data.every((v) => Object.is(v, 0)));
});
