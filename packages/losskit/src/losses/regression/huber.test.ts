import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNonFiniteNamed, filled, layouts } from '../../../../../test/helpers/non-finite.js';
import { type LossEntry, losses, Tensor } from '../../index.js';

test('huber keeps δ when it is below half an ulp of |x − y| (residual 1e13, δ = 1e-3)', () => {
  const delta = 1e-3;
  for (const d of [1e13, -1e13, 1e300]) {
    const expected = delta * (Math.abs(d) - 0.5 * delta);
    for (const reduction of ['sum', 'none'] as const) {
      const out = losses.huber.valueAndGrad({ input: [d, 0], target: [0, 0] }, { delta, reduction });
      const value = reduction === 'sum' ? out.value.item() : out.value.data[0];
      assert.equal(value, expected, `value at d = ${d}, ${reduction}`);
      assert.equal(out.grads.input.data[0], Math.sign(d) * delta, `gradient at d = ${d}, ${reduction}`);
    }
  }
});

test('mse and huber name a NaN or an infinity anywhere in input or target, though no separate scan runs (their sums are the check)', () => {
  for (const name of ['mse', 'huber'] as const) {
    for (const argument of ['input', 'target']) {
      assertNonFiniteNamed(
        losses[name] as unknown as LossEntry,
        argument,
        (layout) => ({ input: filled(layout, Math.sin), target: filled(layout, Math.cos) }),
        [{}, { reduction: 'none' }],
      );
    }
  }
});

test('reused gradient buffers holding garbage are overwritten whole by mse, huber, binaryCrossEntropyWithLogits and focal, on every path', () => {
  for (const { n, dtype } of layouts) {
    const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    const y = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = 3 * Math.sin(i);
      y[i] = i % 3 === 0 ? 1 : (i % 3) / 4;
    }
    const inputs = { input: new Tensor(x, [n]), target: new Tensor(y, [n]) };
    for (const name of ['mse', 'huber', 'binaryCrossEntropyWithLogits', 'focal'] as const) {
      for (const options of [{}, { reduction: 'sum' }, { reduction: 'none' }] as const) {
        const entry = losses[name];
        const fresh = entry.valueAndGrad(inputs, options);
        const reused = new Tensor(
          dtype === 'float32' ? new Float32Array(n).fill(Number.NaN) : new Float64Array(n).fill(Number.NaN),
          [n],
        );
        entry.valueAndGrad(inputs, options, null, { grads: { input: reused } });
        assert.deepEqual(
          reused.data,
          fresh.grads.input.data,
          `${name} ${dtype} n=${n} ${JSON.stringify(options)}`,
        );
      }
    }
  }
});
