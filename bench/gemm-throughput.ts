// The float32 matrix product's throughput (GFLOP/s) on one thread and on all threads, beside
// the machine's measured peak for 128-bit SIMD with separate multiply and add (bench/simd-peak.c,
// the instructions WebAssembly SIMD has): how close the SIMD GEMM is to what the CPU allows.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { generate } from './data.js';
import type { LosskitModule } from './peers-losskit.js';
import { median, sig3 } from './stats.js';

/** Products measured: a layer of the MLP step, and square ones. */
export const gemmShapes: readonly (readonly [number, number, number])[] = [
  [128, 784, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
];

export interface GemmRow {
  readonly shape: readonly [number, number, number];
  /** GFLOP/s per round with one thread and with `threads`. */
  readonly oneThread: number[];
  readonly allThreads: number[];
}

export interface GemmThroughput {
  readonly threads: number;
  readonly report: string;
  readonly rows: GemmRow[];
  /** The 128-bit SIMD peak on one thread and on `threads` threads (GFLOP/s), or why not measured. */
  readonly peak: { readonly oneThread: number[]; readonly allThreads: number[] } | string;
}

function gflops(lk: LosskitModule, shape: readonly [number, number, number], budgetMs: number): number {
  const [M, K, N] = shape;
  const a = new lk.Tensor(generate(M * K, { kind: 'uniform', seed: 1, lo: -1, hi: 1 }), [M, K]);
  const b = new lk.Tensor(generate(K * N, { kind: 'uniform', seed: 2, lo: -1, hi: 1 }), [K, N]);
  for (let i = 0; i < 3; i++) lk.ops.matmul(a, b);
  const times: number[] = [];
  const end = performance.now() + budgetMs;
  while (times.length < 5 || (performance.now() < end && times.length < 200)) {
    const t0 = performance.now();
    lk.ops.matmul(a, b);
    times.push(performance.now() - t0);
  }
  return (2 * M * K * N) / median(times) / 1e6;
}

function peakRun(binary: string, threads: number): number | string {
  const run = spawnSync(binary, [String(threads)], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) return `simd-peak failed: ${run.stderr.trim() || `exit ${run.status}`}`;
  return (JSON.parse(run.stdout) as { gflops: number }).gflops;
}

/**
 * Interleaved rounds: every shape on one thread, then on all threads, then the SIMD peak on
 * one and all threads; `rounds` times. The thread setting is restored to 'auto' at the end.
 */
export function measureGemmThroughput(
  lk: LosskitModule,
  benchDir: string,
  buildDir: string,
  rounds: number,
  budgetMs = 400,
): GemmThroughput {
  const threads = (() => {
    lk.setThreads('auto');
    return Number(/^losskit: (\d+) thread/.exec(lk.threadReport())?.[1] ?? 1);
  })();
  const report = lk.threadReport();
  const rows: GemmRow[] = gemmShapes.map((shape) => ({ shape, oneThread: [], allThreads: [] }));
  mkdirSync(buildDir, { recursive: true });
  const binary = `${buildDir}/simd-peak`;
  const cc = process.env.CC ?? 'gcc';
  const build = spawnSync(
    cc,
    ['-O2', '-msse2', '-mno-avx', '-mno-fma', '-pthread', '-o', binary, `${benchDir}/simd-peak.c`],
    { encoding: 'utf8' },
  );
  let peak: GemmThroughput['peak'] =
    build.status === 0
      ? { oneThread: [], allThreads: [] }
      : `${cc} failed on simd-peak.c: ${build.stderr.trim().split('\n')[0]}`;
  try {
    for (let r = 0; r < rounds; r++) {
      for (const row of rows) {
        lk.setThreads(1);
        row.oneThread.push(gflops(lk, row.shape, budgetMs));
        lk.setThreads('auto');
        row.allThreads.push(gflops(lk, row.shape, budgetMs));
      }
      if (typeof peak !== 'string') {
        const one = peakRun(binary, 1);
        const all = peakRun(binary, threads);
        if (typeof one === 'string') peak = one;
        else if (typeof all === 'string') peak = all;
        else {
          peak.oneThread.push(one);
          peak.allThreads.push(all);
        }
      }
    }
  } finally {
    lk.setThreads('auto');
  }
  return { threads, report, rows, peak };
}

/** The markdown section of results.md: medians over rounds, and the share of the peak. */
export function gemmSection(g: GemmThroughput): string {
  const lines = [
    '## Matrix product: GFLOP/s against the 128-bit SIMD peak',
    '',
    `float32 \`ops.matmul\` [M, K] × [K, N] (2·M·K·N floating-point operations per call), median over the rounds, on one thread and on ${g.threads} (${g.report}). The peak is bench/simd-peak.c: independent chains of 128-bit multiply and add (the instructions WebAssembly SIMD has; it has no fused multiply-add), on 1 and ${g.threads} threads.`,
    '',
  ];
  const peak = typeof g.peak === 'string' ? null : g.peak;
  const share = (v: number, p: number | null) =>
    p === null ? '' : ` (${Math.round((100 * v) / p)}% of peak)`;
  const peak1 = peak === null ? null : median(peak.oneThread);
  const peakAll = peak === null ? null : median(peak.allThreads);
  lines.push(`| product | 1 thread | ${g.threads} threads | speed-up |`, '|---|---:|---:|---:|');
  for (const row of g.rows) {
    const one = median(row.oneThread);
    const all = median(row.allThreads);
    lines.push(
      `| ${row.shape.join(' × ')} | ${sig3(one)} GFLOP/s${share(one, peak1)} | ${sig3(all)} GFLOP/s${share(all, peakAll)} | ${sig3(all / one)}× |`,
    );
  }
  lines.push(
    peak === null
      ? `| 128-bit SIMD peak | not measured: ${g.peak} | | |`
      : `| 128-bit SIMD peak (simd-peak.c) | ${sig3(peak1 ?? 0)} GFLOP/s | ${sig3(peakAll ?? 0)} GFLOP/s | ${sig3((peakAll ?? 0) / (peak1 ?? 1))}× |`,
  );
  const rounds = g.rows[0]?.oneThread.length ?? 0;
  const spread = (v: number[]) => Math.max(...v) / Math.min(...v);
  const worst = Math.max(...g.rows.flatMap((r) => [spread(r.oneThread), spread(r.allThreads)]));
  lines.push(
    '',
    rounds === 1
      ? 'One round: no second round checks these numbers.'
      : `${rounds} rounds; the rounds of one cell differ by at most ${sig3(worst)}×.`,
    '',
  );
  return lines.join('\n');
}
