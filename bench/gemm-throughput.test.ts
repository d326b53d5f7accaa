import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as losskit from '../packages/losskit/src/index.js';
import { type GemmThroughput, gemmSection, measureGemmThroughput } from './gemm-throughput.js';

test('the GEMM section gives each product its GFLOP/s, its share of the peak and the speed-up of all threads', () => {
  const g: GemmThroughput = {
    threads: 2,
    report: 'losskit: 2 threads of 2 cores (Node worker_threads, shared WebAssembly memory)',
    rows: [{ shape: [128, 784, 256], oneThread: [20, 22], allThreads: [38, 40] }],
    peak: { oneThread: [40, 44], allThreads: [80, 88] },
  };
  const md = gemmSection(g);
  // medians: 21 and 39 GFLOP/s, peaks 42 and 84
  assert.match(
    md,
    /\| 128 × 784 × 256 \| 21\.0 GFLOP\/s \(50% of peak\) \| 39\.0 GFLOP\/s \(46% of peak\) \| 1\.86× \|/,
  );
  assert.match(md, /\| 128-bit SIMD peak \(simd-peak\.c\) \| 42\.0 GFLOP\/s \| 84\.0 GFLOP\/s \| 2\.00× \|/);
  assert.match(md, /2 rounds; the rounds of one cell differ by at most 1\.10×/);
});

test('measuring the GEMM restores the automatic thread count and measures every shape once per round', () => {
  const dir = mkdtempSync(join(tmpdir(), 'losskit-gemm-'));
  const benchDir = fileURLToPath(new URL('../../bench/', import.meta.url));
  const g = measureGemmThroughput(losskit, benchDir, dir, 1, 5);
  assert.equal(losskit.threadReport(), losskit.setThreads('auto'));
  for (const row of g.rows) {
    assert.equal(row.oneThread.length, 1);
    assert.ok(row.oneThread[0] > 0 && row.allThreads[0] > 0);
  }
  if (typeof g.peak !== 'string') assert.ok(g.peak.oneThread[0] > 0);
});
