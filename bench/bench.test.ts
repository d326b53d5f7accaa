// The bench harness: its statistics and formatting, its shared input generator, and that every
// workload computes the same value and gradients in losskit as in its TF.js peer (small inputs).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as losskit from '../packages/losskit/src/index.js';
import { generate, lowbias32, uniformAt } from './data.js';
import { machineBusyTicks, otherCores, processTicks } from './interference.js';
import { type Outcome, measured, skipped } from './outcome.js';
import { fillArg } from './peers-external.js';
import { losskitCalls, losskitInputs, registryEntry, residentCalls } from './peers-losskit.js';
import { type TfRuntime, loadTf, tfCall } from './peers-tfjs.js';
import { type BenchResults, renderMarkdown, slowerStatements, timeCell, valueMismatches } from './report.js';
import { combineRounds } from './rounds.js';
import {
  formatDuration,
  formatRatio,
  markdownTable,
  median,
  quantile,
  sampleCount,
  sig3,
  summarize,
} from './stats.js';
import { losskitTrainStep } from './train-losskit.js';
import { cnnTrainJob, convFeatures, jobParameterCount, tfTrainStep, trainJob } from './train-step.js';
import {
  bytesOf,
  elementsOf,
  makers,
  selectWorkloads,
  sizeOf,
  smallWorkloads,
  workloads,
} from './workloads.js';
import { testMachine } from './test-machine.js';

describe('statistics', () => {
  test('the median of an odd count is the middle value, of an even count the mean of the two middle values', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]));
  });

  test('quantiles interpolate linearly between order statistics', () => {
    assert.equal(quantile([10, 20, 30, 40, 50], 0.25), 20);
    assert.equal(quantile([0, 10], 0.3), 3);
    assert.equal(quantile([7], 0.9), 7);
  });

  test('a summary reports the median, the minimum and the interquartile spread relative to the median', () => {
    const s = summarize([100, 110, 90, 105, 95]);
    assert.equal(s.medianNs, 100);
    assert.equal(s.minNs, 90);
    assert.equal(s.samples, 5);
    assert.ok(Math.abs(s.spread - 0.1) < 1e-12);
  });

  test('the number of timed calls fills the time budget, bounded by the minimum and maximum', () => {
    const policy = { budgetMs: 1000, minSamples: 3, maxSamples: 20 };
    assert.equal(sampleCount(100, policy), 10);
    assert.equal(sampleCount(5000, policy), 3, 'a slow call still gets the minimum');
    assert.equal(sampleCount(1, policy), 20, 'a fast call stops at the maximum');
    assert.equal(sampleCount(0, policy), 20);
  });
});

describe('formatting', () => {
  test('durations pick a unit and keep three significant digits', () => {
    assert.equal(formatDuration(812), '812 ns');
    assert.equal(formatDuration(12_345), '12.3 µs');
    assert.equal(formatDuration(2_410_000), '2.41 ms');
    assert.equal(formatDuration(51_234_000_000), '51.2 s');
    assert.equal(sig3(0.01234), '0.0123');
  });

  test('a ratio below 1 (the peer is faster than losskit) is bold', () => {
    assert.equal(formatRatio(3.66), '3.66×');
    assert.equal(formatRatio(0.5), '**0.500×**');
    assert.equal(formatRatio(Number.NaN), '—');
  });

  test('markdown tables escape pipes and right-align where asked', () => {
    const table = markdownTable(['a', 'b'], [['x|y', '1']], ['l', 'r']);
    assert.equal(table, '| a | b |\n|---|---:|\n| x\\|y | 1 |');
  });

  test('a cell shows the peer time and its ratio to losskit, or why there is no number', () => {
    const ok = combineRounds([measured([4e6, 4e6, 4e6], 1), measured([4e6, 4e6, 4e6], 1)]);
    assert.equal(timeCell(ok, 1e6), '4.00 ms · 4.00×');
    assert.equal(timeCell(ok, 1e6, true), '4.00 ms');
    assert.equal(timeCell(measured([4e6], 1), 1e6), '4.00 ms? · 4.00×', 'a single round is unverified');
    assert.equal(timeCell(skipped('not registered'), 1e6), 'skipped (not registered)');
    assert.equal(timeCell(undefined, 1e6), '—');
  });
});

function fakeResults(): BenchResults {
  const once = (ms: number, value: number): Outcome => measured([ms * 1e6, ms * 1e6, ms * 1e6], value);
  const at = (ms: number, value = 1): Outcome => combineRounds([once(ms, value), once(ms, value)]);
  return {
    machine: testMachine({ versions: { 'TF.js': '4.22.0' }, load: [0.1, 0.1, 0.1], otherCores: 0.05 }),
    mode: { quick: false, only: [], peers: [], rounds: 2 },
    policies: { 'every other peer': { warmup: 1, budgetMs: 10, minSamples: 3, maxSamples: 5 } },
    workloads: [
      {
        id: 'mse-2^20',
        loss: 'mse',
        size: 'N = 2^20',
        elements: 1 << 20,
        bytes: 12 << 20,
        peers: {
          losskit: at(2),
          'tfjs-wasm': at(8),
          'torch-2t': at(1),
          'c-fused': at(0.5),
          'c-triad': at(0.4, 0),
        },
      },
      {
        id: 'focal-2^24',
        loss: 'focal',
        size: 'N = 2^24',
        elements: 1 << 24,
        bytes: 12 << 24,
        peers: { losskit: skipped('not registered'), 'tfjs-wasm': at(8, 2) },
      },
    ],
    train: null,
    notes: ['a note'],
  };
}

describe('report', () => {
  test('names every workload where a peer is faster than losskit, with the factor', () => {
    const lines = slowerStatements(fakeResults().workloads, null);
    assert.ok(
      lines.some((l) => /PyTorch 2T is faster than losskit on mse-2\^20 \(2\.00×\)/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) =>
        /fused C reference is faster than losskit on 1 of 1 workloads: losskit takes 4\.00× to 4\.00×/.test(
          l,
        ),
      ),
      lines.join('\n'),
    );
    assert.ok(!lines.some((l) => l.startsWith('TF.js wasm')), 'a slower peer is not listed');
  });

  test('the markdown names the machine, shows ratios and skipped workloads, and keeps the notes', () => {
    const md = renderMarkdown(fakeResults());
    assert.match(
      md,
      /Machine: Test CPU, 2 cores, 8 GiB, Linux; Node v20; TF\.js 4\.22\.0\. Run 2026-01-01T00:00:00Z; other processes kept 0\.05 cores busy/,
    );
    assert.match(md, /\| mse-2\^20 \| N = 2\^20 \| 2\.00 ms \|/);
    assert.match(md, /8\.00 ms · 4\.00×/);
    assert.match(md, /1\.00 ms · \*\*0\.500×\*\*/);
    assert.match(md, /skipped \(not registered\)/);
    assert.match(md, /- a note/);
  });

  test('loss values are compared with losskit, not the bandwidth kernels', () => {
    assert.deepEqual(valueMismatches(fakeResults().workloads), []);
  });

  test('a TF.js wasm value that drifts while TF.js cpu agrees is put down to float32 accumulation', () => {
    const w = fakeResults().workloads[0];
    const peers = {
      ...w.peers,
      'tfjs-cpu': measured([1, 1, 1], 1),
      'tfjs-wasm': measured([1, 1, 1], 0.97),
      'torch-1t': measured([1, 1, 1], 1.5),
    };
    const lines = valueMismatches([{ ...w, peers }]);
    assert.equal(lines.length, 2);
    assert.match(lines[0], /TF\.js wasm = 0\.97.*float32 accumulation in the wasm kernels/);
    assert.match(lines[1], /PyTorch 1T = 1\.5, losskit = 1 \(relative difference 3\.3e-1\)$/);
  });

  test('a measurement that shared the machine with other busy processes is marked', () => {
    const twice = (otherCores: number | null) =>
      combineRounds([measured([2e6], 1, otherCores), measured([2e6], 1, otherCores)]);
    assert.equal(timeCell(twice(0.5), 1e6), '2.00 ms‡ · 2.00×');
    assert.equal(timeCell(twice(0.05), 1e6), '2.00 ms · 2.00×');
    assert.equal(timeCell(twice(null), 1e6), '2.00 ms · 2.00×');
  });
});

describe('interference from other processes', () => {
  test('reads busy ticks from /proc/stat: user, nice, system, irq, softirq and steal, not idle or iowait', () => {
    assert.equal(machineBusyTicks('cpu  100 5 20 1000 50 3 2 7 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\n'), 137);
  });

  test("reads its own and its children's ticks from /proc/self/stat, even with spaces in the name", () => {
    const stat = '42 (node (bench)) S 1 42 42 0 -1 4194304 100 0 0 0 11 22 33 44 20 0 1 0 100 0 0';
    assert.equal(processTicks(stat), 110);
  });

  test("other processes' share is machine busy time minus our own, per core and second", () => {
    const before = { wallMs: 0, machineBusy: 1000, own: 500 };
    assert.equal(otherCores(before, { wallMs: 2000, machineBusy: 1300, own: 700 }), 0.5);
    assert.equal(otherCores(before, { wallMs: 2000, machineBusy: 1100, own: 700 }), 0, 'never negative');
    assert.equal(otherCores(before, { wallMs: 10, machineBusy: 1300, own: 700 }), null, 'too short to tell');
    assert.equal(otherCores(null, before), null);
  });
});

describe('shared input generator', () => {
  test('matches the Python peer (bench/torch_peer.py) element for element', () => {
    // numbers printed by torch_peer.py's numpy implementation of the same generator
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => uniformAt(1, i)),
      [0.0077651143074035645, 0.6223195791244507, 0.02977454662322998, 0.06072300672531128],
    );
    assert.deepEqual(
      Array.from(generate(4, { kind: 'uniform', seed: 3, lo: -6, hi: 6 })),
      [-5.271219253540039, 5.380009174346924, 1.43499755859375, -0.40352725982666016],
    );
    const labels = generate(6, {
      kind: 'labels',
      seed: 10,
      classes: 8192,
      ignoreSeed: 1010,
      ignoreRate: 0.5,
      ignoreIndex: -100,
    });
    assert.deepEqual(Array.from(labels), [-100, 572, -100, -100, 4107, 6086]);
    assert.deepEqual(
      Array.from(generate(6, { kind: 'integers', seed: 17, lo: 1, hi: 29 })),
      [8, 1, 4, 23, 4, 1],
    );
    assert.deepEqual(
      Array.from(generate(4, { kind: 'integers', seed: 18, lo: 160, hi: 200 })),
      [178, 167, 175, 192],
    );
  });

  test('hashes to unsigned 32-bit integers', () => {
    for (const x of [0, 1, 0xffffffff, 12345678]) {
      const h = lowbias32(x);
      assert.ok(Number.isInteger(h) && h >= 0 && h < 2 ** 32);
    }
  });

  test('fills are spelled for the C reference as it parses them', () => {
    assert.equal(fillArg({ kind: 'uniform', seed: 1, lo: -2, hi: 2 }), 'u:1:-2:2');
    assert.equal(fillArg({ kind: 'bits', seed: 4 }), 'bits:4');
    assert.equal(fillArg({ kind: 'integers', seed: 17, lo: 1, hi: 29 }), 'int:17:1:29');
    assert.equal(
      fillArg({
        kind: 'labels',
        seed: 10,
        classes: 8192,
        ignoreSeed: 1010,
        ignoreRate: 0.1,
        ignoreIndex: -100,
      }),
      'labels:10:8192:1010:0.1:-100',
    );
  });
});

describe('workload table', () => {
  test('holds the sizes issue 6 asks for', () => {
    const ids = workloads.map((w) => w.id);
    for (const id of [
      'mse-2^20',
      'mse-2^24',
      'huber-2^24',
      'bceLogits-2^24',
      'focal-2^24',
      'sparseCE-4096x1000',
      'sparseCE-512x32768',
      'tokenCE-8x512x8192',
      'dice-16x1x256x256',
      'triplet-4096x128',
    ]) {
      assert.ok(ids.includes(id), `missing ${id}`);
    }
  });

  test('counts elements of the differentiable inputs and bytes read plus gradients written', () => {
    const w = makers.sparseCategoricalCrossEntropy(4, 10);
    assert.equal(elementsOf(w), 40);
    assert.equal(bytesOf(w), 4 * (40 + 4 + 40));
    assert.equal(elementsOf(makers.triplet(3, 5)), 45);
  });

  test('--only selects by workload id, loss name or id prefix', () => {
    assert.deepEqual(
      selectWorkloads(workloads, ['mse']).map((w) => w.id),
      ['mse-2^20', 'mse-2^24'],
    );
    assert.deepEqual(
      selectWorkloads(workloads, ['bceLogits']).map((w) => w.loss),
      ['binaryCrossEntropyWithLogits', 'binaryCrossEntropyWithLogits'],
    );
    assert.deepEqual(
      selectWorkloads(workloads, ['huber-2^24']).map((w) => w.id),
      ['huber-2^24'],
    );
    assert.equal(selectWorkloads(workloads, []).length, workloads.length);
  });

  test('every loss in the table has a small version for the equality test below', () => {
    const small = new Set(smallWorkloads.map((w) => w.loss));
    for (const w of workloads) assert.ok(small.has(w.loss), `${w.loss} has no small workload`);
  });
});

test('the resident call of every workload computes the bits of the call with `out`', (t) => {
  for (const w of smallWorkloads) {
    const entry = registryEntry(losskit, w.loss);
    if (entry === null) continue;
    const data = new Map(w.inputs.map((spec) => [spec.name, generate(sizeOf(spec), spec.fill)]));
    const calls = losskitCalls(losskit, entry, w, losskitInputs(losskit, w, data));
    const resident = residentCalls(losskit, entry, w, data);
    try {
      assert.ok(Object.is(resident.call(), calls.reusing()), `${w.id}: values differ`);
      for (const [name, g] of Object.entries(calls.grads)) {
        const mine = resident.grads[name].data;
        assert.ok(losskit.KernelArrays.isResident(mine as Float32Array), `${w.id}: ${name} is not resident`);
        assert.ok(
          Array.from(g.data).every((v, i) => Object.is(v, mine[i])),
          `${w.id}: the gradients of ${name} differ`,
        );
      }
    } finally {
      resident.release();
    }
  }
  t.diagnostic(`${smallWorkloads.length} workloads`);
});

describe('each workload computes the same value and gradients in losskit and TF.js', () => {
  let runtime: TfRuntime | string = 'not loaded';
  before(async () => {
    runtime = await loadTf();
  });
  after(async () => {
    if (typeof runtime !== 'string') await runtime.tf.setBackend('cpu');
  });

  for (const w of smallWorkloads) {
    for (const backend of ['cpu', 'wasm'] as const) {
      test(`${w.id} on TF.js ${backend}`, async (t) => {
        const entry = registryEntry(losskit, w.loss);
        if (entry === null) return t.skip(`${w.loss} is not registered yet`);
        if (w.tfjs === null) return t.skip(`TF.js has no ${w.loss} (its columns are skipped)`);
        assert.ok(typeof runtime !== 'string', `TF.js did not load: ${runtime}`);
        const tf = runtime as TfRuntime;
        assert.equal(tf.backends.get(backend), true, `TF.js ${backend} backend: ${tf.backends.get(backend)}`);
        await tf.tf.setBackend(backend);
        const calls = losskitCalls(losskit, entry, w, losskitInputs(losskit, w));
        const mine = calls.reusing();
        const peer = tfCall(tf.tf, w);
        try {
          const theirs = peer.call();
          assert.ok(
            Math.abs(mine - theirs) <= 1e-5 * Math.max(1, Math.abs(theirs)),
            `value: losskit ${mine}, TF.js ${theirs}`,
          );
          const grads = peer.gradients();
          for (const [name, g] of Object.entries(grads)) {
            const ours = calls.grads[name].data;
            let scale = 0;
            let worst = 0;
            for (let i = 0; i < g.length; i++) {
              scale = Math.max(scale, Math.abs(g[i]));
              worst = Math.max(worst, Math.abs(ours[i] - g[i]));
            }
            assert.ok(
              worst <= 1e-4 * scale + 1e-7,
              `gradient of ${name}: largest difference ${worst}, largest gradient ${scale}`,
            );
          }
        } finally {
          peer.dispose();
        }
      });
    }
  }
});

test('the training step starts from the same weights in losskit and TF.js, and Adam moves both alike', async (t) => {
  const runtime = await loadTf();
  assert.ok(typeof runtime !== 'string', `TF.js did not load: ${runtime}`);
  const tf = runtime as TfRuntime;
  const job = {
    ...trainJob,
    sizes: [20, 16, 16, 4],
    batch: 8,
    learningRate: 0.01,
    labelFill: { kind: 'labels', seed: 22, classes: 4 },
  } as const;
  const mine = losskitTrainStep(losskit, job);
  if (typeof mine === 'string') return t.skip(mine);
  await tf.tf.setBackend('cpu');
  const theirs = tfTrainStep(tf.tf, job);
  try {
    for (let step = 1; step <= 3; step++) {
      const a = mine.step();
      const b = theirs.step();
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `step ${step}: losskit loss ${a}, TF.js loss ${b}`);
    }
  } finally {
    theirs.dispose();
  }
});

test('the CNN step starts from the same weights in losskit and TF.js (NHWC), and Adam moves both alike', async (t) => {
  const runtime = await loadTf();
  assert.ok(typeof runtime !== 'string', `TF.js did not load: ${runtime}`);
  const tf = runtime as TfRuntime;
  // 14×15×2 → conv 3×3×3 → pool 2 (6×6) → conv 3×3×5 → pool 2 (2×2) → dense 4: the flattened
  // features (5·2·2) are ordered differently in NHWC and NCHW, so a wrong transpose shows.
  const conv = { image: [2, 14, 15], channels: [3, 5], kernel: 3, pool: 2 } as const;
  assert.equal(convFeatures(conv), 20);
  const job = {
    ...cnnTrainJob,
    conv,
    sizes: [20, 4],
    batch: 6,
    learningRate: 0.01,
    labelFill: { kind: 'labels', seed: 24, classes: 4 },
  } as const;
  const mine = losskitTrainStep(losskit, job);
  if (typeof mine === 'string') return t.skip(mine);
  await tf.tf.setBackend('cpu');
  const theirs = tfTrainStep(tf.tf, job);
  try {
    for (let step = 1; step <= 3; step++) {
      const a = mine.step();
      const b = theirs.step();
      assert.ok(Math.abs(a - b) <= 1e-4 * Math.abs(b), `step ${step}: losskit loss ${a}, TF.js loss ${b}`);
    }
  } finally {
    theirs.dispose();
  }
});

test("the bench's CNN job is the issue's network: 800 features into dense 10, 12,810 parameters", () => {
  assert.equal(convFeatures(cnnTrainJob.conv!), 32 * 5 * 5);
  // conv1 16·1·9 + 16, conv2 32·16·9 + 32, dense 800·10 + 10: counted independently of jobParameterCount.
  assert.equal(jobParameterCount(cnnTrainJob), 16 * 9 + 16 + 32 * 16 * 9 + 32 + 800 * 10 + 10);
});
