// Logits at the edges of the float range (issue #12): ±1e308 in float64, ±3e38 in float32, on
// the JavaScript loops, the WebAssembly SIMD kernels (float32, 256 elements or more) and the
// general path (weights, posWeight, 'none', an upstream). A correct label costs 0 and a wrong one
// costs |x|, which is finite; the gradient is σ(x) − y (times the focal factor), never NaN.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { type LossEntry, losses, type Tensor } from '../../index.js';

const bce = losses.binaryCrossEntropyWithLogits as unknown as LossEntry;
const focal = losses.focal as unknown as LossEntry;

type Dtype = 'float32' | 'float64';
const largest: Record<Dtype, number> = { float64: 1e308, float32: 3e38 };

/**
 * n logits alternating +X, −X with the right targets (1, 0), except at index 1, whose target 1
 * is wrong: every loss is 0 but that one, X (times focal's α = 0.25). So Σℓ = X stays finite and
 * every reduction has a finite true value. The +X with target 1 is where x + |x| used to overflow
 * (0·∞ = NaN on the JavaScript loops).
 */
function extremeBatch(dtype: Dtype, n: number) {
  const X = largest[dtype];
  const input = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const target = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    input[i] = i % 2 === 0 ? X : -X;
    target[i] = i % 2 === 0 || i === 1 ? 1 : 0;
  }
  return { input: { shape: [n], data: input }, target: { shape: [n], data: target } };
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(b), `${what}: ${a} vs ${b}`);

for (const entry of [bce, focal]) {
  // focal's α_t of the wrong element (a positive): 0.25; its focal factor q^γ is 1.
  const at = entry === focal ? 0.25 : 1;
  describe(`${entry.name} at logits of ±1e308 (float64) and ±3e38 (float32)`, () => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const n of [8, 1024]) {
        const X = largest[dtype];
        const path = n >= 256 && dtype === 'float32' ? 'SIMD kernel for mean and sum' : 'JavaScript loops';
        test(`${dtype}, n = ${n} (${path}): 0 for a right label and |x| for a wrong one, under every reduction`, () => {
          const args = extremeBatch(dtype, n);
          const wrong = dtype === 'float32' ? Math.fround(at * X) : at * X;
          const units = entry.value(args as never, { reduction: 'none' } as never);
          assert.deepEqual(
            Array.from(units.data),
            Array.from({ length: n }, (_, i) => (i === 1 ? wrong : 0)),
          );
          close(entry.value(args as never, { reduction: 'sum' } as never).item(), at * X, 'sum');
          close(entry.value(args as never, { reduction: 'mean' } as never).item(), (at * X) / n, 'mean');
        });
        test(`${dtype}, n = ${n} (${path}): the gradient is (σ(x) − y)·α_t·scale, 0 for a right label, under every reduction`, () => {
          const args = extremeBatch(dtype, n);
          for (const reduction of ['mean', 'sum', 'none'] as const) {
            const g = (
              entry.valueAndGrad(args as never, { reduction } as never).grads as Record<string, Tensor>
            ).input;
            const scale = reduction === 'mean' ? 1 / n : 1;
            for (let i = 0; i < n; i++) {
              const expected = i === 1 ? -at * scale : 0;
              assert.ok(
                Math.abs(g.data[i] - expected) <= 1e-6 * scale,
                `${reduction} grad ${i}: ${g.data[i]} vs ${expected}`,
              );
            }
          }
        });
      }
    }
  });
}

test('binaryCrossEntropyWithLogits with weight and posWeight at logits of ±1e308: exact terms and gradients, with an upstream', () => {
  const input = [1e308, -1e308, 1e308, -1e308];
  const target = [1, 1, 0, 0.5];
  const options = { weight: [1, 0.5, 1, 1], posWeight: [3], reduction: 'none' };
  const { value, grads } = bce.valueAndGrad({ input, target } as never, options as never, [1, 2, 3, 4]);
  // w·[p·y·softplus(−x) + (1 − y)·softplus(x)]: 0, 0.5·3·1e308, 1e308, 3·0.5·1e308.
  assert.deepEqual(Array.from(value.data), [0, 1.5e308, 1e308, 1.5e308]);
  // upstream·w·[(1 − y)σ(x) − p·y·σ(−x)], σ(±1e308) exactly 1 or 0.
  assert.deepEqual(Array.from((grads as Record<string, Tensor>).input.data), [0, -3, 3, -6]);
});

describe('focal with an extreme gamma', () => {
  for (const fromLogits of [true, false]) {
    const input = fromLogits ? [2, -1, 0.5, -3, 0, 4] : [0.9, 0.2, 0.6, 0.05, 0.5, 0.99];
    const target = [1, 0, 1, 0, 1, 0];
    for (const gamma of [1e308, 1e300, 5e-324]) {
      test(`gamma ${gamma} (fromLogits ${fromLogits}) gives a finite value and finite gradients, in float64 and float32`, () => {
        for (const data of [Float64Array.from(input), Float32Array.from(input)]) {
          const args = {
            input: { shape: [6], data },
            target: { shape: [6], data: data.map((_, i) => target[i]) },
          };
          for (const reduction of ['mean', 'none'] as const) {
            const { value, grads } = focal.valueAndGrad(
              args as never,
              { gamma, fromLogits, reduction } as never,
            );
            assertAllFinite(value, `${reduction} value`);
            assertAllFinite((grads as Record<string, Tensor>).input, `${reduction} grads`);
          }
        }
      });
    }
    test(`a gamma of 1e308 zeroes the loss and the gradient of every prediction that is not fully wrong (fromLogits ${fromLogits})`, () => {
      const { value, grads } = focal.valueAndGrad(
        { input, target } as never,
        { gamma: 1e308, fromLogits, reduction: 'none' } as never,
      );
      assert.ok(
        value.data.every((v) => v === 0),
        `values ${value.data}`,
      );
      const g = (grads as Record<string, Tensor>).input;
      assert.ok(
        g.data.every((v) => v === 0),
        `gradients ${g.data}`,
      );
    });
    test(`gradients still match central differences at gamma 0.5, 2 and 7 (fromLogits ${fromLogits})`, () => {
      for (const gamma of [0.5, 2, 7])
        gradcheck(
          focal,
          {
            input: { shape: [6], data: Float64Array.from(input) },
            target: { shape: [6], data: Float64Array.from(target) },
          },
          { gamma, fromLogits },
        );
    });
  }
});

test('categoricalCrossEntropy with logits of ±1e308: a class of target 0 adds nothing (0·(−∞) is not NaN)', () => {
  const input = [
    [1e308, -1e308, 0],
    [-1e308, 1e308, -1e308],
  ];
  const target = [
    [1, 0, 0],
    [0, 1, 0],
  ];
  const entry = losses.categoricalCrossEntropy as unknown as LossEntry;
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    const { value, grads } = entry.valueAndGrad({ input, target } as never, { reduction } as never);
    assert.deepEqual(Array.from(value.data), reduction === 'none' ? [0, 0] : [0], reduction);
    assert.deepEqual(
      Array.from((grads as Record<string, Tensor>).input.data),
      [0, 0, 0, 0, 0, 0],
      `${reduction} grads`,
    );
  }
});
