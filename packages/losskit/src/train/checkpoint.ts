import type { Module, RngState } from '../nn/index.js';
import type { Optimizer } from '../optim/index.js';
import { type DType, LossInputError, Tensor } from '../tensor/index.js';
import { encodeBase64 } from './base64.js';
import { decodeEncodedArray, readCheckpoint } from './checkpoint-reader.js';
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
 * Restores a checkpoint into `model` (same architecture: same parameter names, dtypes and
 * shapes) and, when given, `optimizer` (same kind, over parameters of the same shapes).
 * Everything is checked before anything is written, so a checkpoint that fails leaves the
 * model and optimizer exactly as they were: a `LossInputError` names the field, e.g.
 * `loadCheckpoint: checkpoint.optimizer.buffers[2].expAvg: decodes to 12 values, expected 16`.
 * Rejected: a missing or non-integer step or epoch, a missing or non-finite base learning rate,
 * NaN or infinite values, data that is not base64 or holds the wrong number of values, and
 * generator states that are not four unsigned 32-bit words. Parameters are overwritten in
 * place, so an optimizer built over them stays valid. Returns the `fit` position it holds, if any.
 */
export function loadCheckpoint(
  checkpoint: Checkpoint,
  model: Module,
  optimizer?: Optimizer,
): TrainingState | undefined {
  const checked = readCheckpoint(checkpoint, model, optimizer, {
    where: 'loadCheckpoint',
    root: 'checkpoint',
  });
  checked.apply();
  return checked.training;
}

/** The checkpoint as JSON text, for storing anywhere. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/**
 * Parses `serializeCheckpoint` (or `JSON.stringify`) output back, checking that it is JSON and
 * carries the format tag (a `LossInputError` otherwise, never a `SyntaxError`). The contents
 * are checked when the checkpoint is loaded.
 */
export function parseCheckpoint(json: string): Checkpoint {
  if (typeof json !== 'string')
    throw new LossInputError('parseCheckpoint', 'json', `must be a string, got ${typeof json}`);
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new LossInputError(
      'parseCheckpoint',
      'json',
      `is not valid JSON (${e instanceof Error ? e.message : String(e)}); was the text cut short?`,
    );
  }
  if ((value as Partial<Checkpoint> | null)?.format !== 'losskit-checkpoint/1') {
    throw new LossInputError('parseCheckpoint', 'json', 'is not a losskit checkpoint (format tag missing)');
  }
  return value as Checkpoint;
}

/** A tensor from an `EncodedArray` (its dtype, shape and finite values checked). */
export function decodeTensor(encoded: EncodedArray): Tensor {
  const shape = Array.isArray(encoded?.shape) ? encoded.shape : [];
  const size = shape.reduce((a, b) => a * b, 1);
  const data = decodeEncodedArray(encoded, 'encoded', size, 'decodeTensor');
  return new Tensor(data, shape);
}
