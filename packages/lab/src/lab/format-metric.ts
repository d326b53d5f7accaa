import type { MetricSpec } from './experiment.js';
import type { MetricSummary } from './run-lab.js';

/** `0.123` for one seed, `0.123 ± 0.004` for several, with the metric's digits. */
export function formatMetric(summary: MetricSummary, spec: MetricSpec): string {
  const digits = spec.digits ?? 3;
  const mean = summary.mean.toFixed(digits);
  return summary.values.length > 1 ? `${mean} ± ${summary.spread.toFixed(digits)}` : mean;
}
