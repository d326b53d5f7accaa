// losskit's calls per workload: the allocating `valueAndGrad`, the one that reuses gradient
// buffers through its `out` argument (what a training loop does every step), and the same with
// inputs and gradient buffers in the kernels' memory (`KernelArrays`: no copies, threads).
import type * as Losskit from '../packages/losskit/src/index.js';
import type { LossEntry, Tensor } from '../packages/losskit/src/index.js';
import { generate } from './data.js';
import { type Workload, sizeOf } from './workloads.js';

export type LosskitModule = typeof Losskit;

export interface LosskitCalls {
  /** Value + gradients, fresh gradient arrays each call. */
  readonly allocating: () => number;
  /** Value + gradients into the same gradient tensors each call. */
  readonly reusing: () => number;
  /** The gradients of the last reusing call, by input name. */
  readonly grads: Readonly<Record<string, Tensor>>;
}

/** The registry entry of a workload's loss, or null while that loss is not registered. */
export function registryEntry(lk: LosskitModule, loss: string): LossEntry | null {
  const registry = lk.losses as unknown as Readonly<Record<string, LossEntry | undefined>>;
  return registry[loss] ?? null;
}

/** losskit tensors (float32) for a workload's inputs, generated from the table's fills. */
export function losskitInputs(
  lk: LosskitModule,
  w: Workload,
  data?: ReadonlyMap<string, Float32Array>,
): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  for (const spec of w.inputs) {
    inputs[spec.name] = new lk.Tensor(data?.get(spec.name) ?? generate(sizeOf(spec), spec.fill), spec.shape);
  }
  return inputs;
}

/** The `out` call on resident arrays (`KernelArrays`), and the release of its arrays. */
export interface ResidentCalls {
  readonly call: () => number;
  readonly grads: Readonly<Record<string, Tensor>>;
  readonly release: () => void;
}

/**
 * The reusing call with every input copied once into a resident array and resident gradient
 * buffers: what a training loop that keeps its batch buffers in `KernelArrays` runs each step.
 */
export function residentCalls(
  lk: LosskitModule,
  entry: LossEntry,
  w: Workload,
  data?: ReadonlyMap<string, Float32Array>,
): ResidentCalls {
  const arrays = new lk.KernelArrays();
  const inputs: Record<string, Tensor> = {};
  const grads: Record<string, Tensor> = {};
  for (const spec of w.inputs) {
    const t = arrays.tensor(spec.shape);
    (t.data as Float32Array).set(data?.get(spec.name) ?? generate(sizeOf(spec), spec.fill));
    inputs[spec.name] = t;
    if (spec.differentiable) grads[spec.name] = arrays.tensor(spec.shape);
  }
  const out = { grads };
  const options = w.options as never;
  return {
    call: () => entry.valueAndGrad(inputs, options, null, out).value.item(),
    grads,
    release: () => arrays.release(),
  };
}

export function losskitCalls(
  lk: LosskitModule,
  entry: LossEntry,
  w: Workload,
  inputs: Record<string, Tensor>,
): LosskitCalls {
  const options = w.options as never;
  const grads: Record<string, Tensor> = {};
  for (const spec of w.inputs) {
    if (spec.differentiable) grads[spec.name] = lk.Tensor.zeros(spec.shape, 'float32');
  }
  const out = { grads };
  return {
    allocating: () => entry.valueAndGrad(inputs, options).value.item(),
    reusing: () => entry.valueAndGrad(inputs, options, null, out).value.item(),
    grads,
  };
}
