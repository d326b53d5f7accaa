import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, ops, setThreads, Tensor, threadReport } from '../../index.js';
import { setClaimsPerThreadForTests, simdGemm, THREAD_MIN_WORK } from '../wasm/gemm.js';
import {
  coreCount,
  killWorkerForTests,
  readyWorkers,
  setStallLimitForTests,
  threadCount,
  threadsAvailable,
  workerCount,
} from './pool.js';

function values(count: number, seed: number): Float32Array {
  const next = random(seed);
  return Float32Array.from({ length: count }, () => 2 * next() - 1);
}

test('setThreads rejects what is not a thread count, naming the argument', () => {
  for (const bad of [0, -1, 1.5, 65, Number.NaN, '2' as unknown as number]) {
    assert.throws(
      () => setThreads(bad),
      (e: unknown) =>
        e instanceof LossInputError &&
        /^setThreads: n: must be an integer from 1 to 64 or 'auto', got /.test(e.message),
    );
  }
});

test('in Node threads are available; auto means one per core and the report says what was chosen', () => {
  assert.equal(threadsAvailable(), true);
  try {
    const line = setThreads('auto');
    assert.equal(threadCount(), coreCount());
    assert.match(
      line,
      /^losskit: \d+ threads? of \d+ cores? \(Node worker_threads, shared WebAssembly memory\)$/,
    );
    assert.equal(line, threadReport());
    assert.match(setThreads(3), /^losskit: 3 threads of /);
    assert.equal(threadCount(), 3);
    setThreads(1);
    assert.equal(workerCount(), 0);
    assert.match(threadReport(), /^losskit: 1 thread of /);
  } finally {
    setThreads('auto');
  }
});

test('a threaded float32 product is bitwise the single-thread product, for every thread count, claim size, transpose and accumulate', () => {
  // Rows that are not a multiple of 4 or of the parts, columns not a multiple of 8, and products
  // large enough to split: by row panels (the first and third) and by column panels (the others,
  // with at least twice as many column panels as row panels; the last a convolution's shape).
  // The threads claim panels from a shared counter: one claim each, about 4, or one panel a claim.
  const configs: [threads: number, claims: number][] = [
    [1, 4],
    [2, 1],
    [2, 4],
    [2, 1000],
    [3, 4],
    [4, 1000],
  ];
  const shapes: [number, number, number][] = [
    [130, 257, 140],
    [37, 600, 200],
    [256, 784, 24],
    [9, 4096, 130],
    [16, 40, 8113],
  ];
  try {
    let seed = 5;
    for (const [M, K, N] of shapes) {
      assert.ok(M * K * N >= 2 * THREAD_MIN_WORK, `${M}×${K}×${N} splits`);
      for (const ta of [false, true])
        for (const tb of [false, true])
          for (const accumulate of [false, true]) {
            const a = values(M * K, seed++);
            const b = values(K * N, seed++);
            const start = values(M * N, seed++);
            const results = configs.map(([threads, claims]) => {
              setThreads(threads);
              setClaimsPerThreadForTests(claims);
              const c = Float32Array.from(start);
              assert.equal(simdGemm(a, 0, b, 0, c, 0, M, K, N, ta, tb, accumulate), true);
              return c;
            });
            for (let t = 1; t < results.length; t++)
              assert.deepEqual(
                results[t],
                results[0],
                `${M}×${K}×${N} ta ${ta} tb ${tb} acc ${accumulate}: ${configs[t][0]} threads, ${configs[t][1]} claims each`,
              );
          }
    }
  } finally {
    setThreads('auto');
    setClaimsPerThreadForTests(4);
  }
});

test('ops.matmul forward and backward are the same with 1 and 2 threads', () => {
  const run = (threads: number) => {
    setThreads(threads);
    const x = new Tensor(values(128 * 784, 1), [128, 784]).requireGrad();
    const w = new Tensor(values(784 * 256, 2), [784, 256]).requireGrad();
    const y = ops.matmul(x, w);
    ops.sum(ops.mul(y, y)).backward();
    return [y.data, x.grad?.data, w.grad?.data];
  };
  try {
    const one = run(1);
    const two = run(2);
    assert.deepEqual(two, one);
  } finally {
    setThreads('auto');
  }
});

test('a worker that dies holding a part makes the call throw instead of hang; threads stop until setThreads', async () => {
  const [M, K, N] = [256, 256, 256];
  assert.ok(M * K * N >= 2 * THREAD_MIN_WORK, 'the product splits');
  const a = values(M * K, 1);
  const b = values(K * N, 2);
  const product = () => {
    const c = new Float32Array(M * N);
    assert.equal(simdGemm(a, 0, b, 0, c, 0, M, K, N, false, false), true);
    return c;
  };
  const previous = setStallLimitForTests(300);
  try {
    setThreads(1);
    const single = product();
    setThreads(2);
    assert.equal(workerCount(), 1);
    assert.equal(readyWorkers(), 1);
    killWorkerForTests(0);
    // Node terminates a worker asynchronously: let it go before giving it a part.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    assert.throws(product, /a worker thread stopped responding \(no part finished in 300 ms\)/);
    assert.ok(Date.now() - started < 5000, 'the call gave up after the stall limit');
    assert.equal(threadCount(), 1);
    assert.match(
      threadReport(),
      /^losskit: 1 thread of .*threads stopped after a worker stopped responding\)$/,
    );
    assert.deepEqual(product(), single, 'one thread computes again');
    assert.match(setThreads(2), /^losskit: 2 threads of /);
    assert.deepEqual(product(), single, 'a new pool computes again');
  } finally {
    setStallLimitForTests(previous);
    setThreads('auto');
  }
});
