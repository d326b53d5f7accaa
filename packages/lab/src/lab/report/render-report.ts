// The lab's HTML report: one self-contained page (inline CSS and SVG, no scripts, no network).
import { lossByName } from 'losskit';
import type { BarChart, Chart, MetricSpec, Outcome } from '../experiment.js';
import { formatMetric } from '../format-metric.js';
import type { ExperimentResult, LabResult } from '../run-lab.js';
import { formatVerdictCounts, seedsNote, verdictLabel } from '../summary-table.js';
import { renderChart, serverDocument } from './charts.js';

/** Facts about the run that the lab result itself does not hold. */
export interface ReportMeta {
  /** When the run finished, shown as given (e.g. an ISO date). */
  readonly generatedAt?: string;
  /** The command that produced it, e.g. `losskit lab --quick`. */
  readonly command?: string;
  /** Name of the metrics JSON file written beside the report. */
  readonly metricsFile?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #dde1e8; --held: #1a7f37; --failed: #b42318; --inconclusive: #8a6100; --bg: #fbfbfc; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 64px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 20px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
p { margin: 6px 0; }
.lede { color: var(--muted); margin-bottom: 24px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
th, td { padding: 5px 12px; border-bottom: 1px solid var(--line); text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { font-weight: 600; color: var(--muted); font-size: 13px; }
td.best { font-weight: 700; }
.claims td { text-align: left; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 12px; font-weight: 700; letter-spacing: .03em; color: white; white-space: nowrap; }
.badge.held { background: var(--held); }
.badge.not-held, .badge.failed { background: var(--failed); }
.badge.inconclusive { background: var(--inconclusive); }
section.experiment { background: white; border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 28px 0; }
.claim { font-size: 16px; margin: 8px 0; }
.verdict { border-left: 4px solid var(--held); padding: 4px 12px; background: #f3faf5; margin: 10px 0; }
.verdict.not-held, .verdict.failed { border-color: var(--failed); background: #fdf3f2; }
.verdict.inconclusive { border-color: var(--inconclusive); border-left-style: dashed; background: #fdf8ec; }
.setup, .notes, .caption, .losses { color: var(--muted); font-size: 14px; }
.charts { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
figure.chart { margin: 8px 0; max-width: 100%; overflow-x: auto; }
figure.chart > figcaption { font-weight: 600; margin-bottom: 4px; }
figure.chart > .caption { margin-top: 2px; max-width: 640px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
`;

const outcomeClass: Record<Outcome, string> = {
  held: 'held',
  'did not hold': 'not-held',
  inconclusive: 'inconclusive',
};

/** The CSS class of an experiment's badge and verdict box: one per outcome, and `failed`. */
function verdictClass(result: ExperimentResult): string {
  return result.status === 'failed' ? 'failed' : outcomeClass[result.verdict.outcome];
}

function badge(result: ExperimentResult): string {
  return `<span class="badge ${verdictClass(result)}">${escapeHtml(verdictLabel(result))}</span>`;
}

function seedNote(result: ExperimentResult): string {
  const note = seedsNote(result);
  return note ? ` ${note.charAt(0).toUpperCase()}${note.slice(1)}, taken one at a time.` : '';
}

/** The variant with the best mean for a metric, or undefined when the metric has no direction. */
function bestVariant(result: ExperimentResult, metric: MetricSpec): string | undefined {
  if (metric.better === 'neither') return undefined;
  let best: string | undefined;
  let bestValue = 0;
  for (const v of result.variants) {
    const value = result.summary[v.id][metric.id].mean;
    if (best === undefined || (metric.better === 'higher' ? value > bestValue : value < bestValue)) {
      best = v.id;
      bestValue = value;
    }
  }
  return best;
}

function metricsTable(result: ExperimentResult): string {
  const arrow = (m: MetricSpec) => (m.better === 'higher' ? ' ↑' : m.better === 'lower' ? ' ↓' : '');
  const head = result.metricSpecs
    .map((m) => `<th title="${escapeHtml(m.description ?? '')}">${escapeHtml(m.label + arrow(m))}</th>`)
    .join('');
  const bests = new Map(result.metricSpecs.map((m) => [m.id, bestVariant(result, m)]));
  const rows = result.variants
    .map((v) => {
      const cells = result.metricSpecs
        .map((m) => {
          const cls = bests.get(m.id) === v.id ? ' class="best"' : '';
          return `<td${cls}>${escapeHtml(formatMetric(result.summary[v.id][m.id], m))}</td>`;
        })
        .join('');
      const options = v.options ? ` <span class="losses">(${escapeHtml(v.options)})</span>` : '';
      return `<tr><td>${escapeHtml(v.label)}${options}</td>${cells}</tr>`;
    })
    .join('');
  const described = result.metricSpecs.filter((m) => m.description);
  const legend =
    described.length > 0
      ? `<p class="setup">${described.map((m) => `<b>${escapeHtml(m.label)}</b>: ${escapeHtml(m.description ?? '')}`).join(' ')}</p>`
      : '';
  return `<table class="metrics"><thead><tr><th></th>${head}</tr></thead><tbody>${rows}</tbody></table>${legend}`;
}

/** Bar charts of the headline metrics: one bar per variant, with the spread over seeds. */
function headlineCharts(result: ExperimentResult): Chart[] {
  return result.headline.map((id): BarChart => {
    const spec = result.metricSpecs.find((m) => m.id === id);
    const label = spec?.label ?? id;
    const direction =
      spec?.better === 'higher'
        ? ' (higher is better)'
        : spec?.better === 'lower'
          ? ' (lower is better)'
          : '';
    return {
      kind: 'bars',
      title: `${label}${direction}`,
      y: { label },
      bars: result.variants.map((v) => ({
        group: label,
        series: v.label,
        value: result.summary[v.id][id].mean,
        spread: result.summary[v.id][id].spread,
      })),
    };
  });
}

function figure(chart: Chart, preferred: readonly string[], document: Document): string {
  const caption = chart.caption ? `<p class="caption">${escapeHtml(chart.caption)}</p>` : '';
  return `<figure class="chart" data-kind="${chart.kind}"><figcaption>${escapeHtml(chart.title)}</figcaption>${renderChart(chart, preferred, document)}${caption}</figure>`;
}

function lossList(result: ExperimentResult): string {
  const names = [...new Set(result.variants.flatMap((v) => v.losses))];
  const items = names.map((name) => {
    const entry = lossByName(name);
    return entry
      ? `<li><code>${escapeHtml(name)}</code> — ${escapeHtml(entry.info.summary)}</li>`
      : `<li><code>${escapeHtml(name)}</code></li>`;
  });
  return items.length > 0 ? `<h3>Losses</h3><ul class="losses">${items.join('')}</ul>` : '';
}

function experimentSection(result: ExperimentResult, document: Document): string {
  const preferred = result.variants.map((v) => v.label);
  const parts = [
    `<section class="experiment" id="${escapeHtml(result.name)}" data-experiment="${escapeHtml(result.name)}">`,
    `<h2>${escapeHtml(result.title)} ${badge(result)}</h2>`,
    `<p class="claim"><b>Claim:</b> ${escapeHtml(result.claim)}</p>`,
    `<div class="verdict ${verdictClass(result)}">${escapeHtml(result.verdict.explanation)}${escapeHtml(seedNote(result))}</div>`,
    `<p class="setup">${escapeHtml(result.setup)} <code>--only ${escapeHtml(result.name)}</code>, ${result.seconds.toFixed(1)} s.</p>`,
  ];
  if (result.status === 'ok') {
    parts.push('<h3>Results</h3>', metricsTable(result));
    const charts = [...headlineCharts(result), ...result.charts];
    parts.push(`<div class="charts">${charts.map((c) => figure(c, preferred, document)).join('')}</div>`);
  } else if (result.charts.length > 0) {
    parts.push(
      `<div class="charts">${result.charts.map((c) => figure(c, preferred, document)).join('')}</div>`,
    );
  }
  if (result.notes.length > 0)
    parts.push(`<ul class="notes">${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`);
  parts.push(lossList(result), '</section>');
  return parts.join('\n');
}

function claimsTable(result: LabResult): string {
  const rows = result.experiments
    .map(
      (e) =>
        `<tr><td><a href="#${escapeHtml(e.name)}">${escapeHtml(e.title)}</a></td><td>${escapeHtml(e.claim)}</td><td>${badge(e)}${seedsNote(e) ? ` <span class="losses">${escapeHtml(seedsNote(e))}</span>` : ''}</td></tr>`,
    )
    .join('');
  return `<table class="claims"><thead><tr><th>Experiment</th><th>Claim</th><th>Result</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * The lab report as one self-contained HTML page: a table of the claims and their verdicts,
 * then a section per experiment with its metrics, verdict and charts (inline SVG).
 */
export function renderReport(result: LabResult, meta: ReportMeta = {}): string {
  const document = serverDocument();
  const seeds =
    result.seeds.length === 1
      ? `seed ${result.seeds[0]}`
      : `${result.seeds.length} seeds (${result.seeds[0]}–${result.seeds[result.seeds.length - 1]}), numbers are mean ± standard deviation`;
  const facts = [
    formatVerdictCounts(result),
    result.quick ? 'quick mode (smaller data, fewer steps)' : 'full run',
    seeds,
    `${result.seconds.toFixed(1)} s`,
    ...(meta.generatedAt ? [meta.generatedAt] : []),
  ];
  const footer = [
    meta.command ? `Generated by <code>${escapeHtml(meta.command)}</code>.` : '',
    meta.metricsFile ? ` Every metric is in <code>${escapeHtml(meta.metricsFile)}</code>.` : '',
    ' Each verdict is computed from the metrics with a threshold written in the experiment’s code; a claim that did not hold is reported as such, and one whose metrics leave nothing to compare (undefined numbers, every arm failing alike) as inconclusive.',
  ].join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>losskit lab report</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>losskit lab</h1>
<p class="lede">Small models trained on built-in, seeded data with competing losses, to check the catalogue's claims about each loss. ${escapeHtml(facts.join(' · '))}.</p>
<h3>Claims</h3>
${claimsTable(result)}
${result.experiments.map((e) => experimentSection(e, document)).join('\n')}
<footer>${footer}</footer>
</main>
</body>
</html>
`;
}
