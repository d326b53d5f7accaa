// Mean and spread over seeds that stay finite for values near the largest double: sums and squares
// are taken of the values divided by their largest magnitude.
import type { MetricSummary } from '../run-lab.js';

/**
 * Mean, sample standard deviation (0 for one value), min and max of per-seed values, as
 * `summarize` gives them, but computed on `values / max|values|` and scaled back, so values
 * near ±1e308 give a finite mean and spread.
 *
 * @example
 * summarizeSeeds([1e308, 1.2e308]).spread; // ≈ 1.41e307, not Infinity
 */
export function summarizeSeeds(values: readonly number[]): MetricSummary {
  const n = values.length;
  const unit = Math.max(...values.map(Math.abs)) || 1;
  const mean = values.reduce((s, v) => s + v / unit, 0) / n;
  const variance = n > 1 ? values.reduce((s, v) => s + (v / unit - mean) ** 2, 0) / (n - 1) : 0;
  return {
    mean: mean * unit,
    spread: Math.sqrt(variance) * unit,
    min: Math.min(...values),
    max: Math.max(...values),
    values: [...values],
  };
}
