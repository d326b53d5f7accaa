import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, losses, Tensor } from '../../index.js';
import { simdEuclideanTriplet, simdTripletApplies, TRIPLET_SIMD_MIN_LENGTH } from './triplet.js';

/** Values per chunk in triplet.ts: row counts around CAPACITY / D span several chunks. */
const CAPACITY = 16384;

const NAMES = ['anchor', 'positive', 'negative'] as const;
type Name = (typeof NAMES)[number];
type Triplet<T> = { [K in Name]: T };

/**
 * float32 rows [rows, D] uniform in ±spread, and their float64 copies. Every 5th row has its
 * positive equal to its anchor (a zero distance where eps is 0), every 7th row a negative that is
 * far away (h < 0: no gradient), every 11th row all three equal.
 */
function inputs(rows: number, d: number, seed: number, spread = 1) {
  const next = random(seed);
  const data = {} as Triplet<Float32Array>;
  for (const name of NAMES) {
    data[name] = new Float32Array(rows * d);
    for (let i = 0; i < rows * d; i++) data[name][i] = (2 * next() - 1) * spread;
  }
  for (let r = 0; r < rows; r++) {
    const row = (x: Float32Array) => x.subarray(r * d, (r + 1) * d);
    if (r % 5 === 0) row(data.positive).set(row(data.anchor));
    if (r % 7 === 0)
      for (let k = r * d; k < (r + 1) * d; k++) data.negative[k] = data.anchor[k] + 20 * spread;
    if (r % 11 === 0) {
      row(data.positive).set(row(data.anchor));
      row(data.negative).set(row(data.anchor));
    }
  }
  const shape = [rows, d];
  const t32 = {} as Triplet<Tensor>;
  const t64 = {} as Triplet<Tensor>;
  for (const name of NAMES) {
    t32[name] = new Tensor(data[name], shape);
    t64[name] = new Tensor(Float64Array.from(data[name]), shape);
  }
  return { t32, t64 };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/** The distance in float32 units in the last place between a float32 value and fround(b). */
function ulps(a: number, b: number): number {
  const f = new Float32Array([a, Math.fround(b)]);
  const i = new Int32Array(f.buffer);
  // Same sign (or a zero): the integer difference of the bit patterns counts the ulps.
  if (a === Math.fround(b)) return 0;
  if (Math.sign(f[0]) !== Math.sign(f[1]) && f[0] !== 0 && f[1] !== 0) return Number.POSITIVE_INFINITY;
  return Math.abs(i[0] - i[1]);
}

/**
 * float32 gradients against the float64 path's: the float64 path on the widened inputs does the
 * JavaScript float32 loop's float64 arithmetic, so each float32 gradient is its value rounded
 * once, but where the kernel's order of the squared sums moves a rounding (1 ulp at most). Returns
 * the number of elements not bit-equal to the rounded float64 value.
 */
function compareGrads(g32: Triplet<Tensor>, g64: Triplet<Tensor>, label: string): number {
  let differing = 0;
  for (const name of NAMES) {
    const a = g32[name].data;
    const b = g64[name].data;
    assert.equal(a.length, b.length);
    for (let i = 0; i < b.length; i++) {
      const u = ulps(a[i], b[i]);
      if (u > 1) assert.fail(`${label}: grad ${name}[${i}] ${a[i]} vs float64 ${b[i]} (${u} ulps)`);
      if (u !== 0 || Object.is(a[i], -0) !== Object.is(Math.fround(b[i]), -0)) differing++;
    }
  }
  return differing;
}

test('float32 [N, D] of at least 256 values with p = 2 take the SIMD kernel; float64, small or swap inputs do not', () => {
  const { t32, t64 } = inputs(64, 4, 1);
  const data = (t: Triplet<Tensor>) => [t.anchor.data, t.positive.data, t.negative.data] as const;
  assert.equal(simdTripletApplies(...data(t32), 4), true, 'float32 [64, 4]');
  assert.equal(simdTripletApplies(...data(t64), 4), false, 'float64');
  assert.equal(simdTripletApplies(t32.anchor.data, t64.positive.data, t32.negative.data, 4), false, 'mixed');
  const small = inputs(TRIPLET_SIMD_MIN_LENGTH / 4 - 1, 4, 2).t32;
  assert.equal(simdTripletApplies(...data(small), 4), false, 'below the threshold');
  assert.equal(simdTripletApplies(...data(t32), CAPACITY + 1), false, 'a row longer than a chunk');
  const direct = simdEuclideanTriplet(
    {
      anchor: t32.anchor.data as Float32Array,
      positive: t32.positive.data as Float32Array,
      negative: t32.negative.data as Float32Array,
      rows: 64,
      rowLength: 4,
      margin: 1,
      eps: 1e-6,
      scale: 1,
      upstream: null,
      units: null,
      grads: null,
    },
    () => 0,
  );
  assert.notEqual(direct, null, 'the kernel ran in Node');
});

/** [rows, D]: D = 1, odd, 2 mod 4, multiples of 4, a row filling a chunk; rows spanning chunks. */
const shapes: readonly (readonly [number, number])[] = [
  [300, 1],
  [5000, 1], // 4096 rows per chunk: two chunks
  [200, 2],
  [100, 3],
  [4000, 5], // 3276 rows per chunk
  [60, 6],
  [90, 7],
  [300, 128], // 128 rows per chunk: three chunks
  [70, 130],
  [40, 1000],
  [2, CAPACITY], // one row fills a chunk
  [3, 9000], // one row per chunk
];

test('float32 (SIMD) matches the float64 path for D = 1 to 16384 and rows spanning chunks: value within 1e-7, gradients its bits or 1 ulp', () => {
  shapes.forEach(([rows, d], k) => {
    const { t32, t64 } = inputs(rows, d, 100 + k);
    for (const eps of [1e-6, 0]) {
      for (const reduction of ['mean', 'sum'] as const) {
        const options = { margin: 0.5 * Math.sqrt(d), eps, reduction };
        const f32 = losses.triplet.valueAndGrad(t32, options);
        const f64 = losses.triplet.valueAndGrad(t64, options);
        const label = `[${rows}, ${d}] eps ${eps} ${reduction}`;
        const v32 = f32.value.item();
        const v64 = f64.value.item();
        assert.ok(relative(v32, v64) <= 1e-7, `${label}: value ${v32} vs ${v64}`);
        const differing = compareGrads(f32.grads, f64.grads, label);
        assert.ok(
          differing <= 0.01 * 3 * rows * d,
          `${label}: ${differing} gradients differ from float64's rounding`,
        );
        const value = losses.triplet.value(t32, options).item();
        assert.equal(value, v32, `${label}: the value alone equals the value of valueAndGrad`);
      }
    }
  });
});

test("'none' with an upstream gradient (zeros and negatives included) matches the float64 path row by row", () => {
  for (const [rows, d] of [
    [700, 3],
    [300, 128],
  ] as const) {
    const { t32, t64 } = inputs(rows, d, 7);
    const next = random(8);
    const upstream = Float64Array.from({ length: rows }, (_, r) => (r % 13 === 0 ? 0 : 4 * next() - 2));
    const options = { margin: 0.5 * Math.sqrt(d), reduction: 'none' as const };
    const f32 = losses.triplet.valueAndGrad(t32, options, upstream);
    const f64 = losses.triplet.valueAndGrad(t64, options, upstream);
    for (let r = 0; r < rows; r++) {
      const u32 = f32.value.data[r];
      const u64 = f64.value.data[r];
      assert.ok(ulps(u32, u64) <= 1, `[${rows}, ${d}] row ${r}: ${u32} vs ${u64}`);
    }
    compareGrads(f32.grads, f64.grads, `[${rows}, ${d}] none`);
    const upstream32 = Float32Array.from(upstream);
    const sum = losses.triplet.valueAndGrad(t32, { margin: options.margin, reduction: 'sum' }, 2.5);
    const sum64 = losses.triplet.valueAndGrad(t64, { margin: options.margin, reduction: 'sum' }, 2.5);
    compareGrads(sum.grads, sum64.grads, `[${rows}, ${d}] sum, upstream 2.5`);
    const none32 = losses.triplet.valueAndGrad(t32, options, upstream32);
    compareGrads(none32.grads, f64.grads, `[${rows}, ${d}] none, float32 upstream`);
  }
});

test('a row whose positive equals its anchor with eps 0 has a positive gradient of exactly 0 (torch), through the rescaling path', () => {
  const rows = 100;
  const d = 8;
  const { t32 } = inputs(rows, d, 3);
  const { value, grads } = losses.triplet.valueAndGrad(t32, { eps: 0, margin: 3, reduction: 'none' });
  for (let r = 0; r < rows; r += 5) {
    const gp = grads.positive.data.subarray(r * d, (r + 1) * d);
    assert.ok(
      gp.every((g) => g === 0),
      `row ${r}: positive gradient ${gp}`,
    );
    if (r % 11 === 0) {
      assert.equal(value.data[r], 3, `row ${r}: all three equal, loss = margin`);
      assert.ok(grads.anchor.data.subarray(r * d, (r + 1) * d).every((g) => g === 0));
      assert.ok(grads.negative.data.subarray(r * d, (r + 1) * d).every((g) => g === 0));
    }
  }
});

test('only rows whose squared sums leave (1e-300, 1e300) go to the rescaling callback', () => {
  const rows = 100;
  const d = 8;
  const { t32 } = inputs(rows, d, 4);
  const called: number[] = [];
  const args = {
    anchor: t32.anchor.data as Float32Array,
    positive: t32.positive.data as Float32Array,
    negative: t32.negative.data as Float32Array,
    rows,
    rowLength: d,
    margin: 3,
    scale: 1,
    upstream: null,
    units: null,
    grads: null,
  };
  simdEuclideanTriplet({ ...args, eps: 0 }, (r) => {
    called.push(r);
    return 0;
  });
  // eps 0: rows 5k and 11k have a = p (sPos = 0).
  const zeroRows = Array.from({ length: rows }, (_, r) => r).filter((r) => r % 5 === 0 || r % 11 === 0);
  assert.deepEqual(called, zeroRows);
  called.length = 0;
  simdEuclideanTriplet({ ...args, eps: 1e-6 }, (r) => {
    called.push(r);
    return 0;
  });
  assert.equal(called.length, 0, 'eps 1e-6: every squared sum is in range');
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
    const negative = Float32Array.from(args.negative);
    negative[37 * d + 3] = bad;
    const total = simdEuclideanTriplet({ ...args, negative, eps: 1e-6 }, (r) => {
      called.push(r);
      return 0;
    });
    assert.ok(Number.isNaN(total), `a ${bad} makes the total NaN, whatever the rescaling path returns`);
    assert.equal(called.length, 0, `the row holding ${bad} is not rescaled`);
  }
});

test('values of ±1e30 (whose float32 squares overflow) and ±1e-30 give the float64 path’s value and gradients', () => {
  for (const scale of [1e30, 1e-30, 1e37]) {
    const { t32, t64 } = inputs(200, 16, 5, scale);
    const options = { margin: 2 * scale, eps: 0 };
    const f32 = losses.triplet.valueAndGrad(t32, options);
    const f64 = losses.triplet.valueAndGrad(t64, options);
    assert.ok(Number.isFinite(f32.value.item()), `spread ${scale}: finite value`);
    assert.ok(relative(f32.value.item(), f64.value.item()) <= 1e-7, `spread ${scale}: value`);
    compareGrads(f32.grads, f64.grads, `spread ${scale}`);
  }
});

test('an eps of 1e160 (squared sums above 1e300) takes the rescaling path and matches the float64 path', () => {
  const { t32, t64 } = inputs(64, 8, 6);
  // The negative is the positive, so that the two distances (each about 2.8e160) cancel exactly
  // and each row's loss is the margin: a loss near 1e160 itself would overflow float32, which the
  // boundary reports as an error.
  t32.negative = new Tensor(t32.positive.data.slice(), t32.positive.shape);
  t64.negative = new Tensor(t64.positive.data.slice(), t64.positive.shape);
  const options = { margin: 2, eps: 1e160, reduction: 'none' as const };
  const f32 = losses.triplet.valueAndGrad(t32, options);
  const f64 = losses.triplet.valueAndGrad(t64, options);
  for (let r = 0; r < 64; r++) assert.ok(ulps(f32.value.data[r], f64.value.data[r]) <= 1, `row ${r}`);
  // The rescaling path adds the positive's and the negative's terms (each at most w = 1, as
  // |v|/d ≤ 1) into the float32 buffer one after the other: two float32 roundings.
  for (const name of NAMES) {
    const a = f32.grads[name].data;
    const b = f64.grads[name].data;
    for (let i = 0; i < b.length; i++)
      assert.ok(Math.abs(a[i] - b[i]) <= 2 ** -22, `grad ${name}[${i}] ${a[i]} vs float64 ${b[i]}`);
  }
});

test('reused gradient buffers full of garbage end equal to fresh ones (every element written), in every reduction', () => {
  const { t32 } = inputs(300, 7, 9);
  const upstream = Float64Array.from({ length: 300 }, (_, r) => (r % 3 === 0 ? 0 : r / 100 - 1));
  for (const eps of [0, 1e-6]) {
    for (const [reduction, up] of [
      ['mean', null],
      ['sum', 3],
      ['none', upstream],
    ] as const) {
      const options = { margin: 2, eps, reduction };
      const fresh = losses.triplet.valueAndGrad(t32, options, up);
      const out = {} as Triplet<Tensor>;
      for (const name of NAMES) out[name] = new Tensor(new Float32Array(300 * 7).fill(Number.NaN), [300, 7]);
      const reused = losses.triplet.valueAndGrad(t32, options, up, { grads: out });
      for (const name of NAMES) {
        assert.equal(reused.grads[name], out[name], 'the buffer given is returned');
        assert.deepEqual(out[name].data, fresh.grads[name].data, `${reduction} eps ${eps}: ${name}`);
      }
    }
  }
});

test('a value that is NaN or infinite in any input is rejected with its index (the kernel checks as it reads)', () => {
  const rows = 300;
  const d = 128;
  const { t32 } = inputs(rows, d, 10);
  for (const name of NAMES) {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, 200 * d + 77, rows * d - 1]) {
        const data = Float32Array.from(t32[name].data);
        data[at] = bad;
        const broken = { ...t32, [name]: new Tensor(data, [rows, d]) };
        for (const call of ['valueAndGrad', 'value'] as const) {
          assert.throws(
            () => losses.triplet[call](broken, { margin: 1 }),
            (e: unknown) =>
              e instanceof LossInputError &&
              e.argument === name &&
              e.message.includes(
                `${Number.isNaN(bad) ? 'NaN' : String(bad)} at index [${Math.floor(at / d)}, ${at % d}]`,
              ),
            `${call}: ${name}[${at}] = ${bad}`,
          );
        }
      }
    }
  }
});

test('an unbatched float32 [D] triplet on the SIMD path equals the one-row batch and the float64 path', () => {
  const d = 1000;
  const { t32, t64 } = inputs(1, d, 12);
  const one = {} as Triplet<Tensor>;
  for (const name of NAMES) one[name] = new Tensor(t32[name].data, [d]);
  const single = losses.triplet.valueAndGrad(one, { margin: 30 });
  const batch = losses.triplet.valueAndGrad(t32, { margin: 30, reduction: 'sum' });
  const f64 = losses.triplet.valueAndGrad(t64, { margin: 30, reduction: 'sum' });
  assert.deepEqual(single.value.shape, []);
  assert.equal(single.value.item(), batch.value.item());
  assert.ok(relative(single.value.item(), f64.value.item()) <= 1e-7);
  compareGrads(batch.grads, f64.grads, '[1, 1000]');
});
