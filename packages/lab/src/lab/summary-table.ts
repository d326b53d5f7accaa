import { formatMetric } from './format-metric.js';
import type { ExperimentResult, LabResult } from './run-lab.js';
import { outcomeLabel } from './verdict.js';

/** Pads cells to aligned columns: the first left-aligned, the rest right-aligned. */
function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '),
  );
}

/**
 * What an experiment came to, as the terminal, claims.md and the report's badge write it:
 * `HELD`, `DID NOT HOLD`, `INCONCLUSIVE`, or `FAILED TO RUN`.
 */
export function verdictLabel(result: ExperimentResult): string {
  return result.status === 'failed' ? 'FAILED TO RUN' : outcomeLabel(result.verdict.outcome);
}

/** `on 2 of 3 seeds` (`, inconclusive on 1`) for a run over several seeds; empty for one seed or a failure. */
export function seedsNote(result: ExperimentResult): string {
  const { seeds, heldOnSeeds, inconclusiveOnSeeds } = result.verdict;
  if (seeds <= 1 || result.status === 'failed') return '';
  const inconclusive = inconclusiveOnSeeds > 0 ? `, inconclusive on ${inconclusiveOnSeeds}` : '';
  return `held on ${heldOnSeeds} of ${seeds} seeds${inconclusive}`;
}

/** The table of one experiment: a row per variant, a column per metric, then its verdict. */
export function formatExperimentSummary(result: ExperimentResult): string {
  const note = seedsNote(result);
  const lines = [
    `${result.title} [${result.name}] — ${verdictLabel(result)}${note ? ` (${note})` : ''}`,
    `  claim: ${result.claim}`,
  ];
  if (result.status === 'ok') {
    const header = [
      '',
      ...result.metricSpecs.map(
        (m) => m.label + (m.better === 'higher' ? ' ↑' : m.better === 'lower' ? ' ↓' : ''),
      ),
    ];
    const rows = result.variants.map((v) => [
      v.label,
      ...result.metricSpecs.map((m) => formatMetric(result.summary[v.id][m.id], m)),
    ]);
    for (const line of alignRows([header, ...rows])) lines.push(`    ${line.trimEnd()}`);
  }
  lines.push(`  ${result.verdict.explanation}`);
  return lines.join('\n');
}

/** How many experiments came to each verdict: `{ held, 'did not hold', inconclusive, failed }`. */
export function countVerdicts(
  result: LabResult,
): Readonly<Record<'held' | 'did not hold' | 'inconclusive' | 'failed', number>> {
  const count = (keep: (e: ExperimentResult) => boolean) => result.experiments.filter(keep).length;
  const ok = (outcome: string) => (e: ExperimentResult) => e.status === 'ok' && e.verdict.outcome === outcome;
  return {
    held: count(ok('held')),
    'did not hold': count(ok('did not hold')),
    inconclusive: count(ok('inconclusive')),
    failed: count((e) => e.status === 'failed'),
  };
}

/** The verdicts other than `held`, counted: `['2 did not hold', '1 inconclusive']` (empty when all held). */
function otherVerdicts(result: LabResult): string[] {
  const counts = countVerdicts(result);
  return [
    counts['did not hold'] > 0 ? `${counts['did not hold']} did not hold` : '',
    counts.inconclusive > 0 ? `${counts.inconclusive} inconclusive` : '',
    counts.failed > 0 ? `${counts.failed} failed to run` : '',
  ].filter(Boolean);
}

/** `7 of 10 claims held`, then the others by verdict when there are any: `; 2 did not hold, 1 inconclusive`. */
export function formatVerdictCounts(result: LabResult, details = ''): string {
  const others = otherVerdicts(result);
  return `${countVerdicts(result).held} of ${result.experiments.length} claims held${details}${others.length > 0 ? `; ${others.join(', ')}` : ''}`;
}

/** The terminal summary printed at the end of `losskit lab`. */
export function formatSummary(result: LabResult): string {
  const seeds =
    result.seeds.length === 1
      ? `seed ${result.seeds[0]}`
      : `seeds ${result.seeds[0]}–${result.seeds[result.seeds.length - 1]}, mean ± standard deviation`;
  const parts = result.experiments.map(formatExperimentSummary);
  const details = ` (${result.quick ? 'quick mode, ' : ''}${seeds}, ${result.seconds.toFixed(1)} s)`;
  parts.push(`${formatVerdictCounts(result, details)}.`);
  return parts.join('\n\n');
}

/** The claims and their verdicts as a Markdown table (for a README), one row per experiment. */
export function formatClaimsMarkdown(result: LabResult): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = result.experiments.map((e) => {
    const verdict = e.status === 'failed' ? 'failed to run' : `**${e.verdict.outcome}**`;
    const note = seedsNote(e);
    return `| ${cell(e.title)} | ${cell(e.claim)} | ${verdict}${note ? ` (${note})` : ''} | ${cell(e.verdict.explanation)} |`;
  });
  return ['| Experiment | Claim | Result | Numbers |', '|---|---|---|---|', ...rows].join('\n');
}
