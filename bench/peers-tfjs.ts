// TensorFlow.js 4.22 in the same process, with its pure-JS cpu backend and its wasm backend
// (SIMD, single thread in Node). Loaded dynamically, so a missing package is a skipped column.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs-core';
import { generate } from './data.js';
import type { TfLoss, Workload } from './workloads.js';
import { sizeOf } from './workloads.js';

export type TfModule = typeof TF;
export type TfBackend = 'cpu' | 'wasm';

export interface TfRuntime {
  readonly tf: TfModule;
  readonly version: string;
  /** Backends that initialised, and why the others did not. */
  readonly backends: ReadonlyMap<TfBackend, true | string>;
  readonly wasmSimd: boolean | null;
}

/**
 * Loads tfjs-core with both backends. tfjs-core's Node bundle registers no gradients (the
 * `@tensorflow/tfjs` union package does that); tfjs-layers' bundle registers all of them, so it
 * is imported for that side effect.
 */
export async function loadTf(): Promise<TfRuntime | string> {
  let tf: TfModule;
  try {
    tf = (await import('@tensorflow/tfjs-core')) as TfModule;
    await import('@tensorflow/tfjs-layers');
  } catch (error) {
    return `TF.js not importable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  tf.enableProdMode(); // as a deployed app runs it; also silences the "install tfjs-node" banner
  const backends = new Map<TfBackend, true | string>();
  try {
    await import('@tensorflow/tfjs-backend-cpu');
    backends.set('cpu', (await tf.setBackend('cpu')) ? true : 'cpu backend failed to initialise');
  } catch (error) {
    backends.set('cpu', `not importable: ${String(error)}`);
  }
  let wasmSimd: boolean | null = null;
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(
      require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'),
    );
    wasm.setWasmPaths(`${join(wasmDir, '/')}`);
    const ok = await tf.setBackend('wasm');
    backends.set('wasm', ok ? true : 'wasm backend failed to initialise');
    if (ok) wasmSimd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  } catch (error) {
    backends.set('wasm', `not importable: ${String(error)}`);
  }
  return { tf, version: tf.version_core, backends, wasmSimd };
}

export interface TfCall {
  /** One value + gradient call; returns the value (read back, so the work is finished). */
  readonly call: () => number;
  /** The gradients of one more call as arrays, by input name (for the equality test). */
  readonly gradients: () => Record<string, Float32Array>;
  /** Frees every tensor the workload made. */
  readonly dispose: () => void;
}

/**
 * Prepares a workload on the active backend: input tensors and label-derived tensors are made
 * here (not timed); the call is `tf.valueAndGrads` of the workload's loss over its
 * differentiable inputs, then the scalar value is read back and the result tensors disposed.
 * The gradients stay in the backend (not copied out), as in a training loop.
 */
export function tfCall(tf: TfModule, w: Workload, data?: ReadonlyMap<string, Float32Array>): TfCall {
  const build = w.tfjs;
  if (build === null) throw new Error(`${w.loss} has no TF.js equivalent`);
  tf.engine().startScope();
  const t: Record<string, TF.Tensor> = {};
  for (const spec of w.inputs) {
    t[spec.name] = tf.tensor(
      data?.get(spec.name) ?? generate(sizeOf(spec), spec.fill),
      [...spec.shape],
      'float32',
    );
  }
  const loss: TfLoss = build(tf, t);
  const differentiable = w.inputs.filter((s) => s.differentiable).map((s) => t[s.name]);
  const valueAndGrads = tf.valueAndGrads((...args: TF.Tensor[]) => loss(...args));
  const run = () => valueAndGrads(differentiable);
  return {
    call: () => {
      const { value, grads } = run();
      const v = value.dataSync()[0];
      value.dispose();
      for (const g of grads) g.dispose();
      return v;
    },
    gradients: () => {
      const { value, grads } = run();
      const out: Record<string, Float32Array> = {};
      w.inputs
        .filter((s) => s.differentiable)
        .forEach((s, i) => {
          out[s.name] = grads[i].dataSync() as Float32Array;
        });
      value.dispose();
      for (const g of grads) g.dispose();
      return out;
    },
    dispose: () => tf.engine().endScope(),
  };
}
