// Statistics and number formatting for the benchmark report. Pure functions, tested in bench.test.ts.

/** The median of a non-empty list (mean of the two middle values for an even count). */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new Error('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Linear-interpolated quantile q ∈ [0, 1] of a non-empty list. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) throw new Error('quantile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summary of one measurement: timings in nanoseconds. */
export interface Summary {
  readonly medianNs: number;
  readonly minNs: number;
  /** Interquartile range relative to the median: a noise indicator. */
  readonly spread: number;
  readonly samples: number;
}

export function summarize(samplesNs: readonly number[]): Summary {
  const med = median(samplesNs);
  return {
    medianNs: med,
    minNs: Math.min(...samplesNs),
    spread: med > 0 ? (quantile(samplesNs, 0.75) - quantile(samplesNs, 0.25)) / med : 0,
    samples: samplesNs.length,
  };
}

/** How many timed calls to make after warm-up, from the duration of one warm call. */
export interface RepetitionPolicy {
  /** Target total time of the timed calls, in milliseconds. */
  readonly budgetMs: number;
  readonly minSamples: number;
  readonly maxSamples: number;
}

export function sampleCount(oneCallMs: number, policy: RepetitionPolicy): number {
  const wanted = oneCallMs > 0 ? Math.ceil(policy.budgetMs / oneCallMs) : policy.maxSamples;
  return Math.min(policy.maxSamples, Math.max(policy.minSamples, wanted));
}

/** Nanoseconds per element. */
export function nsPerElement(medianNs: number, elements: number): number {
  return medianNs / elements;
}

/** Throughput in GB/s (10⁹ bytes per second) for `bytes` moved in `ns` nanoseconds. */
export function gigabytesPerSecond(bytes: number, ns: number): number {
  return ns > 0 ? bytes / ns : Number.POSITIVE_INFINITY;
}

/** A duration for humans: 812 µs, 12.3 ms, 2.41 s. */
export function formatDuration(ns: number): string {
  if (!Number.isFinite(ns)) return '—';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${sig3(ns / 1e3)} µs`;
  if (ns < 1e9) return `${sig3(ns / 1e6)} ms`;
  return `${sig3(ns / 1e9)} s`;
}

/** Three significant digits, no exponent for the magnitudes a benchmark prints. */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toPrecision(3);
}

/**
 * Time of a peer relative to losskit's: `peer / losskit`. Above 1 the peer is slower (losskit
 * is faster by that factor); below 1 the peer is faster.
 */
export function speedRatio(losskitNs: number, peerNs: number): number {
  return peerNs / losskitNs;
}

/** "12.3× slower" style text from losskit's point of view, for the README statements. */
export function describeRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 1) return `losskit ${sig3(ratio)}× faster`;
  return `losskit ${sig3(1 / ratio)}× slower`;
}

/** A ratio cell: "3.2×" where the peer takes 3.2 times losskit's time; bold when the peer is faster. */
export function formatRatio(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  const text = `${sig3(ratio)}×`;
  return ratio < 1 ? `**${text}**` : text;
}

/** Relative difference |a − b| / max(|a|, |b|, tiny). */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), 1e-30);
  return Math.abs(a - b) / scale;
}

/** A GitHub-flavoured markdown table; cells are escaped for pipes. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: readonly ('l' | 'r')[],
): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rule = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.map(esc).join(' | ')} |`;
  return [line(header), `|${rule.join('|')}|`, ...rows.map(line)].join('\n');
}
