import { type LossEntry, Tensor } from '../../src/index.js';
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
