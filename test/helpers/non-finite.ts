import assert from 'node:assert/strict';
import { type LossEntry, Tensor } from '../../packages/losskit/src/index.js';
import { assertLossInputError } from './loss-errors.js';

/** Small inputs take the JavaScript loops; large float32 ones the WebAssembly SIMD kernels. */
export const layouts = [
  { n: 5, dtype: 'float64' },
  { n: 6, dtype: 'float32' },
  { n: 70_001, dtype: 'float32' },
  { n: 70_001, dtype: 'float64' },
] as const;

export type Layout = (typeof layouts)[number];

/** A typed array of the layout's dtype filled by `f`. */
export function filled(layout: Layout, f: (i: number) => number): Float32Array | Float64Array {
  const a = layout.dtype === 'float32' ? new Float32Array(layout.n) : new Float64Array(layout.n);
  for (let i = 0; i < layout.n; i++) a[i] = f(i);
  return a;
}

/**
 * For every layout, bad value (NaN, ±∞) and position (first, middle, last), `entry` rejects
 * `argument` holding it with a LossInputError naming the argument and the index, under each
 * option set (a function of the layout where options hold per-element tensors) and in `value` too. `inputs(layout)` gives valid inputs by name; positions 0, 1
 * and 2 (mod 3) of the target are what `inputs` makes them, so a loss whose terms multiply by
 * y or 1 − y is tried at each kind of target.
 */
export function assertNonFiniteNamed(
  entry: LossEntry,
  argument: string,
  inputs: (layout: Layout) => Record<string, Float32Array | Float64Array>,
  optionSets: readonly Record<string, unknown>[] | ((layout: Layout) => readonly Record<string, unknown>[]),
): void {
  for (const layout of layouts) {
    const sets = typeof optionSets === 'function' ? optionSets(layout) : optionSets;
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      for (const at of [0, 1, 2, layout.n >> 1, layout.n - 1]) {
        const data = inputs(layout);
        data[argument][at] = bad;
        const tensors: Record<string, Tensor> = {};
        for (const [name, d] of Object.entries(data)) tensors[name] = new Tensor(d, [layout.n]);
        const message = new RegExp(`${Number.isNaN(bad) ? 'NaN' : String(bad)} at index \\[${at}\\]`);
        for (const options of sets) {
          const what = `${entry.name} ${layout.dtype} n=${layout.n} ${argument}[${at}] = ${bad} ${JSON.stringify(options)}`;
          try {
            assertLossInputError(() => entry.valueAndGrad(tensors as never, options as never), {
              loss: entry.name,
              argument,
              message,
            });
            assertLossInputError(() => entry.value(tensors as never, options as never), {
              loss: entry.name,
              argument,
              message,
            });
          } catch (e) {
            throw new Error(`${what}: ${(e as Error).message}`);
          }
        }
      }
    }
  }
}

/** Logits in ±5 and targets cycling through 0, 1 and 0.3 (every kind of binary target). */
export function logitsAndTargets(layout: Layout): Record<string, Float32Array | Float64Array> {
  return { input: filled(layout, (i) => 5 * Math.sin(i)), target: filled(layout, (i) => [0, 1, 0.3][i % 3]) };
}

/**
 * `entry` (inputs `input`, `target`) names a target outside [0, 1], NaN or infinite, at the
 * first, a middle, and the last positions (for large float32 the tail past the last multiple
 * of 4 too), with the message of `requireUnitInterval`; and -0 is a valid target, giving the
 * value of 0 within 2e-6 (on the SIMD path -0's bits send the call to the float64 loop).
 */
export function assertTargetRangeNamed(entry: LossEntry): void {
  assertNonFiniteNamed(entry, 'target', logitsAndTargets, [{}, { reduction: 'none' }]);
  const call = (data: Record<string, Float32Array | Float64Array>, n: number) =>
    entry.valueAndGrad({ input: new Tensor(data.input, [n]), target: new Tensor(data.target, [n]) } as never);
  for (const layout of layouts) {
    for (const at of [0, 5, layout.n >> 1, layout.n - 2, layout.n - 1].filter((i) => i < layout.n)) {
      for (const bad of [1.5, -0.25]) {
        const data = logitsAndTargets(layout);
        data.target[at] = bad;
        assertLossInputError(() => call(data, layout.n), {
          loss: entry.name,
          argument: 'target',
          message: new RegExp(`target ${bad} at index \\[${at}\\] is outside \\[0, 1\\]`),
        });
      }
      const data = logitsAndTargets(layout);
      data.target[at] = 0;
      const b = call(data, layout.n).value.item();
      data.target[at] = -0;
      const a = call(data, layout.n).value.item();
      assert.ok(
        Math.abs(a - b) <= 2e-6 * Math.abs(b),
        `-0 at ${at} (${layout.dtype}, n = ${layout.n}): ${a} vs ${b}`,
      );
    }
  }
}
