// A long training run must hold its memory flat: nothing per step may accumulate (graph nodes
// kept alive, optimizer state growing, caches without bound). 10,000 steps of a small model,
// heap and ArrayBuffer memory sampled after a full collection, and the bytes in use in the
// WebAssembly memory where Adam keeps its moments (kernels/wasm/adam.ts), which must not move;
// the resident memory (kernels/wasm/resident.ts: the GEMM's blocks, and an Arena's float32
// arrays), whose bytes in use and high-water mark must not move either; and, for a loop in an
// Arena (tensor/arena.ts), the arrays the arena holds between steps.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { residentMemory } from '../../packages/losskit/src/kernels/wasm/adam.js';
import { residentMemoryBytes } from '../../packages/losskit/src/kernels/wasm/resident.js';
import {
  Adam,
  Arena,
  KernelArrays,
  Rng,
  SGD,
  Tensor,
  fit,
  mlp,
  ops,
} from '../../packages/losskit/src/index.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

interface Sample {
  readonly heap: number;
  readonly buffers: number;
  readonly kernel: number;
  readonly resident: number;
  readonly residentReserved: number;
}

/** Heap used plus ArrayBuffer backing stores (typed arrays live outside the JS heap), after GC. */
function memoryNow(): Sample {
  collect();
  collect();
  const m = process.memoryUsage();
  const r = residentMemoryBytes();
  return {
    heap: m.heapUsed,
    buffers: m.arrayBuffers,
    kernel: residentMemory().usedBytes,
    resident: r.usedBytes,
    residentReserved: r.reservedBytes,
  };
}

const STEPS = 10_000;
const WARM_UP = 1_000;
const EVERY = 1_000;

/** Samples after warm-up; asserts every later sample stays within 10% of the first one. */
function assertFlat(samples: readonly Sample[], what: string): void {
  const [base, ...rest] = samples;
  assert.ok(rest.length >= 8, `${what}: only ${rest.length} samples`);
  for (const [k, s] of rest.entries()) {
    const at = WARM_UP + (k + 1) * EVERY;
    assert.ok(
      s.heap <= base.heap * 1.1,
      `${what}: heap grew from ${base.heap} to ${s.heap} bytes by step ${at}`,
    );
    assert.ok(
      s.buffers <= base.buffers * 1.1 + 64 * 1024,
      `${what}: ArrayBuffer memory grew from ${base.buffers} to ${s.buffers} bytes by step ${at}`,
    );
    assert.equal(s.kernel, base.kernel, `${what}: the optimizer's kernel memory changed by step ${at}`);
    assert.equal(s.resident, base.resident, `${what}: the resident memory in use changed by step ${at}`);
    assert.equal(
      s.residentReserved,
      base.residentReserved,
      `${what}: the resident memory grew by step ${at}`,
    );
  }
}

function data(rows: number, features: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = Tensor.zeros([rows, features], 'float32');
  const y = Tensor.zeros([rows, 1], 'float32');
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform() * 2 - 1;
  for (let r = 0; r < rows; r++) y.data[r] = x.data[r * features] > 0 ? 1 : 0;
  return { x, y };
}

/** A float32 MLP classifier on `data`'s rows, Adam, and its cross-entropy step (returns the loss). */
function classifier(sizes: number[], seed: number): { step: () => number; optimizer: Adam } {
  const model = mlp(sizes, { activation: 'relu', dtype: 'float32', rng: new Rng(seed) });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const { x, y } = data(32, sizes[0], seed + 1);
  const oneHot = Tensor.zeros([y.size, 2], 'float32');
  for (let r = 0; r < y.size; r++) oneHot.data[r * 2 + y.data[r]] = 1;
  const step = () => {
    model.zeroGrad();
    const logits = model.forward(x);
    const loss = ops.mean(
      ops.sub(ops.logSumExp(logits, { axis: -1 }), ops.sum(ops.mul(logits, oneHot), { axis: -1 })),
    );
    loss.backward();
    return loss.item();
  };
  return { step, optimizer };
}

test('10,000 steps of a hand-written loop (mlp, Adam, cross-entropy) hold memory flat', () => {
  const { step: forwardBackward, optimizer } = classifier([16, 32, 32, 2], 1);
  const samples: Sample[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 1; step <= STEPS; step++) {
    last = forwardBackward();
    optimizer.step();
    if (step === 1) first = last;
    if (step >= WARM_UP && step % EVERY === 0) samples.push(memoryNow());
  }
  assert.ok(last < first, `the loss went from ${first} to ${last}: the loop must train`);
  assert.ok(samples[0].kernel > 0, 'Adam keeps its moments in the kernel memory here');
  assertFlat(samples, 'loop');
});

test('fit over 10,000 steps (SGD with momentum, registry loss) holds memory flat', () => {
  const model = mlp([8, 16, 1], { activation: 'tanh', dtype: 'float64', rng: new Rng(3) });
  const { x, y } = data(STEPS * 8, 8, 4);
  const samples: Sample[] = [];
  const history = fit(model, {
    x,
    y,
    loss: 'binaryCrossEntropyWithLogits',
    optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }),
    epochs: 1,
    batchSize: 8,
    shuffle: false,
    recordSteps: false,
    callbacks: [
      {
        onStepEnd: (context) => {
          if (context.step >= WARM_UP && context.step % EVERY === 0) samples.push(memoryNow());
        },
      },
    ],
  });
  assert.equal(history.loss.length, 1);
  assert.ok(Number.isFinite(history.loss[0]));
  assertFlat(samples, 'fit');
});

test("10,000 steps in an Arena hold memory flat, and the arena holds one step's arrays", () => {
  // Activations of 32 × 64 values: above the arena's minimum, so every step reuses them.
  const { step: forwardBackward, optimizer } = classifier([16, 64, 64, 2], 5);
  const arena = new Arena();
  const samples: Sample[] = [];
  const held: { arrays: number; bytes: number }[] = [];
  let first = Number.NaN;
  let last = Number.NaN;
  for (let step = 1; step <= STEPS; step++) {
    last = arena.run(forwardBackward);
    optimizer.step();
    if (step === 1) first = last;
    if (step >= WARM_UP && step % EVERY === 0) {
      samples.push(memoryNow());
      held.push(arena.held());
    }
  }
  assert.ok(last < first, `the loss went from ${first} to ${last}: the loop must train`);
  assert.ok(held[0].arrays >= 4, `the arena holds ${held[0].arrays} arrays: the step must use it`);
  if (KernelArrays.available())
    assert.ok(
      samples[0].resident >= held[0].bytes,
      'the arena holds its float32 arrays in the resident memory here',
    );
  for (const h of held) assert.deepEqual(h, held[0], 'the arena holds the same arrays after every step');
  assertFlat(samples, 'arena');
});
