// Validation of a whole checkpoint before any of it is written: loading either succeeds
// completely or throws a LossInputError naming the field, with the model and optimizer untouched.
import type { Module, Rng, RngState } from '../nn/index.js';
import type { Optimizer, OptimizerState } from '../optim/index.js';
import { type FloatArray, LossInputError, type Tensor, formatShape, sameShape } from '../tensor/index.js';
import { decodeBase64 } from './base64.js';
import type { TrainingState } from './checkpoint.js';

/** A checkpoint that passed every check, ready to be written in one go. */
export interface CheckedCheckpoint {
  /** The `fit` position it holds (a copy), if any. */
  readonly training: TrainingState | undefined;
  /** Writes parameters, generators and optimizer state; cannot fail. */
  apply(): void;
}

/** Who reads the checkpoint, for error messages: `loadCheckpoint: checkpoint.step: …`. */
export interface ReaderContext {
  /** The public function, e.g. `'loadCheckpoint'` or `'fit'`. */
  readonly where: string;
  /** The checkpoint's own name in paths, e.g. `'checkpoint'` or `'options.resume'`. */
  readonly root: string;
  /** Whether a `fit` position is required (resuming). */
  readonly requireTraining?: boolean;
}

type Fail = (path: string, problem: string) => never;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (typeof v === 'number') return `${v}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : `a ${typeof v}`;
}

function record(v: unknown, path: string, fail: Fail): Record<string, unknown> {
  if (!isRecord(v)) fail(path, `must be an object, got ${describe(v)}`);
  return v;
}

function nonNegativeInteger(v: unknown, path: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    fail(path, `must be a non-negative integer, got ${describe(v)}`);
  return v;
}

function rngState(v: unknown, path: string, fail: Fail): RngState {
  if (
    !Array.isArray(v) ||
    v.length !== 4 ||
    !v.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
  )
    fail(path, `must be four unsigned 32-bit integers, got ${describe(v)}`);
  if (v.every((w) => w === 0)) fail(path, 'is all zeros, which is not a valid generator state');
  return v as unknown as RngState;
}

/** A name as it appears in a path: `parameters["0.weight"]`. */
function key(name: string): string {
  return `[${JSON.stringify(name)}]`;
}

/**
 * The float array an encoded array holds, checked against what the reader expects: its dtype
 * and shape (when given), a whole number of `expectedSize` values, every value finite.
 */
function encodedArray(
  v: unknown,
  path: string,
  fail: Fail,
  expected: { readonly size: number; readonly dtype?: string; readonly shape?: readonly number[] },
): FloatArray {
  const encoded = record(v, path, fail);
  const { dtype, shape, data } = encoded;
  if (dtype !== 'float32' && dtype !== 'float64')
    fail(`${path}.dtype`, `must be 'float32' or 'float64', got ${describe(dtype)}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    fail(`${path}.shape`, `must be a list of non-negative integers, got ${describe(shape)}`);
  if (expected.shape !== undefined && (!sameShape(shape, expected.shape) || dtype !== expected.dtype)) {
    fail(
      path,
      `is ${dtype} ${formatShape(shape)} in the checkpoint, ${expected.dtype} ${formatShape(expected.shape)} in the model`,
    );
  }
  if (typeof data !== 'string') fail(`${path}.data`, `must be a base64 string, got ${describe(data)}`);
  const bytes = decodeBase64(data);
  if (!(bytes instanceof Uint8Array)) fail(`${path}.data`, bytes.problem);
  const width = dtype === 'float32' ? 4 : 8;
  const n = bytes.length / width;
  if (!Number.isInteger(n))
    fail(`${path}.data`, `holds ${bytes.length} bytes, not a whole number of ${dtype} values`);
  if (n !== expected.size) fail(path, `decodes to ${n} values, expected ${expected.size}`);
  if (shape.reduce((a: number, b: number) => a * b, 1) !== n)
    fail(`${path}.shape`, `${formatShape(shape)} does not hold the ${n} values of the data`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    if (!Number.isFinite(x))
      fail(`${path}.data`, `value ${i} is ${x} (a checkpoint holds finite numbers only)`);
    out[i] = x;
  }
  return out;
}

/**
 * The float array of an encoded array of `size` values, checked as in a checkpoint; errors are
 * reported by `where` under `path`.
 */
export function decodeEncodedArray(v: unknown, path: string, size: number, where: string): FloatArray {
  const fail: Fail = (at, problem) => {
    throw new LossInputError(where, at, problem);
  };
  return encodedArray(v, path, fail, { size });
}

function parameters(v: unknown, path: string, fail: Fail, model: Module): [Tensor, FloatArray][] {
  const saved = record(v, path, fail);
  const named = model.namedParameters();
  const missing = named.filter(([n]) => !Object.hasOwn(saved, n)).map(([n]) => n);
  const extra = Object.keys(saved).filter((n) => !named.some(([m]) => m === n));
  if (missing.length > 0 || extra.length > 0) {
    fail(
      path,
      `do not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`,
    );
  }
  return named.map(([name, t]) => [
    t,
    encodedArray(saved[name], `${path}${key(name)}`, fail, { size: t.size, dtype: t.dtype, shape: t.shape }),
  ]);
}

function rngs(v: unknown, path: string, fail: Fail, model: Module): [Rng, RngState][] {
  const saved = record(v, path, fail);
  const named = model.namedRngs();
  const extra = Object.keys(saved).filter((n) => !named.some(([m]) => m === n));
  if (extra.length > 0) fail(path, `has generators the model does not: ${extra.join(', ')}`);
  return named.map(([name, rng]) => {
    if (!Object.hasOwn(saved, name)) fail(`${path}${key(name)}`, 'is missing (the model has this generator)');
    return [rng, rngState(saved[name], `${path}${key(name)}`, fail)];
  });
}

function optimizerState(
  v: unknown,
  path: string,
  fail: Fail,
  optimizer: Optimizer,
): OptimizerState & { baseLr: number } {
  if (v === undefined) fail(path, 'is missing: the checkpoint holds no optimizer state');
  const saved = record(v, path, fail);
  if (saved.kind !== optimizer.kind)
    fail(`${path}.kind`, `is ${describe(saved.kind)}, but the optimizer is ${optimizer.kind}`);
  const step = nonNegativeInteger(saved.step, `${path}.step`, fail);
  const baseLr = saved.baseLr;
  if (typeof baseLr !== 'number' || !Number.isFinite(baseLr) || baseLr < 0)
    fail(`${path}.baseLr`, `must be a finite non-negative number, got ${describe(baseLr)}`);
  const params = optimizer.params;
  const { shapes, buffers } = saved;
  if (!Array.isArray(shapes) || shapes.length !== params.length)
    fail(
      `${path}.shapes`,
      `must list ${params.length} shapes (one per parameter), got ${describe(shapes)}${Array.isArray(shapes) ? ` of ${shapes.length}` : ''}`,
    );
  shapes.forEach((shape: unknown, i) => {
    if (!Array.isArray(shape) || !sameShape(shape, params[i].shape))
      fail(
        `${path}.shapes[${i}]`,
        `is ${Array.isArray(shape) ? formatShape(shape) : describe(shape)}, the optimizer's parameter ${i} has shape ${formatShape(params[i].shape)}`,
      );
  });
  if (!Array.isArray(buffers) || buffers.length !== params.length)
    fail(
      `${path}.buffers`,
      `must list ${params.length} buffer sets (one per parameter), got ${describe(buffers)}${Array.isArray(buffers) ? ` of ${buffers.length}` : ''}`,
    );
  const decoded = buffers.map((b: unknown, i) => {
    const set = record(b, `${path}.buffers[${i}]`, fail);
    return Object.fromEntries(
      Object.entries(set).map(([name, encoded]) => [
        name,
        Float64Array.from(
          encodedArray(encoded, `${path}.buffers[${i}].${name}`, fail, { size: params[i].size }),
        ),
      ]),
    );
  });
  return { kind: optimizer.kind, step, baseLr, shapes: params.map((p) => [...p.shape]), buffers: decoded };
}

const historyArrays = ['loss', 'valLoss', 'lr', 'seconds', 'steps', 'warnings'] as const;
const historyColumns = ['metrics', 'valMetrics', 'parts'] as const;

function training(v: unknown, path: string, fail: Fail): TrainingState {
  const saved = record(v, path, fail);
  nonNegativeInteger(saved.epoch, `${path}.epoch`, fail);
  nonNegativeInteger(saved.step, `${path}.step`, fail);
  rngState(saved.shuffleRng, `${path}.shuffleRng`, fail);
  const history = record(saved.history, `${path}.history`, fail);
  for (const name of historyArrays)
    if (!Array.isArray(history[name]))
      fail(`${path}.history.${name}`, `must be an array, got ${describe(history[name])}`);
  for (const name of ['loss', 'valLoss', 'lr', 'seconds'] as const) {
    (history[name] as unknown[]).forEach((x, i) => {
      // NaN and infinities are written as null in JSON.
      if (x !== null && typeof x !== 'number')
        fail(`${path}.history.${name}[${i}]`, `must be a number, got ${describe(x)}`);
    });
  }
  for (const name of historyColumns) {
    const columns = record(history[name], `${path}.history.${name}`, fail);
    for (const [column, values] of Object.entries(columns))
      if (!Array.isArray(values))
        fail(`${path}.history.${name}${key(column)}`, `must be an array, got ${describe(values)}`);
  }
  nonNegativeInteger(history.epochsCompleted, `${path}.history.epochsCompleted`, fail);
  return structuredClone(saved) as unknown as TrainingState;
}

/**
 * Checks every part of `checkpoint` against `model` (and `optimizer`) and decodes it, without
 * writing anything: names, dtypes and shapes of parameters, finite values, generator states,
 * the optimizer's kind, step, base learning rate and one buffer of the parameter's size per
 * entry, and the `fit` position. Throws a `LossInputError` naming the field.
 */
export function readCheckpoint(
  checkpoint: unknown,
  model: Module,
  optimizer: Optimizer | undefined,
  context: ReaderContext,
): CheckedCheckpoint {
  const { where, root } = context;
  const fail: Fail = (path, problem) => {
    throw new LossInputError(where, path, problem);
  };
  const saved = record(checkpoint, root, fail);
  if (saved.format !== 'losskit-checkpoint/1')
    fail(`${root}.format`, `must be 'losskit-checkpoint/1', got ${describe(saved.format)}`);
  const params = parameters(saved.parameters, `${root}.parameters`, fail, model);
  const generators = rngs(saved.rngs, `${root}.rngs`, fail, model);
  const opt =
    optimizer === undefined
      ? undefined
      : optimizerState(saved.optimizer, `${root}.optimizer`, fail, optimizer);
  if (saved.training === undefined && context.requireTraining)
    fail(
      `${root}.training`,
      'is missing: the checkpoint holds no training state (take it with context.checkpoint())',
    );
  const position =
    saved.training === undefined ? undefined : training(saved.training, `${root}.training`, fail);
  return {
    training: position,
    apply() {
      for (const [t, data] of params) t.data.set(data);
      for (const [rng, state] of generators) rng.setState(state);
      if (optimizer !== undefined && opt !== undefined) {
        optimizer.loadState(opt);
        optimizer.baseLr = opt.baseLr;
      }
    },
  };
}
