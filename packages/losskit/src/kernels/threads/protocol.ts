/**
 * The layout of the control block that the calling thread and the pool's workers share (one
 * SharedArrayBuffer), and the workers' source. A task is a call of one exported function of one
 * kernel module with up to MAX_ARGS numeric arguments; every worker has its own slot.
 *
 * Int32 view:
 *   [PENDING]   tasks launched and not yet finished (the caller waits for 0)
 *   [FAILED]    1 once a task has thrown (the caller reports it)
 *   [READY]     workers that have instantiated their modules
 *   [SLOT + w·SLOT_INTS]      worker w's generation: the caller adds 1 to launch a task, the
 *                              worker waits on it; -1 tells it to exit
 *   [SLOT + w·SLOT_INTS + 1]  1 once worker w is ready
 * Float64 view, from ARGS_BYTE: worker w's task at ARGS_BYTE/8 + w·ARG_SLOTS:
 *   [module index, function index, argument count, arguments…]
 */

export const PENDING = 0;
export const FAILED = 1;
export const READY = 2;
export const SLOT = 16;
/** Int32s per worker slot (one cache line of 64 bytes, so workers' slots do not share one). */
export const SLOT_INTS = 16;
/** The most workers a pool has. */
export const MAX_WORKERS = 63;
export const ARGS_BYTE = 4 * (SLOT + SLOT_INTS * (MAX_WORKERS + 1));
export const MAX_ARGS = 13;
/**
 * Milliseconds a worker polls for its next task before it sleeps in `Atomics.wait`, and the
 * caller polls for the parts it waits for before it sleeps (see pool.ts's `join`). Waking a
 * sleeping thread goes through the operating system (a futex wake, on a VM an interrupt to the
 * other core): a launch and join of an empty part took 21–30 µs with sleeping threads and
 * 1.6 µs with polling ones on the benchmark machine, and a training step launches a part every
 * few hundred microseconds. OpenMP runtimes poll the same way before they sleep.
 */
export const SPIN_MS = 1;
/** Float64s per task (3 header values and the arguments). */
export const ARG_SLOTS = 16;
export const CONTROL_BYTES = ARGS_BYTE + 8 * ARG_SLOTS * (MAX_WORKERS + 1);

/**
 * What a worker receives once: the control block, its index, and for each kernel module the
 * compiled module, the shared memory to instantiate it with, and its export names by index.
 */
export interface WorkerInit {
  readonly control: SharedArrayBuffer;
  readonly index: number;
  readonly kernels: readonly {
    readonly module: WebAssembly.Module;
    readonly memory: WebAssembly.Memory;
    readonly names: readonly string[];
  }[];
}

/**
 * The worker's program (plain JavaScript, run by Node's worker_threads with `eval` or by a
 * browser Worker from a Blob URL): instantiate every module with its shared memory, report
 * ready, then wait on the slot's generation, run the task, count it done, and wait again.
 */
export const WORKER_SOURCE = `'use strict';
(() => {
  const PENDING = ${PENDING}, FAILED = ${FAILED}, READY = ${READY}, SLOT = ${SLOT}, SLOT_INTS = ${SLOT_INTS};
  const ARGS = ${ARGS_BYTE / 8}, ARG_SLOTS = ${ARG_SLOTS}, SPIN_MS = ${SPIN_MS};
  function run(init) {
    const control = new Int32Array(init.control);
    const args = new Float64Array(init.control);
    const functions = init.kernels.map((k) => {
      const exports = new WebAssembly.Instance(k.module, { env: { memory: k.memory } }).exports;
      return k.names.map((name) => exports[name]);
    });
    const slot = SLOT + init.index * SLOT_INTS;
    const a = ARGS + init.index * ARG_SLOTS;
    // The generation is read before the worker says it is ready: a task launched right after
    // the ready flag then changes it, and the wait below returns at once.
    let seen = Atomics.load(control, slot);
    Atomics.store(control, slot + 1, 1);
    Atomics.add(control, READY, 1);
    Atomics.notify(control, READY);
    for (;;) {
      // Poll a while before sleeping: a task that comes soon (the next product of a training
      // step) then starts at once, and the caller's notify finds no sleeper to wake.
      for (let polls = 0, until = 0; Atomics.load(control, slot) === seen; polls++) {
        if ((polls & 255) !== 0) continue;
        const now = performance.now();
        if (until === 0) until = now + SPIN_MS;
        else if (now >= until) {
          Atomics.wait(control, slot, seen);
          break;
        }
      }
      const generation = Atomics.load(control, slot);
      if (generation === seen) continue;
      if (generation < 0) return;
      seen = generation;
      try {
        const f = functions[args[a]][args[a + 1]];
        const n = args[a + 2];
        const v = args.subarray(a + 3, a + 3 + n);
        f(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12]);
      } catch (error) {
        Atomics.store(control, FAILED, 1);
      }
      if (Atomics.sub(control, PENDING, 1) === 1) Atomics.notify(control, PENDING);
    }
  }
  // Node (the pool runs there only where process.getBuiltinModule exists), else a browser Worker.
  const node =
    typeof process === 'object' && typeof process.getBuiltinModule === 'function'
      ? process.getBuiltinModule('node:worker_threads')
      : null;
  if (node && !node.isMainThread) run(node.workerData);
  else self.onmessage = (event) => run(event.data);
})();
`;
