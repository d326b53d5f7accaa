import { formatMetric } from './format-metric.js';
import type { ExperimentResult, LabResult } from './run-lab.js';

/** Pads cells to aligned columns: the first left-aligned, the rest right-aligned. */
function alignRows(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '),
  );
}

/** The table of one experiment: a row per variant, a column per metric, then its verdict. */
export function formatExperimentSummary(result: ExperimentResult): string {
  const verdictWord =
    result.status === 'failed' ? 'FAILED TO RUN' : result.verdict.held ? 'HELD' : 'DID NOT HOLD';
  const seedNote =
    result.verdict.seeds > 1 ? ` (on ${result.verdict.heldOnSeeds} of ${result.verdict.seeds} seeds)` : '';
  const lines = [`${result.title} [${result.name}] — ${verdictWord}${seedNote}`, `  claim: ${result.claim}`];
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

/** The terminal summary printed at the end of `losskit lab`. */
export function formatSummary(result: LabResult): string {
  const held = result.experiments.filter((e) => e.status === 'ok' && e.verdict.held).length;
  const seeds =
    result.seeds.length === 1
      ? `seed ${result.seeds[0]}`
      : `seeds ${result.seeds[0]}–${result.seeds[result.seeds.length - 1]}, mean ± standard deviation`;
  const parts = result.experiments.map(formatExperimentSummary);
  parts.push(
    `${held} of ${result.experiments.length} claims held (${result.quick ? 'quick mode, ' : ''}${seeds}, ${result.seconds.toFixed(1)} s).`,
  );
  return parts.join('\n\n');
}

/** The claims and their verdicts as a Markdown table (for a README), one row per experiment. */
export function formatClaimsMarkdown(result: LabResult): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const rows = result.experiments.map((e) => {
    const verdict =
      e.status === 'failed' ? 'failed to run' : e.verdict.held ? '**held**' : '**did not hold**';
    const seeds =
      e.verdict.seeds > 1 && e.status === 'ok' ? ` (${e.verdict.heldOnSeeds}/${e.verdict.seeds} seeds)` : '';
    return `| ${cell(e.title)} | ${cell(e.claim)} | ${verdict}${seeds} | ${cell(e.verdict.explanation)} |`;
  });
  return ['| Experiment | Claim | Result | Numbers |', '|---|---|---|---|', ...rows].join('\n');
}
