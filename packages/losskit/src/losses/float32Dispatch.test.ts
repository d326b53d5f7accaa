import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIMD_MIN_LENGTH } from '../kernels/wasm/float32.js';
import type { FloatArray } from '../tensor/index.js';
import { losses } from '../index.js';
import type { FusedChecks } from './checks.js';
import { float32Dispatch, float32SimdCandidate } from './float32Dispatch.js';

/** A dispatch over recording stand-ins: which path ran, on which lengths, and what the checks saw. */
function record(x: FloatArray, y: FloatArray, g: FloatArray | null, simdAnswer: number | null) {
  const calls: string[] = [];
  const checks: FusedChecks = {
    run: () => calls.push('run'),
    absorb: (upTo?: number) => calls.push(`absorb ${upTo}`),
  };
  const total = float32Dispatch(
    x,
    y,
    g,
    (x32) => {
      calls.push(`simd ${x32.length}`);
      return simdAnswer;
    },
    (xs) => {
      calls.push(`js ${xs.length}`);
      return xs.length;
    },
    checks,
  );
  return { total, calls };
}

test('large float32 arrays take the SIMD head over the multiples of 4 and the JavaScript loop for the tail', () => {
  const n = SIMD_MIN_LENGTH + 3;
  const r = record(new Float32Array(n), new Float32Array(n), new Float32Array(n), 100);
  assert.deepEqual(r.calls, [`simd ${n}`, `absorb ${SIMD_MIN_LENGTH}`, 'js 3']);
  assert.equal(r.total, 103);
  // The value alone (no gradient buffer) takes the same path.
  assert.deepEqual(record(new Float32Array(n), new Float32Array(n), null, 100).calls, r.calls);
});

test('the JavaScript loop runs over everything, after the fused checks, where SIMD does not apply or answers null', () => {
  const n = SIMD_MIN_LENGTH;
  const f32 = () => new Float32Array(n);
  const cases: [FloatArray, FloatArray, FloatArray | null, number | null, string[]][] = [
    [f32(), f32(), f32(), null, [`simd ${n}`, 'run', `js ${n}`]],
    [new Float32Array(n - 1), new Float32Array(n - 1), null, 1, ['run', `js ${n - 1}`]],
    [new Float64Array(n), f32(), null, 1, ['run', `js ${n}`]],
    [f32(), new Float64Array(n), null, 1, ['run', `js ${n}`]],
    [f32(), f32(), new Float64Array(n), 1, ['run', `js ${n}`]],
  ];
  for (const [x, y, g, answer, expected] of cases) assert.deepEqual(record(x, y, g, answer).calls, expected);
  assert.equal(float32SimdCandidate(new Float32Array(n), new Float32Array(n)), true);
  assert.equal(float32SimdCandidate(new Float32Array(n - 1), new Float32Array(n - 1)), false);
});

test('mse, huber, binaryCrossEntropyWithLogits and focal through the dispatch: float32 SIMD within float32 accuracy of float64, the tail included', () => {
  const n = 4 * SIMD_MIN_LENGTH + 3;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.fround(Math.sin(i) * 3);
    y[i] = i % 3 === 0 ? 1 : i % 3 === 1 ? 0 : 0.25;
  }
  for (const name of ['mse', 'huber', 'binaryCrossEntropyWithLogits', 'focal'] as const) {
    for (const reduction of ['mean', 'sum'] as const) {
      const f32 = losses[name].valueAndGrad({ input: x, target: y }, { reduction });
      const f64 = losses[name].valueAndGrad(
        { input: Float64Array.from(x), target: Float64Array.from(y) },
        { reduction },
      );
      const v = f64.value.item();
      assert.ok(
        Math.abs(f32.value.item() - v) <= 2e-6 * Math.abs(v),
        `${name} ${reduction}: ${f32.value.item()} vs ${v}`,
      );
      const scale = reduction === 'mean' ? 1 / n : 1;
      for (let i = 0; i < n; i++) {
        const a = f32.grads.input.data[i];
        const b = f64.grads.input.data[i];
        assert.ok(
          Math.abs(a - b) <= 1e-6 * Math.abs(b) + 1e-6 * scale,
          `${name} ${reduction} grad[${i}]: ${a} vs ${b}`,
        );
      }
    }
  }
});
