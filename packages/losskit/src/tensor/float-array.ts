/**
 * The bottom of the core: the storage types and their allocation, with no imports. Both
 * `tensor/` (the Tensor class and its input boundary) and `kernels/` (typed-array kernels, which
 * never see a Tensor) import this module; `kernels/` imports nothing else from `tensor/`, and
 * `tensor/tensor.ts` and this module import nothing from `kernels/`. So the layers are
 * float-array ← kernels ← the input boundary (`tensor/tensor-like.ts`, whose finite scan uses the
 * SIMD probe of `kernels/wasm/float32.ts`) ← losses ← autograd, with no cycle.
 */

/** The two floating-point types losskit computes in. */
export type DType = 'float32' | 'float64';

/** The contiguous, row-major storage of a tensor of either dtype. */
export type FloatArray = Float32Array | Float64Array;

/**
 * Where arrays come from while an arena run is in progress (tensor/arena.ts): a function that
 * returns an array of the arena's (zero-filled when `zeroed`), or null for an ordinary one.
 */
type ArenaSource = (dtype: DType, size: number, zeroed: boolean) => FloatArray | null;

let arenaSource: ArenaSource | null = null;

/** Sets (or, with null, clears) the source of `allocate`'s arrays; tensor/arena.ts only. */
export function setArenaSource(source: ArenaSource | null): void {
  arenaSource = source;
}

/**
 * Float32 arrays in the kernels' resident memory (kernels/wasm/resident.ts registers this when it
 * loads, where shared WebAssembly memory works), for the arena: kernels read and write such arrays
 * in place instead of copying them into their own memory.
 */
export interface ResidentSource {
  /** A zero-filled resident array of n values, or null where the memory is full. */
  allocate(n: number): Float32Array | null;
  /** Gives an array of `allocate` back (false for any other array). */
  release(a: Float32Array): boolean;
  /** Sets every value to +0 (faster than `fill` on a shared memory). */
  zero(a: Float32Array): void;
  /** Whether `a` is an array of `allocate`'s not yet released. */
  isResident(a: FloatArray): boolean;
}

let residentSource: ResidentSource | null = null;

/** Registers the resident memory (kernels/wasm/resident.ts only). */
export function setResidentSource(source: ResidentSource): void {
  residentSource = source;
}

/** The resident memory, or null where there is none (no shared WebAssembly memory). */
export function getResidentSource(): ResidentSource | null {
  return residentSource;
}

/** A new zero-filled array of `size` elements of `dtype` (the active arena's, during a run). */
export function allocate(dtype: DType, size: number): FloatArray {
  if (arenaSource !== null) {
    const reused = arenaSource(dtype, size, true);
    if (reused !== null) return reused;
  }
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/**
 * An array of `size` elements of `dtype` for a kernel that writes every element: during an
 * arena run, one of the arena's that is not zero-filled first; else null (the caller allocates).
 */
export function arenaArrayForOverwrite(dtype: DType, size: number): FloatArray | null {
  return arenaSource === null ? null : arenaSource(dtype, size, false);
}

/**
 * `allocate` for a kernel that writes every element before anything reads it: the same, except
 * that an array the arena hands out again is not zero-filled first.
 */
export function allocateForOverwrite(dtype: DType, size: number): FloatArray {
  return (
    arenaArrayForOverwrite(dtype, size) ??
    (dtype === 'float32' ? new Float32Array(size) : new Float64Array(size))
  );
}

/** The dtype that stores values of the given typed array. */
export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}
