import assert from 'node:assert/strict';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, losses, Tensor } from '../../index.js';
import { simdOneHotApplies, simdOneHotCrossEntropy, softmaxRowsFit } from './softmax.js';

interface Case {
  readonly rows: number;
  readonly classes: number;
  /** Logits are uniform in ±spread, with every 7th row pushed to ±1e4 at one class. */
  readonly spread: number;
  readonly ignoreRate: number;
}

/** float32 logits [rows, C] with integer labels (−100 where ignored), and float64 copies. */
function inputs({ rows, classes, spread, ignoreRate }: Case, seed: number) {
  const next = random(seed);
  const x = new Float32Array(rows * classes);
  for (let i = 0; i < x.length; i++) x[i] = (2 * next() - 1) * spread;
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    labels[r] = next() < ignoreRate ? -100 : Math.floor(next() * classes);
    if (r % 7 === 3) x[r * classes + Math.floor(next() * classes)] = next() < 0.5 ? -1e4 : 1e4;
  }
  return {
    x32: new Tensor(x, [rows, classes]),
    x64: new Tensor(Float64Array.from(x), [rows, classes]),
    labels: new Tensor(labels, [rows]),
  };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

const cases: readonly Case[] = [
  { rows: 64, classes: 8, spread: 4, ignoreRate: 0 },
  { rows: 300, classes: 12, spread: 30, ignoreRate: 0.2 },
  { rows: 70, classes: 1000, spread: 4, ignoreRate: 0.1 }, // 65 rows per chunk: a partial second chunk
  { rows: 3, classes: 32768, spread: 8, ignoreRate: 0 }, // two rows per chunk
  { rows: 2, classes: 65536, spread: 2, ignoreRate: 0 }, // one row fills a chunk
];

test('rows of a multiple of 4 classes, 8 to 65536, take the SIMD kernel; others do not', () => {
  for (const c of [8, 12, 1000, 32768, 65536]) assert.equal(softmaxRowsFit(c), true, `C = ${c}`);
  for (const c of [3, 4, 10, 1002 + 1, 65540]) assert.equal(softmaxRowsFit(c), false, `C = ${c}`);
  const { x32, labels } = inputs(cases[0], 1);
  const direct = simdOneHotCrossEntropy({
    x: x32.data as Float32Array,
    classes: 8,
    labels: labels.data,
    ignoreIndex: -100,
    classWeight: null,
    trueCoefficient: 1,
    scale: 1,
    upstream: null,
    units: null,
    grad: null,
  });
  assert.notEqual(direct, null, 'the kernel ran in Node');
});

test('sparseCategoricalCrossEntropy float32 (SIMD) matches the float64 path: value within 2e-6, gradients within float32 rounding', () => {
  cases.forEach((c, k) => {
    const { x32, x64, labels } = inputs(c, 100 + k);
    for (const reduction of ['mean', 'sum'] as const) {
      const options = { ignoreIndex: -100, reduction };
      const f32 = losses.sparseCategoricalCrossEntropy.valueAndGrad({ input: x32, target: labels }, options);
      const f64 = losses.sparseCategoricalCrossEntropy.valueAndGrad({ input: x64, target: labels }, options);
      const v32 = f32.value.item();
      const v64 = f64.value.item();
      assert.ok(relative(v32, v64) <= 2e-6, `C=${c.classes} ${reduction}: value ${v32} vs ${v64}`);
      // Each row's gradient is scale·(softmax − onehot), |·| ≤ scale: float32 rounding of the
      // probabilities (1e-6 relative) and of the label's cancellation (2e-7 of the scale).
      const counted = labels.data.filter((l) => l !== -100).length;
      const scale = reduction === 'mean' ? 1 / counted : 1;
      const g32 = f32.grads.input.data;
      const g64 = f64.grads.input.data;
      for (let i = 0; i < g64.length; i++) {
        assert.ok(
          Math.abs(g32[i] - g64[i]) <= 1e-6 * Math.abs(g64[i]) + 2e-7 * scale,
          `C=${c.classes} ${reduction}: gradient[${i}] ${g32[i]} vs ${g64[i]}`,
        );
      }
      const value = losses.sparseCategoricalCrossEntropy
        .value({ input: x32, target: labels }, options)
        .item();
      assert.equal(value, v32, 'the value alone equals the value of valueAndGrad');
    }
  });
});

test("class weights, 'none' with an upstream gradient, and ignored rows on the SIMD path match float64", () => {
  const c: Case = { rows: 90, classes: 40, spread: 6, ignoreRate: 0.25 };
  const { x32, x64, labels } = inputs(c, 7);
  const next = random(8);
  const weight = Float64Array.from({ length: c.classes }, () => 0.1 + 2 * next());
  const upstream = Float64Array.from({ length: c.rows }, () => 2 * next() - 1);
  const options = { ignoreIndex: -100, reduction: 'none' as const, weight };
  const entry = losses.sparseCategoricalCrossEntropy;
  const f32 = entry.valueAndGrad({ input: x32, target: labels }, options, upstream);
  const f64 = entry.valueAndGrad({ input: x64, target: labels }, options, upstream);
  for (let r = 0; r < c.rows; r++) {
    const u32 = f32.value.data[r];
    const u64 = f64.value.data[r];
    if (labels.data[r] === -100) assert.equal(u32, 0, `ignored row ${r} has loss 0`);
    else assert.ok(relative(u32, u64) <= 2e-6, `row ${r}: ${u32} vs ${u64}`);
    for (let j = 0; j < c.classes; j++) {
      const i = r * c.classes + j;
      const g32 = f32.grads.input.data[i];
      const g64 = f64.grads.input.data[i];
      if (labels.data[r] === -100) assert.equal(g32, 0, `ignored row ${r} has gradient 0`);
      else
        assert.ok(
          Math.abs(g32 - g64) <= 1e-6 * Math.abs(g64) + 5e-7 * Math.abs(upstream[r]),
          `gradient[${r}, ${j}] ${g32} vs ${g64}`,
        );
    }
  }
});

test('tokenCrossEntropy float32 [B, T, V] (SIMD) matches the float64 path with 10% of positions ignored', () => {
  const c: Case = { rows: 2 * 64, classes: 512, spread: 4, ignoreRate: 0.1 };
  const { x32, x64, labels } = inputs(c, 11);
  const shape = [2, 64, 512];
  const target = new Tensor(labels.data, [2, 64]);
  const f32 = losses.tokenCrossEntropy.valueAndGrad(
    { input: new Tensor(x32.data, shape), target },
    { ignoreIndex: -100 },
  );
  const f64 = losses.tokenCrossEntropy.valueAndGrad(
    { input: new Tensor(x64.data, shape), target },
    { ignoreIndex: -100 },
  );
  assert.ok(relative(f32.value.item(), f64.value.item()) <= 2e-6);
  const g32 = f32.grads.input.data;
  const g64 = f64.grads.input.data;
  let worst = 0;
  for (let i = 0; i < g64.length; i++) worst = Math.max(worst, Math.abs(g32[i] - g64[i]));
  assert.ok(worst <= 2e-7 / 100, `largest gradient difference ${worst}`);
});

test('every logit at −1e4 except one at +1e4 gives a loss of 0 or 2e4 and a finite gradient on the SIMD path', () => {
  const classes = 16;
  const rows = 32;
  const x = new Float32Array(rows * classes).fill(-1e4);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    x[r * classes + (r % classes)] = 1e4;
    labels[r] = r % 2 === 0 ? r % classes : (r + 1) % classes;
  }
  const out = losses.sparseCategoricalCrossEntropy.valueAndGrad(
    { input: new Tensor(x, [rows, classes]), target: labels },
    { reduction: 'none' },
  );
  for (let r = 0; r < rows; r++) {
    assert.equal(out.value.data[r], r % 2 === 0 ? 0 : 2e4, `row ${r}`);
  }
  assert.ok(out.grads.input.data.every((g) => Number.isFinite(g) && Math.abs(g) <= 1));
});

test('a logit that is NaN or infinite anywhere in large float32 input is rejected with its index (the kernel checks as it reads)', () => {
  const rows = 70;
  const classes = 1000;
  const base = inputs({ rows, classes, spread: 4, ignoreRate: 0 }, 21);
  for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
    for (const at of [0, 65 * classes + 17, rows * classes - 1]) {
      const x = Float32Array.from(base.x32.data);
      x[at] = bad;
      for (const [name, target] of [
        ['sparseCategoricalCrossEntropy', base.labels],
        ['tokenCrossEntropy', new Tensor(base.labels.data, [1, rows])],
      ] as const) {
        const shape = name === 'tokenCrossEntropy' ? [1, rows, classes] : [rows, classes];
        for (const call of ['valueAndGrad', 'value'] as const) {
          assert.throws(
            () => losses[name][call]({ input: new Tensor(x, shape), target }, { ignoreIndex: -100 }),
            (e: unknown) =>
              e instanceof LossInputError &&
              e.argument === 'input' &&
              e.message.includes(`${Number.isNaN(bad) ? 'NaN' : String(bad)} at index`),
            `${name}.${call}: ${bad} at ${at}`,
          );
        }
      }
    }
  }
});

test('a NaN logit is still rejected when every label is ignored (the kernel does not run)', () => {
  const x = new Float32Array(64 * 8).fill(0.5);
  x[100] = Number.NaN;
  const labels = new Float32Array(64).fill(-100);
  assert.throws(
    () =>
      losses.sparseCategoricalCrossEntropy.valueAndGrad(
        { input: new Tensor(x, [64, 8]), target: labels },
        { ignoreIndex: -100 },
      ),
    (e: unknown) =>
      e instanceof LossInputError && e.argument === 'input' && /NaN at index \[12, 4\]/.test(e.message),
  );
});

test('a reused gradient buffer is overwritten whole by the SIMD kernel (no zero-fill), ignored rows included', () => {
  const c: Case = { rows: 70, classes: 1000, spread: 4, ignoreRate: 0.3 };
  const { x32, labels } = inputs(c, 31);
  const fresh = losses.sparseCategoricalCrossEntropy.valueAndGrad(
    { input: x32, target: labels },
    { ignoreIndex: -100 },
  );
  const reused = new Tensor(new Float32Array(x32.size).fill(1234.5), x32.shape);
  losses.sparseCategoricalCrossEntropy.valueAndGrad(
    { input: x32, target: labels },
    { ignoreIndex: -100 },
    null,
    {
      grads: { input: reused },
    },
  );
  assert.deepEqual(reused.data, fresh.grads.input.data);
});

/** log Σ_c exp x_c of row r, in float64 (an independent log-sum-exp for the z-loss bounds). */
function rowLse(x: ArrayLike<number>, r: number, classes: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < classes; c++) m = Math.max(m, x[r * classes + c]);
  let s = 0;
  for (let c = 0; c < classes; c++) s += Math.exp(x[r * classes + c] - m);
  return m + Math.log(s);
}

test('zLoss on float32 logits takes the SIMD kernel and matches float64 (every reduction, weights, upstream, ignored rows, ±1e4)', () => {
  const entry = losses.sparseCategoricalCrossEntropy;
  cases.forEach((c, k) => {
    const { x32, x64, labels } = inputs(c, 300 + k);
    assert.equal(simdOneHotApplies(x32.data, c.classes), true, `C=${c.classes}: the kernel applies`);
    const next = random(400 + k);
    const weight = Float64Array.from({ length: c.classes }, () => 0.1 + 2 * next());
    const upstream = Float64Array.from({ length: c.rows }, () => 2 * next() - 1);
    const counted = labels.data.filter((l) => l !== -100).length;
    let weightSum = 0;
    for (const l of labels.data) if (l !== -100) weightSum += weight[l];
    for (const [reduction, withWeight, up] of [
      ['mean', false, null],
      ['sum', true, null],
      ['mean', true, null],
      ['none', true, upstream],
    ] as const) {
      for (const zLoss of [1e-4, 0.3]) {
        const options = { ignoreIndex: -100, reduction, zLoss, ...(withWeight ? { weight } : {}) };
        const f32 = entry.valueAndGrad({ input: x32, target: labels }, options, up);
        const f64 = entry.valueAndGrad({ input: x64, target: labels }, options, up);
        const what = `C=${c.classes} ${reduction}${withWeight ? ' weighted' : ''} z=${zLoss}`;
        // lse² reaches 1e8 at the ±1e4 rows; float32 logits are exact in float64, so the value
        // differs by the kernel's Σ e^(x − m) (float32 exponentials, about 1e-6 relative).
        for (let i = 0; i < f64.value.data.length; i++) {
          const v32 = f32.value.data[i];
          const v64 = f64.value.data[i];
          assert.ok(
            Math.abs(v32 - v64) <= 2e-6 * Math.abs(v64) + 1e-30,
            `${what}: value[${i}] ${v32} vs ${v64}`,
          );
        }
        // Row r's gradient is a·softmax − b·onehot with a = scale·(w + 2z·lse), b = scale·w:
        // float32 rounding of a·softmax (1e-6 of a) and of the label's cancellation (2e-7 of b).
        const divisor = reduction === 'mean' ? (withWeight ? weightSum : counted) : 1;
        for (let r = 0; r < c.rows; r++) {
          const label = labels.data[r];
          const rowScale = (up === null ? 1 : Math.abs(up[r])) / divisor;
          const w = label === -100 ? 0 : withWeight ? weight[label] : 1;
          const lse = rowLse(x64.data, r, c.classes);
          const bound = 1e-6 * rowScale * (w + 2 * zLoss * Math.abs(lse)) + 2e-7 * rowScale * w;
          for (let j = 0; j < c.classes; j++) {
            const i = r * c.classes + j;
            const g32 = f32.grads.input.data[i];
            const g64 = f64.grads.input.data[i];
            if (label === -100) assert.ok(Object.is(g32, 0), `${what}: ignored row ${r} has gradient +0`);
            else assert.ok(Math.abs(g32 - g64) <= bound, `${what}: gradient[${r}, ${j}] ${g32} vs ${g64}`);
          }
        }
        if (up === null) {
          const value = entry.value({ input: x32, target: labels }, options).item();
          assert.equal(value, f32.value.item(), `${what}: the value alone equals valueAndGrad's`);
        }
      }
    }
  });
});

test('zLoss on the SIMD path: tokenCrossEntropy matches float64, a reused buffer is overwritten whole, a NaN logit is named', () => {
  const c: Case = { rows: 2 * 64, classes: 512, spread: 4, ignoreRate: 0.1 };
  const { x32, x64, labels } = inputs(c, 41);
  const shape = [2, 64, 512];
  const target = new Tensor(labels.data, [2, 64]);
  const options = { ignoreIndex: -100, zLoss: 1e-2 };
  const f32 = losses.tokenCrossEntropy.valueAndGrad({ input: new Tensor(x32.data, shape), target }, options);
  const f64 = losses.tokenCrossEntropy.valueAndGrad({ input: new Tensor(x64.data, shape), target }, options);
  assert.ok(relative(f32.value.item(), f64.value.item()) <= 2e-6);
  const counted = labels.data.filter((l) => l !== -100).length;
  for (let i = 0; i < f64.grads.input.data.length; i++) {
    const lse = rowLse(x64.data, Math.floor(i / c.classes), c.classes);
    const bound = (1e-6 * (1 + 0.02 * Math.abs(lse)) + 2e-7) / counted;
    assert.ok(Math.abs(f32.grads.input.data[i] - f64.grads.input.data[i]) <= bound, `gradient[${i}]`);
  }
  const reused = new Tensor(new Float32Array(x32.size).fill(1234.5), shape);
  losses.tokenCrossEntropy.valueAndGrad({ input: new Tensor(x32.data, shape), target }, options, null, {
    grads: { input: reused },
  });
  assert.deepEqual(reused.data, f32.grads.input.data);
  const bad = Float32Array.from(x32.data);
  bad[70 * 512 + 9] = Number.NEGATIVE_INFINITY;
  assert.throws(
    () => losses.tokenCrossEntropy.valueAndGrad({ input: new Tensor(bad, shape), target }, options),
    (e: unknown) =>
      e instanceof LossInputError &&
      e.argument === 'input' &&
      /-Infinity at index \[1, 6, 9\]/.test(e.message),
  );
});

test('a z-loss gradient coefficient beyond float32 leaves the kernel (null) and the loss reports the overflow as the JavaScript rows do', () => {
  // Equal logits with lse = 0.1: z·lse² = 2e38 per row fits float32, the gradient
  // 2z·lse·softmax = 5e38 does not.
  const rows = 64;
  const classes = 8;
  const x = new Float32Array(rows * classes).fill(Math.log(Math.exp(0.1) / classes));
  const labels = new Float32Array(rows);
  const grad = new Float32Array(x.length);
  const zLoss = 2e40;
  const kernelArgs = {
    x,
    classes,
    labels,
    ignoreIndex: undefined,
    classWeight: null,
    trueCoefficient: 1,
    scale: 1,
    upstream: null,
    units: null,
    zLoss,
  };
  assert.equal(simdOneHotCrossEntropy({ ...kernelArgs, grad }), null);
  const valueOnly = simdOneHotCrossEntropy({ ...kernelArgs, grad: null });
  assert.ok(valueOnly !== null && relative(valueOnly, rows * zLoss * 0.01) <= 1e-5, `value ${valueOnly}`);
  for (const input of [
    new Tensor(x, [rows, classes]),
    new Tensor(x.subarray(0, 8 * classes), [8, classes]),
  ]) {
    // 512 logits take the kernel, 64 (below its minimum length) the JavaScript rows: the same error.
    assert.throws(
      () =>
        losses.sparseCategoricalCrossEntropy.valueAndGrad(
          { input, target: new Float32Array(input.shape[0]) },
          { zLoss, reduction: 'none' },
        ),
      (e: unknown) =>
        e instanceof LossInputError &&
        e.argument === 'options.zLoss' &&
        /makes the gradient Infinity in float32 at index \[0, 0\]/.test(e.message),
      `${input.size} logits`,
    );
  }
});
