import type { GradientWarning } from './gradient-health.js';

/** One optimizer step of `fit`. */
export interface StepRecord {
  /** Global step, from 1. */
  readonly step: number;
  /** Epoch, from 1. */
  readonly epoch: number;
  readonly loss: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Per-layer gradient norms before clipping. */
  readonly layerNorms: Readonly<Record<string, number>>;
  /** Learning rate used. */
  readonly lr: number;
  /** True when the update was skipped (non-finite gradient). */
  readonly skipped: boolean;
}

/** Why `fit` returned. */
export type StopReason = 'completed' | 'callback' | 'non-finite';

/**
 * What `fit` records: per-epoch columns (Keras' `history.history`), every step, and the
 * gradient warnings. Plain JSON-compatible data (NaN becomes null in JSON).
 */
export interface History {
  /** Mean training loss of each epoch (weighted by batch size). */
  loss: number[];
  /** Validation loss of each epoch (when validation data is given). */
  valLoss: number[];
  /** Training metrics per epoch (mean over batches, weighted by batch size). */
  metrics: Record<string, number[]>;
  /** Validation metrics per epoch (over the whole validation set). */
  valMetrics: Record<string, number[]>;
  /** Per-epoch means of each term of a `combine` objective. */
  parts: Record<string, number[]>;
  /** Learning rate at the end of each epoch. */
  lr: number[];
  /** Seconds each epoch took. */
  seconds: number[];
  steps: StepRecord[];
  warnings: GradientWarning[];
  epochsCompleted: number;
  stopReason: StopReason;
}

/** An empty history. */
export function emptyHistory(): History {
  return {
    loss: [],
    valLoss: [],
    metrics: {},
    valMetrics: {},
    parts: {},
    lr: [],
    seconds: [],
    steps: [],
    warnings: [],
    epochsCompleted: 0,
    stopReason: 'completed',
  };
}

/** Appends `value` to `columns[name]`. */
export function pushColumn(columns: Record<string, number[]>, name: string, value: number): void {
  const column = columns[name];
  if (column === undefined) columns[name] = [value];
  else column.push(value);
}
