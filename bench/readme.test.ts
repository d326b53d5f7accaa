// The README's benchmark numbers are generated: the block in README.md must be exactly what
// bench/readme.ts renders from bench/results.json, and the rest of the Benchmarks section may
// state no speed of its own. A stale table or a hand-written "2.6× faster" fails here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { type Outcome, measured, peerIds } from './outcome.js';
import {
  notAReferenceRun,
  peerStatement,
  readmeBegin,
  readmeBlockOf,
  readmeEnd,
  renderReadmeBlock,
  replaceReadmeBlock,
  trainStatement,
} from './readme.js';
import type { BenchResults, WorkloadResult } from './report.js';
import { combineRounds } from './rounds.js';
import { testMachine } from './test-machine.js';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** README.md's `## Benchmarks` section, up to the next `## ` heading. */
function benchmarksSection(text: string): string {
  const start = text.indexOf('\n## Benchmarks\n');
  assert.ok(start !== -1, 'README.md has no "## Benchmarks" section');
  const next = text.indexOf('\n## ', start + 1);
  return text.slice(start, next === -1 ? undefined : next);
}

describe("README.md's Benchmarks section", () => {
  test('holds the block that bench/readme.ts renders from bench/results.json, unchanged', () => {
    const results = JSON.parse(readFileSync(new URL('bench/results.json', root), 'utf8')) as BenchResults;
    const block = readmeBlockOf(benchmarksSection(readme));
    assert.ok(block !== null, `no generated block: ${readmeBegin} … ${readmeEnd}`);
    assert.equal(
      block,
      renderReadmeBlock(results),
      'README.md is stale: run `node bench/run.mjs --readme` after the bench (or after a change of bench/readme.ts)',
    );
  });

  test('states no speed outside the generated block: no ratio, no duration, no "N of M workloads"', () => {
    const section = benchmarksSection(readme);
    const block = readmeBlockOf(section) ?? '';
    const prose = section.replace(block, '');
    const claims = [
      /\d\s*×(?!\d)/g, // a ratio: "2.6×" (not a shape such as 4×8)
      /\b\d+(\.\d+)?\s*(ns|µs|ms)\b/g, // a duration
      /\b\d+(\.\d+)?\s*s\b(?! of)/g, // a duration in seconds
      /\b\d+ of \d+\b/g, // a count of workloads
    ].flatMap((pattern) => prose.match(pattern) ?? []);
    assert.deepEqual(claims, [], 'speed claims belong in the generated block (bench/readme.ts)');
  });
});

/** A cell measured in rounds of the given medians (ms). */
const cell = (...ms: number[]): Outcome =>
  combineRounds(ms.map((m) => measured([m * 1e6, m * 1e6, m * 1e6], 1, 0)));

function fake(peers: WorkloadResult['peers'], train: BenchResults['train'] = null): BenchResults {
  return {
    machine: testMachine({
      versions: { PyTorch: '1.13 (python3; BLAS /usr/lib/libblas.so.3)' },
      otherCores: 0.01,
    }),
    mode: { quick: false, only: [], peers: [], rounds: 2 },
    policies: {},
    workloads: [{ id: 'mse-2^20', loss: 'mse', size: 'N = 2^20', elements: 1, bytes: 1, peers }],
    train,
    notes: [],
  };
}

describe('the rendered README block', () => {
  test('names the machine, the PyTorch BLAS and the rounds, and vouches for a run whose rounds agree', () => {
    const block = renderReadmeBlock(fake({ losskit: cell(2, 2.2), 'torch-2t': cell(1, 1.1) }));
    assert.match(
      block,
      /Test CPU, 2 cores, 8 GiB, Linux; Node v20; PyTorch 1\.13 \(python3; BLAS \/usr\/lib\/libblas\.so\.3\)/,
    );
    assert.match(block, /2 interleaved rounds per cell/);
    assert.match(block, /Every cell's rounds agree within 1\.5×/);
    assert.match(block, /\| mse-2\^20 \| 2\.10 ms \| 1\.05 ms · \*\*0\.500×\*\* \|/);
    assert.match(
      block,
      /\*\*PyTorch 2T\*\* is faster than losskit's allocating call on 1 of 1 workloads \(losskit's time ÷ PyTorch 2T's: mse-2\^20 2\.00×\)/,
    );
    assert.match(block, /\| mse-2\^20 \| 2\.00× ✗ · — \| n\/a \| n\/a \|/);
    assert.ok(block.startsWith(readmeBegin) && block.endsWith(readmeEnd));
  });

  test('marks a cell whose rounds disagree and keeps it out of every statement and target count', () => {
    const block = renderReadmeBlock(fake({ losskit: cell(2, 2.2), 'torch-2t': cell(1, 9) }));
    assert.match(block, /5\.00 ms† · 2\.38×/);
    assert.match(
      block,
      /mse-2\^20, PyTorch 2T: round medians 1\.00 ms, 9\.00 ms \(rounds disagree by 9\.00×\)/,
    );
    assert.doesNotMatch(block, /\*\*PyTorch 2T\*\* is/);
    assert.match(block, /within PyTorch 2T's time on 0 of 0 workloads/);
  });

  test('marks every number of a single-round run as unverified', () => {
    const single = measured([2e6], 1, 0);
    const r = {
      ...fake({ losskit: single, 'torch-1t': measured([1e6], 1, 0) }),
      mode: { quick: false, only: [], peers: [] },
    };
    const block = renderReadmeBlock(r);
    assert.match(block, /\*\*Unverified numbers\.\*\*/);
    assert.match(block, /\| 2\.00 ms\? \| 1\.00 ms\? · \*\*0\.500×\*\* \|/);
    assert.match(peerStatement(r.workloads, 'torch-1t') ?? '', /mse-2\^20 2\.00×\?/);
  });

  test('states the training step from the data, as faster or slower than each peer', () => {
    const train = {
      id: 'mlp-train-step',
      label: 'MLP step',
      parameters: 1,
      peers: { losskit: cell(9.5, 9.5), 'torch-1t': cell(3, 3.2), 'tfjs-wasm': cell(55, 56) },
    };
    assert.equal(
      trainStatement(fake({}, train)),
      '**Training step** (MLP step): losskit 9.50 ms; TF.js wasm 55.5 ms (losskit 5.84× faster); PyTorch 1T 3.10 ms (losskit 3.06× slower).',
    );
  });

  test('comes only from a full run: not a quick one, nor one filtered by workload or peer', () => {
    const full = { ...fake({}), mode: { quick: false, only: [], peers: [...peerIds], rounds: 2 } };
    assert.equal(notAReferenceRun(full), null);
    assert.equal(notAReferenceRun({ ...full, mode: { ...full.mode, quick: true } }), 'it is a --quick run');
    assert.equal(
      notAReferenceRun({ ...full, mode: { ...full.mode, only: ['train'] } }),
      'it measured only train',
    );
    assert.match(notAReferenceRun({ ...full, mode: { ...full.mode, peers: ['losskit'] } }) ?? '', /torch-1t/);
  });

  test('replaces only the text between the markers, and refuses a README without them', () => {
    const before = `intro\n${readmeBegin}\nold table\n${readmeEnd}\nafter\n`;
    assert.equal(
      replaceReadmeBlock(before, `${readmeBegin}\nnew\n${readmeEnd}`),
      `intro\n${readmeBegin}\nnew\n${readmeEnd}\nafter\n`,
    );
    assert.throws(() => replaceReadmeBlock('no markers', 'x'), /no generated benchmark block/);
  });
});
