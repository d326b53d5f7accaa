import type { Metrics } from './experiment.js';

/**
 * `metrics[variant][metric]`, or a clear error naming what is missing, so a verdict fed incomplete
 * metrics fails loudly instead of comparing `undefined`.
 */
export function metricOf(metrics: Metrics, variant: string, metric: string): number {
  const row = metrics[variant];
  if (row === undefined)
    throw new Error(`no metrics for variant '${variant}' (have: ${Object.keys(metrics).join(', ')})`);
  const value = row[metric];
  if (typeof value !== 'number') throw new Error(`variant '${variant}' has no metric '${metric}'`);
  return value;
}

/** A number as verdict explanations quote it: `0.0123`, `12.3`, `1.23e-5`. */
export function formatNumber(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) return value.toExponential(Math.max(0, digits - 1));
  return Number(value.toPrecision(digits)).toString();
}
