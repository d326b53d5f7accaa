import type { Module, RngState } from '../nn/index.js';
import type { Optimizer } from '../optim/index.js';
import { type DType, LossInputError, Tensor, formatShape, sameShape } from '../tensor/index.js';
import { decodeBase64, encodeBase64 } from './base64.js';
import type { History } from './history.js';

/** A tensor in a checkpoint: its exact bytes (little-endian IEEE 754) in base64. */
export interface EncodedArray {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: string;
}

/** The state of a `fit` run, for resuming it. */
export interface TrainingState {
  /** Epochs completed. */
  readonly epoch: number;
  /** Optimizer steps taken by `fit` (skipped steps included). */
  readonly step: number;
  /** The shuffling generator, positioned after the last completed epoch. */
  readonly shuffleRng: RngState;
  readonly history: History;
}

/**
 * Everything needed to continue a run bit for bit: parameters, the state of every random
 * generator inside the model (dropout), the optimizer's buffers and step, and `fit`'s own
 * position. Plain JSON-serialisable data, so the core (which runs in browsers) never touches
 * files: write `serializeCheckpoint(checkpoint)` wherever you like (a file with node:fs, the
 * CLI's --out directory, IndexedDB, localStorage) and read it back with `parseCheckpoint`.
 * Arrays are stored as base64 of their exact little-endian bytes, so nothing is rounded.
 *
 * @example
 * writeFileSync('run.json', serializeCheckpoint(saveCheckpoint(model, optimizer)));
 * loadCheckpoint(parseCheckpoint(readFileSync('run.json', 'utf8')), model, optimizer);
 */
export interface Checkpoint {
  readonly format: 'losskit-checkpoint/1';
  readonly parameters: Readonly<Record<string, EncodedArray>>;
  readonly rngs: Readonly<Record<string, RngState>>;
  readonly optimizer?: {
    readonly kind: string;
    readonly step: number;
    readonly baseLr: number;
    readonly shapes: readonly (readonly number[])[];
    readonly buffers: readonly Readonly<Record<string, EncodedArray>>[];
  };
  readonly training?: TrainingState;
}

/** The exact bytes of a float array, as base64. */
export function encodeArray(data: Float32Array | Float64Array, shape: readonly number[]): EncodedArray {
  const dtype: DType = data instanceof Float32Array ? 'float32' : 'float64';
  const width = dtype === 'float32' ? 4 : 8;
  const bytes = new Uint8Array(data.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < data.length; i++) {
    if (width === 4) view.setFloat32(i * 4, data[i], true);
    else view.setFloat64(i * 8, data[i], true);
  }
  return { dtype, shape: [...shape], data: encodeBase64(bytes) };
}

/** The float array of an `EncodedArray`, bit for bit. */
export function decodeArray(encoded: EncodedArray, where: string): Float32Array | Float64Array {
  const bytes = decodeBase64(encoded.data);
  const width = encoded.dtype === 'float32' ? 4 : 8;
  const n = bytes.length / width;
  const expected = encoded.shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(n) || n !== expected) {
    throw new LossInputError(
      'loadCheckpoint',
      where,
      `holds ${bytes.length} bytes, not ${expected} ${encoded.dtype} values`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = encoded.dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return out;
}

/** A checkpoint of `model` (and optionally its optimizer and a `fit` position). */
export function saveCheckpoint(model: Module, optimizer?: Optimizer, training?: TrainingState): Checkpoint {
  const parameters: Record<string, EncodedArray> = {};
  for (const [name, t] of model.namedParameters()) parameters[name] = encodeArray(t.data, t.shape);
  const rngs: Record<string, RngState> = {};
  for (const [name, rng] of model.namedRngs()) rngs[name] = rng.getState();
  let opt: Checkpoint['optimizer'];
  if (optimizer !== undefined) {
    const state = optimizer.state();
    opt = {
      kind: state.kind,
      step: state.step,
      baseLr: optimizer.baseLr,
      shapes: state.shapes,
      buffers: state.buffers.map((b) =>
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, encodeArray(v, [v.length])])),
      ),
    };
  }
  return {
    format: 'losskit-checkpoint/1',
    parameters,
    rngs,
    ...(opt === undefined ? {} : { optimizer: opt }),
    ...(training === undefined ? {} : { training: structuredClone(training) }),
  };
}

/**
 * Restores a checkpoint into `model` (same architecture: same parameter names and shapes)
 * and, when given, `optimizer` (same kind). Parameters are overwritten in place, so an
 * optimizer built over them stays valid. Returns the `fit` position it holds, if any.
 */
export function loadCheckpoint(
  checkpoint: Checkpoint,
  model: Module,
  optimizer?: Optimizer,
): TrainingState | undefined {
  if (checkpoint?.format !== 'losskit-checkpoint/1') {
    throw new LossInputError(
      'loadCheckpoint',
      'checkpoint',
      `format must be 'losskit-checkpoint/1', got ${String(checkpoint?.format)}`,
    );
  }
  const named = model.namedParameters();
  const missing = named.filter(([n]) => !(n in checkpoint.parameters)).map(([n]) => n);
  const extra = Object.keys(checkpoint.parameters).filter((n) => !named.some(([m]) => m === n));
  if (missing.length > 0 || extra.length > 0) {
    throw new LossInputError(
      'loadCheckpoint',
      'parameters',
      `do not match the model (missing: ${missing.join(', ') || 'none'}; unexpected: ${extra.join(', ') || 'none'})`,
    );
  }
  for (const [name, t] of named) {
    const encoded = checkpoint.parameters[name];
    if (!sameShape(encoded.shape, t.shape) || encoded.dtype !== t.dtype) {
      throw new LossInputError(
        'loadCheckpoint',
        name,
        `is ${encoded.dtype} ${formatShape(encoded.shape)} in the checkpoint, ${t.dtype} ${formatShape(t.shape)} in the model`,
      );
    }
  }
  for (const [name, t] of named) t.data.set(decodeArray(checkpoint.parameters[name], name));
  for (const [name, rng] of model.namedRngs()) {
    const state = checkpoint.rngs[name];
    if (state === undefined) throw new LossInputError('loadCheckpoint', 'rngs', `has no state for '${name}'`);
    rng.setState(state);
  }
  if (optimizer !== undefined) {
    const saved = checkpoint.optimizer;
    if (saved === undefined)
      throw new LossInputError('loadCheckpoint', 'optimizer', 'the checkpoint holds no optimizer state');
    optimizer.loadState({
      kind: saved.kind,
      step: saved.step,
      shapes: saved.shapes,
      buffers: saved.buffers.map((b, i) =>
        Object.fromEntries(
          Object.entries(b).map(([k, v]) => [
            k,
            decodeArray(v, `optimizer.buffers[${i}].${k}`) as Float64Array,
          ]),
        ),
      ),
    });
    optimizer.baseLr = saved.baseLr;
  }
  return checkpoint.training === undefined ? undefined : structuredClone(checkpoint.training);
}

/** The checkpoint as JSON text, for storing anywhere. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/** Parses `serializeCheckpoint` (or `JSON.stringify`) output back, checking the format tag. */
export function parseCheckpoint(json: string): Checkpoint {
  const value = JSON.parse(json) as Checkpoint;
  if (value?.format !== 'losskit-checkpoint/1') {
    throw new LossInputError('parseCheckpoint', 'json', 'is not a losskit checkpoint (format tag missing)');
  }
  return value;
}

/** A tensor from an `EncodedArray`. */
export function decodeTensor(encoded: EncodedArray): Tensor {
  return new Tensor(decodeArray(encoded, 'tensor'), encoded.shape);
}
