import { LossInputError } from '../tensor/index.js';
import type { Callback } from './fit.js';

/** Options of `earlyStopping`. */
export interface EarlyStoppingOptions {
  /** 'valLoss' (default) or 'loss', or a metric as 'metrics.<name>' / 'valMetrics.<name>'. */
  readonly monitor?: string;
  /** 'min' (default) for losses, 'max' for scores such as accuracy. */
  readonly mode?: 'min' | 'max';
  /** Epochs without improvement before stopping. Default 5. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
}

/** Stops `fit` when the monitored number has not improved for `patience` epochs. */
export function earlyStopping(options: EarlyStoppingOptions = {}): Callback {
  const monitor = options.monitor ?? 'valLoss';
  const sign = (options.mode ?? 'min') === 'min' ? 1 : -1;
  const patience = options.patience ?? 5;
  const minDelta = options.minDelta ?? 0;
  if (!Number.isInteger(patience) || patience < 0)
    throw new LossInputError(
      'earlyStopping',
      'options.patience',
      `must be a non-negative integer, got ${patience}`,
    );
  let best = Number.POSITIVE_INFINITY;
  let waited = 0;
  return {
    onEpochEnd(context, logs) {
      const [group, name] = monitor.split('.');
      const value =
        name === undefined
          ? (logs as unknown as Record<string, number | undefined>)[group]
          : (logs as unknown as Record<string, Record<string, number> | undefined>)[group]?.[name];
      if (value === undefined)
        throw new LossInputError('earlyStopping', 'options.monitor', `'${monitor}' is not in the epoch logs`);
      if (sign * value < best - minDelta) {
        best = sign * value;
        waited = 0;
      } else if (++waited >= patience) {
        context.stop();
      }
    },
  };
}
