// Registry-driven sweep of the edges of the float range (issue #12, "Trust"): for every loss,
// every input at the extremes of its dtype (±1e308 and 5e-324 in float64, ±3e38 and 1e-45 in
// float32) and every number option at the edges of its domain (5e-324, 1e-300, 0, 1e308), in
// both dtypes, with every reduction, on the oracle's inputs and on a float32 tiling of them long
// enough for the WebAssembly SIMD kernels: the value and every gradient are finite, or the call
// throws a LossInputError. Never NaN or ∞ for input the loss accepts. Where the true value is
// finite the loss computes it; where it is not representable (an mse of 1e308, a sum of many
// 1e308-sized terms, a margin of 1e308 squared) the boundary names the overflow, and a loss whose
// gradient can overflow while its value does not checks that gradient itself. New losses are
// covered as soon as they have oracle cases.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LossEntry, LossInputError, losses } from '../../packages/losskit/src/index.js';
import { isOracleTensor, type OracleCase, type OracleTensor, oracleCases } from '../helpers/oracle.js';

const registry = losses as unknown as Record<string, LossEntry>;

type Dtype = 'float32' | 'float64';
type Data = Float32Array | Float64Array;
interface Args {
  inputs: Record<string, { shape: number[]; data: Data }>;
  options: Record<string, unknown>;
}

/** Values at the large end of each dtype's range (float32 inputs cannot hold 1e308). */
const huge: Record<Dtype, readonly number[]> = { float64: [1e308, -1e308], float32: [3e38, -3e38] };
/** Values at the small end: the smallest subnormal, and a tiny normal number. */
const tiny: Record<Dtype, readonly number[]> = {
  float64: [5e-324, -5e-324, 1e-300],
  float32: [1e-45, -1e-45, 1e-38],
};
/** How an extreme value is placed: in every element, in the first, or with alternating signs. */
const placements = ['all', 'first', 'alternating'] as const;

const hugeOptionValues = [1e308];
const tinyOptionValues = [5e-324, 1e-300, 0];

/** Enough elements in the first input for every SIMD kernel (the longest threshold is 256). */
const SIMD_LENGTH = 1024;

function typed(dtype: Dtype, values: ArrayLike<number>): Data {
  return dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
}

/** `t` repeated `times` times along its first axis. */
function tiled(t: OracleTensor, times: number): OracleTensor {
  if (times === 1 || t.shape.length === 0) return t;
  const data: number[] = [];
  for (let k = 0; k < times; k++) data.push(...t.data);
  return { shape: [t.shape[0] * times, ...t.shape.slice(1)], data };
}

/** The case's inputs in `dtype`, each tiled `times` times; tensor options stay float64. */
function argsOf(c: OracleCase, dtype: Dtype, times = 1): Args {
  const inputs: Args['inputs'] = {};
  for (const [k, v] of Object.entries(c.inputs)) {
    const t = tiled(v, times);
    inputs[k] = { shape: t.shape, data: typed(dtype, t.data) };
  }
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c.options)) {
    options[k] = isOracleTensor(v) ? { shape: v.shape, data: Float64Array.from(v.data) } : v;
  }
  return { inputs, options };
}

function place(data: Data, value: number, placement: (typeof placements)[number]): void {
  if (placement === 'all') data.fill(value);
  else if (placement === 'first') data[0] = value;
  else for (let i = 0; i < data.length; i++) data[i] = i % 2 === 0 ? value : -value;
}

/** The first non-finite number of the value or a gradient, described; null when all are finite. */
function nonFinite(result: ReturnType<LossEntry['valueAndGrad']>): string | null {
  const tensors: [string, { data: ArrayLike<number> }][] = [
    ['value', result.value],
    ...Object.entries(result.grads).map(
      ([k, t]) => [`grads.${k}`, t] as [string, { data: ArrayLike<number> }],
    ),
  ];
  for (const [name, t] of tensors) {
    for (let i = 0; i < t.data.length; i++) {
      if (!Number.isFinite(t.data[i])) return `${name}[${i}] = ${t.data[i]}`;
    }
  }
  return null;
}

/**
 * Calls `valueAndGrad` and `value` under each reduction the loss takes; returns the problems: a
 * non-finite number in a result, or an exception other than a LossInputError.
 */
function problemsOf(entry: LossEntry, args: Args, what: string): string[] {
  const reductions: (string | undefined)[] = [undefined];
  const spec = entry.optionSchema.reduction;
  if (entry.reducible && spec !== undefined) {
    for (const r of ['mean', 'sum', 'none', 'batchmean'])
      if (spec.accepts.includes(`'${r}'`)) reductions.push(r);
  }
  const problems: string[] = [];
  for (const reduction of reductions) {
    const options = reduction === undefined ? args.options : { ...args.options, reduction };
    const label = `${what}${reduction === undefined ? '' : ` reduction ${reduction}`}`;
    try {
      const result = entry.valueAndGrad(args.inputs as never, options as never);
      const bad = nonFinite(result);
      if (bad !== null) problems.push(`${label}: ${bad}`);
      const value = entry.value(args.inputs as never, options as never);
      for (const v of value.data) {
        if (!Number.isFinite(v)) {
          problems.push(`${label}: value() gave ${v}`);
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof LossInputError)) problems.push(`${label}: threw ${String(e)}`);
    }
  }
  return problems;
}

/** The number options of a loss (its option specs that accept a finite number). */
function numberOptions(entry: LossEntry): string[] {
  return Object.entries(entry.optionSchema)
    .filter(([, spec]) => /number/.test(spec.accepts) && !/integer/.test(spec.accepts))
    .map(([name]) => name);
}

/** Every setting of the sweep: the cases in both dtypes, and the first plain case tiled in float32. */
function settings(cases: readonly OracleCase[]): { label: string; dtype: Dtype; args: () => Args }[] {
  const out: { label: string; dtype: Dtype; args: () => Args }[] = [];
  for (const c of cases) {
    for (const dtype of ['float64', 'float32'] as const)
      out.push({ label: `${c.id} ${dtype}`, dtype, args: () => argsOf(c, dtype) });
  }
  const plain = cases.find((c) => !Object.values(c.options).some(isOracleTensor));
  if (plain !== undefined) {
    const first = Object.values(plain.inputs)[0];
    const size = first.data.length;
    if (first.shape.length > 0 && size > 0) {
      const times = Math.ceil(SIMD_LENGTH / size);
      out.push({
        label: `${plain.id} float32 ×${times}`,
        dtype: 'float32',
        args: () => argsOf(plain, 'float32', times),
      });
    }
  }
  return out;
}

function sweepInputs(
  entry: LossEntry,
  cases: readonly OracleCase[],
  values: Record<Dtype, readonly number[]>,
): string[] {
  const problems: string[] = [];
  for (const s of settings(cases)) {
    for (const input of entry.inputs) {
      for (const value of values[s.dtype]) {
        for (const placement of placements) {
          const args = s.args();
          if (args.inputs[input].data.length === 0) continue;
          place(args.inputs[input].data, value, placement);
          problems.push(...problemsOf(entry, args, `${s.label}: ${input} ${placement} ${value}`));
        }
      }
    }
  }
  return problems;
}

function sweepOptions(entry: LossEntry, cases: readonly OracleCase[], values: readonly number[]): string[] {
  const problems: string[] = [];
  for (const s of settings(cases)) {
    for (const option of numberOptions(entry)) {
      for (const value of values) {
        const args = s.args();
        args.options[option] = value;
        problems.push(...problemsOf(entry, args, `${s.label}: options.${option} = ${value}`));
      }
    }
  }
  return problems;
}

function assertNone(problems: string[]): void {
  assert.deepEqual(
    problems.slice(0, 12),
    [],
    `${problems.length} calls gave a non-finite result or a foreign error`,
  );
}

const byLoss = new Map<string, OracleCase[]>();
for (const c of oracleCases) byLoss.set(c.loss, [...(byLoss.get(c.loss) ?? []), c]);

test('every registry loss has oracle cases, so that this sweep covers it', () => {
  assert.deepEqual(
    Object.keys(registry).filter((name) => !byLoss.has(name)),
    [],
  );
});

for (const [name, cases] of byLoss) {
  const entry = registry[name];
  if (entry === undefined) continue;
  describe(`${name} at the edges of the float range`, () => {
    test(`${name}: inputs at the small end of the range (subnormals, ±1e-300, ±1e-38) give finite values and gradients, or a LossInputError`, () => {
      assertNone(sweepInputs(entry, cases, tiny));
    });
    test(`${name}: number options at the small end of their domain (5e-324, 1e-300, 0) give finite values and gradients, or a LossInputError`, () => {
      assertNone(sweepOptions(entry, cases, tinyOptionValues));
    });
    test(`${name}: inputs at ±1e308 (float64) and ±3e38 (float32) give finite values and gradients, or a LossInputError`, () => {
      assertNone(sweepInputs(entry, cases, huge));
    });
    test(`${name}: number options of 1e308 give finite values and gradients, or a LossInputError`, () => {
      assertNone(sweepOptions(entry, cases, hugeOptionValues));
    });
  });
}
