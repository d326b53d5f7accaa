// Resident arrays (kernel-arrays.ts, kernels/wasm/float32.ts): the loss kernels read and write them
// in place, split over threads, and give the bits of the copied route for every length (chunk
// edges, ragged last chunks, tails past a multiple of 4) and every thread count; no neighbour of
// an array is ever written; released memory is reused; bad input is a named error.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../test/helpers/random.js';
import { KernelArrays, type LossEntry, LossInputError, losses, setThreads, Tensor } from './index.js';
import { RESIDENT_MIN_PER_THREAD, simdHuber, simdSquaredError } from './kernels/wasm/float32.js';
import { simdOverlapSums } from './kernels/wasm/overlap.js';

type Name = 'mse' | 'huber' | 'binaryCrossEntropyWithLogits' | 'focal';

const OPTIONS: Record<Name, object> = {
  mse: {},
  huber: { delta: 0.5 },
  binaryCrossEntropyWithLogits: {},
  focal: { gamma: 2, alpha: 0.25 },
};

/** Inputs with residuals on both sides of huber's delta, and targets in [0, 1] (some hard). */
function fill(input: Float32Array, target: Float32Array, seed: number, chunkScales = false): void {
  const next = random(seed);
  for (let i = 0; i < input.length; i++) {
    if (chunkScales) {
      // Chunks of 16384 whose totals differ by nine orders of magnitude (large residuals in every
      // third chunk), so that the sum of the chunk totals depends on the order of the additions.
      input[i] = Math.sin(i) * (Math.floor(i / 16384) % 3 === 0 ? 3e4 : 1e-3 * (1 + (i % 7)));
      target[i] = 0.3;
    } else {
      input[i] = (2 * next() - 1) * 6;
      target[i] = i % 3 === 0 ? +(next() < 0.5) : next();
    }
  }
}

const bitsEqual = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/**
 * One loss on resident and on ordinary arrays with the same values: value and gradient, and the
 * value alone; returns both results. Guards on both sides of every resident array check that the
 * kernels wrote nothing outside it.
 */
function both(name: Name, n: number, seed: number) {
  const arrays = new KernelArrays();
  try {
    const before = arrays.float32(64).fill(7);
    const input = arrays.float32(n);
    const target = arrays.float32(n);
    const grad = arrays.float32(n);
    const after = arrays.float32(64).fill(7);
    for (const a of [input, target, grad]) assert.ok(KernelArrays.isResident(a));
    fill(input, target, seed);
    const x = Float32Array.from(input);
    const y = Float32Array.from(target);
    const entry = losses[name];
    const resident = entry.valueAndGrad(
      { input: new Tensor(input, [n]), target: new Tensor(target, [n]) },
      OPTIONS[name],
      null,
      { grads: { input: new Tensor(grad, [n]) } },
    );
    const ordinary = entry.valueAndGrad(
      { input: new Tensor(x, [n]), target: new Tensor(y, [n]) },
      OPTIONS[name],
    );
    const residentValue = entry.value(
      { input: new Tensor(input, [n]), target: new Tensor(target, [n]) },
      OPTIONS[name],
    );
    assert.ok(bitsEqual(input, x) && bitsEqual(target, y), `${name} n=${n}: the inputs were written`);
    assert.ok(
      before.every((v) => v === 7) && after.every((v) => v === 7),
      `${name} n=${n}: a neighbour was written`,
    );
    return {
      value: resident.value.item(),
      valueAlone: residentValue.item(),
      grad: Float32Array.from(grad),
      ordinaryValue: ordinary.value.item(),
      ordinaryGrad: ordinary.grads.input.data,
    };
  } finally {
    arrays.release();
  }
}

// Lengths: below a chunk; a chunk and a ragged part (12 elements past a multiple of 16, and 2
// past a multiple of 4, the JavaScript tail); whole chunks and a last one of a multiple of 16;
// enough for two threads with a ragged end.
const LENGTHS = [1006, 16384 + 12, 16384 + 14, 3 * 16384 + 32, 2 * RESIDENT_MIN_PER_THREAD + 16384 + 20];

test('resident arrays give the bits of ordinary arrays: value, gradient and the value alone, at every length', () => {
  for (const name of Object.keys(OPTIONS) as Name[]) {
    for (const n of LENGTHS) {
      const r = both(name, n, n + name.length);
      assert.ok(Object.is(r.value, r.ordinaryValue), `${name} n=${n}: ${r.value} vs ${r.ordinaryValue}`);
      assert.ok(Object.is(r.valueAlone, r.ordinaryValue), `${name} n=${n}: value alone ${r.valueAlone}`);
      assert.ok(bitsEqual(r.grad, r.ordinaryGrad), `${name} n=${n}: gradients differ`);
      assert.ok(r.grad.some((v) => v !== 0) && Number.isFinite(r.value), `${name} n=${n}: nothing computed`);
    }
  }
});

test('resident arrays give the same bits on one thread and on two (large calls are split by chunks)', () => {
  const n = 4 * RESIDENT_MIN_PER_THREAD + 16384 + 20;
  try {
    for (const name of Object.keys(OPTIONS) as Name[]) {
      setThreads(1);
      const one = both(name, n, 5);
      setThreads(2);
      const two = both(name, n, 5);
      assert.ok(Object.is(one.value, two.value) && Object.is(one.valueAlone, two.valueAlone), name);
      assert.ok(bitsEqual(one.grad, two.grad), `${name}: gradients differ between thread counts`);
      assert.ok(Object.is(one.value, one.ordinaryValue), name);
    }
  } finally {
    setThreads('auto');
  }
});

test('the chunk totals are added in chunk order, as on the copied route (float64 sums of chunks of very different totals)', () => {
  // A loss value is float32, which hides the last bits of its float64 sum: compare the sums.
  const arrays = new KernelArrays();
  try {
    for (const n of [9 * 16384 + 36, 2 * RESIDENT_MIN_PER_THREAD + 5 * 16384 + 32]) {
      const x = arrays.float32(n);
      const y = arrays.float32(n);
      fill(x, y, 0, true);
      const xs = Float32Array.from(x);
      const ys = Float32Array.from(y);
      const pairs = [
        [simdSquaredError(x, y, null, 1), simdSquaredError(xs, ys, null, 1)],
        [simdHuber(x, y, null, 0.5, 1), simdHuber(xs, ys, null, 0.5, 1)],
      ];
      for (const [resident, ordinary] of pairs) {
        assert.ok(resident !== null && Object.is(resident, ordinary), `n=${n}: ${resident} vs ${ordinary}`);
      }
    }
  } finally {
    arrays.release();
  }
});

test('released memory goes to the next arrays: a loop that makes and releases arrays holds its memory flat', () => {
  const arrays = new KernelArrays();
  arrays.float32(1 << 16);
  arrays.release();
  const base = KernelArrays.memory();
  for (let step = 0; step < 200; step++) {
    const a = arrays.float32(1 << 16);
    const b = arrays.float32((1 << 15) + (step % 7));
    assert.ok(KernelArrays.isResident(a) && KernelArrays.isResident(b));
    assert.ok(a.every((v) => v === 0) && b.every((v) => v === 0), 'a reused array is zero-filled');
    a.fill(1);
    b.fill(2);
    arrays.release();
    assert.ok(!KernelArrays.isResident(a), 'a released array is no longer resident');
  }
  const end = KernelArrays.memory();
  assert.equal(end.usedBytes, base.usedBytes);
  assert.ok(
    end.reservedBytes <= base.reservedBytes + (1 << 18),
    `${end.reservedBytes} vs ${base.reservedBytes}`,
  );
});

test('bad input: a named error for a bad length or shape, and a NaN or an out-of-range target in a resident array', () => {
  const arrays = new KernelArrays();
  try {
    for (const n of [-1, 1.5, Number.NaN, 2 ** 28 + 1]) {
      assert.throws(
        () => arrays.float32(n),
        (e: unknown) =>
          e instanceof LossInputError && e.argument === 'n' && /KernelArrays\.float32/.test(e.message),
      );
    }
    assert.throws(
      () => arrays.tensor([2, -3]),
      (e: unknown) => e instanceof LossInputError && e.argument === 'shape',
    );
    assert.equal(arrays.float32(0).length, 0);
    const n = 40000;
    const input = arrays.tensor([n]);
    const target = arrays.tensor([n]);
    fill(input.data as Float32Array, target.data as Float32Array, 3);
    input.data[31234] = Number.NaN;
    assert.throws(
      () => losses.mse.valueAndGrad({ input, target }),
      (e: unknown) =>
        e instanceof LossInputError && e.argument === 'input' && /NaN at index .*31234/.test(e.message),
    );
    input.data[31234] = 0.5;
    target.data[20001] = 1.5;
    assert.throws(
      () => losses.binaryCrossEntropyWithLogits.valueAndGrad({ input, target }),
      (e: unknown) =>
        e instanceof LossInputError && e.argument === 'target' && /1\.5 at index .*20001/.test(e.message),
    );
  } finally {
    arrays.release();
  }
});

test('KernelArrays is available in Node, and its arrays are ordinary Float32Arrays to every other API', () => {
  assert.ok(KernelArrays.available());
  const arrays = new KernelArrays();
  const t = arrays.tensor([3, 4]);
  assert.ok(t.data instanceof Float32Array && KernelArrays.isResident(t.data as Float32Array));
  t.data.set(Array.from({ length: 12 }, (_, i) => i - 6));
  assert.deepEqual(t.toArray(), [
    [-6, -5, -4, -3],
    [-2, -1, 0, 1],
    [2, 3, 4, 5],
  ]);
  assert.ok(!KernelArrays.isResident(new Float32Array(12)));
  arrays.release();
});

/**
 * A loss (inputs `input` and `target`) on resident arrays with a resident gradient buffer, and on
 * ordinary copies of the same values (allocating call): both values and gradients.
 */
function residentAndOrdinary(
  entry: LossEntry,
  input: Float32Array,
  inputShape: number[],
  target: Float32Array,
  targetShape: number[],
  options: object,
  grad: Float32Array,
) {
  const resident = entry.valueAndGrad(
    { input: new Tensor(input, inputShape), target: new Tensor(target, targetShape) },
    options as never,
    null,
    { grads: { input: new Tensor(grad, inputShape) } },
  );
  const ordinary = entry.valueAndGrad(
    {
      input: new Tensor(Float32Array.from(input), inputShape),
      target: new Tensor(Float32Array.from(target), targetShape),
    },
    options as never,
  );
  return {
    value: resident.value.item(),
    grad: Float32Array.from(grad),
    ordinaryValue: ordinary.value.item(),
    ordinaryGrad: ordinary.grads.input.data,
  };
}

type Computed = ReturnType<typeof residentAndOrdinary>;

/** One thread's resident result equals the ordinary arrays' bits and two threads' bits, and computed something. */
function assertSameBits(what: string, one: Computed, two: Computed): void {
  assert.ok(Object.is(one.value, one.ordinaryValue), `${what}: ${one.value} vs ${one.ordinaryValue}`);
  assert.ok(bitsEqual(one.grad, one.ordinaryGrad), `${what}: gradients differ from ordinary arrays`);
  assert.ok(Object.is(one.value, two.value) && bitsEqual(one.grad, two.grad), `${what}: threads differ`);
  assert.ok(
    one.grad.some((v) => v !== 0),
    `${what}: no gradient`,
  );
}

/** Logits and labels (every 11th ignored) for the cross-entropy of `rows` rows of `classes`. */
function classification(arrays: KernelArrays, rows: number, classes: number, seed: number) {
  const next = random(seed);
  const logits = arrays.float32(rows * classes);
  const labels = arrays.float32(rows);
  for (let i = 0; i < logits.length; i++) logits[i] = (2 * next() - 1) * 8;
  for (let r = 0; r < rows; r++) labels[r] = r % 11 === 5 ? -100 : Math.floor(next() * classes);
  return { logits, labels };
}

/** sparseCategoricalCrossEntropy on resident logits, labels and gradient, and on ordinary copies. */
function crossEntropyBoth(rows: number, classes: number, options: object, seed: number) {
  const arrays = new KernelArrays();
  try {
    const { logits, labels } = classification(arrays, rows, classes, seed);
    const grad = arrays.float32(rows * classes);
    return residentAndOrdinary(
      losses.sparseCategoricalCrossEntropy as LossEntry,
      logits,
      [rows, classes],
      labels,
      [rows],
      options,
      grad,
    );
  } finally {
    arrays.release();
  }
}

test('sparseCategoricalCrossEntropy on resident arrays gives the bits of ordinary arrays, and the same on one thread and two', () => {
  const cases: [number, number, object][] = [
    [37, 12, { ignoreIndex: -100 }],
    [4096, 1000, { ignoreIndex: -100 }],
    [300, 5000, { ignoreIndex: -100, reduction: 'sum' }],
    [700, 64, { ignoreIndex: -100, weight: Array.from({ length: 64 }, (_, c) => 0.5 + (c % 3)) }],
    [500, 40, { ignoreIndex: -100, zLoss: 1e-3 }],
  ];
  try {
    for (const [rows, classes, options] of cases) {
      setThreads(1);
      const one = crossEntropyBoth(rows, classes, options, rows);
      setThreads(2);
      const two = crossEntropyBoth(rows, classes, options, rows);
      const what = `${rows}×${classes} ${JSON.stringify(options).slice(0, 40)}`;
      assertSameBits(what, one, two);
    }
  } finally {
    setThreads('auto');
  }
});

test('a non-finite logit in a resident array is named, on every thread count', () => {
  const arrays = new KernelArrays();
  try {
    const { logits, labels } = classification(arrays, 4096, 100, 9);
    const grad = arrays.tensor([4096, 100]);
    for (const [at, bad] of [
      [3, Number.NaN],
      [409_555, Number.POSITIVE_INFINITY],
    ] as const) {
      logits[at] = bad;
      assert.throws(
        () =>
          losses.sparseCategoricalCrossEntropy.valueAndGrad(
            { input: new Tensor(logits, [4096, 100]), target: new Tensor(labels, [4096]) },
            { ignoreIndex: -100 },
            null,
            { grads: { input: grad } },
          ),
        (e: unknown) => e instanceof LossInputError && e.argument === 'input' && /at index/.test(e.message),
      );
      logits[at] = 0;
    }
  } finally {
    arrays.release();
  }
});

type OverlapName = 'dice' | 'iou' | 'bceDice';

/** An overlap loss on resident input, target and gradient, and on ordinary copies. */
function overlapBoth(name: OverlapName, shape: number[], options: object, seed: number) {
  const arrays = new KernelArrays();
  try {
    const n = shape.reduce((a, b) => a * b, 1);
    const before = arrays.float32(16).fill(7);
    const input = arrays.float32(n);
    const target = arrays.float32(n);
    const grad = arrays.float32(n);
    const after = arrays.float32(16).fill(7);
    const next = random(seed);
    const logits = (options as { fromLogits?: boolean }).fromLogits === true;
    for (let i = 0; i < n; i++) {
      input[i] = logits ? (2 * next() - 1) * 6 : next();
      target[i] = i % 5 === 0 ? next() : +(next() < 0.3);
    }
    const result = residentAndOrdinary(losses[name] as LossEntry, input, shape, target, shape, options, grad);
    assert.ok(
      before.every((v) => v === 7) && after.every((v) => v === 7),
      `${name}: a neighbour was written`,
    );
    return result;
  } finally {
    arrays.release();
  }
}

test('the overlap losses on resident arrays give the bits of ordinary arrays, on one thread and two', () => {
  const cases: [OverlapName, number[], object][] = [
    ['dice', [16, 1, 256, 256], { eps: 1e-5 }],
    ['dice', [4, 1, 256, 256], { aggregate: 'sample' }],
    ['iou', [3, 1, 301, 300], {}],
    ['dice', [5, 1, 17, 15], { aggregate: 'sample' }],
    ['bceDice', [8, 1, 128, 128], {}],
    ['dice', [2, 1, 512, 256], { fromLogits: true }],
    ['iou', [6, 1, 64, 63], { fromLogits: true, aggregate: 'sample' }],
  ];
  try {
    for (const [name, shape, options] of cases) {
      setThreads(1);
      const one = overlapBoth(name, shape, options, shape[0]);
      setThreads(2);
      const two = overlapBoth(name, shape, options, shape[0]);
      const what = `${name} ${shape.join('×')} ${JSON.stringify(options)}`;
      assertSameBits(what, one, two);
    }
  } finally {
    setThreads('auto');
  }
});

test('the overlap sums on resident arrays are the float64 sums of the copied route, in chunk order', () => {
  const arrays = new KernelArrays();
  try {
    for (const n of [16384 * 9 + 8, 2 * (1 << 17) + 16384 * 3 + 4]) {
      const p = arrays.float32(n);
      const y = arrays.float32(n);
      for (let i = 0; i < n; i++) {
        p[i] = Math.abs(Math.sin(i)) * (Math.floor(i / 16384) % 3 === 0 ? 1 : 1e-7);
        y[i] = (i * 7) % 10 < 3 ? 1 : 0.25;
      }
      const resident = new Float64Array(3);
      const ordinary = new Float64Array(3);
      assert.equal(simdOverlapSums(p, y, 0, n, false, resident), true);
      assert.equal(simdOverlapSums(Float32Array.from(p), Float32Array.from(y), 0, n, false, ordinary), true);
      assert.ok(bitsEqual(resident, ordinary), `n=${n}: ${resident} vs ${ordinary}`);
      y[n - 3] = 1.5;
      assert.equal(simdOverlapSums(p, y, 0, n, false, resident), false, 'an out-of-range target is flagged');
    }
  } finally {
    arrays.release();
  }
});

test('dice and iou overwrite a reused gradient buffer without zero-filling it: garbage never survives, upstream 0 gives zeros', () => {
  const shape = [3, 1, 64, 64];
  const n = 3 * 64 * 64;
  const next = random(4);
  const input = new Tensor(
    Float32Array.from({ length: n }, () => next()),
    shape,
  );
  const target = new Tensor(
    Float32Array.from({ length: n }, () => +(next() < 0.4)),
    shape,
  );
  for (const name of ['dice', 'iou'] as const) {
    for (const aggregate of ['batch', 'sample'] as const) {
      const fresh = losses[name].valueAndGrad({ input, target }, { aggregate });
      const grad = new Tensor(new Float32Array(n).fill(Number.NaN), shape);
      losses[name].valueAndGrad({ input, target }, { aggregate }, null, { grads: { input: grad } });
      assert.ok(bitsEqual(grad.data, fresh.grads.input.data), `${name} ${aggregate}: garbage survived`);
      grad.data.fill(Number.NaN);
      losses[name].valueAndGrad({ input, target }, { aggregate }, new Tensor(new Float32Array([0]), []), {
        grads: { input: grad },
      });
      assert.ok(
        grad.data.every((v) => v === 0),
        `${name} ${aggregate}: upstream 0 left something other than zeros`,
      );
    }
  }
});

/** triplet on resident rows and gradients, and on ordinary copies: value, the three gradients. */
function tripletBoth(
  rows: number,
  d: number,
  options: object,
  seed: number,
  edit?: (anchor: Float32Array, positive: Float32Array, negative: Float32Array) => void,
) {
  const arrays = new KernelArrays();
  try {
    const next = random(seed);
    const make = () => {
      const a = arrays.float32(rows * d);
      for (let i = 0; i < a.length; i++) a[i] = (2 * next() - 1) * 2;
      return a;
    };
    const [anchor, positive, negative] = [make(), make(), make()];
    edit?.(anchor, positive, negative);
    const grads = {
      anchor: arrays.tensor([rows, d]),
      positive: arrays.tensor([rows, d]),
      negative: arrays.tensor([rows, d]),
    };
    const shape = [rows, d];
    const resident = losses.triplet.valueAndGrad(
      {
        anchor: new Tensor(anchor, shape),
        positive: new Tensor(positive, shape),
        negative: new Tensor(negative, shape),
      },
      options,
      null,
      { grads },
    );
    const ordinary = losses.triplet.valueAndGrad(
      {
        anchor: new Tensor(Float32Array.from(anchor), shape),
        positive: new Tensor(Float32Array.from(positive), shape),
        negative: new Tensor(Float32Array.from(negative), shape),
      },
      options,
    );
    const names = ['anchor', 'positive', 'negative'] as const;
    return {
      value: resident.value.item(),
      ordinaryValue: ordinary.value.item(),
      grads: names.map((k) => Float32Array.from(grads[k].data)),
      ordinaryGrads: names.map((k) => ordinary.grads[k].data),
    };
  } finally {
    arrays.release();
  }
}

test('triplet on resident rows gives the bits of ordinary arrays, on one thread and two, rescaled rows included', () => {
  // Row 5's positive and negative equal its anchor: with eps 0 their squared sums are 0, outside
  // the kernel's safe range, so that row takes the rescaling route (loss = margin).
  const sameRow = (anchor: Float32Array, positive: Float32Array, negative: Float32Array) => {
    positive.set(anchor.subarray(5 * 129, 6 * 129), 5 * 129);
    negative.set(anchor.subarray(5 * 129, 6 * 129), 5 * 129);
  };
  const cases: [
    number,
    number,
    object,
    ((a: Float32Array, p: Float32Array, n: Float32Array) => void) | undefined,
  ][] = [
    [4096, 128, {}, undefined],
    [3000, 129, { margin: 0.5, eps: 0, reduction: 'sum' }, sameRow],
    [37, 7, {}, undefined],
  ];
  try {
    for (const [rows, d, options, edit] of cases) {
      setThreads(1);
      const one = tripletBoth(rows, d, options, rows, edit);
      setThreads(2);
      const two = tripletBoth(rows, d, options, rows, edit);
      const what = `triplet ${rows}×${d}`;
      assert.ok(Object.is(one.value, one.ordinaryValue), `${what}: ${one.value} vs ${one.ordinaryValue}`);
      assert.ok(Object.is(one.value, two.value), `${what}: threads differ`);
      for (let k = 0; k < 3; k++) {
        assert.ok(
          bitsEqual(one.grads[k], one.ordinaryGrads[k]),
          `${what}: gradient ${k} differs from ordinary arrays`,
        );
        assert.ok(bitsEqual(one.grads[k], two.grads[k]), `${what}: gradient ${k} differs between threads`);
      }
      assert.ok(
        one.grads[0].some((v) => v !== 0),
        `${what}: no gradient`,
      );
    }
  } finally {
    setThreads('auto');
  }
});

test('a non-finite value in a resident triplet row is named', () => {
  assert.throws(
    () =>
      tripletBoth(4096, 128, {}, 3, (a) => {
        a[300_001] = Number.NaN;
      }),
    (e: unknown) => e instanceof LossInputError && e.argument === 'anchor' && /at index/.test(e.message),
  );
});
