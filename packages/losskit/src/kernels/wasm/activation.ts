import type { FloatArray } from '../../tensor/float-array.js';
import { activationWasm } from './kernels.generated.js';
import { embeddedKernel } from './module.js';

/**
 * The WebAssembly SIMD kernels of relu and its backward (see activation.wat), float32 and
 * float64, with the bits of autograd/unary.ts's JavaScript loops: the arrays go through the
 * module's memory a chunk at a time (copied in, a comparison mask and an and per vector, copied
 * out). The JavaScript loops take about 2 ns a value on the benchmark machine (integer masks
 * with bounds checks, no vectors); the copies take about 0.1 ns a value each way.
 */

/** Bytes of each region (x, g, out): 16384 float32 or 8192 float64 values per chunk. */
const REGION_BYTES = 65536;

/** Below this many values the JavaScript loop is as fast (the copies and the call). */
export const SIMD_RELU_MIN_LENGTH = 256;

interface ActivationExports {
  readonly memory: WebAssembly.Memory;
  relu32(n: number): void;
  reluGrad32(n: number): void;
  relu64(n: number): void;
  reluGrad64(n: number): void;
}

/** The regions as views of one dtype. */
interface Regions<A extends FloatArray> {
  readonly x: A;
  readonly g: A;
  readonly out: A;
}

interface ActivationRegions {
  readonly f32: Regions<Float32Array>;
  readonly f64: Regions<Float64Array>;
}

const kernel = embeddedKernel<ActivationExports, ActivationRegions>(activationWasm, (buffer) => ({
  f32: {
    x: new Float32Array(buffer, 0, REGION_BYTES / 4),
    g: new Float32Array(buffer, REGION_BYTES, REGION_BYTES / 4),
    out: new Float32Array(buffer, 2 * REGION_BYTES, REGION_BYTES / 4),
  },
  f64: {
    x: new Float64Array(buffer, 0, REGION_BYTES / 8),
    g: new Float64Array(buffer, REGION_BYTES, REGION_BYTES / 8),
    out: new Float64Array(buffer, 2 * REGION_BYTES, REGION_BYTES / 8),
  },
}));

/**
 * out = relu(x) (x where x > 0 or NaN, else +0), x and out of one dtype and length. False, with
 * nothing written, where WebAssembly SIMD is unavailable or x is shorter than
 * SIMD_RELU_MIN_LENGTH: the caller runs its loop, which gives the same bits.
 */
export function simdRelu(x: FloatArray, out: FloatArray): boolean {
  const k = kernel();
  if (k === null || x.length < SIMD_RELU_MIN_LENGTH) return false;
  if (x instanceof Float32Array) run(k.f32, x, null, out, (n) => k.exports.relu32(n));
  else run(k.f64, x, null, out, (n) => k.exports.relu64(n));
  return true;
}

/**
 * out = g where x is not ≤ 0 (x > 0 or NaN), else +0: relu's backward, g, x and out of one dtype
 * and length. False, with nothing written, where the kernel does not run (as `simdRelu`).
 */
export function simdReluGrad(g: FloatArray, x: FloatArray, out: FloatArray): boolean {
  const k = kernel();
  if (k === null || x.length < SIMD_RELU_MIN_LENGTH) return false;
  if (x instanceof Float32Array) run(k.f32, x, g, out, (n) => k.exports.reluGrad32(n));
  else run(k.f64, x, g, out, (n) => k.exports.reluGrad64(n));
  return true;
}

/** Copies x (and g) in a chunk at a time, runs `kernel` on the chunk, copies out back. */
function run<A extends FloatArray>(
  regions: Regions<A>,
  x: FloatArray,
  g: FloatArray | null,
  out: FloatArray,
  kernel: (n: number) => void,
): void {
  const chunk = regions.x.length;
  for (let from = 0; from < x.length; from += chunk) {
    const n = Math.min(chunk, x.length - from);
    regions.x.set(x.subarray(from, from + n));
    if (g !== null) regions.g.set(g.subarray(from, from + n));
    kernel(n);
    out.set(n === chunk ? regions.out : regions.out.subarray(0, n), from);
  }
}
