// The fast paths of the training step (row/scalar broadcasts, sums that keep one block of axes,
// the fused relu/leakyRelu/clamp backward, the optimizer loops) against independent element-wise
// formulas: they must give the same bits as the general paths they replace.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Adam, AdamW, SGD, type DType, Tensor, gradients, ops, variable } from '../index.js';

function filled(shape: readonly number[], dtype: DType, seed: number): Tensor {
  const t = Tensor.zeros(shape, dtype);
  let s = seed >>> 0;
  for (let i = 0; i < t.size; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    t.data[i] = (s / 4294967296) * 4 - 2;
  }
  return t;
}

/** Bitwise equality of two arrays (−0 and NaN included). */
function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Object.is(got[i], want[i]), `${what}[${i}]: got ${got[i]}, want ${want[i]}`);
}

const codes = {
  add: (a: number, b: number) => a + b,
  sub: (a: number, b: number) => a - b,
  mul: (a: number, b: number) => a * b,
  div: (a: number, b: number) => a / b,
} as const;

test('row and scalar broadcasts (both operand orders, both dtypes) equal the element-wise formula', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const full = filled([3, 2, 5], dtype, 1);
    for (const rowShape of [[5], [1, 5], [2, 5], [1, 1, 5], [], [1]]) {
      const row = filled(rowShape, dtype, 2);
      const period = row.size;
      for (const [name, f] of Object.entries(codes)) {
        const op = ops[name as keyof typeof codes];
        const want = allocateLike(full);
        for (let i = 0; i < full.size; i++) want[i] = f(full.data[i], row.data[i % period]);
        sameBits(op(full, row).data, want, `${dtype} ${name}(x, row ${rowShape})`);
        for (let i = 0; i < full.size; i++) want[i] = f(row.data[i % period], full.data[i]);
        sameBits(op(row, full).data, want, `${dtype} ${name}(row ${rowShape}, x)`);
      }
    }
  }
});

function allocateLike(t: Tensor): Float32Array | Float64Array {
  return t.dtype === 'float32' ? new Float32Array(t.size) : new Float64Array(t.size);
}

test('a mixed-dtype bias add is float64 and a column broadcast still takes the general path', () => {
  const x = filled([4, 3], 'float32', 3);
  const b = filled([3], 'float64', 4);
  const y = ops.add(x, b);
  assert.equal(y.dtype, 'float64');
  for (let i = 0; i < 12; i++) assert.equal(y.data[i], x.data[i] + b.data[i % 3]);
  const c = filled([4, 1], 'float64', 5);
  const z = ops.sub(x, c);
  for (let i = 0; i < 12; i++) assert.equal(z.data[i], x.data[i] - c.data[Math.floor(i / 3)]);
});

test('sum over leading axes (the bias gradient) equals in-order float64 sums', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const x = filled([4, 3, 5], dtype, 6);
    for (const [axis, inner] of [
      [[0], 15],
      [[0, 1], 5],
    ] as const) {
      const want = new Float64Array(inner);
      for (let i = 0; i < x.size; i++) want[i % inner] += x.data[i];
      const rounded = dtype === 'float32' ? Float32Array.from(want) : want;
      sameBits(ops.sum(x, { axis: [...axis] }).data, rounded, `${dtype} sum axis ${axis}`);
    }
    // The bias gradient through add: Σ over the batch of the upstream.
    const w = variable(filled([5], dtype, 7).data, undefined, dtype);
    const up = filled([4, 3, 5], dtype, 8);
    const [g] = gradients(ops.add(x, w), [w], { upstream: up });
    const want = new Float64Array(5);
    for (let i = 0; i < up.size; i++) want[i % 5] += up.data[i];
    sameBits(g.data, dtype === 'float32' ? Float32Array.from(want) : want, `${dtype} bias gradient`);
  }
});

test('the fused relu, leakyRelu and clamp backward equal their rules, −0 and NaN included', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const base = filled([40], dtype, 9);
    base.data[0] = 0;
    base.data[1] = Number.NaN;
    base.data[2] = -0;
    const x = variable(base.data, undefined, dtype);
    const up = filled([40], dtype, 10);
    up.data[3] = Number.NaN;
    up.data[4] = -1e30;
    const k = dtype === 'float32' ? Math.fround(0.1) : 0.1;
    // g·mask for leakyRelu and clamp; relu is PyTorch's threshold_backward: g where x is not
    // ≤ 0 (NaN passes), else +0 (never −0 or NaN from g·0).
    const cases: [string, (t: Tensor) => Tensor, (v: number, g: number) => number][] = [
      ['relu', ops.relu, (v, g) => (v <= 0 ? 0 : g)],
      ['leakyRelu 0.1', (t) => ops.leakyRelu(t, 0.1), (v, g) => g * (v > 0 ? 1 : k)],
      ['clamp', (t) => ops.clamp(t, -0.5, 0.75), (v, g) => g * (v >= -0.5 && v <= 0.75 ? 1 : 0)],
    ];
    for (const [name, f, rule] of cases) {
      const [g] = gradients(f(x), [x], { upstream: up });
      const want = allocateLike(up);
      for (let i = 0; i < 40; i++) want[i] = rule(base.data[i], up.data[i]);
      sameBits(g.data, want, `${dtype} ${name}`);
      // The recorded path (createGraph) gives the same values.
      const [h] = gradients(f(x), [x], { upstream: up, createGraph: true });
      sameBits(h.data, want, `${dtype} ${name} (createGraph)`);
    }
  }
});

/** The update formulas as written before the loops were specialised (reference). */
function adamReference(
  p: number[],
  grads: number[][],
  wd: number,
  decoupled: boolean,
  f32: boolean,
): number[] {
  const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
  const store = (v: number) => (f32 ? Math.fround(v) : v);
  const q = p.map(store);
  const m = new Float64Array(q.length);
  const v = new Float64Array(q.length);
  grads.forEach((g, k) => {
    const t = k + 1;
    if (decoupled) for (let i = 0; i < q.length; i++) q[i] = store(q[i] * (1 - lr * wd));
    const l2 = decoupled ? 0 : wd;
    const stepSize = lr / (1 - b1 ** t);
    const correction2 = Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < q.length; i++) {
      const gi = store(g[i]) + l2 * q[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      q[i] = store(q[i] - (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2 + eps));
    }
  });
  return q;
}

function sgdReference(
  p: number[],
  grads: number[][],
  mu: number,
  damp: number,
  nesterov: boolean,
  wd: number,
): number[] {
  const q = [...p];
  const buf = new Float64Array(q.length);
  grads.forEach((g, k) => {
    for (let i = 0; i < q.length; i++) {
      let d = g[i] + wd * q[i];
      if (mu > 0) {
        buf[i] = k === 0 ? d : mu * buf[i] + (1 - damp) * d;
        d = nesterov ? d + mu * buf[i] : buf[i];
      }
      q[i] -= 0.05 * d;
    }
  });
  return q;
}

const start = [0.5, -1.25, 2, 0, -0.001, 3e-5];
const grads = [
  [0.1, -0.2, 0.3, 0, 1e-9, -4],
  [-0.3, 0.2, 0.05, 1, -2, 0.5],
  [0.7, 0.1, -0.9, -1e-4, 3, 0.25],
];

test('Adam and AdamW loops (float32 and float64, with and without decay) equal the reference bit for bit', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [Kind, wd, decoupled] of [
      [Adam, 0, false],
      [Adam, 0.1, false],
      [AdamW, 0.1, true],
    ] as const) {
      const p = variable(start, undefined, dtype);
      const opt = new Kind([p], { lr: 0.01, weightDecay: wd });
      for (const g of grads) {
        p.grad = new Tensor(dtype === 'float32' ? Float32Array.from(g) : Float64Array.from(g), [g.length]);
        opt.step();
      }
      sameBits(
        p.data,
        adamReference(start, grads, wd, decoupled, dtype === 'float32'),
        `${dtype} ${opt.kind} wd ${wd}`,
      );
    }
  }
});

test('SGD loops (plain, momentum, dampening, Nesterov, weight decay) equal the reference bit for bit', () => {
  for (const [mu, damp, nesterov, wd] of [
    [0, 0, false, 0],
    [0, 0, false, 0.1],
    [0.9, 0, false, 0],
    [0.9, 0.3, false, 0.01],
    [0.9, 0, true, 0.01],
  ] as const) {
    const p = variable(start);
    const opt = new SGD([p], { lr: 0.05, momentum: mu, dampening: damp, nesterov, weightDecay: wd });
    for (const g of grads) {
      p.grad = new Tensor(Float64Array.from(g), [g.length]);
      opt.step();
    }
    sameBits(
      p.data,
      sgdReference(start, grads, mu, damp, nesterov, wd),
      `SGD ${mu} ${damp} ${nesterov} ${wd}`,
    );
  }
});

test('sum keeping a middle block of axes (a convolution bias gradient) equals in-order float64 sums', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const x = filled([3, 4, 2, 5], dtype, 13);
    x.data[1] = -0;
    for (const [axis, channels, inner] of [
      [[0, 2, 3], 4, 10],
      [[0, 3], 8, 5],
      [[0, 1], 10, 1],
    ] as const) {
      const want = new Float64Array(channels);
      for (let i = 0; i < x.size; i++) want[Math.floor(i / inner) % channels] += x.data[i];
      const rounded = dtype === 'float32' ? Float32Array.from(want) : want;
      sameBits(ops.sum(x, { axis: [...axis] }).data, rounded, `${dtype} sum axis ${axis}`);
    }
    // Axes 1 and 3 kept are not one block: the mapped loop, the same in-order sums.
    const want = new Float64Array(20);
    for (let i = 0; i < x.size; i++) want[(Math.floor(i / 10) % 4) * 5 + (i % 5)] += x.data[i];
    const rounded = dtype === 'float32' ? Float32Array.from(want) : want;
    sameBits(ops.sum(x, { axis: [0, 2] }).data, rounded, `${dtype} sum axis 0,2`);
  }
});

test('sum over trailing axes and broadcastTo of a row or scalar equal the element-wise formulas', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const x = filled([4, 3, 5], dtype, 11);
    x.data[0] = -0;
    for (const [axis, inner] of [
      [[2], 5],
      [[1, 2], 15],
      [[-1], 5],
    ] as const) {
      const want = new Float64Array(x.size / inner);
      for (let i = 0; i < x.size; i++) want[Math.floor(i / inner)] += x.data[i];
      const rounded = dtype === 'float32' ? Float32Array.from(want) : want;
      sameBits(ops.sum(x, { axis: [...axis] }).data, rounded, `${dtype} sum axis ${axis}`);
    }
    for (const shape of [[5], [1, 5], [3, 5], [], [1, 1]]) {
      const row = filled(shape, dtype, 12);
      const out = ops.broadcastTo(row, [4, 3, 5]);
      const want = allocateLike(out);
      for (let i = 0; i < want.length; i++) want[i] = row.data[i % row.size];
      sameBits(out.data, want, `${dtype} broadcastTo from ${shape}`);
    }
    // The gradient of a mean is the broadcast scalar 1/n.
    const v = variable(x.data, undefined, dtype);
    const [g] = gradients(ops.mean(v), [v]);
    const scale = dtype === 'float32' ? Math.fround(1 / 60) : 1 / 60;
    for (let i = 0; i < 60; i++) assert.equal(g.data[i], scale);
  }
});

test('gradients handed over without a copy never share storage with each other, the graph or the upstream', () => {
  const x = filled([4, 3], 'float32', 13);
  const w = variable(filled([3, 2], 'float32', 14).data, [3, 2], 'float32');
  const b = variable(filled([2], 'float32', 15).data, undefined, 'float32');
  const a = variable(filled([4, 2], 'float32', 16).data, [4, 2], 'float32');
  const c = variable(filled([4, 2], 'float32', 17).data, [4, 2], 'float32');
  // add hands its upstream to both sides; a, c and the matmul output share it.
  const y = ops.add(ops.add(ops.matmul(x, w), b), ops.add(a, c));
  const up = filled([4, 2], 'float32', 18);
  y.backward(up);
  const buffers = [w, b, a, c].map((t) => (t.grad as Tensor).data);
  const all = [...buffers, x.data, w.data, b.data, a.data, c.data, y.data, up.data];
  assert.equal(new Set(all).size, all.length, 'every gradient has storage of its own');
  sameBits((a.grad as Tensor).data, up.data, 'a.grad');
  sameBits((c.grad as Tensor).data, up.data, 'c.grad');
  // Accumulation in place into one gradient leaves the others and the upstream alone.
  const before = Float32Array.from(up.data);
  y.backward(up);
  sameBits(up.data, before, 'upstream unchanged');
  for (let i = 0; i < 8; i++) assert.equal((a.grad as Tensor).data[i], Math.fround(2 * up.data[i]));
  sameBits((c.grad as Tensor).data, (a.grad as Tensor).data, 'c.grad after two passes');
});

test('relu on the bits equals max(x, 0) with NaN kept, for every class of float', () => {
  const negativeNaN = new Float64Array([Number.NaN]);
  new Uint8Array(negativeNaN.buffer)[7] |= 0x80;
  const values = [
    0,
    -0,
    1,
    -1,
    2.5,
    -2.5,
    1e-45,
    -1e-45,
    1e-310,
    -1e-310,
    3e38,
    -3e38,
    1e300,
    -1e300,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    Number.NaN,
    negativeNaN[0],
  ];
  for (const dtype of ['float32', 'float64'] as const) {
    const x = variable(values, undefined, dtype);
    const up = filled([values.length], dtype, 3);
    const y = ops.relu(x);
    const [g] = gradients(y, [x], { upstream: up });
    for (let i = 0; i < values.length; i++) {
      const v = x.data[i];
      if (Number.isNaN(v)) assert.ok(Number.isNaN(y.data[i]), `${dtype} relu(${v})`);
      else assert.ok(Object.is(y.data[i], Math.max(v, 0)), `${dtype} relu(${v}) = ${y.data[i]}`);
      assert.ok(Object.is(g.data[i], v <= 0 ? 0 : up.data[i]), `${dtype} relu'(${v}) = ${g.data[i]}`);
    }
  }
});
