// The comparison as the terminal shows it: the setup, a table of losses and baselines with mean ±
// spread over the seeds, and a plainly worded verdict.
import type { MetricSummary } from '../run-lab.js';
import type { CompareModel, ComparisonResult } from './compare-losses.js';

/** `MLP 3 → 32 → 1 (ReLU), Adam (learning rate 0.01), 200 epochs, batch size 32`. */
export function describeModel(model: CompareModel): string {
  return `MLP ${model.layers.join(' → ')} (ReLU), ${model.optimizer} (learning rate ${model.learningRate}), ${model.epochs} epochs, batch size ${model.batchSize}`;
}

/**
 * A formatter for numbers of a column whose largest magnitude is `largest`: decimals enough for
 * four significant digits of it, or exponent form beyond 1e6 or below 1e-3.
 */
function numberFormat(largest: number): (v: number) => string {
  if (largest >= 1e6 || (largest > 0 && largest < 1e-3)) return (v) => v.toExponential(2);
  const decimals = Math.min(6, Math.max(0, 3 - Math.floor(Math.log10(largest || 1))));
  return (v) => v.toFixed(decimals);
}

const largestMean = (summaries: readonly MetricSummary[]) =>
  Math.max(...summaries.map((s) => Math.abs(s.mean)));

/** Mean ± spread cells of one metric column, all with the same number of decimals (see `numberFormat`). */
export function formatMetricColumn(summaries: readonly MetricSummary[]): string[] {
  const number = numberFormat(largestMean(summaries));
  return summaries.map((s) =>
    s.values.length > 1 ? `${number(s.mean)} ± ${number(s.spread)}` : number(s.mean),
  );
}

const seedRange = (seeds: readonly number[]) =>
  seeds.length === 1 ? `seed ${seeds[0]}` : `${seeds.length} seeds (${seeds[0]}–${seeds[seeds.length - 1]})`;

function setup(result: ComparisonResult): string[] {
  const features =
    result.features.length <= 8 ? result.features.join(', ') : `${result.features.slice(0, 8).join(', ')}, …`;
  const positive = result.positiveClass !== undefined ? ` Positive class: '${result.positiveClass}'.` : '';
  const standardised = result.task === 'regression' ? 'features and target' : 'features';
  return [
    `${result.task}: predicting '${result.target}' from ${result.features.length} column(s) (${features}).${positive}`,
    `Each of ${seedRange(result.seeds)}: trained on ${result.trainRows} rows, tested on ${result.testRows} held-out rows (its own split, initialisation and shuffling).`,
    `Model: ${describeModel(result.model)}; ${standardised} standardised on the training rows.`,
    `Held-out metrics${result.seeds.length > 1 ? ', mean ± standard deviation over the seeds' : ''}:`,
  ];
}

function table(result: ComparisonResult): string[] {
  const starred = (id: string) => result.best !== undefined && result.tied.includes(id);
  const header = [
    'loss',
    ...result.metricSpecs.map((m) => `${m.label} ${m.better === 'higher' ? '↑' : '↓'}`),
  ];
  const entries = [...result.candidates, ...result.baselines];
  const columns = result.metricSpecs.map((m) => formatMetricColumn(entries.map((e) => e.summary[m.id])));
  const row = (label: string, k: number) => [label, ...columns.map((cells) => cells[k])];
  const rows = [
    ...result.candidates.map((c, k) => row(`${starred(c.id) ? '* ' : '  '}${c.label}`, k)),
    ['baselines', ...columns.map(() => '')],
    ...result.baselines.map((b, k) => row(`  ${b.label}`, result.candidates.length + k)),
  ];
  const widths = header.map((_, i) => Math.max(...[header, ...rows].map((r) => r[i].length)));
  const line = (r: readonly string[]) =>
    r
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** The number format of the primary metric's table column. */
function primaryNumber(result: ComparisonResult): (v: number) => string {
  const column = [...result.candidates, ...result.baselines].map((e) => e.summary[result.primary.id]);
  return numberFormat(largestMean(column));
}

function verdict(result: ComparisonResult): string {
  const { decision, primary } = result;
  const label = (id: string) => result.candidates.find((c) => c.id === id)?.label ?? id;
  const leader = result.candidates.find((c) => c.id === decision.leader);
  const digits = primaryNumber(result);
  const tie =
    decision.tied.length > 1
      ? ` ${decision.tied.map(label).join(' and ')} tie on ${primary.label} on every seed.`
      : '';
  if (result.best !== undefined && leader !== undefined) {
    const options = Object.keys(leader.options).length > 0 ? ` ${JSON.stringify(leader.options)}` : '';
    const closest = decision.leads[0];
    return `Best on ${primary.label}: ${leader.label} (${leader.loss}${options}). Its lead over every other loss is larger than the seed-to-seed spread of the difference (closest: ${label(closest.over)}, ahead by ${digits(closest.lead)} ± ${digits(closest.spread)}).${tie}`;
  }
  if (decision.leads.length === 0)
    return `No loss is clearly better on ${primary.label}: every loss gave the same ${primary.label} on every seed.`;
  if (result.seeds.length === 1) {
    return `No loss is clearly better on ${primary.label}: ${label(decision.leader)} did best on this one seed, but a single seed gives no spread to judge a lead by; run several seeds.${tie}`;
  }
  const closest = decision.leads[0];
  return `No loss is clearly better on ${primary.label}: ${label(decision.leader)} has the best mean, but its lead over ${label(closest.over)} (${digits(closest.lead)}) is not larger than the seed-to-seed spread of that difference (± ${digits(closest.spread)}).${tie}`;
}

function baselineWarnings(result: ComparisonResult): string[] {
  const { primary } = result;
  const sign = primary.better === 'higher' ? 1 : -1;
  const number = primaryNumber(result);
  const format = (s: MetricSummary) =>
    s.values.length > 1 ? `${number(s.mean)} ± ${number(s.spread)}` : number(s.mean);
  const bestLoss = result.candidates.reduce((best, c) =>
    sign * (c.metrics[primary.id] - best.metrics[primary.id]) > 0 ? c : best,
  );
  return result.baselines
    .filter((b) => result.baselinesAhead.includes(b.id))
    .map((b) => {
      const [theirs, ours] = [b, bestLoss].map((e) => format(e.summary[primary.id]));
      const advice =
        b.id === 'constant'
          ? 'the network did worse than a constant, so it learned nothing useful from these features (or overfitted them; try fewer epochs or smaller hidden layers)'
          : 'the network does no better than a linear model on this data; prefer the linear model, or try fewer epochs or smaller hidden layers';
      return `Warning: the baseline ${b.label} beats every loss on ${primary.label} (${theirs} against ${ours} for the best loss, ${bestLoss.label}): ${advice}.`;
    });
}

/** The comparison as a terminal report: setup, table (a clear winner starred, with any loss tied with it), verdict, warnings. */
export function formatComparison(result: ComparisonResult): string {
  return [...setup(result), '', ...table(result), '', verdict(result), ...baselineWarnings(result)].join(
    '\n',
  );
}
