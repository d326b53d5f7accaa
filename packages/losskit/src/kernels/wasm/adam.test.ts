// The Adam kernel and its resident moments: Adam and AdamW with the moments in the kernel's
// memory give, bit for bit, what an independent scalar reference of PyTorch's update gives
// (float64 arithmetic, the parameter rounded to its type after each write), for float32 and
// float64 parameters, odd sizes, L2 decay, decoupled decay, extreme gradients, several chunks
// and any thread count. The moments' memory is taken back when an optimizer is collected or
// restored, so that making optimizers one after another does not grow it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { random } from '../../../../../test/helpers/random.js';
import { Adam, AdamW, setThreads, type Tensor, tensor } from '../../index.js';
import {
  ADAM_MIN_PER_THREAD,
  isResident,
  residentMemory,
  setAdamChunkForTests,
  setResidentArraysForTests,
} from './adam.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

type Dtype = 'float32' | 'float64';

/** Values with a spread of magnitudes, zeros of both signs and a few large ones. */
function values(n: number, seed: number, scale: number): number[] {
  const next = random(seed);
  return Array.from({ length: n }, () => {
    const u = next();
    if (u < 0.02) return 0;
    if (u < 0.04) return -0;
    if (u < 0.05) return (next() - 0.5) * 1e30;
    return (next() * 2 - 1) * scale * 10 ** Math.floor(next() * 6 - 3);
  });
}

interface Case {
  readonly decoupled: boolean;
  readonly weightDecay: number;
}

/**
 * PyTorch's Adam / AdamW in float64 scalars, written out independently of the library: the
 * parameter is rounded to its dtype where PyTorch stores it (after the decay, after the step).
 */
function reference(
  start: readonly number[],
  grads: readonly (readonly number[])[],
  dtype: Dtype,
  c: Case,
  lr: number,
): { p: number[]; m: number[]; v: number[] } {
  const round = dtype === 'float32' ? Math.fround : (x: number) => x;
  const p = start.map(round);
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  grads.forEach((gt, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      if (c.decoupled) p[i] = round(p[i] * (1 - lr * c.weightDecay));
      let g = round(gt[i]);
      if (!c.decoupled && c.weightDecay !== 0) g += c.weightDecay * p[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const denom = Math.sqrt(v[i]) / Math.sqrt(1 - b2 ** t) + eps;
      p[i] = round(p[i] - ((lr / (1 - b1 ** t)) * m[i]) / denom);
    }
  });
  return { p, m, v };
}

/** Runs the library's optimizer on one parameter; returns its values and the optimizer. */
function library(
  start: readonly number[],
  grads: readonly (readonly number[])[],
  dtype: Dtype,
  c: Case,
  lr: number,
): { values: number[]; m: number[]; v: number[]; optimizer: Adam | AdamW; param: Tensor } {
  const param = tensor([...start], [start.length], dtype).requireGrad();
  const options = { lr, weightDecay: c.weightDecay };
  const optimizer = c.decoupled ? new AdamW([param], options) : new Adam([param], options);
  for (const g of grads) {
    param.grad = tensor([...g], [g.length], dtype);
    optimizer.step();
  }
  const { expAvg, expAvgSq } = optimizer.state().buffers[0];
  return { values: [...param.data], m: [...expAvg], v: [...expAvgSq], optimizer, param };
}

function assertSameBits(got: readonly number[], want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++)
    assert.ok(Object.is(got[i], want[i]), `${what}: [${i}] is ${got[i]}, the reference ${want[i]}`);
}

const cases: [string, Case][] = [
  ['Adam', { decoupled: false, weightDecay: 0 }],
  ['Adam with L2 decay', { decoupled: false, weightDecay: 0.1 }],
  ['AdamW', { decoupled: true, weightDecay: 0.01 }],
  ['AdamW without decay', { decoupled: true, weightDecay: 0 }],
];

for (const route of ['kernel', 'JavaScript loop'] as const) {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [name, c] of cases) {
      test(`${name}, ${dtype}, ${route}: the steps equal the scalar reference bit for bit (odd size)`, () => {
        const n = 1001;
        const start = values(n, 1, 1);
        const grads = [0, 1, 2, 3, 4].map((s) => values(n, 10 + s, 0.1));
        const previous = setResidentArraysForTests(route === 'kernel');
        try {
          const got = library(start, grads, dtype, c, 0.01);
          assert.equal(isResident(residentOf(got.optimizer)), route === 'kernel', 'where the moments live');
          const want = reference(start, grads, dtype, c, 0.01);
          assertSameBits(got.values, want.p, `${name} ${dtype}, parameter`);
          assertSameBits(got.m, want.m, `${name} ${dtype}, first moment`);
          assertSameBits(got.v, want.v, `${name} ${dtype}, second moment`);
        } finally {
          setResidentArraysForTests(previous);
        }
      });
    }
  }
}

/** The optimizer's first moment buffer itself (not the copy `state()` gives). */
function residentOf(optimizer: Adam | AdamW): Float64Array {
  const buffers = (optimizer as unknown as { buffers: Record<string, Float64Array>[] }).buffers;
  return buffers[0].expAvg;
}

test('Adam on parameters of 1, 2 and 3 values (one pair, padding) equals the reference', () => {
  for (const n of [1, 2, 3]) {
    for (const dtype of ['float32', 'float64'] as const) {
      const start = values(n, 70 + n, 1);
      const grads = [0, 1].map((s) => values(n, 80 + s, 1));
      const c = { decoupled: true, weightDecay: 0.1 };
      const got = library(start, grads, dtype, c, 0.1);
      assert.ok(isResident(residentOf(got.optimizer)));
      const want = reference(start, grads, dtype, c, 0.1);
      assertSameBits(got.values, want.p, `n = ${n}, ${dtype}`);
      assertSameBits(got.v, want.v, `n = ${n}, ${dtype}, second moment`);
    }
  }
});

test('Adam on the thread pool: the same bits for 1 and 2 threads, and as the reference', () => {
  const n = 2 * ADAM_MIN_PER_THREAD + 7;
  const start = values(n, 3, 1);
  const grads = [0, 1, 2].map((s) => values(n, 20 + s, 0.1));
  const c = { decoupled: true, weightDecay: 0.05 };
  try {
    setThreads(1);
    const one = library(start, grads, 'float32', c, 1e-3);
    setThreads(2);
    const two = library(start, grads, 'float32', c, 1e-3);
    assertSameBits(two.values, one.values, '2 threads against 1');
    assertSameBits(two.v, one.v, '2 threads against 1, second moment');
    const want = reference(start, grads, 'float32', c, 1e-3);
    assertSameBits(one.values, want.p, 'against the reference');
    assertSameBits(one.v, want.v, 'against the reference, second moment');
  } finally {
    setThreads('auto');
  }
});

test('Adam over several chunks: the same bits as in one', () => {
  const n = 999;
  const start = values(n, 5, 1);
  const grads = [0, 1, 2].map((s) => values(n, 30 + s, 0.1));
  const c = { decoupled: false, weightDecay: 0.1 };
  const whole = library(start, grads, 'float64', c, 1e-2);
  const previous = setAdamChunkForTests(100);
  try {
    const chunked = library(start, grads, 'float64', c, 1e-2);
    assertSameBits(chunked.values, whole.values, 'chunks of 100');
    assertSameBits(chunked.v, whole.v, 'chunks of 100, second moment');
    const want = reference(start, grads, 'float32', c, 1e-2);
    const single = library(start, grads, 'float32', c, 1e-2);
    assertSameBits(single.values, want.p, 'float32');
    assertSameBits(single.m, want.m, 'float32, first moment');
  } finally {
    setAdamChunkForTests(previous);
  }
});

test('state() and loadState() with resident moments: a restored Adam continues bit for bit', () => {
  const n = 513;
  const start = values(n, 7, 1);
  const grads = [0, 1, 2, 3].map((s) => values(n, 40 + s, 0.1));
  const c = { decoupled: false, weightDecay: 0 };
  const straight = library(start, grads, 'float32', c, 1e-2).values;
  const first = library(start, grads.slice(0, 2), 'float32', c, 1e-2);
  const saved = first.optimizer.state();
  assert.ok(!isResident(saved.buffers[0].expAvg), 'state() gives copies, not the kernel memory');
  const param = tensor(first.values, [n], 'float32').requireGrad();
  const restored = new Adam([param], { lr: 1e-2 });
  restored.loadState(saved);
  for (const g of grads.slice(2)) {
    param.grad = tensor(g, [n], 'float32');
    restored.step();
  }
  assert.ok(isResident(residentOf(restored)), 'the restored moments move into the kernel memory');
  assertSameBits([...param.data], straight, 'restored run');
});

/** Runs the finalizers of collected optimizers: they run after a collection, from the event loop. */
async function collectAndSettle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    collect();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('optimizers made one after another reuse the moments memory instead of growing it', async () => {
  const n = 50_000;
  const grads = [values(n, 50, 0.1)];
  const c = { decoupled: false, weightDecay: 0 };
  library(values(n, 51, 1), grads, 'float32', c, 1e-3); // the copies' scratch block, at its size
  await collectAndSettle();
  const before = residentMemory();
  let peak = 0;
  for (let round = 0; round < 8; round++) {
    for (let k = 0; k < 5; k++) library(values(n, round, 1), grads, 'float32', c, 1e-3);
    await collectAndSettle();
    peak = Math.max(peak, residentMemory().reservedBytes);
  }
  const after = residentMemory();
  assert.equal(after.usedBytes, before.usedBytes, 'every collected optimizer gave its moments back');
  // Five optimizers of 2 × 400 kB moments each at most at once, plus the copies' scratch block.
  assert.ok(
    peak <= before.reservedBytes + 6 * 2 * 8 * n + 8 * n + 65536,
    `the memory grew to ${peak} bytes from ${before.reservedBytes}: freed blocks were not reused`,
  );
});

test('loadState frees the moments it replaces at once', () => {
  const n = 10_000;
  const first = library(
    values(n, 60, 1),
    [values(n, 61, 0.1)],
    'float64',
    { decoupled: false, weightDecay: 0 },
    1e-3,
  );
  const used = residentMemory().usedBytes;
  first.optimizer.loadState(first.optimizer.state());
  assert.equal(residentMemory().usedBytes, used - 2 * 8 * n, 'the two moments of 10,000 values were freed');
  first.param.grad = tensor(values(n, 62, 0.1), [n], 'float64');
  first.optimizer.step();
  assert.equal(residentMemory().usedBytes, used, 'and taken again, with their values, by the next step');
});
