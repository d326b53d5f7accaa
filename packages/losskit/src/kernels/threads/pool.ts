import { type ThreadEnvironment, type WorkerHandle, detectEnvironment } from './environment.js';
import {
  ARGS_BYTE,
  ARG_SLOTS,
  CONTROL_BYTES,
  FAILED,
  MAX_WORKERS,
  PENDING,
  READY,
  SLOT,
  SLOT_INTS,
  SPIN_MS,
} from './protocol.js';

/**
 * The thread pool behind the parallel kernels: `threads − 1` workers, each with its own instance
 * of every registered kernel module over the module's one shared WebAssembly memory. The calling
 * thread splits a kernel call into parts, launches parts 1… on workers (`launch`), runs part 0
 * itself, and waits until they are done (`join`), so the API stays synchronous. Both sides poll
 * for SPIN_MS (1 ms) before they sleep in `Atomics.wait`: workers for their next task, the
 * caller for its parts, so that the launches of a training step rarely wake a sleeping thread.
 * Nothing is allocated per call.
 *
 * The pool starts on first use (in Node the first call waits for the workers, about 40 ms once;
 * in a browser worker it does not wait, and parts whose worker is not ready yet run on the
 * calling thread, so results never depend on timing). Registering a module after the start
 * restarts the workers.
 */

/** A kernel module the workers instantiate: compiled once, with its shared memory. */
export interface SharedKernel {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Export names; tasks name a function by its index here. */
  readonly names: readonly string[];
}

interface Running {
  readonly control: Int32Array;
  readonly args: Float64Array;
  readonly workers: WorkerHandle[];
}

const kernels: SharedKernel[] = [];
let environment: ThreadEnvironment | null = null;
let requested: number | null = null;
let running: Running | null = null;

function env(): ThreadEnvironment {
  environment ??= detectEnvironment();
  return environment;
}

/** Adds a module for the workers; returns its index for `launch`. */
export function registerSharedKernel(kernel: SharedKernel): number {
  kernels.push(kernel);
  stop();
  return kernels.length - 1;
}

/** Whether shared WebAssembly memory and workers are available here. */
export function threadsAvailable(): boolean {
  return env().spawn !== null;
}

/** Logical cores of this machine (1 where unknown). */
export function coreCount(): number {
  return env().cores;
}

/**
 * Threads that kernels use: setThreads's value, else the cores; 1 where threads are unavailable
 * or after a worker stopped responding.
 */
export function threadCount(): number {
  const e = env();
  if (e.spawn === null || stalled) return 1;
  return Math.min(requested ?? e.cores, MAX_WORKERS + 1);
}

/** Sets the thread count (already validated by the public `setThreads`); workers restart lazily. */
export function configureThreads(n: number | null): void {
  requested = n;
  stalled = false;
  stop();
}

/** Why threads are or are not used, in a few words. */
export function threadDescription(): string {
  const why = env().description;
  return stalled ? `${why}; threads stopped after a worker stopped responding` : why;
}

function stop(): void {
  if (running === null) return;
  for (let w = 0; w < running.workers.length; w++) {
    Atomics.store(running.control, SLOT + w * SLOT_INTS, -1);
    Atomics.notify(running.control, SLOT + w * SLOT_INTS);
    running.workers[w].terminate();
  }
  running = null;
}

function start(): Running | null {
  const e = env();
  const count = threadCount() - 1;
  if (e.spawn === null || count < 1 || kernels.length === 0) return null;
  const buffer = new SharedArrayBuffer(CONTROL_BYTES);
  const control = new Int32Array(buffer);
  const workers: WorkerHandle[] = [];
  for (let w = 0; w < count; w++) workers.push(e.spawn({ control: buffer, index: w, kernels }));
  if (e.canWaitForStart) {
    const deadline = Date.now() + 5000;
    for (let ready = Atomics.load(control, READY); ready < count && Date.now() < deadline; ) {
      Atomics.wait(control, READY, ready, 50);
      ready = Atomics.load(control, READY);
    }
  }
  return { control, args: new Float64Array(buffer, ARGS_BYTE), workers };
}

/** Workers available to `launch` now (0 where threads are off). */
export function workerCount(): number {
  if (threadCount() < 2 || kernels.length === 0) return 0;
  running ??= start();
  return running === null ? 0 : running.workers.length;
}

/**
 * Starts function `fn` of kernel `kernel` on worker `w` (< workerCount()) with numeric
 * arguments; false (nothing started) where that worker is not ready yet: the caller runs the
 * part itself. Every true must be followed by one `join()` before the caller reads results.
 */
export function launch(
  w: number,
  kernel: number,
  fn: number,
  a0 = 0,
  a1 = 0,
  a2 = 0,
  a3 = 0,
  a4 = 0,
  a5 = 0,
  a6 = 0,
  a7 = 0,
  a8 = 0,
  a9 = 0,
): boolean {
  const r = running;
  if (r === null) return false;
  const slot = SLOT + w * SLOT_INTS;
  if (Atomics.load(r.control, slot + 1) !== 1) return false;
  const at = w * ARG_SLOTS;
  const args = r.args;
  args[at] = kernel;
  args[at + 1] = fn;
  args[at + 2] = 10;
  args[at + 3] = a0;
  args[at + 4] = a1;
  args[at + 5] = a2;
  args[at + 6] = a3;
  args[at + 7] = a4;
  args[at + 8] = a5;
  args[at + 9] = a6;
  args[at + 10] = a7;
  args[at + 11] = a8;
  args[at + 12] = a9;
  Atomics.add(r.control, PENDING, 1);
  Atomics.add(r.control, slot, 1);
  Atomics.notify(r.control, slot);
  return true;
}

/**
 * Milliseconds `join` waits without any part finishing before it gives up on the workers: far
 * above the longest part (a product that fills the GEMM's 64 MiB takes about 0.1 s a thread).
 */
export const STALL_MS = 30_000;
let stallMs = STALL_MS;

/** Sets the stall limit (tests only: a short one to check the recovery); returns the previous. */
export function setStallLimitForTests(ms: number): number {
  const previous = stallMs;
  stallMs = ms;
  return previous;
}

/** Set once a stall stopped the pool; `setThreads` (configureThreads) clears it. */
let stalled = false;

/**
 * Blocks until every launched part is done; throws if one of them failed. A worker that dies
 * while it holds a part (terminated from outside, out of memory) would leave the caller waiting
 * forever: after `stallMs` with no part finishing, the pool is stopped, losskit stays on one
 * thread until `setThreads` is called again, and the call throws an Error that says so.
 */
export function join(): void {
  const r = running;
  if (r === null) return;
  const control = r.control;
  // Poll first: the parts usually end soon after this thread's own.
  for (let polls = 0, until = 0; Atomics.load(control, PENDING) !== 0; polls++) {
    if ((polls & 255) !== 0) continue;
    const now = performance.now();
    if (until === 0) until = now + SPIN_MS;
    else if (now >= until) break;
  }
  let since = Date.now();
  for (let pending = Atomics.load(control, PENDING); pending !== 0; ) {
    Atomics.wait(control, PENDING, pending, Math.min(1000, stallMs));
    const now = Atomics.load(control, PENDING);
    if (now !== pending) {
      pending = now;
      since = Date.now();
    } else if (Date.now() - since >= stallMs) {
      stop();
      stalled = true;
      throw new Error(
        `losskit: a worker thread stopped responding (no part finished in ${stallMs} ms); the thread pool is stopped and losskit runs on one thread until setThreads is called`,
      );
    }
  }
  if (Atomics.load(control, FAILED) !== 0) {
    Atomics.store(control, FAILED, 0);
    throw new Error('losskit: a kernel failed in a worker thread');
  }
}

/** Terminates worker `w` of the running pool without telling the pool (tests only). */
export function killWorkerForTests(w: number): void {
  running?.workers[w]?.terminate();
}

/** Workers that have started and may take tasks (for tests and reports; 0 before the pool starts). */
export function readyWorkers(): number {
  return running === null ? 0 : Atomics.load(running.control, READY);
}
