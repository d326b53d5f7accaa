import { residentKernelsAvailable } from './kernels/wasm/float32.js';
import { overlapResidentAvailable } from './kernels/wasm/overlap.js';
import { softmaxResidentAvailable } from './kernels/wasm/softmax.js';
import { tripletResidentAvailable } from './kernels/wasm/triplet.js';
import {
  allocateResidentArray,
  isResidentArray,
  releaseResidentArray,
  residentMemoryBytes,
} from './kernels/wasm/resident.js';
import { LossInputError, describeValue } from './tensor/errors.js';
import { isValidShape, shapeSize } from './tensor/shape.js';
import { Tensor } from './tensor/tensor.js';

/** The most elements one array may have: 2^28 (1 GiB of float32, the kernels' whole memory). */
const MAX_ELEMENTS = 2 ** 28;

/**
 * Loads every kernel module that reads resident arrays, all at once: each registers with the
 * thread pool, which restarts a running pool, so the restarts happen together when the first
 * resident array is made (before a training loop) instead of at each module's first call inside
 * it. False where resident arrays are unavailable (no shared memory or no SIMD).
 */
function residentKernels(): boolean {
  if (!residentKernelsAvailable()) return false;
  softmaxResidentAvailable();
  overlapResidentAvailable();
  tripletResidentAvailable();
  return true;
}

/**
 * Float32 arrays that live in the memory of losskit's SIMD loss kernels ("resident" arrays).
 *
 * An ordinary `Float32Array` goes through the kernels' memory a chunk at a time: each call copies
 * the inputs in and the gradient out. Resident arrays are read and written where they are, with
 * no copy, and a large call on them is split over the thread pool (`setThreads`). Give the
 * inputs and the reused gradient buffers of a hot loss call this way, and copy each batch into
 * them once (`array.set(batch)`): that is all the copying left.
 *
 * Kernels that take resident arrays in place:
 * - `mse` (and `valueLoss`, through the same kernel), `huber`, `binaryCrossEntropyWithLogits` and
 *   `focal` (γ = 2), in float32 with a reduced value and no upstream gradient;
 * - `sparseCategoricalCrossEntropy` and `tokenCrossEntropy` on logits (no label smoothing, no
 *   z-loss), when the gradient buffer passed as `out` is resident too;
 * - the overlap losses (`dice`, `iou`, `bceDice`, `bceIou`) in groups of a multiple of 4
 *   elements, on probabilities or logits;
 * - `triplet` (p = 2, no swap), when its gradient buffers passed as `out` are resident too;
 * - the finiteness and [0, 1] checks of every loss's inputs.
 *
 * Other losses take resident arrays as they take any `Float32Array`, except that V8 copies out
 * of shared memory at about half the speed of ordinary memory, so a kernel that copies its
 * inputs is slower on them. Results are bitwise the same as with ordinary arrays, for every
 * thread count.
 *
 * Resident arrays need shared WebAssembly memory (Node; a cross-origin isolated page in a
 * browser). Where it is unavailable, or once the kernels' 1 GiB is full, `float32` returns an
 * ordinary array instead (`KernelArrays.isResident` tells which), and everything still works.
 *
 * Memory is manual, as in `tf.dispose`: `release()` gives back every array this owner made, and
 * none of them may be used afterwards (its memory goes to the next array made). An owner that is
 * never released keeps its arrays until the process ends.
 *
 * @example
 * const arrays = new KernelArrays();
 * const input = arrays.tensor([1 << 20]);
 * const target = arrays.tensor([1 << 20]);
 * const grad = arrays.tensor([1 << 20]);
 * input.data.set(batchPredictions); // copied once
 * target.data.set(batchTargets);
 * const { value } = losses.mse.valueAndGrad({ input, target }, {}, null, { grads: { input: grad } });
 * arrays.release(); // input, target and grad must not be used after this
 */
export class KernelArrays {
  private readonly arrays: Float32Array[] = [];

  /** Whether arrays made here live in the kernels' memory (false: they are ordinary arrays). */
  static available(): boolean {
    return residentKernels();
  }

  /** Whether `a` is a resident array that has not been released. */
  static isResident(a: Float32Array): boolean {
    return isResidentArray(a);
  }

  /** Bytes of the kernels' shared memory in use, and the most it has held (what the process keeps). */
  static memory(): { usedBytes: number; reservedBytes: number } {
    return residentMemoryBytes();
  }

  /** A zero-filled float32 array of n values, resident where possible (see the class). */
  float32(n: number): Float32Array {
    if (!(Number.isInteger(n) && n >= 0 && n <= MAX_ELEMENTS)) {
      throw new LossInputError(
        'KernelArrays.float32',
        'n',
        `must be an integer from 0 to ${MAX_ELEMENTS}, got ${describeValue(n)}`,
      );
    }
    const resident = residentKernels() ? allocateResidentArray(n) : null;
    if (resident === null) return new Float32Array(n);
    this.arrays.push(resident);
    return resident;
  }

  /** A zero-filled float32 tensor of `shape` over a resident array (see `float32`). */
  tensor(shape: readonly number[]): Tensor {
    // An invalid shape: the Tensor constructor names the problem.
    if (!isValidShape(shape)) return new Tensor(new Float32Array(0), shape);
    return new Tensor(this.float32(shapeSize(shape)), shape);
  }

  /** Gives back every array this owner made; they must not be used afterwards. */
  release(): void {
    for (const a of this.arrays) releaseResidentArray(a);
    this.arrays.length = 0;
  }
}
