import type { Module } from '../nn/index.js';
import { type Optimizer, clipGradNorm, globalGradNorm } from '../optim/index.js';
import { LossInputError, type Tensor } from '../tensor/index.js';
import type { GradientMonitor, GradientWarning } from './gradient-health.js';

/** Options of `trainStep`; all optional. */
export interface TrainStepOptions {
  /** Clip the global gradient norm to this before the update. */
  readonly clipGradNorm?: number;
  /**
   * Watches the per-layer gradient norms; its `onNonFinite` policy decides what a non-finite loss
   * or gradient does ('skip' or 'stop' leave the parameters unchanged). Without it every step updates.
   */
  readonly monitor?: GradientMonitor;
  /** Step and epoch the monitor's warnings carry (default 0). */
  readonly step?: number;
  readonly epoch?: number;
  /** Called for each warning the monitor raises for the first time, before the update. */
  readonly onWarning?: (warning: GradientWarning) => void;
  /**
   * Measure the global gradient norm when no monitor does (default true); `false` saves a pass
   * over the gradients and reports `gradNorm` as NaN.
   */
  readonly measureGradNorm?: boolean;
}

/** What one `trainStep` did. */
export interface StepResult {
  /** The objective's value on the batch. */
  readonly loss: number;
  /** Global gradient norm before clipping; NaN when not measured. */
  readonly gradNorm: number;
  /** Gradient norm per layer (empty without a monitor). */
  readonly layerNorms: Record<string, number>;
  /** Learning rate of the update. */
  readonly lr: number;
  /** The update was left out: the loss or gradient was not finite and the monitor skips or stops. */
  readonly skipped: boolean;
  /** The monitor's policy asks to end training (a non-finite step under `onNonFinite: 'stop'`). */
  readonly stop: boolean;
}

/**
 * One optimisation step: clears the gradients, evaluates `objective` (the batch's forward pass
 * and scalar loss), back-propagates, checks gradient health, clips, and lets `optimizer` update.
 * `fit` runs its epochs through it; custom loops call it with their own objective.
 *
 * @example
 * const { loss } = trainStep(model, optimizer, () => mse(model.forward(xb), yb));
 */
export function trainStep(
  model: Module,
  optimizer: Optimizer,
  objective: () => Tensor,
  options: TrainStepOptions = {},
): StepResult {
  model.zeroGrad();
  optimizer.zeroGrad();
  const lossTensor = objective();
  if (lossTensor.size !== 1)
    throw new LossInputError(
      'trainStep',
      'objective',
      `must return a single value, got shape [${lossTensor.shape.join(', ')}] (use a reducing loss)`,
    );
  const loss = lossTensor.data[0];
  lossTensor.backward();
  const { monitor } = options;
  let layerNorms: Record<string, number> = {};
  let gradNorm = Number.NaN;
  if (monitor !== undefined) {
    const { norms, fresh } = monitor.check(options.step ?? 0, options.epoch ?? 0);
    layerNorms = norms.layers;
    gradNorm = norms.global;
    if (options.onWarning !== undefined) for (const w of fresh) options.onWarning(w);
  } else if (options.measureGradNorm !== false) {
    gradNorm = globalGradNorm(model.parameters());
  }
  const policy = monitor?.options.onNonFinite ?? 'step';
  const skipped = policy !== 'step' && (!Number.isFinite(loss) || !Number.isFinite(gradNorm));
  const lr = optimizer.lr;
  if (!skipped) {
    if (options.clipGradNorm !== undefined) clipGradNorm(model.parameters(), options.clipGradNorm);
    optimizer.step();
  }
  return { loss, gradNorm, layerNorms, lr, skipped, stop: skipped && policy === 'stop' };
}
