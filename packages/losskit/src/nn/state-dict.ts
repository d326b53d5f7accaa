// PyTorch `state_dict()`-style import and export: parameter names as PyTorch writes them and
// arrays in PyTorch's layout, as plain JSON-compatible data.
import { LossInputError, type Tensor, formatShape, sameShape, shapeSize } from '../tensor/index.js';
import { Linear } from './linear.js';
import type { Module } from './module.js';

/** One array of a state dict: its shape and its values, flat and row-major. */
export interface StateDictEntry {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/**
 * Parameter name → array, with PyTorch's names (`'0.weight'`, `'2.bias'` for an
 * `nn.Sequential`; dotted child names for nested modules) and PyTorch's layouts (`Linear`
 * weights `[out, in]`). JSON-compatible: `JSON.stringify` it, or build it in Python from
 * `{k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in model.state_dict().items()}`.
 */
export type StateDict = Readonly<Record<string, StateDictEntry>>;

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Require exactly the model's names (PyTorch's `strict=True`). Default true. */
  readonly strict?: boolean;
}

/** What `loadStateDict` matched, as PyTorch's `load_state_dict` reports it. */
export interface LoadStateDictResult {
  /** Model parameters the state dict has no entry for (left unchanged; empty when strict). */
  readonly missingKeys: string[];
  /** State dict entries the model has no parameter for (ignored; empty when strict). */
  readonly unexpectedKeys: string[];
}

/** How a parameter is stored in losskit compared to PyTorch. */
interface Layout {
  readonly name: string;
  readonly tensor: Tensor;
  /** PyTorch's shape of the parameter. */
  readonly torchShape: readonly number[];
  /** Whether losskit holds the transpose of PyTorch's 2-D array (`Linear.weight`). */
  readonly transposed: boolean;
}

/** Every parameter with the layout PyTorch gives it, walking the module tree. */
function layouts(model: Module, prefix = ''): Layout[] {
  const out: Layout[] = [];
  const children = new Set(model.children().map(([name]) => name));
  for (const [name, tensor] of model.namedParameters()) {
    const head = name.split('.')[0];
    if (name.includes('.') && children.has(head)) continue; // a child's: listed below
    const transposed = model instanceof Linear && tensor === model.weight;
    out.push({
      name: prefix + name,
      tensor,
      torchShape: transposed ? [tensor.shape[1], tensor.shape[0]] : tensor.shape,
      transposed,
    });
  }
  for (const [name, child] of model.children()) out.push(...layouts(child, `${prefix}${name}.`));
  return out;
}

/** `data` ([rows, cols], row-major) transposed into `out` ([cols, rows]). */
function transposeInto(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  out: { [i: number]: number },
): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
}

/**
 * The model's parameters as a PyTorch-style state dict: PyTorch's names and layouts, so that
 * `torch.nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))` loads what
 * `exportStateDict(mlp([3, 5, 2], { activation: 'tanh' }))` writes (after
 * `torch.tensor(entry["data"]).reshape(entry["shape"])`). `Linear` weights are transposed from
 * losskit's `[in, out]` to PyTorch's `[out, in]`; every other layer already matches. Values are
 * copied into plain arrays.
 *
 * @example
 * const dict = exportStateDict(mlp([3, 5, 2], { activation: 'tanh' }));
 * dict['0.weight'].shape // [5, 3]
 * JSON.stringify(dict)   // for torch: {k: torch.tensor(v['data']).reshape(v['shape'])}
 */
export function exportStateDict(model: Module): Record<string, { shape: number[]; data: number[] }> {
  const dict: Record<string, { shape: number[]; data: number[] }> = {};
  for (const { name, tensor, torchShape, transposed } of layouts(model)) {
    const data = new Array<number>(tensor.size);
    if (transposed) transposeInto(tensor.data, tensor.shape[0], tensor.shape[1], data);
    else for (let i = 0; i < tensor.size; i++) data[i] = tensor.data[i];
    dict[name] = { shape: [...torchShape], data };
  }
  return dict;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The entry's values in losskit's layout, after checking its shape, length and values. */
function readEntry(entry: unknown, layout: Layout): ArrayLike<number> {
  const where = `stateDict[${JSON.stringify(layout.name)}]`;
  if (!isRecord(entry)) throw new LossInputError('loadStateDict', where, 'must be an object { shape, data }');
  const { shape, data } = entry;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new LossInputError('loadStateDict', `${where}.shape`, 'must be a list of non-negative integers');
  if (!sameShape(shape, layout.torchShape)) {
    const note = layout.transposed ? ' (Linear weights are [out, in], as in PyTorch)' : '';
    throw new LossInputError(
      'loadStateDict',
      where,
      `shape ${formatShape(shape)} does not match the model's ${formatShape(layout.torchShape)}${note}`,
    );
  }
  const values = data as ArrayLike<number> | null | undefined;
  if (
    values === null ||
    values === undefined ||
    typeof values !== 'object' ||
    typeof values.length !== 'number'
  )
    throw new LossInputError('loadStateDict', `${where}.data`, 'must be an array of numbers');
  if (values.length !== shapeSize(shape))
    throw new LossInputError(
      'loadStateDict',
      `${where}.data`,
      `has ${values.length} values, shape ${formatShape(shape)} needs ${shapeSize(shape)}`,
    );
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new LossInputError(
        'loadStateDict',
        `${where}.data[${i}]`,
        `must be a finite number, got ${String(v)}`,
      );
  }
  if (!layout.transposed) return values;
  const out = new Float64Array(values.length);
  transposeInto(values, layout.torchShape[0], layout.torchShape[1], out);
  return out;
}

/**
 * Loads a PyTorch-style state dict (see `StateDict`) into `model`: names and layouts as
 * PyTorch's `state_dict()` has them, `Linear` weights `[out, in]` (transposed into losskit's
 * `[in, out]`). Everything is checked before anything is written: with `strict` (the default)
 * missing and unexpected names are an error listing both, as PyTorch's `load_state_dict`
 * does; a shape, length or non-finite value is an error naming the entry. A failed load
 * leaves the model unchanged. Values are rounded to the parameter's dtype.
 *
 * @example
 * // Python: json.dump({k: {"shape": list(v.shape), "data": v.flatten().tolist()}
 * //                    for k, v in model.state_dict().items()}, f)
 * loadStateDict(mlp([3, 5, 2], { activation: 'tanh' }), JSON.parse(text));
 */
export function loadStateDict(
  model: Module,
  stateDict: StateDict,
  options: LoadStateDictOptions = {},
): LoadStateDictResult {
  if (!isRecord(stateDict))
    throw new LossInputError('loadStateDict', 'stateDict', 'must be an object of name → { shape, data }');
  const strict = options.strict ?? true;
  const all = layouts(model);
  const missingKeys = all.filter((l) => !Object.hasOwn(stateDict, l.name)).map((l) => l.name);
  const unexpectedKeys = Object.keys(stateDict).filter((k) => !all.some((l) => l.name === k));
  if (strict && (missingKeys.length > 0 || unexpectedKeys.length > 0)) {
    const parts: string[] = [];
    if (missingKeys.length > 0) parts.push(`missing keys: ${missingKeys.map((k) => `"${k}"`).join(', ')}`);
    if (unexpectedKeys.length > 0)
      parts.push(`unexpected keys: ${unexpectedKeys.map((k) => `"${k}"`).join(', ')}`);
    throw new LossInputError('loadStateDict', 'stateDict', `does not match the model (${parts.join('; ')})`);
  }
  const writes = all
    .filter((l) => Object.hasOwn(stateDict, l.name))
    .map((l) => [l.tensor, readEntry(stateDict[l.name], l)] as const);
  for (const [tensor, values] of writes) tensor.data.set(values);
  return strict ? { missingKeys: [], unexpectedKeys: [] } : { missingKeys, unexpectedKeys };
}
