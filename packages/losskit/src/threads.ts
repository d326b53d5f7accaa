import {
  configureThreads,
  coreCount,
  threadCount,
  threadDescription,
  threadsAvailable,
} from './kernels/threads/pool.js';
import { MAX_WORKERS } from './kernels/threads/protocol.js';
import { LossInputError, describeValue } from './tensor/errors.js';

/**
 * How many threads losskit's large kernels use: the float32 matrix products behind `ops.matmul`,
 * the layers, `conv2d` and `linearCrossEntropy`, Adam's update of large parameters, and the loss
 * kernels that read resident arrays in place (`KernelArrays`).
 *
 * Threads need shared WebAssembly memory and a thread that may block: Node (≥ 20.16, through
 * worker_threads), or a browser Web Worker on a cross-origin isolated page. Elsewhere (a
 * browser's main thread, a page without cross-origin isolation) everything runs on the calling
 * thread and `threadReport()` says why. The calling thread waits for the workers in
 * `Atomics.wait`, so every API stays synchronous.
 *
 * A product splits by rows of its output (by columns when it is much wider than tall): each
 * thread computes whole rows or columns with the same operations in the same order, so results
 * are bitwise the same for every thread count. Products below 2^21 multiply-adds per thread stay
 * on one thread (waking a worker would cost more than it saves).
 *
 * A worker that stops responding (killed from outside while it holds a task) does not hang the
 * caller: after 30 s without progress the call throws an Error that says so, the pool stops,
 * and losskit runs on one thread until `setThreads` is called again.
 */

/**
 * Sets the number of threads (the calling thread included): an integer from 1 to 64, or
 * 'auto' for the number of cores (the default). Where threads are unavailable the count stays
 * 1. Returns `threadReport()`.
 *
 * @example
 * setThreads(1); // single-threaded, e.g. for a reproducible timing
 * setThreads('auto'); // back to one thread per core
 */
export function setThreads(n: number | 'auto'): string {
  if (n !== 'auto' && !(Number.isInteger(n) && n >= 1 && n <= MAX_WORKERS + 1)) {
    throw new LossInputError(
      'setThreads',
      'n',
      `must be an integer from 1 to ${MAX_WORKERS + 1} or 'auto', got ${describeValue(n)}`,
    );
  }
  configureThreads(n === 'auto' ? null : n);
  return threadReport();
}

/**
 * One line on the threads in use and why, e.g.
 * `losskit: 2 threads of 2 cores (Node worker_threads, shared WebAssembly memory)` or
 * `losskit: 1 thread of 8 cores (the page is not cross-origin isolated (no SharedArrayBuffer))`.
 */
export function threadReport(): string {
  const n = threadCount();
  const cores = coreCount();
  const why = threadsAvailable() ? threadDescription() : `threads unavailable: ${threadDescription()}`;
  return `losskit: ${n} thread${n === 1 ? '' : 's'} of ${cores} core${cores === 1 ? '' : 's'} (${why})`;
}
