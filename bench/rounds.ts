// Interleaved rounds: the bench measures every peer of every workload once per round, and the
// rounds follow one another (round 2 starts after round 1 has measured everything, in the
// opposite order). A neighbour that slows one peer for a minute, or a state the order leaves
// behind, then shows as rounds that disagree, and such a cell is marked instead of trusted.
import { type Outcome, type PeerId, type Round, busyThreshold, peerLabels } from './outcome.js';
import type { BenchResults } from './report.js';
import { formatDuration, sig3, summarize } from './stats.js';

/** Round medians of one cell that differ by more than this factor make the cell untrustworthy. */
export const roundsAgreeWithin = 1.5;

/** The rounds of a measured outcome; one built from a single measurement is its only round. */
export function roundsOf(o: Outcome): readonly Round[] {
  if (o.status !== 'ok') return [];
  return o.rounds ?? [{ medianNs: o.summary.medianNs, samples: o.summary.samples, otherCores: o.otherCores }];
}

/**
 * One cell from its outcomes in successive rounds: the samples of all rounds together, each
 * round's median kept, the busiest round's load. A failed round fails the cell and a skipped
 * one skips it: a cell is only a number when every round measured it.
 */
export function combineRounds(outcomes: readonly Outcome[]): Outcome {
  if (outcomes.length === 0) throw new Error('combineRounds: no rounds to combine');
  const failedRound = outcomes.find((o) => o.status === 'failed');
  if (failedRound !== undefined) return failedRound;
  const skippedRound = outcomes.find((o) => o.status === 'skipped');
  if (skippedRound !== undefined) return skippedRound;
  const ok = outcomes.filter((o): o is Extract<Outcome, { status: 'ok' }> => o.status === 'ok');
  const rounds = ok.flatMap(roundsOf);
  const samplesNs = ok.flatMap((o) => o.samplesNs);
  const loads = rounds.map((r) => r.otherCores).filter((c): c is number => c !== null);
  return {
    status: 'ok',
    summary: summarize(samplesNs),
    value: ok[ok.length - 1].value,
    samplesNs,
    otherCores: loads.length === 0 ? null : Math.max(...loads),
    rounds,
  };
}

/** The slowest round's median divided by the fastest's; null for fewer than two rounds. */
export function roundSpread(o: Outcome): number | null {
  const medians = roundsOf(o).map((r) => r.medianNs);
  if (medians.length < 2) return null;
  return Math.max(...medians) / Math.min(...medians);
}

/**
 * How far a measured cell can be trusted: `verified` (two or more rounds agree within
 * `roundsAgreeWithin`, and no busy neighbour), `single-round` (nothing checked it),
 * `rounds-disagree`, or `shared` (other processes kept at least `busyThreshold` cores busy).
 * Null for a cell that is not a number.
 */
export type Trust = 'verified' | 'single-round' | 'rounds-disagree' | 'shared';

export function trustOf(o: Outcome | undefined): Trust | null {
  if (o?.status !== 'ok') return null;
  const spread = roundSpread(o);
  if (spread !== null && spread > roundsAgreeWithin) return 'rounds-disagree';
  if ((o.otherCores ?? 0) >= busyThreshold) return 'shared';
  return spread === null ? 'single-round' : 'verified';
}

/** Whether a speed comparison may rest on this cell: measured, rounds agreeing, no busy neighbour. */
export function comparable(o: Outcome | undefined): o is Extract<Outcome, { status: 'ok' }> {
  const trust = trustOf(o);
  return trust === 'verified' || trust === 'single-round';
}

/** The marks after a cell's time: ‡ busy neighbour, † rounds disagree, ? a single round. */
export function trustMarks(o: Outcome | undefined): string {
  if (o?.status !== 'ok') return '';
  const spread = roundSpread(o);
  const shared = (o.otherCores ?? 0) >= busyThreshold ? '‡' : '';
  if (spread === null) return `${shared}?`;
  return spread > roundsAgreeWithin ? `${shared}†` : shared;
}

/** One measured cell of a results file: a workload (or the training step) and a peer. */
export interface Cell {
  readonly where: string;
  readonly peer: PeerId;
  readonly outcome: Outcome;
}

/** Every cell of the results, workloads first, then the training step. */
export function cellsOf(r: BenchResults): Cell[] {
  const cells: Cell[] = [];
  for (const w of r.workloads) {
    for (const [peer, outcome] of Object.entries(w.peers) as [PeerId, Outcome][])
      cells.push({ where: w.id, peer, outcome });
  }
  if (r.train !== null) {
    for (const [peer, outcome] of Object.entries(r.train.peers) as [PeerId, Outcome][])
      cells.push({ where: 'training step', peer, outcome });
  }
  if (r.cnnTrain) {
    for (const [peer, outcome] of Object.entries(r.cnnTrain.peers) as [PeerId, Outcome][])
      cells.push({ where: 'CNN training step', peer, outcome });
  }
  return cells;
}

/** "mse-2^20, PyTorch 2T: round medians 3.10 ms, 41.0 ms (13.2×)" for each cell whose rounds disagree. */
export function disagreements(r: BenchResults): string[] {
  return cellsOf(r)
    .filter((c) => trustOf(c.outcome) === 'rounds-disagree')
    .map(
      (c) =>
        `${c.where}, ${peerLabels[c.peer]}: round medians ${roundsOf(c.outcome)
          .map((x) => formatDuration(x.medianNs))
          .join(', ')} (rounds disagree by ${sig3(roundSpread(c.outcome) ?? Number.NaN)}×)`,
    );
}

/** How many rounds the run measured per cell (1 for results from before rounds). */
export function roundCount(r: BenchResults): number {
  return r.mode.rounds ?? 1;
}

/**
 * The consistency verdict of a run, one line per problem; empty when every measured cell is
 * verified. A run with problems can still be read, but is no reference: its cells are marked.
 */
export function consistencyProblems(r: BenchResults): string[] {
  const problems: string[] = [];
  if (roundCount(r) < 2)
    problems.push(
      `one round per cell: no second round checks the numbers (the bench needs --rounds 2 or more for a reference run)`,
    );
  problems.push(...disagreements(r).map((d) => `${d}: more than ${roundsAgreeWithin}× apart`));
  const shared = cellsOf(r).filter(
    (c) => c.outcome.status === 'ok' && (c.outcome.otherCores ?? 0) >= busyThreshold,
  );
  for (const c of shared) {
    const cores = c.outcome.status === 'ok' ? (c.outcome.otherCores ?? 0) : 0;
    problems.push(
      `${c.where}, ${peerLabels[c.peer]}: other processes kept ${cores.toFixed(2)} cores busy while it was measured`,
    );
  }
  return problems;
}
