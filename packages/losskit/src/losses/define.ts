import { describeValue } from '../tensor/errors.js';
import {
  allocate,
  arenaArrayForOverwrite,
  assertFinite,
  autogradHooks,
  type DType,
  type FloatArray,
  formatShape,
  LossInputError,
  sameShape,
  shapeSize,
  Tensor,
  type TensorLike,
  toTensor,
} from '../tensor/index.js';
import { allFinite } from '../tensor/tensor-like.js';
import {
  activeChecks,
  type FusedChecks,
  type InputCheck,
  NO_CHECKS,
  pendingChecks,
  runChecks,
} from './checks.js';
import type { InputInfo, LossFamily, LossInfo, LossInfoText } from './info.js';
import { type OptionSchema, type OptionsOf, resolveOptions, type UserOptions } from './options.js';
import { checkUpstream, planReduction, type Reduction, type ReductionPlan, reducedValue } from './reduce.js';

export type { CheckKind, FusedChecks, InputCheck } from './checks.js';

type Named<In extends string> = { readonly [K in In]: Tensor };

const NONE: readonly never[] = [];

/** What a reducible loss's kernel receives. Everything is validated; the kernel only computes. */
export interface KernelArgs<In extends string, D extends In, O> {
  /** Input tensors by name (already validated, finite). */
  readonly t: Named<In>;
  readonly options: O;
  readonly plan: ReductionPlan;
  /** Write each unit's loss ℓᵢ here when `plan.reduction === 'none'`; null otherwise. */
  readonly units: FloatArray | null;
  /**
   * The spec's declared `checks` when the kernel fuses them (`fusesChecks`): `absorb` where its
   * pass verified the values, `run` before a path that reads them unverified. Otherwise the
   * boundary ran them already and both methods do nothing.
   */
  readonly checks: FusedChecks;
  /**
   * Gradient buffers, zero-filled (unless the spec's `overwritesGrads` says the kernel writes
   * every element), one per differentiable input; null when only the value is needed. Unit i's
   * gradient is weighted by `plan.scale` (times `plan.upstream[i]` if set).
   */
  readonly grads: { readonly [K in D]: FloatArray } | null;
}

interface CommonSpec<In extends string, D extends In, S extends OptionSchema> {
  readonly name: string;
  readonly family: LossFamily;
  /** Input names in positional order (the plain function's parameter order). */
  readonly inputs: readonly In[];
  /** Inputs that receive a gradient (API.md's `*`). */
  readonly differentiable: readonly D[];
  readonly options: S;
  readonly info: LossInfoText;
  /**
   * Shape and domain checks beyond "finite numbers" (done for every input already, except those
   * `finiteCheckedBy` names) and beyond the declared `checks`. Throws `LossInputError`. Runs
   * once per call, before any kernel.
   */
  validate(t: Named<In>, options: OptionsOf<S>): void;
  /**
   * Value checks of single inputs declared as data (`src/losses/checks.ts`: every value in
   * [0, 1], every value 0 or 1, each optionally only for some options). The boundary runs them
   * once per call, right after `validate`, in this order, unless `fusesChecks` hands them to the
   * kernel. Default: none.
   */
  readonly checks?: readonly InputCheck<In, OptionsOf<S>>[];
  /**
   * Whether the kernel (`kernel` or `compute`) fuses the declared `checks` into its own pass
   * over these inputs: it then receives them as `args.checks` and absorbs them where its pass
   * verified the values, or runs them; the boundary runs after it whatever it did not cover
   * (also when it does not run), so fusing moves a check, never drops it. Default: false.
   */
  fusesChecks?(t: Named<In>, options: OptionsOf<S>): boolean;
  /**
   * Inputs that skip the boundary's separate finite scan in this call, because another pass
   * rejects non-finite values in them already: `validate` (a [0, 1] or integer-label check), or,
   * for a reducible loss, its kernel, which then returns a non-finite Σℓ on meeting one (the
   * boundary scans those inputs and throws). Saves one read of each such input. Default: none.
   */
  finiteCheckedBy?(t: Named<In>, options: OptionsOf<S>): readonly In[];
  /**
   * Whether the kernel (`kernel` or `compute`) writes every element of every gradient buffer in
   * this call, for every upstream (0 included), so that a reused `out` buffer needs no zero-fill
   * first, nor a fresh one (in Node, a large fresh buffer is then storage that was never
   * zero-filled). Default: false (buffers are zero-filled).
   */
  overwritesGrads?(t: Named<In>, options: OptionsOf<S>): boolean;
}

/** A loss that is a sum of per-unit terms, reduced by `src/losses/reduce.ts`. */
export interface ReducibleLossSpec<In extends string, D extends In, S extends OptionSchema>
  extends CommonSpec<In, D, S> {
  readonly kind: 'reducible';
  /** Shape of the per-unit losses (the `'none'` value). */
  unitShape(t: Named<In>, options: OptionsOf<S>): readonly number[];
  /** Divisor of `'mean'` (default: number of units). 0 means nothing counted: value 0, grad 0. */
  meanDivisor?(t: Named<In>, options: OptionsOf<S>): number;
  /** Computes Σℓᵢ (accumulated in float64), the units for `'none'`, and the gradients. */
  kernel(args: KernelArgs<In, D, OptionsOf<S>>): number;
}

/** A loss whose value is not a plain reduction of units (Dice, GAN pairs, VAE totals, …). */
export interface CustomLossSpec<In extends string, D extends In, S extends OptionSchema>
  extends CommonSpec<In, D, S> {
  readonly kind: 'custom';
  /** Shape of the value for these inputs and options. */
  valueShape(t: Named<In>, options: OptionsOf<S>): readonly number[];
  /**
   * Computes the value (in `dtype`) and, when `grads` is non-null, the gradient of
   * sum(upstream * value) into the zero-filled buffers (unfilled where `overwritesGrads` says
   * the computation writes every element). `upstream` is null for ones.
   */
  compute(args: {
    readonly t: Named<In>;
    readonly options: OptionsOf<S>;
    readonly upstream: FloatArray | null;
    readonly grads: { readonly [K in D]: FloatArray } | null;
    readonly dtype: DType;
    /** As `KernelArgs.checks`. */
    readonly checks: FusedChecks;
  }): Tensor;
}

export type LossSpec<In extends string, D extends In, S extends OptionSchema> =
  | ReducibleLossSpec<In, D, S>
  | CustomLossSpec<In, D, S>;

/**
 * Buffers a training loop can pass so that a call allocates no gradient storage. Each must be a
 * `Tensor` of its input's shape and the call's dtype, keyed by a differentiable input's name, and
 * share no memory with an input, the upstream or another buffer; anything else is a
 * `LossInputError` naming `out.grads.<input>` (or `out`, `out.grads`), thrown before any buffer
 * is written. `out` (or `out.grads`, or one entry) left undefined or null means fresh storage.
 * After a call that throws, what they hold is unspecified (a range check fused into a SIMD pass
 * can throw after part of the gradient is written).
 */
export interface GradBuffers<D extends string> {
  readonly grads?: { readonly [K in D]?: Tensor };
}

/** Value and gradients of a loss. */
export interface ValueAndGrad<D extends string> {
  readonly value: Tensor;
  readonly grads: { readonly [K in D]: Tensor };
}

/** A registry entry: the loss's metadata and its functional interface. */
export interface LossEntry<
  In extends string = string,
  D extends In = In,
  S extends OptionSchema = OptionSchema,
> {
  readonly name: string;
  readonly family: LossFamily;
  readonly inputs: readonly In[];
  readonly differentiable: readonly D[];
  readonly optionSchema: S;
  /** Every option with its default. */
  readonly defaults: OptionsOf<S>;
  readonly info: LossInfo;
  /** Whether the loss takes a `reduction` option. */
  readonly reducible: boolean;
  /**
   * The value and the gradient of sum(upstream * value) with respect to each differentiable
   * input. `upstream` defaults to ones of the value's shape; it must have that shape and finite
   * entries, of any size.
   *
   * Results are finite or the call throws: where finite arguments give a value or a gradient
   * that the dtype cannot hold (an upstream of 1e308 times a gradient above 2, inputs of 1e200
   * squared, float64 weights too large for a float32 gradient), the call throws a
   * `LossInputError` naming the argument of largest magnitude instead of returning ±Infinity or
   * NaN. Where the exact result is finite it is returned, however large the upstream (mae's
   * gradient of ±1e308 for an upstream of 1e308 under `'sum'`). A float64 input of a float32
   * call must hold values float32 can (|v| up to 3.4e38). `out` is checked as `GradBuffers` says.
   */
  valueAndGrad(
    inputs: { readonly [K in In]: TensorLike },
    options?: UserOptions<S>,
    upstream?: TensorLike | null,
    out?: GradBuffers<D>,
  ): ValueAndGrad<D>;
  /** The value alone (no gradient work). */
  value(inputs: { readonly [K in In]: TensorLike }, options?: UserOptions<S>): Tensor;
}

type TensorArgs<In extends readonly string[]> = { [K in keyof In]: TensorLike };

/** The plain function form of a loss: inputs positionally, then the options object. */
export type LossFunction<In extends readonly string[], S extends OptionSchema> = (
  ...args: [...TensorArgs<In>, UserOptions<S>?]
) => Tensor;

function dtypeOfFirst(t: Named<string>, names: readonly string[]): DType {
  return t[names[0]].dtype;
}

/** Whether two typed arrays share any byte of memory. */
function overlaps(a: FloatArray, b: FloatArray): boolean {
  return (
    a.buffer === b.buffer &&
    a.byteOffset < b.byteOffset + b.byteLength &&
    b.byteOffset < a.byteOffset + a.byteLength
  );
}

/**
 * The caller's reusable gradient buffers, checked like any input before anything is written:
 * `out` an object, `out.grads` an object keyed by differentiable inputs, each entry a Tensor of
 * its input's shape and `dtype`, overlapping no input, the upstream, nor another buffer.
 */
function checkedOut<D extends string>(
  loss: string,
  inputs: readonly string[],
  names: readonly D[],
  t: Named<string>,
  dtype: DType,
  upstream: Tensor | null,
  out: unknown,
): { readonly [K in D]?: Tensor } {
  const reused: { [K in D]?: Tensor } = {};
  if (out === undefined || out === null) return reused;
  if (typeof out !== 'object') {
    throw new LossInputError(
      loss,
      'out',
      `must be { grads: { ${names.join(', ')} } } of Tensors, got ${describeValue(out)}`,
    );
  }
  const grads: unknown = (out as { grads?: unknown }).grads;
  if (grads === undefined || grads === null) return reused;
  if (
    typeof grads !== 'object' ||
    Array.isArray(grads) ||
    ArrayBuffer.isView(grads) ||
    grads instanceof Tensor
  ) {
    throw new LossInputError(
      loss,
      'out.grads',
      `must be an object of Tensors by input name (${names.join(', ')}), got ${describeValue(grads)}`,
    );
  }
  const given = grads as Readonly<Record<string, unknown>>;
  for (const key in given) {
    if (given[key] !== undefined && given[key] !== null && !(names as readonly string[]).includes(key)) {
      throw new LossInputError(
        loss,
        `out.grads.${key}`,
        `is not a gradient of ${loss} (it returns: ${names.join(', ')})`,
      );
    }
  }
  for (const name of names) {
    const g = given[name];
    if (g === undefined || g === null) continue;
    const shape = t[name].shape;
    if (!(g instanceof Tensor) || !sameShape(g.shape, shape) || g.dtype !== dtype) {
      const got =
        g instanceof Tensor ? `a ${g.dtype} Tensor of shape ${formatShape(g.shape)}` : describeValue(g);
      throw new LossInputError(
        loss,
        `out.grads.${name}`,
        `must be a ${dtype} Tensor of shape ${formatShape(shape)}, got ${got}`,
      );
    }
    const clash = sharedWith(g.data, inputs, t, upstream, names, reused);
    if (clash !== null) {
      throw new LossInputError(
        loss,
        `out.grads.${name}`,
        `shares memory with ${clash}: a gradient buffer must be its own storage`,
      );
    }
    reused[name] = g;
  }
  return reused;
}

/** What `data` overlaps among the inputs, the upstream and the buffers taken so far, or null. */
function sharedWith<D extends string>(
  data: FloatArray,
  inputs: readonly string[],
  t: Named<string>,
  upstream: Tensor | null,
  names: readonly D[],
  taken: { readonly [K in D]?: Tensor },
): string | null {
  for (const k of inputs) if (overlaps(t[k].data, data)) return `input ${k}`;
  if (upstream !== null && overlaps(upstream.data, data)) return 'the upstream';
  for (const k of names) {
    const other = taken[k];
    if (other !== undefined && overlaps(other.data, data)) return `out.grads.${k}`;
  }
  return null;
}

/** Node's `Buffer.allocUnsafeSlow` where it exists (storage not zero-filled), else null. */
const unsafeSlow: ((bytes: number) => Uint8Array) | null = (() => {
  const buffer = (globalThis as { Buffer?: { allocUnsafeSlow?: (bytes: number) => Uint8Array } }).Buffer;
  return typeof buffer?.allocUnsafeSlow === 'function' ? buffer.allocUnsafeSlow.bind(buffer) : null;
})();

/** Arrays below this many bytes are zero-filled as usual (the saving is in large blocks). */
const UNFILLED_MIN_BYTES = 1 << 16;

/**
 * A new array of `size` elements whose contents are unspecified, for a kernel that writes every
 * element (`overwritesGrads`): in Node, storage that is not zero-filled first (large blocks
 * only); elsewhere `allocate`'s zeros.
 */
function allocateUnfilled(dtype: DType, size: number): FloatArray {
  const reused = arenaArrayForOverwrite(dtype, size);
  if (reused !== null) return reused;
  const bytes = (dtype === 'float32' ? 4 : 8) * size;
  if (unsafeSlow === null || bytes < UNFILLED_MIN_BYTES) return allocate(dtype, size);
  const block = unsafeSlow(bytes);
  return dtype === 'float32'
    ? new Float32Array(block.buffer, block.byteOffset, size)
    : new Float64Array(block.buffer, block.byteOffset, size);
}

function gradBuffers<D extends string>(
  names: readonly D[],
  t: Named<string>,
  dtype: DType,
  reused: { readonly [K in D]?: Tensor },
  zeroFill: boolean,
): { readonly [K in D]: FloatArray } {
  const grads = {} as { [K in D]: FloatArray };
  for (const name of names) {
    const reuse = reused[name];
    if (reuse !== undefined) {
      if (zeroFill) reuse.data.fill(0);
      grads[name] = reuse.data;
    } else {
      const size = shapeSize(t[name].shape);
      grads[name] = zeroFill ? allocate(dtype, size) : allocateUnfilled(dtype, size);
    }
  }
  return grads;
}

/** The largest |value| of a tensor (0 when empty); only on the error path. */
function maxAbs(t: Tensor): number {
  let max = 0;
  for (const v of t.data) max = Math.max(max, Math.abs(v));
  return max;
}

/**
 * The error for a non-finite result of finite arguments: an overflow, since the arguments'
 * magnitudes exceed what the result's dtype holds. It names the argument of largest magnitude.
 */
function overflowError(
  loss: string,
  what: string,
  got: number,
  dtype: DType,
  args: readonly { readonly name: string; readonly t: Tensor }[],
): LossInputError {
  let worst = args[0];
  let worstMax = -1;
  for (const a of args) {
    const m = maxAbs(a.t);
    if (m > worstMax) {
      worst = a;
      worstMax = m;
    }
  }
  return new LossInputError(
    loss,
    worst.name,
    `${what} is ${got} in ${dtype} for these finite arguments (an overflow: the largest magnitude, ${worstMax}, is in ${worst.name}); rescale them`,
  );
}

/** The inputs (and upstream) by name, for `overflowError`. */
function namedArgs(t: Named<string>, upstream: Tensor | null): { name: string; t: Tensor }[] {
  const args = Object.keys(t).map((k) => ({ name: k, t: t[k] }));
  if (upstream !== null) args.push({ name: 'upstream', t: upstream });
  return args;
}

/** The first non-finite value of `d` (only called once one is known to be there). */
function firstNonFinite(d: FloatArray): number {
  for (const v of d) if (!Number.isFinite(v)) return v;
  return Number.NaN;
}

/**
 * Turns a loss specification into its registry entry and plain function: coercion of every
 * TensorLike, finite checks, option resolution, the loss's own validation, reduction planning,
 * the declared `checks` (or their hand-over to a kernel that fuses them, settled after it), then
 * exactly one kernel call. This is the boundary; kernels validate nothing they did not declare.
 */
export function defineLoss<
  const InList extends readonly string[],
  D extends InList[number],
  S extends OptionSchema,
>(
  spec: LossSpec<InList[number], D, S> & { readonly inputs: InList },
): { entry: LossEntry<InList[number], D, S>; fn: LossFunction<InList, S> } {
  type In = InList[number];
  const { name } = spec;

  const prepare = (inputs: { readonly [K in In]: TensorLike }, user: unknown) => {
    if (inputs === null || typeof inputs !== 'object') {
      throw new LossInputError(name, 'inputs', `must be an object with ${spec.inputs.join(', ')}`);
    }
    const t = {} as { [K in In]: Tensor };
    for (const key of Object.keys(inputs)) {
      if (!(spec.inputs as readonly string[]).includes(key)) {
        throw new LossInputError(name, key, `unknown input (this loss takes: ${spec.inputs.join(', ')})`);
      }
    }
    for (const key of spec.inputs as readonly In[]) {
      const value = inputs[key];
      if (value === undefined) throw new LossInputError(name, key, 'is missing');
      t[key] = toTensor(value, name, key);
    }
    const options = resolveOptions(name, spec.options, user);
    const deferred = spec.finiteCheckedBy?.(t, options) ?? NONE;
    // A float64 input of a float32 call must hold float32 values, or its results could not.
    const dtype = dtypeOfFirst(t, spec.inputs);
    for (const key of spec.inputs as readonly In[]) {
      if (!deferred.includes(key)) assertFinite(t[key], name, key, dtype);
    }
    spec.validate(t, options);
    // The declared checks: here, or handed to a kernel that fuses them (settled after it runs).
    let fused = activeChecks(spec.checks, options);
    if (fused.length > 0 && !(spec.fusesChecks?.(t, options) ?? false)) {
      runChecks(name, fused, t);
      fused = NONE;
    }
    return { t, options, deferred, fused };
  };

  type Prepared = ReturnType<typeof prepare>;

  /** Runs what the kernel left of the fused checks; a later evaluation of this call has none. */
  const settle = (prepared: Prepared, checks: { settle(): void }) => {
    checks.settle();
    prepared.fused = NONE;
  };

  /**
   * One call: every argument checked (inputs, options, upstream, out), one kernel call, then the
   * result: a non-finite value of finite inputs (an overflow) is a LossInputError. Gradients are
   * scanned too when an upstream entry exceeds 1 in magnitude (with |upstream| ≤ 1 each gradient
   * is at most the plain one, which the loss keeps finite) or when a differentiable input is not
   * of the result's dtype (float64 magnitudes in a float32 gradient), so that the plain path,
   * one dtype and no upstream, pays no extra read.
   */
  const execute = (
    prepared: Prepared,
    upstreamLike: TensorLike | null | undefined,
    wantGrads: boolean,
    out: GradBuffers<D> | undefined,
  ): ValueAndGrad<D> => {
    const { t, options, deferred } = prepared;
    const checks = prepared.fused.length === 0 ? null : pendingChecks(name, prepared.fused, t);
    const dtype = dtypeOfFirst(t, spec.inputs);
    const upstream =
      upstreamLike === undefined || upstreamLike === null ? null : toTensor(upstreamLike, name, 'upstream');
    let upstreamMax = 1;
    let reused: { readonly [K in D]?: Tensor } = {};
    let grads: { readonly [K in D]: FloatArray } | null = null;
    let value: Tensor;
    if (spec.kind === 'reducible') {
      const reduction = (options as { reduction?: Reduction }).reduction ?? 'mean';
      const unitShape = spec.unitShape(t, options);
      if (upstream !== null)
        upstreamMax = checkUpstream(name, upstream, reduction === 'none' ? unitShape : []);
      const plan = planReduction(name, reduction, unitShape, upstream, {
        mean: reduction === 'mean' && spec.meanDivisor ? spec.meanDivisor(t, options) : undefined,
      });
      const units = reduction === 'none' ? allocate(dtype, shapeSize(unitShape)) : null;
      const skipped = plan.divisor === 0 && units === null;
      if (wantGrads) {
        reused = checkedOut(name, spec.inputs, spec.differentiable, t, dtype, upstream, out);
        const overwritten = !skipped && (spec.overwritesGrads?.(t, options) ?? false);
        grads = gradBuffers(spec.differentiable, t, dtype, reused, !overwritten);
      }
      const total = skipped
        ? 0
        : spec.kernel({ t, options, plan, units, grads, checks: checks ?? NO_CHECKS });
      if (checks !== null) settle(prepared, checks);
      // Inputs a kernel was to check (it did not run, or its Σℓ is not finite): scan them here.
      if (skipped || !Number.isFinite(total)) for (const key of deferred) assertFinite(t[key], name, key);
      value = reducedValue(plan, total, units, dtype);
    } else {
      const valueShape = spec.valueShape(t, options);
      if (upstream !== null) upstreamMax = checkUpstream(name, upstream, valueShape);
      if (wantGrads) {
        reused = checkedOut(name, spec.inputs, spec.differentiable, t, dtype, upstream, out);
        grads = gradBuffers(
          spec.differentiable,
          t,
          dtype,
          reused,
          !(spec.overwritesGrads?.(t, options) ?? false),
        );
      }
      value = spec.compute({
        t,
        options,
        upstream: upstream?.data ?? null,
        grads,
        dtype,
        checks: checks ?? NO_CHECKS,
      });
      if (checks !== null) settle(prepared, checks);
    }
    // A reduced value is one number; a 'none' or per-sample value one read of the output.
    if (!allFinite(value.data)) {
      throw overflowError(name, 'the loss value', firstNonFinite(value.data), dtype, namedArgs(t, null));
    }
    const gradTensors = {} as { [K in D]: Tensor };
    if (grads !== null) {
      // A float32 gradient of float64 inputs may not hold their magnitudes either.
      let scan = upstreamMax > 1;
      for (const key of spec.differentiable) if (t[key].dtype !== dtype) scan = true;
      for (const key of spec.differentiable) {
        if (scan && !allFinite(grads[key])) {
          throw overflowError(
            name,
            `grads.${key}`,
            firstNonFinite(grads[key]),
            dtype,
            namedArgs(t, upstream),
          );
        }
        gradTensors[key] = reused[key] ?? new Tensor(grads[key], t[key].shape);
      }
    }
    return { value, grads: gradTensors };
  };

  /** One call from the public interface: prepared (coerced, options resolved, checked) once. */
  const run = (
    inputs: { readonly [K in In]: TensorLike },
    user: unknown,
    upstreamLike: TensorLike | null | undefined,
    wantGrads: boolean,
    out: GradBuffers<D> | undefined,
  ): ValueAndGrad<D> => execute(prepare(inputs, user), upstreamLike, wantGrads, out);

  const schemaKeys = Object.keys(spec.options);
  const defaults = resolveOptions(name, spec.options, undefined);
  const inputInfo: InputInfo[] = spec.inputs.map((n) => ({
    name: n,
    differentiable: (spec.differentiable as readonly string[]).includes(n),
  }));
  const info: LossInfo = {
    ...spec.info,
    name,
    family: spec.family,
    inputs: inputInfo,
    options: schemaKeys.map((k) => ({
      name: k,
      default: spec.options[k].default,
      accepts: spec.options[k].accepts,
    })),
    // The notes live on the option specs (`withNote`); a spec may add notes on what is not an option.
    hyperparameters: [
      ...schemaKeys.flatMap((k) => {
        const note = spec.options[k].note;
        return note === undefined ? [] : [{ name: k, typical: note.typical, effect: note.effect }];
      }),
      ...(spec.info.hyperparameters ?? []),
    ],
  };

  const entry: LossEntry<In, D, S> = {
    name,
    family: spec.family,
    inputs: spec.inputs,
    differentiable: spec.differentiable,
    optionSchema: spec.options,
    defaults,
    info,
    reducible: spec.kind === 'reducible' && 'reduction' in spec.options,
    valueAndGrad: (inputs, options, upstream, out) => run(inputs, options, upstream, true, out),
    value: (inputs, options) => run(inputs, options, null, false, undefined).value,
  };

  const fn = ((...args: unknown[]) => {
    const n = spec.inputs.length;
    if (args.length < n) {
      throw new LossInputError(
        name,
        spec.inputs[args.length],
        `is missing (${name} takes ${spec.inputs.join(', ')}, then options)`,
      );
    }
    if (args.length > n + 1)
      throw new LossInputError(
        name,
        'arguments',
        `takes ${n} inputs and one options object, got ${args.length} arguments`,
      );
    const inputs = {} as { [K in In]: TensorLike };
    spec.inputs.forEach((key, i) => {
      inputs[key as In] = args[i] as TensorLike;
    });
    const options = args[n];
    const hooks = autogradHooks();
    const tracked = spec.inputs.some((_, i) => {
      const a = args[i];
      return a instanceof Tensor && (a.requiresGrad || a.gradNode !== null);
    });
    if (tracked && hooks !== null) {
      // The prepared call goes to the engine as it is: options are resolved and inputs checked
      // once, however often the engine evaluates it (a non-scalar upstream evaluates it again).
      const prepared = prepare(inputs, options);
      return hooks.trackedLoss({
        name,
        inputs: prepared.t,
        differentiable: spec.differentiable,
        valueAndGrad: (upstream) => execute(prepared, upstream, true, undefined),
      });
    }
    return run(inputs, options, null, false, undefined).value;
  }) as LossFunction<InList, S>;
  Object.defineProperty(fn, 'name', { value: name });

  return { entry, fn };
}
