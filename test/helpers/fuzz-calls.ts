// Random calls of registry losses for the boundary fuzzer (test/fuzz/registry-boundary.test.ts).
//
// An arbitrary draws a *plan* (plain JSON: which reference case, how each input is written, which
// values are replaced, which option, upstream and `out` buffer to pass); `materialize` turns the
// plan into the real arguments. Plans stay small and printable, so a counterexample reads as a
// recipe even when it stands for a cyclic array or a 100 000-deep nesting.
import fc from 'fast-check';
import { type LossEntry, Tensor } from '../../packages/losskit/src/index.js';
import { type MalformedKind, malformedKinds, malformedValue } from './fuzz-malformed.js';
import { type OracleCase, type OracleTensor, oracleCases } from './oracle.js';

/** How a valid input is written: every form of TensorLike (API.md "Tensors"). */
export const representations = [
  'f64',
  'f32',
  'tensor64',
  'tensor32',
  'array',
  'nested',
  'typed',
  'int32',
] as const;
export type Representation = (typeof representations)[number];

/** Numbers a fuzzer should try besides random doubles: edges of float64, float32 and the losses. */
export const specialNumbers = [
  0,
  -0,
  1,
  -1,
  0.5,
  2,
  1e-7,
  1 - 1e-16,
  1e-300,
  5e-324,
  1e-45,
  1e4,
  -1e4,
  1e30,
  -1e30,
  3.4e38,
  3.5e38,
  -3.5e38,
  1e154,
  1e200,
  1e300,
  -1e300,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53,
  -100,
  7,
];

const numberArb = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom(...specialNumbers) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
  { weight: 1, arbitrary: fc.integer({ min: -3, max: 12 }) },
);

/** Values a fuzzer puts into an option, whatever its declared type. */
const optionValues: readonly unknown[] = [
  undefined,
  null,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  -1,
  0,
  -0,
  0.5,
  1,
  2,
  1e308,
  0.2,
  1e-9,
  -100,
  'mean',
  'sum',
  'none',
  'batchmean',
  'logits',
  'probs',
  'logProbs',
  'l1',
  'bce',
  'sample',
  'uniform',
  'bogus',
  '',
  true,
  false,
  [],
  [1, 2],
  {},
];

export interface InputPlan {
  readonly repr: Representation;
  /** Replaced elements: position (modulo the size) and new value. */
  readonly edits: readonly (readonly [number, number])[];
  /** Multiply every element by this (extreme magnitudes without hand-picked positions). */
  readonly scale: number | null;
  readonly reshape: 'keep' | 'flatten' | 'addAxis' | 'dropFirst' | 'empty';
  readonly malformed: MalformedKind | null;
  readonly missing: boolean;
}

export type UpstreamPlan =
  | { readonly kind: 'none' | 'null' | 'ones' | 'wrongShape' }
  | { readonly kind: 'fill'; readonly value: number; readonly f32: boolean }
  | { readonly kind: 'random'; readonly values: readonly number[] }
  | { readonly kind: 'malformed'; readonly malformed: MalformedKind };

export const outGradKinds = [
  'fresh',
  'stale',
  'null',
  'number',
  'bareTyped',
  'plainExact',
  'plainShort',
  'wrongDtype',
  'wrongShape',
  'aliasInput',
  'sharedWithFirst',
  'absent',
] as const;
export type OutGradKind = (typeof outGradKinds)[number];

export type OutPlan =
  | { readonly kind: 'none' | 'null' | 'number' | 'string' | 'gradsNull' | 'gradsNumber' | 'unknownKey' }
  | { readonly kind: 'grads'; readonly each: readonly OutGradKind[] };

export type OptionsPlan =
  | { readonly kind: 'case' }
  | { readonly kind: 'set'; readonly option: number; readonly value: number }
  | { readonly kind: 'unknown' | 'null' | 'number' | 'array' | 'string' };

/** One fuzzed call, as a printable recipe. */
export interface CallPlan {
  readonly caseIndex: number;
  /** Repeat every input along its first axis this many times (SIMD paths need ≥ 256 elements). */
  readonly tile: number;
  readonly inputs: readonly InputPlan[];
  readonly options: OptionsPlan;
  readonly upstream: UpstreamPlan;
  readonly out: OutPlan;
  /** The registry entry's `valueAndGrad` or `value`, or the plain function (positional inputs). */
  readonly method: 'valueAndGrad' | 'value' | 'function';
}

const MAX_INPUTS = 4;

const inputPlanArb: fc.Arbitrary<InputPlan> = fc.record({
  repr: fc.constantFrom(...representations),
  edits: fc.oneof(
    { weight: 4, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(fc.tuple(fc.nat(), numberArb), { minLength: 1, maxLength: 4 }) },
  ),
  scale: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: numberArb }),
  reshape: fc.oneof(
    { weight: 12, arbitrary: fc.constant('keep' as const) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        'flatten' as const,
        'addAxis' as const,
        'dropFirst' as const,
        'empty' as const,
      ),
    },
  ),
  malformed: fc.oneof(
    { weight: 30, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.constantFrom(...malformedKinds) },
  ),
  missing: fc.oneof(
    { weight: 40, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
});

const upstreamArb: fc.Arbitrary<UpstreamPlan> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'null' as const },
      { kind: 'ones' as const },
      { kind: 'wrongShape' as const },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('fill' as const), value: numberArb, f32: fc.boolean() }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('random' as const),
      values: fc.array(numberArb, { minLength: 1, maxLength: 8 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('malformed' as const),
      malformed: fc.constantFrom(...malformedKinds),
    }),
  },
);

const outArb: fc.Arbitrary<OutPlan> = fc.oneof(
  { weight: 5, arbitrary: fc.constant({ kind: 'none' as const }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'null' as const },
      { kind: 'number' as const },
      { kind: 'string' as const },
      { kind: 'gradsNull' as const },
      { kind: 'gradsNumber' as const },
      { kind: 'unknownKey' as const },
    ),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('grads' as const),
      each: fc.array(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('fresh' as const, 'stale' as const) },
          { weight: 3, arbitrary: fc.constantFrom(...outGradKinds) },
        ),
        { minLength: MAX_INPUTS, maxLength: MAX_INPUTS },
      ),
    }),
  },
);

const optionsArb: fc.Arbitrary<OptionsPlan> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'case' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      option: fc.nat(),
      value: fc.nat({ max: optionValues.length + 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      ...(['unknown', 'null', 'number', 'array', 'string'] as const).map((kind) => ({ kind })),
    ),
  },
);

/** The reference cases of losses in `registry`: the fuzzer's seeds of valid calls. */
export function seedCases(registry: Readonly<Record<string, LossEntry>>): OracleCase[] {
  return oracleCases.filter((c) => c.loss in registry);
}

/** Arbitrary call plans over `cases`. */
export function callPlanArb(cases: readonly OracleCase[]): fc.Arbitrary<CallPlan> {
  return fc.record({
    caseIndex: fc.nat({ max: cases.length - 1 }),
    tile: fc.oneof(
      { weight: 5, arbitrary: fc.constant(1) },
      { weight: 1, arbitrary: fc.integer({ min: 2, max: 200 }) },
    ),
    inputs: fc.array(inputPlanArb, { minLength: MAX_INPUTS, maxLength: MAX_INPUTS }),
    options: optionsArb,
    upstream: upstreamArb,
    out: outArb,
    method: fc.oneof(
      { weight: 6, arbitrary: fc.constant('valueAndGrad' as const) },
      { weight: 1, arbitrary: fc.constantFrom('value' as const, 'function' as const) },
    ),
  });
}

function tiled(t: OracleTensor, times: number): OracleTensor {
  if (times === 1 || t.shape.length === 0) return t;
  const data: number[] = [];
  for (let k = 0; k < times; k++) data.push(...t.data);
  return { shape: [t.shape[0] * times, ...t.shape.slice(1)], data };
}

function reshaped(t: OracleTensor, how: InputPlan['reshape']): OracleTensor {
  switch (how) {
    case 'keep':
      return t;
    case 'flatten':
      return { shape: [t.data.length], data: t.data };
    case 'addAxis':
      return { shape: [1, ...t.shape], data: t.data };
    case 'dropFirst':
      return t.shape.length === 0
        ? t
        : { shape: t.shape.slice(1), data: t.data.slice(0, t.data.length / Math.max(t.shape[0], 1)) };
    case 'empty':
      return { shape: [0, ...t.shape.slice(1)], data: [] };
  }
}

function written(t: OracleTensor, repr: Representation): unknown {
  switch (repr) {
    case 'f64':
      return { shape: t.shape, data: Float64Array.from(t.data) };
    case 'f32':
      return { shape: t.shape, data: Float32Array.from(t.data) };
    case 'tensor64':
      return new Tensor(Float64Array.from(t.data), t.shape);
    case 'tensor32':
      return new Tensor(Float32Array.from(t.data), t.shape);
    case 'array':
      return { shape: t.shape, data: [...t.data] };
    case 'nested':
      return new Tensor(Float64Array.from(t.data), t.shape).toArray();
    case 'typed':
      return t.shape.length === 1
        ? Float64Array.from(t.data)
        : { shape: t.shape, data: Float64Array.from(t.data) };
    case 'int32':
      return t.shape.length === 1 && t.data.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31)
        ? Int32Array.from(t.data)
        : { shape: t.shape, data: Float64Array.from(t.data) };
  }
}

/** The arguments of a planned call. */
export interface MaterializedCall {
  readonly loss: string;
  readonly inputs: Record<string, unknown>;
  readonly options: unknown;
  readonly upstream: unknown;
  readonly out: unknown;
  /** The out gradient tensors passed that are valid buffers (the result must return these). */
  readonly validOut: Record<string, Tensor>;
  /** Which entry point to call. */
  readonly method: CallPlan['method'];
}

function outGrad(
  kind: OutGradKind,
  input: unknown,
  like: OracleTensor,
  f32: boolean,
  first: Tensor | undefined,
): unknown {
  const make = (dtypeF32: boolean, shape: readonly number[], fill = 0) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor((dtypeF32 ? new Float32Array(n) : new Float64Array(n)).fill(fill), shape);
  };
  switch (kind) {
    case 'fresh':
      return make(f32, like.shape);
    case 'stale':
      return make(f32, like.shape, 1234.5);
    case 'null':
      return null;
    case 'number':
      return 0;
    case 'bareTyped':
      return f32 ? new Float32Array(like.data.length) : new Float64Array(like.data.length);
    case 'plainExact':
      return {
        shape: like.shape,
        dtype: f32 ? 'float32' : 'float64',
        data: new Float64Array(like.data.length),
        size: like.data.length,
      };
    case 'plainShort':
      return { shape: like.shape, dtype: f32 ? 'float32' : 'float64', data: new Float64Array(0) };
    case 'wrongDtype':
      return make(!f32, like.shape);
    case 'wrongShape':
      return make(f32, [like.data.length + 1]);
    case 'aliasInput':
      return input instanceof Tensor ? input : make(f32, like.shape);
    case 'sharedWithFirst':
      return first ?? make(f32, like.shape);
    case 'absent':
      return undefined;
  }
}

/** Turns a plan into the arguments of one call. */
export function materialize(
  plan: CallPlan,
  cases: readonly OracleCase[],
  registry: Readonly<Record<string, LossEntry>>,
): MaterializedCall {
  const c = cases[plan.caseIndex];
  const entry = registry[c.loss];
  const inputs: Record<string, unknown> = {};
  const valid: Record<string, OracleTensor> = {};
  entry.inputs.forEach((name, i) => {
    const p = plan.inputs[i % MAX_INPUTS];
    let t = reshaped(tiled(c.inputs[name], plan.tile), p.reshape);
    if (t.data.length > 0 && (p.edits.length > 0 || p.scale !== null)) {
      const data = p.scale === null ? [...t.data] : t.data.map((v) => v * (p.scale as number));
      for (const [at, v] of p.edits) data[at % data.length] = v;
      t = { shape: t.shape, data };
    }
    valid[name] = t;
    if (p.missing) return;
    inputs[name] = p.malformed === null ? written(t, p.repr) : malformedValue(p.malformed, t);
  });

  const firstRepr = plan.inputs[0].repr;
  const f32 = firstRepr === 'f32' || firstRepr === 'tensor32';

  let options: unknown = { ...c.options };
  const o = plan.options;
  if (o.kind === 'set') {
    const keys = Object.keys(entry.optionSchema);
    if (keys.length > 0) {
      const value =
        o.value < optionValues.length
          ? optionValues[o.value]
          : [Symbol('opt'), 5n, Object.create(null), { shape: [2], data: [1, null] }][
              o.value - optionValues.length
            ];
      options = { ...(options as object), [keys[o.option % keys.length]]: value };
    }
  } else if (o.kind === 'unknown') options = { ...(options as object), notAnOption: 1 };
  else if (o.kind === 'null') options = null;
  else if (o.kind === 'number') options = 3;
  else if (o.kind === 'array') options = [];
  else if (o.kind === 'string') options = 'mean';

  // Options holding tensors (class weights) arrive as {shape, data} from the oracle file.
  if (options !== null && typeof options === 'object' && !Array.isArray(options)) {
    for (const [k, v] of Object.entries(options)) {
      if (
        v !== null &&
        typeof v === 'object' &&
        Array.isArray((v as OracleTensor).shape) &&
        Array.isArray((v as OracleTensor).data)
      ) {
        (options as Record<string, unknown>)[k] = {
          shape: (v as OracleTensor).shape,
          data: Float64Array.from((v as OracleTensor).data),
        };
      }
    }
  }

  // Upstream: the reference value's shape (wrong when options or inputs changed it, which is fine).
  const valueShape = reshapedValueShape(c, plan.tile);
  const size = valueShape.reduce((a, b) => a * b, 1);
  let upstream: unknown;
  const u = plan.upstream;
  if (u.kind === 'none') upstream = undefined;
  else if (u.kind === 'null') upstream = null;
  else if (u.kind === 'ones') upstream = { shape: valueShape, data: new Float64Array(size).fill(1) };
  else if (u.kind === 'wrongShape') upstream = { shape: [size + 1], data: new Float64Array(size + 1) };
  else if (u.kind === 'fill')
    upstream = {
      shape: valueShape,
      data: (u.f32 ? new Float32Array(size) : new Float64Array(size)).fill(u.value),
    };
  else if (u.kind === 'random')
    upstream = {
      shape: valueShape,
      data: Float64Array.from({ length: size }, (_, i) => u.values[i % u.values.length]),
    };
  else if (u.kind === 'malformed')
    upstream = malformedValue(u.malformed, { shape: valueShape, data: new Array(size).fill(1) });

  let out: unknown;
  const validOut: Record<string, Tensor> = {};
  const op = plan.out;
  if (op.kind === 'none') out = undefined;
  else if (op.kind === 'null') out = null;
  else if (op.kind === 'number') out = 1;
  else if (op.kind === 'string') out = 'grads';
  else if (op.kind === 'gradsNull') out = { grads: null };
  else if (op.kind === 'gradsNumber') out = { grads: 2 };
  else if (op.kind === 'unknownKey') out = { grads: { notAnInput: new Tensor(new Float64Array(1), [1]) } };
  else if (op.kind === 'grads') {
    const grads: Record<string, unknown> = {};
    let firstGrad: Tensor | undefined;
    entry.differentiable.forEach((name, i) => {
      const kind = op.each[i % MAX_INPUTS];
      const g = outGrad(kind, inputs[name], valid[name], f32, firstGrad);
      if (g !== undefined) grads[name] = g;
      if (firstGrad === undefined && g instanceof Tensor) firstGrad = g;
      if (kind === 'fresh' || kind === 'stale') validOut[name] = g as Tensor;
    });
    out = { grads };
  }
  return { loss: c.loss, inputs, options, upstream, out, validOut, method: plan.method };
}

function reshapedValueShape(c: OracleCase, tile: number): number[] {
  const shape = [...c.expected.value.shape];
  if (shape.length > 0 && tile > 1) shape[0] *= tile;
  return shape;
}
