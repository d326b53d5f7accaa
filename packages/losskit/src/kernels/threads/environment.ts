import { WORKER_SOURCE, type WorkerInit } from './protocol.js';

/**
 * Where the thread pool can run, found without importing anything Node-specific (the core runs
 * in browsers): Node's worker_threads through `process.getBuiltinModule` (Node ≥ 20.16), or a
 * browser's Worker inside a worker with cross-origin isolation (the only place a browser lets a
 * thread block in `Atomics.wait`). Elsewhere threads are unavailable and the reason says why.
 */

/** A started worker: what the pool needs to stop it. */
export interface WorkerHandle {
  terminate(): void;
}

/** What this environment allows. */
export interface ThreadEnvironment {
  /** Logical cores (1 where unknown). */
  readonly cores: number;
  /** Starts a worker with the pool's program, or null where threads are unavailable. */
  readonly spawn: ((init: WorkerInit) => WorkerHandle) | null;
  /** How workers are made ("Node worker_threads", "Web Workers"), or why there are none. */
  readonly description: string;
  /** Whether the caller may block until the workers are ready (true in Node). */
  readonly canWaitForStart: boolean;
}

interface NodeWorker {
  on(event: 'error', listener: (error: unknown) => void): void;
  unref(): void;
  terminate(): unknown;
}
interface NodeWorkerThreads {
  Worker: new (source: string, options: { eval: true; workerData: unknown }) => NodeWorker;
  isMainThread: boolean;
}
interface NodeOs {
  availableParallelism?: () => number;
  cpus(): unknown[];
}
interface NodeProcess {
  getBuiltinModule?: (id: string) => unknown;
}
interface BrowserScope {
  crossOriginIsolated?: boolean;
  WorkerGlobalScope?: unknown;
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => { postMessage(message: unknown): void; terminate(): void };
  Blob?: new (parts: string[], options: { type: string }) => Blob;
  URL?: { createObjectURL(blob: Blob): string };
}

function nodeModules(): { threads: NodeWorkerThreads; os: NodeOs } | null {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (typeof process?.getBuiltinModule !== 'function') return null;
  try {
    const threads = process.getBuiltinModule('node:worker_threads') as NodeWorkerThreads | undefined;
    const os = process.getBuiltinModule('node:os') as NodeOs | undefined;
    return threads && os ? { threads, os } : null;
  } catch {
    return null;
  }
}

function sharedMemoryWorks(): boolean {
  if (typeof SharedArrayBuffer !== 'function' || typeof Atomics !== 'object') return false;
  try {
    return (
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer
    );
  } catch {
    return false;
  }
}

/** The thread environment of this process or page (computed once by the pool). */
export function detectEnvironment(): ThreadEnvironment {
  const node = nodeModules();
  if (node !== null) {
    const cores = node.os.availableParallelism?.() ?? node.os.cpus().length;
    if (!sharedMemoryWorks())
      return { cores, spawn: null, description: 'no shared WebAssembly memory', canWaitForStart: false };
    return {
      cores: Math.max(1, cores),
      description: 'Node worker_threads, shared WebAssembly memory',
      canWaitForStart: true,
      spawn: (init) => {
        const worker = new node.threads.Worker(WORKER_SOURCE, { eval: true, workerData: init });
        // A worker that fails to start never says it is ready, so the pool gives it no task;
        // without a listener its error would end the whole process.
        worker.on('error', () => {});
        worker.unref();
        return { terminate: () => void worker.terminate() };
      },
    };
  }
  const version = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (version !== undefined)
    return {
      cores: 1,
      spawn: null,
      description: `Node ${version} has no process.getBuiltinModule (threads need Node ≥ 20.16)`,
      canWaitForStart: false,
    };
  const scope = globalThis as BrowserScope;
  const cores = Math.max(1, scope.navigator?.hardwareConcurrency ?? 1);
  const none = (why: string): ThreadEnvironment => ({
    cores,
    spawn: null,
    description: why,
    canWaitForStart: false,
  });
  if (typeof scope.Worker !== 'function' || typeof scope.Blob !== 'function' || scope.URL === undefined)
    return none('no Web Workers here');
  if (scope.crossOriginIsolated !== true || !sharedMemoryWorks())
    return none('the page is not cross-origin isolated (no SharedArrayBuffer)');
  if (scope.WorkerGlobalScope === undefined)
    return none("a browser's main thread may not block (use losskit in a worker for threads)");
  const WorkerClass = scope.Worker;
  const url = scope.URL.createObjectURL(new scope.Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  return {
    cores,
    description: 'Web Workers, shared WebAssembly memory',
    canWaitForStart: false,
    spawn: (init) => {
      const worker = new WorkerClass(url);
      worker.postMessage(init);
      return worker;
    },
  };
}
