// Interleaved rounds and the consistency check: a cell whose rounds disagree, or that shared the
// machine with a busy process, is marked and kept out of every speed statement.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { perRound } from './main.js';
import { type Outcome, measured, skipped } from './outcome.js';
import { type BenchResults, type TrainResult, renderMarkdown, slowerStatements, timeCell } from './report.js';
import {
  combineRounds,
  consistencyProblems,
  roundSpread,
  roundsAgreeWithin,
  trustMarks,
  trustOf,
} from './rounds.js';
import { testMachine } from './test-machine.js';

/** One round of `count` calls of `ms` milliseconds each. */
const round = (ms: number, count = 5, otherCores: number | null = 0, value = 1): Outcome =>
  measured(
    Array.from({ length: count }, () => ms * 1e6),
    value,
    otherCores,
  );

/** A cell measured in rounds of the given medians. */
const cell = (...ms: number[]): Outcome => combineRounds(ms.map((m) => round(m)));

function results(train: BenchResults['train'], rounds = 2): BenchResults {
  return {
    machine: testMachine(),
    mode: { quick: false, only: [], peers: [], rounds },
    policies: {},
    workloads: [
      {
        id: 'mse-2^20',
        loss: 'mse',
        size: 'N = 2^20',
        elements: 1 << 20,
        bytes: 12 << 20,
        peers: { losskit: cell(2, 2.1), 'torch-1t': cell(1, 1.1) },
      },
    ],
    train,
    notes: [],
  };
}

/** The case: losskit's training step at 9.5 ms, PyTorch 1T at 3 ms in one round and 41 ms in the other. */
const contaminatedTrain = (): TrainResult => ({
  id: 'mlp-train-step',
  label: 'MLP training step',
  parameters: 1,
  peers: { losskit: cell(9.1, 9.9), 'torch-1t': cell(3, 41) },
});

describe('combining the rounds of a cell', () => {
  test("keeps each round's median and count, pools the samples and keeps the busiest round's load", () => {
    const o = combineRounds([round(3, 4, 0.05), round(41, 6, 0.3)]);
    assert.equal(o.status, 'ok');
    if (o.status !== 'ok') return;
    assert.deepEqual(o.rounds, [
      { medianNs: 3e6, samples: 4, otherCores: 0.05 },
      { medianNs: 41e6, samples: 6, otherCores: 0.3 },
    ]);
    assert.equal(o.summary.samples, 10);
    assert.equal(o.otherCores, 0.3);
  });

  test('a failed round fails the cell and a skipped round skips it', () => {
    const failedRound: Outcome = { status: 'failed', reason: 'boom' };
    assert.deepEqual(combineRounds([round(1), failedRound]), failedRound);
    assert.deepEqual(combineRounds([skipped('no torch'), round(1)]), skipped('no torch'));
    assert.throws(() => combineRounds([]), /no rounds/);
  });

  test("the spread is the slowest round's median over the fastest's, and needs two rounds", () => {
    assert.equal(roundSpread(cell(3, 41)), 41 / 3);
    assert.equal(roundSpread(cell(2, 2.5, 2.2)), 1.25);
    assert.equal(roundSpread(round(3)), null, 'one round has no spread');
    assert.equal(roundSpread(skipped('x')), null);
  });
});

describe('how far a cell can be trusted', () => {
  test(`rounds at most ${roundsAgreeWithin}× apart agree; further apart they disagree`, () => {
    assert.equal(trustOf(cell(3, 4.5)), 'verified');
    assert.equal(trustOf(cell(3, 4.6)), 'rounds-disagree');
    assert.equal(trustOf(cell(3, 41)), 'rounds-disagree');
  });

  test('a cell measured once is unverified, and one that shared the machine is marked whatever its rounds say', () => {
    assert.equal(trustOf(round(3)), 'single-round');
    assert.equal(trustOf(combineRounds([round(3, 5, 0.5), round(3.1)])), 'shared');
    assert.equal(trustOf(skipped('x')), null);
  });

  test('marks: ? for one round, † for disagreeing rounds, ‡ for a busy neighbour, none for a verified cell', () => {
    assert.equal(trustMarks(round(3)), '?');
    assert.equal(trustMarks(cell(3, 41)), '†');
    assert.equal(trustMarks(combineRounds([round(3, 5, 0.5), round(3.1)])), '‡');
    assert.equal(trustMarks(cell(3, 3.3)), '');
    assert.equal(timeCell(cell(3, 41), 9.5e6), '22.0 ms† · 2.32×');
  });
});

describe('the consistency check of a run', () => {
  test('passes a run whose every cell was measured in agreeing rounds on a quiet machine', () => {
    assert.deepEqual(consistencyProblems(results(null)), []);
  });

  test("names the cell whose rounds disagree, with both round medians: the issue's PyTorch training step", () => {
    const problems = consistencyProblems(results(contaminatedTrain()));
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(
      problems[0],
      /^training step, PyTorch 1T: round medians 3\.00 ms, 41\.0 ms \(rounds disagree by 13\.7×\): more than 1\.5× apart$/,
    );
  });

  test('fails a run measured in a single round, which nothing checks', () => {
    const single = { ...results(null, 1), workloads: [] };
    assert.match(consistencyProblems(single).join('\n'), /one round per cell/);
    const old = { ...single, mode: { quick: false, only: [], peers: [] } };
    assert.match(consistencyProblems(old).join('\n'), /one round per cell/, 'results from before rounds');
  });

  test('fails a run where a busy neighbour shared the machine with a measurement', () => {
    const r = results(null);
    const busy = { ...r.workloads[0], peers: { losskit: combineRounds([round(2, 5, 0.9), round(2)]) } };
    assert.match(
      consistencyProblems({ ...r, workloads: [busy] }).join('\n'),
      /mse-2\^20, losskit: other processes kept 0\.90 cores busy/,
    );
  });
});

describe('the report of a run with rounds', () => {
  test('marks the disagreeing cell, tabulates every spread and says the run is no reference', () => {
    const md = renderMarkdown(results(contaminatedTrain()));
    assert.match(md, /\| MLP training step \| 9\.50 ms \| 22\.0 ms† · 2\.32× \|/);
    assert.match(md, /\| mse-2\^20 \| 1\.05× \| 1\.10× \|/);
    assert.match(md, /\| training step \| 1\.09× \| 13\.7×† \|/);
    assert.match(md, /Not a reference run:\n\n- training step, PyTorch 1T: round medians 3\.00 ms, 41\.0 ms/);
  });

  test('leaves a disagreeing cell out of the statements of who is faster', () => {
    const lines = slowerStatements(results(contaminatedTrain()).workloads, contaminatedTrain());
    assert.ok(!lines.some((l) => l.includes('training step')), lines.join('\n'));
    const agreeing = { ...contaminatedTrain(), peers: { losskit: cell(9.1, 9.9), 'torch-1t': cell(3, 3.5) } };
    assert.ok(
      slowerStatements([], agreeing).some((l) =>
        /PyTorch 1T runs the MLP training step faster than losskit/.test(l),
      ),
    );
  });

  test('says so when every cell agrees', () => {
    assert.match(renderMarkdown(results(null)), /Every cell's rounds agree within 1\.5×/);
  });
});

describe('the timing policy of one round', () => {
  test('splits the time budget and the sample counts between the rounds, down to a floor', () => {
    const whole = { warmup: 3, budgetMs: 1000, minSamples: 7, maxSamples: 40 };
    assert.deepEqual(perRound(whole, 2, 3), { warmup: 3, budgetMs: 500, minSamples: 4, maxSamples: 20 });
    assert.deepEqual(perRound(whole, 4, 3), { warmup: 3, budgetMs: 250, minSamples: 3, maxSamples: 10 });
    assert.deepEqual(perRound(whole, 1, 3), whole);
  });

  test('never asks a round for more calls than the whole policy did', () => {
    const quickSlow = { warmup: 1, budgetMs: 0, minSamples: 1, maxSamples: 1 };
    assert.deepEqual(perRound(quickSlow, 2, 2), quickSlow);
  });
});

test('when every cell is marked, the report says that the marked cells decide nothing, not that losskit is fastest', () => {
  const busy = (ms: number) => combineRounds([round(ms, 5, 0.9), round(ms, 5, 0.9)]);
  const r = results(null);
  const lines = slowerStatements(
    [{ ...r.workloads[0], peers: { losskit: busy(2), 'torch-1t': busy(1) } }],
    null,
  );
  assert.deepEqual(lines, [
    'No peer is faster than losskit among the cells without † or ‡; the 2 marked cells decide nothing.',
  ]);
});
