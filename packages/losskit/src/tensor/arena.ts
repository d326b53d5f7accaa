import {
  type DType,
  type FloatArray,
  getResidentSource,
  type ResidentSource,
  setArenaSource,
} from './float-array.js';
import { LossInputError } from './errors.js';
import type { Tensor } from './tensor.js';

// The step arena: the large arrays that one training step allocates (activations, their
// gradients, the losses' buffers) are handed back when the step ends and handed out again to the
// next step, so that a long run reuses the same memory instead of asking the system for fresh,
// never-touched pages every step (on the bench's CNN step, 17 MB a step, about a quarter of its
// time went to first touches of new pages and to the collector). Its float32 arrays live in the
// kernels' resident memory where there is one, so that the products and convolutions read and
// write them in place instead of copying them in and out.

/** Arrays below this many elements come from the JavaScript heap as usual (cheap there). */
export const ARENA_MIN_ELEMENTS = 1024;

/** The arena whose run is in progress on this thread, or null. */
let active: ArenaState | null = null;

/** Zero-length stand-ins for the storage of a released tensor, by dtype. */
const EMPTY = { float32: new Float32Array(0), float64: new Float64Array(0) } as const;

/** A pool key: one free list per dtype and length. */
function keyOf(dtype: DType, size: number): number {
  return dtype === 'float32' ? 2 * size : 2 * size + 1;
}

/** Whether `a` is a view of a shared buffer (the resident memory's arrays are). */
function isShared(a: FloatArray): boolean {
  return typeof SharedArrayBuffer === 'function' && a.buffer instanceof SharedArrayBuffer;
}

/**
 * The key of an array's storage among those handed out: its buffer (views of one share it), or,
 * for the resident memory's arrays, which all share that memory's buffer, the array itself.
 */
function storageOf(a: FloatArray): object {
  return isShared(a) ? a : a.buffer;
}

/** Options of `new Arena`. */
export interface ArenaOptions {
  /**
   * Whether float32 arrays come from the kernels' resident memory (the WebAssembly memory of
   * `KernelArrays`), where the products and convolutions read and write them in place; where
   * there is no such memory (no shared WebAssembly memory, or it is full) they come from the
   * JavaScript heap. Default true.
   */
  readonly resident?: boolean;
}

/** Releases the resident arrays an arena held when the arena is collected (`release` not called). */
const collected = new FinalizationRegistry<ArenaState>((state) => state.release());

/**
 * An arena for training steps (TF.js's `tf.tidy`, with memory reuse): `arena.run(step)` runs
 * `step` so that every array of at least ARENA_MIN_ELEMENTS elements allocated during it comes
 * from the arena, and is given back to it when the run ends. The next run gets the same arrays
 * (zero-filled, as fresh ones are), so a training loop stops allocating after its first step
 * and its memory stays flat: the arena holds at most what one run used.
 *
 * What survives a run:
 * - its return value, when that is a tensor, or an array or plain object of tensors (one level);
 * - every tensor passed to `keep` during the run;
 * - the parameters' gradients (`.grad`, set by `backward()`), and any tensor marked
 *   `requireGrad()` (the parameters of modules created during the run).
 *
 * Every other tensor made during the run is *released* at its end: its storage is empty, and
 * using it (`item()`, `toArray()`, an op, a loss, `backward()`) throws a LossInputError instead
 * of reading memory another step has taken over. Optimizer state, model parameters and
 * anything made before the run are not affected.
 *
 * Float32 arrays come from the kernels' resident memory where there is one (see `ArenaOptions`),
 * so that the matrix products, convolutions and 2×2 max pooling of a step read and write them in
 * place. A kept
 * tensor's storage there is copied to the JavaScript heap when the run ends (its `data` is a new
 * array then: read `.data` after the run, not before). A tensor made over a view (`subarray`) of
 * an arena array is not tracked. `release()` gives the memory the arena holds back at once; an
 * arena that is collected without it gives it back then.
 *
 * @example
 * const arena = new Arena();
 * for (const [xb, yb] of batches) {
 *   const loss = arena.run(() => {
 *     model.zeroGrad();
 *     const l = sparseCategoricalCrossEntropy(model.forward(xb), yb);
 *     l.backward();
 *     return l.item();
 *   });
 *   optimizer.step();
 * }
 */
export class Arena {
  private readonly state: ArenaState;

  constructor(options: ArenaOptions = {}) {
    if (options === null || typeof options !== 'object')
      throw new LossInputError('Arena', 'options', `must be an object, got ${String(options)}`);
    const resident = options.resident ?? true;
    if (typeof resident !== 'boolean')
      throw new LossInputError('Arena', 'options.resident', `must be true or false, got ${String(resident)}`);
    this.state = new ArenaState(resident);
    collected.register(this, this.state);
  }

  /**
   * Runs `step` with this arena's memory and releases what it allocated (see the class); returns
   * what `step` returns. Runs of one arena do not nest; a run of another arena inside this one
   * takes its own memory. If `step` throws, its memory is released and the error passes through.
   */
  run<T>(step: () => T): T {
    const state = this.state;
    if (state.running)
      throw new LossInputError('Arena', 'run', 'is already running: runs of one arena do not nest');
    const outer = active;
    state.begin();
    active = state;
    setArenaSource(take);
    try {
      const result = step();
      keepResult(state, result);
      return result;
    } finally {
      active = outer;
      setArenaSource(outer === null ? null : take);
      state.end();
    }
  }

  /**
   * Keeps `tensor` (and every tensor sharing its storage) past the end of the current run, as a
   * returned one is. Does nothing outside a run or for storage the arena did not hand out.
   */
  keep(tensor: Tensor): void {
    this.state.keep(tensor);
  }

  /** The arrays held for the next run and their bytes: what the arena holds between runs. */
  held(): { readonly arrays: number; readonly bytes: number } {
    return this.state.held();
  }

  /**
   * Gives back the arrays held for the next run (the next run allocates afresh); `fit` calls it
   * when it ends. Not during a run.
   */
  release(): void {
    if (this.state.running)
      throw new LossInputError('Arena', 'release', 'was called during a run of this arena');
    this.state.release();
  }
}

/** An arena's memory and the bookkeeping of its current run. */
class ArenaState {
  /** Free arrays for the next run, by `keyOf(dtype, length)`. */
  private free = new Map<number, FloatArray[]>();
  /** During a run: the free lists of the run before, which `take` draws from. */
  private reuse = new Map<number, FloatArray[]>();
  /** Arrays handed out during the current run, by `storageOf`. */
  private readonly handed = new Map<object, FloatArray>();
  /** Resident arrays of the current run that `keep` took out of `handed`: copied out at its end. */
  private readonly kept = new Set<FloatArray>();
  /** Tensors made during the current run whose storage is one of `handed`. */
  private readonly tensors: Tensor[] = [];
  running = false;

  /**
   * The resident memory float32 arrays come from: looked up at the first allocation (the engine
   * registers it when it loads), null for the heap.
   */
  private source: ResidentSource | null | undefined;

  /** @param resident  whether float32 arrays come from the resident memory where there is one */
  constructor(resident: boolean) {
    if (!resident) this.source = null;
  }

  begin(): void {
    // Arrays not drawn again in this run (a length the step no longer uses) are dropped at its
    // end, so the arena holds at most one run's arrays.
    this.reuse = this.free;
    this.free = new Map();
    this.running = true;
  }

  /** An array for the current run: a free one of this dtype and length, else a new one. */
  take(dtype: DType, size: number, zeroed: boolean): FloatArray {
    const array = this.reuse.get(keyOf(dtype, size))?.pop();
    let out: FloatArray;
    if (array !== undefined) {
      out = array;
      if (zeroed) this.zero(out);
    } else if (dtype === 'float64') out = new Float64Array(size);
    else {
      if (this.source === undefined) this.source = getResidentSource();
      out = this.source?.allocate(size) ?? new Float32Array(size);
    }
    this.handed.set(storageOf(out), out);
    return out;
  }

  private zero(a: FloatArray): void {
    if (this.source && a instanceof Float32Array && isShared(a)) this.source.zero(a);
    else a.fill(0);
  }

  /** Notes a tensor made during the run whose storage the arena handed out. */
  note(tensor: Tensor): void {
    if (this.handed.has(storageOf(tensor.data))) this.tensors.push(tensor);
  }

  keep(tensor: Tensor): void {
    const key = storageOf(tensor.data);
    const array = this.handed.get(key);
    if (array === undefined) return;
    this.handed.delete(key);
    if (isShared(array)) this.kept.add(array);
  }

  /**
   * Ends a run: releases its tensors, copies the kept ones' resident storage to the heap, and
   * keeps the arrays for the next run.
   */
  end(): void {
    const copies = new Map<FloatArray, FloatArray>();
    for (const array of this.kept) {
      // `set` copies out of a shared memory about as fast as between ordinary buffers; `slice`
      // measured up to 40 times slower there.
      const copy = new Float32Array(array.length);
      copy.set(array);
      copies.set(array, copy);
    }
    for (const t of this.tensors) {
      const data = t.data;
      if (this.handed.has(storageOf(data))) (t as { data: FloatArray }).data = EMPTY[t.dtype];
      else {
        const copy = copies.get(data);
        if (copy !== undefined) (t as { data: FloatArray }).data = copy;
      }
    }
    this.tensors.length = 0;
    for (const array of this.kept) this.handed.set(array, array);
    this.kept.clear();
    for (const array of this.handed.values()) {
      const key = keyOf(array instanceof Float32Array ? 'float32' : 'float64', array.length);
      const list = this.free.get(key);
      if (list === undefined) this.free.set(key, [array]);
      else list.push(array);
    }
    this.handed.clear();
    // Arrays not drawn in this run are dropped (the resident ones given back).
    this.releaseAll(this.reuse);
    this.reuse = new Map();
    this.running = false;
  }

  /** Gives back the arrays held for the next run. */
  release(): void {
    this.releaseAll(this.free);
    this.free = new Map();
  }

  private releaseAll(lists: Map<number, FloatArray[]>): void {
    const source = this.source;
    if (!source) return;
    for (const list of lists.values()) for (const a of list) if (a instanceof Float32Array) source.release(a);
  }

  held(): { arrays: number; bytes: number } {
    let arrays = 0;
    let bytes = 0;
    for (const list of this.free.values())
      for (const a of list) {
        arrays++;
        bytes += a.byteLength;
      }
    return { arrays, bytes };
  }
}

/** `allocate`'s source while a run is in progress: the active arena. */
function take(dtype: DType, size: number, zeroed: boolean): FloatArray | null {
  return active === null || size < ARENA_MIN_ELEMENTS ? null : active.take(dtype, size, zeroed);
}

/** Keeps a run's result: a tensor, or the tensors of an array or plain object (one level). */
function keepResult(state: ArenaState, result: unknown): void {
  if (result === null || typeof result !== 'object') return;
  if (isTensor(result)) {
    state.keep(result);
    return;
  }
  const values = Array.isArray(result)
    ? result
    : Object.getPrototypeOf(result) === Object.prototype
      ? Object.values(result)
      : [];
  for (const v of values) if (isTensor(v)) state.keep(v);
}

/** Whether `v` is a tensor (checked by shape, so this module needs no runtime import of Tensor). */
function isTensor(v: unknown): v is Tensor {
  return (
    typeof v === 'object' &&
    v !== null &&
    'data' in v &&
    ArrayBuffer.isView((v as Tensor).data) &&
    'shape' in v &&
    'gradNode' in v
  );
}

/** Called by the Tensor constructor: a tensor made during a run over arena storage is noted. */
export function noteTensor(tensor: Tensor): void {
  if (active !== null) active.note(tensor);
}

/** Keeps `tensor` past the current run of the active arena (a parameter, a gradient). */
export function keepTensor(tensor: Tensor): void {
  if (active !== null) active.keep(tensor);
}

/**
 * Whether `tensor` was released at the end of an arena run (its storage is gone): the
 * boundary's check, so that a released tensor is an error rather than a read of reused memory.
 */
export function isReleased(tensor: Tensor): boolean {
  return tensor.data.length !== tensor.size;
}

/** The problem a released tensor is reported with. */
export const RELEASED =
  'was released at the end of an Arena run (it was made during the run and not kept: return it from the run, or pass it to arena.keep)';
