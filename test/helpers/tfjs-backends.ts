// Test support (not exported by the package): TF.js set up for node:test runs of the adapter.
// Node's CommonJS build of tfjs-core registers no gradients; tfjs-layers' build does, as the
// `@tensorflow/tfjs` bundle does for users.
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-layers';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

// PROD silences TF.js's "install tfjs-node" banner and skips its debug-mode checks.
tf.env().set('PROD', true);
const require = createRequire(import.meta.url);
setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);

/** The backends the adapter is tested on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Makes `name` the active TF.js backend (wasm loads its .wasm binary from node_modules). */
export async function useBackend(name: (typeof BACKENDS)[number]): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`TF.js backend ${name} failed to initialise`);
}

/** Whether an error says a kernel is missing on the active backend. */
export const isMissingKernel = (e: unknown): boolean =>
  e instanceof Error && /not registered for backend/.test(e.message);

/** A float32 TF.js tensor of a `{shape, data}` TensorLike. */
export const toTf = (t: { shape: readonly number[]; data: ArrayLike<number> }): tf.Tensor =>
  tf.tensor(Float32Array.from(t.data), [...t.shape], 'float32');

/** A TF.js tensor read back as `{shape, data}`, for `assertClose`. */
export const fromTf = (t: tf.Tensor) => ({ shape: t.shape, data: t.dataSync() });
