import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, losses, Tensor } from '../../index.js';
import { SIMD_MIN_LENGTH, simdAllFinite, simdAllInUnitInterval, simdAvailable } from './float32.js';
import { float32Wasm } from './kernels.generated.js';

// Compiled to <outDir>/packages/losskit/src/kernels/wasm/, one folder below the repository root.
const root = fileURLToPath(new URL('../../../../../../', import.meta.url));

type Targets = 'hard' | 'soft';

/** float32 logits (mostly in ±8, some to ±40, a few ±1e4) and targets, and their float64 copies. */
function binaryInputs(n: number, targets: Targets, seed: number) {
  const next = random(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = next();
    x[i] = i % 97 === 0 ? (u < 0.5 ? -1e4 : 1e4) : (2 * u - 1) * (i % 5 === 0 ? 40 : 8);
    y[i] = targets === 'hard' ? +(next() < 0.3) : next();
  }
  return {
    x32: new Tensor(x, [n]),
    y32: new Tensor(y, [n]),
    x64: new Tensor(Float64Array.from(x), [n]),
    y64: new Tensor(Float64Array.from(y), [n]),
  };
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

/**
 * |a − b| allowed for a gradient: a few float32 ulps (1e-6 relative), plus the cancellation of
 * σ(x) − y in the reference for large |x| (the float64 path's own rounding, 4e-16 of the scale;
 * the SIMD kernel computes (1 − y)σ(x) − yσ(−x) and is the more accurate one there), plus, for
 * soft targets where the terms cancel in float32 too, 3e-7 of the scale.
 */
function gradientTolerance(reference: number, scale: number, soft: boolean): number {
  return 1e-6 * Math.abs(reference) + 4e-16 * scale + (soft ? 3e-7 * scale : 0);
}

/** Value within 2e-6 relative of the float64 path; gradients within `gradientTolerance`. */
function compareWithFloat64(
  name: 'binaryCrossEntropyWithLogits' | 'focal',
  options: object,
  n: number,
  targets: Targets,
) {
  const { x32, y32, x64, y64 } = binaryInputs(n, targets, n * 31 + (targets === 'hard' ? 1 : 2));
  for (const reduction of ['mean', 'sum'] as const) {
    const entry = losses[name];
    const f32 = entry.valueAndGrad({ input: x32, target: y32 }, { ...options, reduction });
    const f64 = entry.valueAndGrad({ input: x64, target: y64 }, { ...options, reduction });
    const v32 = f32.value.item();
    const v64 = f64.value.item();
    assert.ok(
      relative(v32, v64) <= 2e-6,
      `${name} ${reduction} n=${n} ${targets}: value ${v32} vs float64 ${v64}`,
    );
    const scale = reduction === 'mean' ? 1 / n : 1;
    const g32 = f32.grads.input.data;
    const g64 = f64.grads.input.data;
    for (let i = 0; i < n; i++) {
      assert.ok(
        Math.abs(g32[i] - g64[i]) <= gradientTolerance(g64[i], scale, targets === 'soft'),
        `${name} ${reduction} n=${n} ${targets}: gradient[${i}] ${g32[i]} vs float64 ${g64[i]} (x = ${x64.data[i]}, y = ${y64.data[i]})`,
      );
    }
  }
}

/** Per-element accuracy through 'sum' over SIMD_MIN_LENGTH copies of one (logit, target) pair. */
function elementSweep(name: 'binaryCrossEntropyWithLogits' | 'focal', options: object) {
  const n = SIMD_MIN_LENGTH;
  for (let step = -400; step <= 400; step++) {
    const logit = Math.fround(step * 0.25 + step * 1e-3);
    for (const target of [0, 0.3, 1]) {
      const t = Math.fround(target);
      const x32 = new Float32Array(n).fill(logit);
      const y32 = new Float32Array(n).fill(t);
      const f32 = losses[name].valueAndGrad({ input: x32, target: y32 }, { ...options, reduction: 'sum' });
      const f64 = losses[name].valueAndGrad(
        { input: [logit], target: [t] },
        { ...options, reduction: 'sum' },
      );
      const v64 = f64.value.item() * n;
      const g64 = f64.grads.input.data[0];
      // Below e^−87 the kernel's exp is 0 (the float32 result would be subnormal).
      const floor = 1e-37;
      assert.ok(
        Math.abs(f32.value.item() - v64) <= 1e-6 * Math.abs(v64) + floor * n,
        `${name}(${logit}, ${t}): ${f32.value.item() / n} vs float64 ${v64 / n}`,
      );
      assert.ok(
        Math.abs(f32.grads.input.data[n - 1] - g64) <= gradientTolerance(g64, 1, target === 0.3) + floor,
        `${name}'(${logit}, ${t}): ${f32.grads.input.data[n - 1]} vs float64 ${g64}`,
      );
    }
  }
}

test('the embedded WebAssembly bytes are exactly what scripts/build-wasm.mjs assembles from the .wat sources', () => {
  const result = spawnSync(process.execPath, ['scripts/build-wasm.mjs', '--check'], {
    cwd: root,
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('the SIMD kernels load in Node (WebAssembly SIMD is available)', () => {
  assert.equal(simdAvailable(), true);
});

/**
 * Lengths that reach every path: one vector count per remainder of the unrolled loops (2 vectors
 * for the binary losses, 4 for mse and huber; the kernels pad the rest), a chunk and 3 elements
 * left to JavaScript, a second chunk of 5 vectors, several full chunks.
 */
const LENGTHS = [SIMD_MIN_LENGTH, SIMD_MIN_LENGTH + 4, 1001, 16384 + 3, 16384 + 22, 3 * 16384, 100_003];

test('the float32 module stays under the 4 KB that browsers compile synchronously on the main thread', () => {
  assert.ok(atob(float32Wasm).length < 4096, `${atob(float32Wasm).length} bytes`);
});

test('binaryCrossEntropyWithLogits float32 (SIMD) matches the float64 path: value within 2e-6, gradients within a few ulps', () => {
  for (const n of LENGTHS) {
    compareWithFloat64('binaryCrossEntropyWithLogits', {}, n, 'hard');
    compareWithFloat64('binaryCrossEntropyWithLogits', {}, n, 'soft');
  }
});

test('binaryCrossEntropyWithLogits float32 (SIMD) is accurate element by element for logits in [-100, 100]', () => {
  elementSweep('binaryCrossEntropyWithLogits', {});
});

test('focal float32 (SIMD, gamma 2) matches the float64 path with alpha 0.25 and with alpha null', () => {
  for (const n of LENGTHS) {
    for (const alpha of [0.25, null]) {
      compareWithFloat64('focal', { alpha }, n, 'hard');
      compareWithFloat64('focal', { alpha }, n, 'soft');
    }
  }
});

test('focal float32 (SIMD) is accurate element by element for logits in [-100, 100]', () => {
  elementSweep('focal', { alpha: 0.25 });
});

test('focal float32 with gamma other than 2 keeps the JavaScript path and still matches float64', () => {
  compareWithFloat64('focal', { gamma: 1.5 }, 4099, 'soft');
});

test('the value alone (no gradient) equals the value of valueAndGrad on the SIMD path', () => {
  const binary = binaryInputs(50_001, 'soft', 7);
  const regression = regressionInputs(50_001, 7);
  for (const name of ['binaryCrossEntropyWithLogits', 'focal', 'mse', 'huber'] as const) {
    const { x32, y32 } = name === 'mse' || name === 'huber' ? regression : binary;
    const alone = losses[name].value({ input: x32, target: y32 }).item();
    const withGrad = losses[name].valueAndGrad({ input: x32, target: y32 }).value.item();
    assert.equal(alone, withGrad, name);
  }
});

test('logits of ±1e4 on the SIMD path give exact values and gradients', () => {
  const n = 4 * SIMD_MIN_LENGTH;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i % 2 === 0 ? 1e4 : -1e4;
    y[i] = i % 4 < 2 ? 1 : 0; // right, wrong, wrong, right
  }
  const { value, grads } = losses.binaryCrossEntropyWithLogits.valueAndGrad(
    { input: x, target: y },
    { reduction: 'sum' },
  );
  assert.equal(value.item(), (n / 2) * 1e4);
  const expected = [0, -1, 1, 0];
  for (let i = 0; i < n; i++) assert.equal(grads.input.data[i], expected[i % 4], `gradient[${i}]`);
});

/** float32 regression inputs (residuals mostly within ±2, some to ±40) and float64 copies. */
function regressionInputs(n: number, seed: number) {
  const next = random(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = (2 * next() - 1) * (i % 7 === 0 ? 40 : 2);
    y[i] = 2 * next() - 1;
  }
  return {
    x32: new Tensor(x, [n]),
    y32: new Tensor(y, [n]),
    x64: new Tensor(Float64Array.from(x), [n]),
    y64: new Tensor(Float64Array.from(y), [n]),
  };
}

/** The float32 ulp at |v| (the spacing of float32 values in its binade; subnormal spacing below). */
function ulp32(v: number): number {
  const a = Math.abs(v);
  if (a < 2 ** -126) return 2 ** -149;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return 2 ** (e - 23);
}

test('mse and huber float32 (SIMD, f32x4) match the float64 path: value within 2e-6, gradients within 2 float32 ulps', () => {
  for (const n of LENGTHS) {
    const { x32, y32, x64, y64 } = regressionInputs(n, n);
    for (const [name, options] of [
      ['mse', {}],
      ['huber', { delta: 1 }],
      ['huber', { delta: 0.3 }],
    ] as const) {
      for (const reduction of ['mean', 'sum'] as const) {
        const f32 = losses[name].valueAndGrad({ input: x32, target: y32 }, { ...options, reduction });
        const f64 = losses[name].valueAndGrad({ input: x64, target: y64 }, { ...options, reduction });
        const v64 = f64.value.item();
        assert.ok(
          relative(f32.value.item(), v64) <= 2e-6,
          `${name} ${reduction} n=${n}: ${f32.value.item()} vs float64 ${v64}`,
        );
        const g32 = f32.grads.input.data;
        const g64 = f64.grads.input.data;
        for (let i = 0; i < n; i++) {
          if (!(Math.abs(g32[i] - g64[i]) <= 2 * ulp32(g64[i]))) {
            assert.fail(`${name} ${reduction} n=${n}: gradient[${i}] ${g32[i]} vs float64 ${g64[i]}`);
          }
        }
      }
    }
  }
});

test('mse and huber float32 stay within 2e-6 of float64 where float32 squares overflow or underflow, or the upstream gradient is subnormal', () => {
  const check = (
    name: 'mse' | 'huber',
    x: Float32Array,
    y: Float32Array,
    options: object,
    upstream: number | null,
    what: string,
  ) => {
    const f32 = losses[name].valueAndGrad({ input: x, target: y }, options, upstream);
    const f64 = losses[name].valueAndGrad(
      { input: Float64Array.from(x), target: Float64Array.from(y) },
      options,
      upstream,
    );
    const v64 = f64.value.item();
    assert.ok(
      relative(f32.value.item(), v64) <= 2e-6,
      `${name} ${what}: ${f32.value.item()} vs float64 ${v64}`,
    );
    for (let i = 0; i < x.length; i++) {
      const g64 = f64.grads.input.data[i];
      if (!(Math.abs(f32.grads.input.data[i] - g64) <= 2 * ulp32(g64))) {
        assert.fail(`${name} ${what}: gradient[${i}] ${f32.grads.input.data[i]} vs float64 ${g64}`);
      }
    }
  };
  // One residual of 1e20: its square (1e40) is beyond float32, the mean (2.4e36) is not.
  const { x32, y32 } = regressionInputs(4096, 3);
  const x = x32.data as Float32Array;
  const y = y32.data as Float32Array;
  x[1234] = 1e20;
  check('mse', x, y, { reduction: 'mean' }, null, 'residual 1e20');
  check('huber', x, y, { delta: 1e30, reduction: 'mean' }, null, 'residual 1e20, delta 1e30');
  // Residuals of 3e-22: float32 squares (9e-44) are subnormal, 0.4% off; their sum (2.4e-38) is not.
  const n = 2 ** 18;
  const tiny = new Float32Array(n).fill(3e-22);
  check('mse', tiny, new Float32Array(n), { reduction: 'sum' }, null, 'residuals 3e-22');
  check('huber', tiny, new Float32Array(n), { delta: 1, reduction: 'sum' }, null, 'residuals 3e-22');
  // An upstream gradient of 1e-40 is subnormal in float32 (6e-6 off); the gradients (2e-22) are not.
  const big = new Float32Array(SIMD_MIN_LENGTH).fill(1e18);
  const zeros = new Float32Array(SIMD_MIN_LENGTH);
  check('mse', big, zeros, { reduction: 'sum' }, 1e-40, 'upstream 1e-40');
  check('huber', big, zeros, { delta: 1e30, reduction: 'sum' }, 1e-40, 'upstream 1e-40, delta 1e30');
});

test('the SIMD range probes find one bad value anywhere: first, across a chunk boundary, last, in the tail', () => {
  const n = 3 * 16384 + 3;
  for (const at of [0, 16383, 16384, 3 * 16384 - 1, n - 1]) {
    const data = new Float32Array(n).fill(0.5);
    assert.equal(simdAllInUnitInterval(data), true);
    assert.equal(simdAllFinite(data), true);
    for (const bad of [-1e-30, 1.0000001, Number.NaN]) {
      data[at] = bad;
      assert.equal(simdAllInUnitInterval(data), false, `${bad} at ${at}`);
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      data[at] = bad;
      assert.equal(simdAllFinite(data), false, `${bad} at ${at}`);
    }
    data[at] = 0;
    assert.equal(simdAllInUnitInterval(data), true);
    data[at] = 1;
    assert.equal(simdAllInUnitInterval(data), true);
  }
});

test('a large float32 target outside [0, 1] is still rejected with its index (SIMD probe, then the named check)', () => {
  const n = 40_000;
  const input = new Float32Array(n);
  const target = new Float32Array(n).fill(1);
  target[31_234] = 1.5;
  for (const name of ['binaryCrossEntropyWithLogits', 'focal'] as const) {
    assert.throws(
      () => losses[name].valueAndGrad({ input, target }),
      (error: unknown) =>
        error instanceof LossInputError &&
        error.argument === 'target' &&
        /1\.5 at index .*31234.* outside \[0, 1\]/.test(error.message),
      name,
    );
  }
  const probabilities = new Float32Array(n).fill(0.5);
  probabilities[n - 1] = -0.25;
  assert.throws(
    () =>
      losses.focal.valueAndGrad({ input: probabilities, target: new Float32Array(n) }, { fromLogits: false }),
    (error: unknown) =>
      error instanceof LossInputError && error.argument === 'input' && /-0\.25 at index/.test(error.message),
  );
});
