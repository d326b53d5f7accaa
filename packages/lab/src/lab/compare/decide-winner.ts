// Whether one loss is clearly better than the others over several seeds, and whether a baseline
// beats them all. A loss "wins" only when, against every other loss, its lead (the mean per-seed
// difference on the primary metric) exceeds the seed-to-seed spread of that difference.
import type { MetricSpec } from '../experiment.js';
import { summarizeSeeds } from './summarize-seeds.js';

/** One row of per-seed values of the primary metric. */
export interface SeedValues {
  readonly id: string;
  /** The primary metric on each seed, in seed order. */
  readonly values: readonly number[];
}

/** The leader's lead over one other loss. */
export interface Lead {
  readonly over: string;
  /** Mean per-seed difference, positive when the leader is better. */
  readonly lead: number;
  /** Sample standard deviation of the per-seed difference (0 for one seed). */
  readonly spread: number;
}

/** The decision on the losses' primary metric. */
export interface WinnerDecision {
  /** The loss with the best mean (the first listed on a tie). */
  readonly leader: string;
  /** Losses equal to the leader on every seed (including it): the same model in effect. */
  readonly tied: readonly string[];
  /** The leader's lead over every other loss, closest contender first. */
  readonly leads: readonly Lead[];
  /** Whether every lead exceeds its spread (never with a single seed, which has no spread). */
  readonly clear: boolean;
}

const mean = (v: readonly number[]) => summarizeSeeds(v).mean;

function sameOnEverySeed(a: readonly number[], b: readonly number[]): boolean {
  return a.every((v, i) => Math.abs(v - b[i]) <= 1e-12 * Math.max(1, Math.abs(v)));
}

/**
 * Finds the leader by mean, then compares it with each other loss seed by seed (the losses share
 * each seed's split and initialisation, so the paired difference removes the split's own luck).
 * The leader wins clearly when every lead is positive and larger than its spread.
 *
 * @example
 * const mae = { id: 'mae', label: 'MAE', better: 'lower' } as const;
 * decideWinner([{ id: 'a', values: [1, 1.1] }, { id: 'b', values: [2, 2.1] }], mae).clear; // true
 */
export function decideWinner(rows: readonly SeedValues[], primary: MetricSpec): WinnerDecision {
  const sign = primary.better === 'higher' ? 1 : -1;
  const leaderRow = rows.reduce((best, row) =>
    sign * (mean(row.values) - mean(best.values)) > 0 ? row : best,
  );
  const tied = rows.filter((r) => sameOnEverySeed(r.values, leaderRow.values)).map((r) => r.id);
  const leads = rows
    .filter((r) => !tied.includes(r.id))
    .map((r) => {
      const differences = summarizeSeeds(leaderRow.values.map((v, i) => sign * (v - r.values[i])));
      return { over: r.id, lead: differences.mean, spread: differences.spread };
    })
    .sort((a, b) => a.lead - a.spread - (b.lead - b.spread));
  const seeds = leaderRow.values.length;
  const clear = seeds > 1 && leads.length > 0 && leads.every((l) => l.lead > 0 && l.lead > l.spread);
  return { leader: leaderRow.id, tied, leads, clear };
}

/**
 * Ids of the `baselines` whose mean primary metric is better than every loss's mean: the data
 * does not need (or the model did not learn) what the losses are trained for.
 */
export function baselinesAhead(
  losses: readonly SeedValues[],
  baselines: readonly SeedValues[],
  primary: MetricSpec,
): string[] {
  const sign = primary.better === 'higher' ? 1 : -1;
  const bestLoss = Math.max(...losses.map((r) => sign * mean(r.values)));
  return baselines.filter((b) => sign * mean(b.values) > bestLoss).map((b) => b.id);
}
