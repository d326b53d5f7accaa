// Test support: the TF.js adapter's value and TF.js gradients against the core's valueAndGrad.
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { assertClose } from './assert-close.js';
import type { LossEntry } from '../../packages/losskit/src/index.js';
import type { TfLoss } from '../../packages/losskit/src/adapters/tfjs/define.js';
import { tfLosses } from '../../packages/losskit/src/adapters/tfjs/registry.js';
import { fromTf, toTf } from './tfjs-backends.js';

/** A `{shape, data}` tensor as the oracle and the tests write them. */
export interface PlainTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

const isPlainTensor = (v: unknown): v is PlainTensor =>
  v !== null && typeof v === 'object' && Array.isArray((v as PlainTensor).shape);

/**
 * Both sides compute from the same float32 inputs (the core accumulates in float64 and rounds the
 * result), so they agree to about a hundred float32 ulps.
 */
export const FLOAT32 = { rtol: 1e-5, atol: 1e-6 };

const adapter = tfLosses as unknown as Record<string, TfLoss<keyof typeof tfLosses>>;

/**
 * Asserts that `tfLosses[entry.name]` on these inputs (made float32 TF.js tensors; tensor-valued
 * options made TF.js tensors too) gives the core's value and, through `tf.valueAndGrads` with
 * `upstream` as dy, the core's gradient for every differentiable input.
 */
export function assertMatchesCore(
  entry: LossEntry,
  inputs: Readonly<Record<string, PlainTensor>>,
  options: Readonly<Record<string, unknown>>,
  upstream: PlainTensor | undefined,
  label: string,
): void {
  const f32 = (t: PlainTensor) => ({ shape: [...t.shape], data: Float32Array.from(t.data) });
  const coreInputs = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, f32(v)]));
  const core = entry.valueAndGrad(
    coreInputs as never,
    options as never,
    upstream === undefined ? null : f32(upstream),
  );

  const tfInputs: Record<string, tf.Tensor> = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, toTf(v)]),
  );
  const tfOptions = Object.fromEntries(
    Object.entries(options).map(([k, v]) => [k, isPlainTensor(v) ? toTf(v) : v]),
  );
  const loss = adapter[entry.name];
  assert.ok(loss !== undefined, `${entry.name} has no TF.js implementation`);
  const differentiable = entry.differentiable as readonly string[];
  const f = (...xs: tf.Tensor[]) => {
    const named = { ...tfInputs };
    differentiable.forEach((name, i) => {
      named[name] = xs[i];
    });
    return loss.value(named as never, tfOptions as never);
  };
  const dy = upstream === undefined ? undefined : toTf(upstream);
  try {
    const { value, grads } = tf.valueAndGrads(f)(
      differentiable.map((name) => tfInputs[name]),
      dy,
    );
    assert.equal(value.dtype, 'float32');
    assertClose(fromTf(value), core.value, FLOAT32, `${label} value`);
    differentiable.forEach((name, i) => {
      const expected = (core.grads as Record<string, PlainTensor>)[name];
      assertClose(fromTf(grads[i]), expected, FLOAT32, `${label} grads.${name}`);
    });
    tf.dispose([value, ...grads]);
  } finally {
    tf.dispose([
      ...Object.values(tfInputs),
      ...Object.values(tfOptions).filter((v): v is tf.Tensor => v instanceof tf.Tensor),
    ]);
    dy?.dispose();
  }
}
