import { type LossEntry, type TensorLike, tensor } from '../../packages/losskit/src/index.js';
import { assertClose } from './assert-close.js';

type Plain = { shape: number[]; data: Float64Array };

function toPlain(v: unknown): Plain {
  const t = v as { shape: readonly number[]; data: ArrayLike<number> };
  return { shape: [...t.shape], data: Float64Array.from(t.data) };
}

/**
 * Central finite differences in float64 of sum(upstream · value) with respect to every
 * differentiable input, compared with the analytic `valueAndGrad` gradient.
 * Error ≈ h²·f''' for smooth losses; `h = 1e-6` and the default tolerance suit O(1) inputs.
 */
export function gradcheck(
  entry: LossEntry,
  inputs: Record<string, unknown>,
  options: Record<string, unknown> = {},
  upstream?: TensorLike,
  { h = 1e-6, rtol = 1e-5, atol = 1e-6 }: { h?: number; rtol?: number; atol?: number } = {},
): void {
  const base: Record<string, Plain> = {};
  for (const [k, v] of Object.entries(inputs)) base[k] = toPlain(v);
  const up = upstream === undefined ? null : toPlain(upstream);
  const objective = (ins: Record<string, Plain>): number => {
    const value = entry.value(ins as never, options as never);
    let s = 0;
    for (let i = 0; i < value.data.length; i++) s += (up === null ? 1 : up.data[i]) * value.data[i];
    return s;
  };
  const { grads } = entry.valueAndGrad(base as never, options as never, up);
  for (const name of entry.differentiable) {
    const x = base[name];
    const numeric = new Float64Array(x.data.length);
    for (let i = 0; i < x.data.length; i++) {
      const saved = x.data[i];
      x.data[i] = saved + h;
      const plus = objective(base);
      x.data[i] = saved - h;
      const minus = objective(base);
      x.data[i] = saved;
      numeric[i] = (plus - minus) / (2 * h);
    }
    assertClose(
      (grads as Record<string, { shape: readonly number[]; data: ArrayLike<number> }>)[name],
      { shape: x.shape, data: numeric },
      { rtol, atol },
      `${entry.name} finite-difference grads.${name}`,
    );
  }
}

/**
 * `gradcheck` for one loss on nested-array inputs: each input, and the upstream when given,
 * is turned into a tensor first. Returns `check(inputs, options?, upstream?)`.
 */
export function nestedGradcheck(
  entry: LossEntry,
): (inputs: Record<string, TensorLike>, options?: Record<string, unknown>, upstream?: TensorLike) => void {
  return (inputs, options = {}, upstream) =>
    gradcheck(
      entry,
      Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tensor(v)])),
      options,
      upstream === undefined ? undefined : tensor(upstream),
    );
}

/** `nestedGradcheck` for a loss of `(input, target)`: returns `check(input, target, options?, upstream?)`. */
export function inputTargetGradcheck(
  entry: LossEntry,
): (input: TensorLike, target: TensorLike, options?: Record<string, unknown>, upstream?: TensorLike) => void {
  const check = nestedGradcheck(entry);
  return (input, target, options, upstream) => check({ input, target }, options, upstream);
}
