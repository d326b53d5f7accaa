import type { Metrics, Outcome, Verdict } from './experiment.js';

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

/** A verdict from a decided comparison: `'held'` when `held` is true, `'did not hold'` otherwise. */
export function decided(held: boolean, explanation: string): Verdict {
  return { outcome: held ? 'held' : 'did not hold', explanation };
}

/**
 * An `'inconclusive'` verdict: `numbers` (the metrics, quoted) then why they cannot decide the claim.
 *
 * @example
 * inconclusive('Modes: WGAN-GP 0, minimax 0.', 'neither GAN covered a mode')
 * // { outcome: 'inconclusive', explanation: 'Modes: WGAN-GP 0, minimax 0. Inconclusive: neither GAN covered a mode, so there is nothing to compare.' }
 */
export function inconclusive(numbers: string, reason: string): Verdict {
  return {
    outcome: 'inconclusive',
    explanation: `${numbers} Inconclusive: ${reason}, so there is nothing to compare.`,
  };
}

/**
 * The `'inconclusive'` verdict when a number the comparison needs is NaN or infinite (a metric the
 * run could not define), naming them; `undefined` when all are finite and the claim can be judged.
 * `values` maps a reader's name for each number (`"focal's recall"`) to its value.
 */
export function inconclusiveUnlessFinite(
  values: Readonly<Record<string, number>>,
  numbers: string,
): Verdict | undefined {
  const undefinedOnes = Object.entries(values).filter(([, v]) => !Number.isFinite(v));
  if (undefinedOnes.length === 0) return undefined;
  const list = undefinedOnes.map(([name, v]) => `${name} is ${String(v)}`).join(', ');
  return inconclusive(numbers, `${list} (not a finite number)`);
}

/** How the terminal summary, claims.md and the report's badge write an outcome. */
export function outcomeLabel(outcome: Outcome): string {
  return outcome.toUpperCase();
}
