// `npm run bench`: every workload through losskit and its peers in one run, then the report.
// bench/run.mjs compiles this folder and calls `main` with the built core package (packages/losskit/dist/).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { generate } from './data.js';
import { otherCores, snapshot } from './interference.js';
import { type TimingPolicy, timeCalls } from './measure.js';
import {
  type Outcome,
  type PeerId,
  busyThreshold,
  failed,
  measured,
  peerIds,
  peerLabels,
  skipped,
} from './outcome.js';
import {
  type CRuntime,
  buildReference,
  cFlags,
  findTorch,
  runFused,
  runStream,
  runTorch,
  type TorchRuntime,
  type TrainJob,
} from './peers-external.js';
import {
  type LosskitModule,
  losskitCalls,
  losskitInputs,
  registryEntry,
  residentCalls,
} from './peers-losskit.js';
import { type TfBackend, type TfRuntime, loadTf, tfCall } from './peers-tfjs.js';
import { createProgress, type Progress } from './progress.js';
import {
  type BenchResults,
  type MachineInfo,
  type TrainPeer,
  type TrainResult,
  type WorkloadResult,
  renderMarkdown,
} from './report.js';
import { notAReferenceRun, renderReadmeBlock, replaceReadmeBlock } from './readme.js';
import { combineRounds, consistencyProblems } from './rounds.js';
import { formatDuration } from './stats.js';
import { losskitTrainStep } from './train-losskit.js';
import { type GemmThroughput, measureGemmThroughput } from './gemm-throughput.js';
import { cnnTrainJob, jobParameterCount, tfTrainStep, trainJob, trainJobs } from './train-step.js';
import { type Workload, bytesOf, elementsOf, selectWorkloads, sizeOf, workloads } from './workloads.js';

export interface BenchPaths {
  /** The bench/ folder (sources: reference.c, torch_peer.py). */
  readonly benchDir: string;
  /** Where compiled helpers go (bench/out). */
  readonly buildDir: string;
  /** Where losskit was loaded from, for the report. */
  readonly losskitFrom: string;
}

interface Settings {
  readonly only: string[];
  readonly peers: Set<PeerId>;
  readonly quick: boolean;
  readonly train: boolean;
  /** Whether to measure the matrix product's GFLOP/s (gemm-throughput.ts). */
  readonly gemm: boolean;
  readonly outDir: string;
  readonly filtered: boolean;
  /** Seconds to wait at most for other processes to go quiet before starting. */
  readonly waitQuietS: number;
  /** Interleaved rounds per cell (rounds.ts). */
  readonly rounds: number;
}

/**
 * Waits until other processes use less than `busyThreshold / 2` cores over a 5-second window,
 * or `maxS` seconds have passed. Returns how much they used in the last window.
 */
async function waitForQuiet(maxS: number): Promise<number | null> {
  const deadline = performance.now() + maxS * 1000;
  let last: number | null = null;
  do {
    const before = snapshot();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    last = otherCores(before, snapshot());
    if (last === null || last < busyThreshold / 2) return last;
    process.stderr.write(
      `bench: other processes use ${last.toFixed(2)} cores; waiting for a quiet machine\n`,
    );
  } while (performance.now() < deadline);
  return last;
}

const basePolicies = (quick: boolean): { fast: TimingPolicy; slow: TimingPolicy } =>
  quick
    ? {
        fast: { warmup: 2, budgetMs: 150, minSamples: 3, maxSamples: 10 },
        slow: { warmup: 1, budgetMs: 0, minSamples: 1, maxSamples: 1 },
      }
    : {
        fast: { warmup: 3, warmupMs: 400, budgetMs: 1000, minSamples: 7, maxSamples: 40 },
        slow: { warmup: 1, budgetMs: 2500, minSamples: 3, maxSamples: 10 },
      };

/**
 * The policy of one round: the time budget and the sample counts split between the rounds, so
 * that more rounds cost little more time, but at least `floor` timed calls a round (where the
 * whole policy asked for that many) for a round median worth comparing.
 */
export function perRound(p: TimingPolicy, rounds: number, floor: number): TimingPolicy {
  const minSamples = Math.min(p.minSamples, Math.max(floor, Math.ceil(p.minSamples / rounds)));
  return {
    warmup: p.warmup,
    ...(p.warmupMs === undefined ? {} : { warmupMs: p.warmupMs }),
    budgetMs: Math.round(p.budgetMs / rounds),
    minSamples,
    maxSamples: Math.max(minSamples, Math.ceil(p.maxSamples / rounds)),
  };
}

const policies = (quick: boolean, rounds: number): { fast: TimingPolicy; slow: TimingPolicy } => {
  const base = basePolicies(quick);
  return { fast: perRound(base.fast, rounds, 3), slow: perRound(base.slow, rounds, 2) };
};

const peerGroups: Readonly<Record<string, readonly PeerId[]>> = {
  losskit: ['losskit', 'losskit-out', 'losskit-resident'],
  tfjs: ['tfjs-cpu', 'tfjs-wasm'],
  torch: ['torch-1t', 'torch-2t'],
  c: ['c-fused', 'c-copy', 'c-triad'],
};

const list = (s: string | undefined): string[] =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

function parseSettings(argv: readonly string[], benchDir: string, buildDir: string): Settings | null {
  const program = new Command('bench')
    .description('losskit against TF.js, PyTorch and a C reference; writes results.md and results.json')
    .option(
      '--only <list>',
      'workload ids or loss names, comma-separated (env BENCH_ONLY); "train" for the training step',
    )
    .option(
      '--peers <list>',
      `peers: ${peerIds.join(', ')} or groups ${Object.keys(peerGroups).join(', ')} (env BENCH_PEERS)`,
    )
    .option('--quick', 'fewer repetitions (env BENCH_QUICK=1)')
    .option('--no-train', 'skip the training-step benchmark')
    .option(
      '--out <dir>',
      'where to write results.md/json (default: bench/ for a full run, bench/out/ otherwise)',
    )
    .option('--list', 'list the workloads and exit')
    .option(
      '--render <results.json>',
      'only rewrite results.md beside a results.json (after a report change)',
    )
    .option(
      '--rounds <n>',
      'measure every cell in n interleaved rounds and mark cells whose rounds disagree (env BENCH_ROUNDS; default 2)',
    )
    .option(
      '--readme [results.json]',
      "only rewrite the generated block of README.md's Benchmarks section from a results.json (default bench/results.json)",
    )
    .option(
      '--wait-quiet <seconds>',
      'first wait (at most this long) until other processes leave the CPU idle',
    )
    .exitOverride();
  program.parse(argv, { from: 'user' });
  const o = program.opts<{
    only?: string;
    peers?: string;
    quick?: boolean;
    train: boolean;
    out?: string;
    list?: boolean;
    waitQuiet?: string;
    render?: string;
    rounds?: string;
    readme?: string | boolean;
  }>();
  if (o.readme !== undefined) {
    const source = typeof o.readme === 'string' ? o.readme : join(benchDir, 'results.json');
    const results = JSON.parse(readFileSync(source, 'utf8')) as BenchResults;
    const refused = notAReferenceRun(results);
    if (refused !== null) throw new Error(`--readme: ${source} is no reference run: ${refused}`);
    const target = join(benchDir, '..', 'README.md');
    writeFileSync(target, replaceReadmeBlock(readFileSync(target, 'utf8'), renderReadmeBlock(results)));
    process.stdout.write(`Wrote the benchmark block of ${target} from ${source}\n`);
    warnIfNoReference(results);
    return null;
  }
  if (o.render !== undefined) {
    const results = JSON.parse(readFileSync(o.render, 'utf8')) as BenchResults;
    const target = join(dirname(o.render), 'results.md');
    writeFileSync(target, renderMarkdown(results));
    process.stdout.write(`Wrote ${target}\n`);
    return null;
  }
  if (o.list) {
    for (const w of workloads) process.stdout.write(`${w.id.padEnd(24)} ${w.loss.padEnd(32)} ${w.size}\n`);
    for (const { job } of trainJobs) process.stdout.write(`${job.id.padEnd(24)} (--only train)\n`);
    process.stdout.write(`${'gemm-throughput'.padEnd(24)} (--only gemm)\n`);
    return null;
  }
  const only = list(o.only ?? process.env.BENCH_ONLY);
  const peerNames = list(o.peers ?? process.env.BENCH_PEERS);
  const peers = new Set<PeerId>();
  for (const name of peerNames.length === 0 ? peerIds : peerNames) {
    const group = peerGroups[name] ?? (peerIds.includes(name as PeerId) ? [name as PeerId] : null);
    if (group === null)
      throw new Error(
        `unknown peer '${name}' (known: ${peerIds.join(', ')}, ${Object.keys(peerGroups).join(', ')})`,
      );
    for (const p of group) peers.add(p);
  }
  const quick = Boolean(o.quick) || process.env.BENCH_QUICK === '1';
  const rounds = Number(o.rounds ?? process.env.BENCH_ROUNDS ?? 2);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(
      `--rounds must be a whole number of at least 1, got '${o.rounds ?? process.env.BENCH_ROUNDS}'`,
    );
  const filtered = only.length > 0 || peerNames.length > 0 || quick || !o.train || rounds < 2;
  return {
    only,
    peers,
    quick,
    train: o.train && (only.length === 0 || only.includes('train')),
    gemm: o.train && (only.length === 0 || only.includes('gemm')),
    outDir: o.out ?? (filtered ? buildDir : benchDir),
    filtered,
    waitQuietS: o.waitQuiet === undefined ? 0 : Number(o.waitQuiet),
    rounds,
  };
}

/** The commit the bench ran on, and whether the core's source had uncommitted changes (read-only git). */
function sourceState(cwd: string): string | null {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const dirty = spawnSync('git', ['status', '--porcelain', '--', '../packages/losskit/src'], {
    cwd,
    encoding: 'utf8',
  });
  return `commit ${head.stdout.trim()}${dirty.stdout.trim().length > 0 ? ' with uncommitted changes in packages/losskit/src/' : ''}`;
}

function machineInfo(): Omit<MachineInfo, 'versions' | 'otherCores'> {
  let cpu = cpus()[0]?.model ?? 'unknown CPU';
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) cpu = line.split(':')[1].trim();
  } catch {
    // not Linux: os.cpus() model
  }
  return {
    cpu,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    node: process.version,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    load: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

const summaryText = (o: Outcome): string =>
  o.status === 'ok'
    ? `${formatDuration(o.summary.medianNs)} (${o.summary.samples} calls)`
    : `${o.status}: ${o.reason}`;

async function measureSafely(call: () => number, policy: TimingPolicy): Promise<Outcome> {
  try {
    const before = snapshot();
    const t = await timeCalls(call, policy);
    return measured(t.samplesNs, t.value, otherCores(before, snapshot()));
  } catch (error) {
    return failed(error);
  }
}

/** losskit and TF.js (cpu, wasm) on one workload, on the same generated inputs. */
async function inProcess(
  lk: LosskitModule,
  tf: TfRuntime | string,
  w: Workload,
  s: Settings,
  pol: { fast: TimingPolicy; slow: TimingPolicy },
  progress: Progress,
  peers: Partial<Record<PeerId, Outcome>>,
): Promise<void> {
  const data = new Map<string, Float32Array>();
  for (const spec of w.inputs) data.set(spec.name, generate(sizeOf(spec), spec.fill));
  const record = (peer: PeerId, o: Outcome) => {
    peers[peer] = o;
    progress.done(`${w.id} ${peerLabels[peer]}`, summaryText(o));
  };
  const entry = registryEntry(lk, w.loss);
  const mine = (['losskit', 'losskit-out', 'losskit-resident'] as const).filter((p) => s.peers.has(p));
  if (mine.length > 0) {
    if (entry === null) {
      for (const p of mine) record(p, skipped('not registered'));
    } else {
      const calls = losskitCalls(lk, entry, w, losskitInputs(lk, w, data));
      if (s.peers.has('losskit')) {
        progress.start(`${w.id} losskit`);
        record('losskit', await measureSafely(calls.allocating, pol.fast));
      }
      if (s.peers.has('losskit-out')) {
        progress.start(`${w.id} losskit (out)`);
        record('losskit-out', await measureSafely(calls.reusing, pol.fast));
      }
      if (s.peers.has('losskit-resident')) {
        progress.start(`${w.id} losskit (resident)`);
        const resident = residentCalls(lk, entry, w, data);
        try {
          record('losskit-resident', await measureSafely(resident.call, pol.fast));
        } finally {
          resident.release();
        }
      }
    }
  }
  const backends: [PeerId, TfBackend, TimingPolicy][] = [
    ['tfjs-cpu', 'cpu', pol.slow],
    ['tfjs-wasm', 'wasm', pol.fast],
  ];
  for (const [peer, backend, policy] of backends) {
    if (!s.peers.has(peer)) continue;
    if (typeof tf === 'string') {
      record(peer, skipped(tf));
      continue;
    }
    if (w.tfjs === null) {
      record(peer, skipped('TF.js has no equivalent'));
      continue;
    }
    const ready = tf.backends.get(backend);
    if (ready !== true) {
      record(peer, skipped(ready ?? 'not loaded'));
      continue;
    }
    progress.start(`${w.id} ${peerLabels[peer]}`);
    await tf.tf.setBackend(backend);
    let call: ReturnType<typeof tfCall> | null = null;
    try {
      call = tfCall(tf.tf, w, data);
      record(peer, await measureSafely(call.call, policy));
    } catch (error) {
      record(peer, failed(error));
    } finally {
      call?.dispose();
    }
  }
}

/** The TF.js kernels a CNN training step needs beyond the MLP's. */
const cnnKernels = ['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter', 'MaxPool', 'MaxPoolGrad'];

/** Which of `kernels` the TF.js `backend` does not register. */
function tfKernelsMissing(tf: TfRuntime['tf'], backend: TfBackend, kernels: readonly string[]): string[] {
  return kernels.filter((k) => tf.getKernel(k, backend) === undefined);
}

/** The progress name of a training job: "training step" (the MLP) or "CNN training step". */
function stepName(job: TrainJob): string {
  return job.conv === undefined ? 'training step' : 'CNN training step';
}

async function trainStep(
  lk: LosskitModule,
  tf: TfRuntime | string,
  s: Settings,
  pol: { fast: TimingPolicy; slow: TimingPolicy },
  progress: Progress,
  job: TrainJob,
  label: string,
): Promise<TrainResult> {
  const peers: Partial<Record<TrainPeer, Outcome>> = {};
  const name = stepName(job);
  const record = (peer: TrainPeer, o: Outcome) => {
    peers[peer] = o;
    progress.done(`${name} ${peerLabels[peer]}`, summaryText(o));
  };
  if (s.peers.has('losskit')) {
    progress.start(`${name} losskit`);
    const runner = losskitTrainStep(lk, job);
    record(
      'losskit',
      typeof runner === 'string' ? skipped(runner) : await measureSafely(runner.step, pol.fast),
    );
  }
  const backends: [TrainPeer, TfBackend][] = [
    ['tfjs-cpu', 'cpu'],
    ['tfjs-wasm', 'wasm'],
  ];
  for (const [peer, backend] of backends) {
    if (!s.peers.has(peer)) continue;
    if (typeof tf === 'string' || tf.backends.get(backend) !== true) {
      record(peer, skipped(typeof tf === 'string' ? tf : String(tf.backends.get(backend))));
      continue;
    }
    // TF.js 4.22's wasm backend has no Conv2DBackpropFilter kernel: it cannot train a CNN.
    const missing = job.conv === undefined ? [] : tfKernelsMissing(tf.tf, backend, cnnKernels);
    if (missing.length > 0) {
      record(peer, skipped(`the TF.js ${backend} backend has no ${missing.join(', ')} kernel`));
      continue;
    }
    progress.start(`${name} ${peerLabels[peer]}`);
    await tf.tf.setBackend(backend);
    try {
      const runner = tfTrainStep(tf.tf, job);
      try {
        // TF.js cpu takes seconds per CNN step: its policy for the slow 2^24 cells.
        const policy = peer === 'tfjs-cpu' && job.conv !== undefined ? pol.slow : pol.fast;
        record(peer, await measureSafely(runner.step, policy));
      } finally {
        runner.dispose();
      }
    } catch (error) {
      record(peer, failed(error));
    }
  }
  return { id: job.id, label, parameters: jobParameterCount(job), peers };
}

/** A progress that prefixes every step with its round ("round 2/2 mse-2^20 losskit"). */
function inRound(progress: Progress, round: number, rounds: number): Progress {
  const tag = rounds > 1 ? `round ${round}/${rounds} ` : '';
  return {
    start: (label) => progress.start(`${tag}${label}`),
    done: (label, result) => progress.done(`${tag}${label}`, result),
    stop: () => progress.stop(),
  };
}

/** The outcomes of one round: per workload id, and per training job id. */
interface RoundCells {
  readonly workloads: Map<string, Partial<Record<PeerId, Outcome>>>;
  readonly train: Map<string, Partial<Record<TrainPeer, Outcome>>>;
}

/** Every cell of every round joined (rounds.ts: `combineRounds`); a cell missing from a round is left out. */
function joinRounds<K extends string>(
  rounds: readonly (Partial<Record<K, Outcome>> | undefined)[],
): Partial<Record<K, Outcome>> {
  const joined: Partial<Record<K, Outcome>> = {};
  const keys = new Set(rounds.flatMap((r) => Object.keys(r ?? {}) as K[]));
  for (const key of keys) {
    const outcomes = rounds.map((r) => r?.[key]).filter((o): o is Outcome => o !== undefined);
    if (outcomes.length > 0) joined[key] = combineRounds(outcomes);
  }
  return joined;
}

/** Tells on stderr why a run (or a results file) is no reference, cell by cell. */
function warnIfNoReference(r: BenchResults): void {
  const problems = consistencyProblems(r);
  if (problems.length === 0) return;
  process.stderr.write(
    `bench: not a reference run; its cells are marked (? † ‡):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
  );
}

export async function main(
  loadLosskit: () => Promise<LosskitModule>,
  argv: readonly string[],
  paths: BenchPaths,
): Promise<BenchResults | null> {
  const parsed = parseSettings(argv, paths.benchDir, paths.buildDir);
  if (parsed === null) return null;
  const s: Settings = parsed;
  const lk = await loadLosskit();
  const pol = policies(s.quick, s.rounds);
  const chosen = selectWorkloads(workloads, s.only);
  if (chosen.length === 0 && !s.train && !s.gemm)
    throw new Error(`--only ${s.only.join(',')} matches no workload (see --list)`);
  const notes: string[] = [`losskit loaded from ${paths.losskitFrom}.`];
  if (s.waitQuietS > 0) {
    const others = await waitForQuiet(s.waitQuietS);
    if (others !== null && others >= busyThreshold / 2) {
      notes.push(
        `Waited ${s.waitQuietS} s for a quiet machine and started anyway (others used ${others.toFixed(2)} cores).`,
      );
    }
  }
  const startInfo = machineInfo();
  const runStart = snapshot();
  const versions: Record<string, string> = {};
  const source = sourceState(paths.benchDir);
  if (source !== null) versions.losskit = source;

  const wantTf = s.peers.has('tfjs-cpu') || s.peers.has('tfjs-wasm');
  const tf = wantTf ? await loadTf() : 'not selected';
  if (typeof tf !== 'string') {
    versions['TF.js'] = tf.version;
    versions['TF.js wasm SIMD'] = tf.wasmSimd === null ? 'n/a' : String(tf.wasmSimd);
  } else if (wantTf) notes.push(`TF.js columns skipped: ${tf}.`);
  const wantTorch = s.peers.has('torch-1t') || s.peers.has('torch-2t');
  const torchScript = join(paths.benchDir, 'torch_peer.py');
  const torch: TorchRuntime | string = wantTorch ? findTorch(torchScript) : 'not selected';
  if (typeof torch !== 'string') versions.PyTorch = `${torch.version} (${torch.python}; BLAS ${torch.blas})`;
  else if (wantTorch) notes.push(`PyTorch columns skipped: ${torch}.`);
  const wantC = s.peers.has('c-fused') || s.peers.has('c-copy') || s.peers.has('c-triad');
  const c: CRuntime | string = wantC
    ? buildReference(join(paths.benchDir, 'reference.c'), paths.buildDir)
    : 'not selected';
  if (typeof c !== 'string') versions.C = `${c.compiler} ${cFlags.join(' ')}`;
  else if (wantC) notes.push(`C columns skipped: ${c}.`);

  const torchPeers = (['torch-1t', 'torch-2t'] as const).filter((p) => s.peers.has(p));
  const inProcessPeers = (
    ['losskit', 'losskit-out', 'losskit-resident', 'tfjs-cpu', 'tfjs-wasm'] as const
  ).filter((p) => s.peers.has(p));
  const cPeers = (['c-fused', 'c-copy', 'c-triad'] as const).filter((p) => s.peers.has(p));
  const trainSteps = s.train
    ? trainJobs.length *
      (1 + ['tfjs-cpu', 'tfjs-wasm'].filter((p) => s.peers.has(p as PeerId)).length + torchPeers.length)
    : 0;
  const progress = createProgress(
    s.rounds * (chosen.length * (inProcessPeers.length + cPeers.length + torchPeers.length) + trainSteps) +
      (s.gemm ? 1 : 0),
  );

  /** One round: every stage over every chosen workload, the stages and workloads in `order`. */
  async function measureRound(round: number): Promise<RoundCells> {
    const reversed = round % 2 === 0;
    const order = reversed ? [...chosen].reverse() : chosen;
    const p = inRound(progress, round, s.rounds);
    const cells: RoundCells = { workloads: new Map(chosen.map((w) => [w.id, {}])), train: new Map() };
    const peersOf = (id: string) => cells.workloads.get(id)!;

    const inProcessStage = async () => {
      for (const w of order) await inProcess(lk, tf, w, s, pol, p, peersOf(w.id));
    };
    const cStage = async () => {
      for (const w of order) {
        const kinds: [PeerId, () => ReturnType<typeof runFused>][] = [];
        if (typeof c === 'string') {
          for (const peer of cPeers) kinds.push([peer, () => skipped(c)]);
        } else {
          if (s.peers.has('c-fused')) kinds.push(['c-fused', () => runFused(c, w, pol.fast)]);
          if (s.peers.has('c-copy')) kinds.push(['c-copy', () => runStream(c, 'copy', w, pol.fast)]);
          if (s.peers.has('c-triad')) kinds.push(['c-triad', () => runStream(c, 'triad', w, pol.fast)]);
        }
        for (const [peer, run] of kinds) {
          p.start(`${w.id} ${peerLabels[peer]}`);
          const o = run();
          peersOf(w.id)[peer] = o;
          p.done(`${w.id} ${peerLabels[peer]}`, summaryText(o));
        }
      }
    };
    const trainStage = async () => {
      if (!s.train) return;
      for (const { job, label } of reversed ? [...trainJobs].reverse() : trainJobs) {
        const got = (await trainStep(lk, tf, s, pol, p, job, label)).peers;
        cells.train.set(job.id, { ...(cells.train.get(job.id) ?? {}), ...got });
      }
    };
    const torchStage = async () => {
      if (torchPeers.length === 0) return;
      const threads = torchPeers.map((peer) => (peer === 'torch-1t' ? 1 : 2));
      const peerOf = (n: number): 'torch-1t' | 'torch-2t' => (n === 1 ? 'torch-1t' : 'torch-2t');
      const trainCell = (id: string, peer: TrainPeer, o: Outcome) => {
        cells.train.set(id, { ...(cells.train.get(id) ?? {}), [peer]: o });
      };
      const trainIds = new Set(trainJobs.map((t) => t.job.id));
      if (typeof torch === 'string') {
        for (const w of chosen) for (const peer of torchPeers) peersOf(w.id)[peer] = skipped(torch);
        if (s.train)
          for (const id of trainIds) for (const peer of torchPeers) trainCell(id, peer, skipped(torch));
        return;
      }
      // One python process per thread count: a pool left spinning by a 2-thread measurement
      // (OpenMP's and OpenBLAS's workers busy-wait after each parallel region) took the second
      // core from the next 1-thread one and moved PyTorch's cells 3-6x between rounds.
      for (const n of reversed ? [...threads].reverse() : threads) {
        p.start(`PyTorch ${n}T (starting python)`);
        const job = {
          threads: [n],
          policy: pol.fast,
          workloads: order,
          train: s.train ? trainJobs.map((t) => t.job) : null,
          trainFirst: reversed,
        };
        try {
          await runTorch(torch, torchScript, job, (r) => {
            const peer = peerOf(r.threads);
            if (trainIds.has(r.id) && s.train) trainCell(r.id, peer, r.outcome);
            else peersOf(r.id)[peer] = r.outcome;
            p.done(`${r.id} ${peerLabels[peer]}`, summaryText(r.outcome));
          });
        } catch (error) {
          notes.push(
            `PyTorch ${n}T run stopped in round ${round}: ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    };
    const stages = [inProcessStage, cStage, trainStage, torchStage];
    for (const stage of reversed ? stages.reverse() : stages) await stage();
    return cells;
  }

  try {
    const rounds: RoundCells[] = [];
    for (let round = 1; round <= s.rounds; round++) rounds.push(await measureRound(round));

    const results: WorkloadResult[] = chosen.map((w) => ({
      id: w.id,
      loss: w.loss,
      size: w.size,
      elements: elementsOf(w),
      bytes: bytesOf(w),
      peers: joinRounds(rounds.map((r) => r.workloads.get(w.id))),
    }));
    const trainOf = (job: TrainJob): TrainResult | null => {
      const label = trainJobs.find((t) => t.job.id === job.id)?.label ?? job.id;
      return s.train
        ? {
            id: job.id,
            label,
            parameters: jobParameterCount(job),
            peers: joinRounds(rounds.map((r) => r.train.get(job.id))),
          }
        : null;
    };
    const train = trainOf(trainJob);
    const cnnTrain = trainOf(cnnTrainJob);
    let gemm: GemmThroughput | null = null;
    if (s.gemm) {
      progress.start('matrix product GFLOP/s');
      gemm = measureGemmThroughput(lk, paths.benchDir, paths.buildDir, s.rounds, s.quick ? 150 : 400);
      progress.done('matrix product GFLOP/s', gemm.report);
    }

    const unregistered = [
      ...new Set(chosen.filter((w) => registryEntry(lk, w.loss) === null).map((w) => w.loss)),
    ];
    if (unregistered.length > 0)
      notes.push(`Not registered in losskit yet (skipped): ${unregistered.join(', ')}.`);
    notes.push(
      'TF.js: label-derived tensors (one-hot rows, ignore masks) are made before timing; the timed call is tf.valueAndGrads, reading back the scalar value; gradients stay in the backend. Production mode (tf.enableProdMode).',
      'PyTorch: each call sets .grad = None, computes the loss, calls backward() and reads .item(); focal and dice are composed from torch ops as torchvision / the usual recipes do. Threads: one python process per thread count (OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to it), torch.set_num_threads, and openblas_set_num_threads where OpenBLAS does the matrix products.',
      `Allocator: GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'} for every peer (bench/run.mjs), so that where a fresh gradient's pages come from does not depend on what ran before.`,
      `TF.js cpu is slow at 2^24 elements, so it gets ${pol.slow.warmup} warm-up call and ${pol.slow.minSamples}–${pol.slow.maxSamples} timed calls per round; every other peer gets ${pol.fast.warmup} warm-up calls (at least ${pol.fast.warmupMs ?? 0} ms of them) and ${pol.fast.minSamples}–${pol.fast.maxSamples} per round.`,
    );
    const machine: MachineInfo = { ...startInfo, versions, otherCores: otherCores(runStart, snapshot()) };
    if ((machine.otherCores ?? 0) >= busyThreshold) {
      notes.push(
        `Other processes kept ${machine.otherCores?.toFixed(2)} cores busy on average during this run: its timings are noisier than a quiet machine's (‡ marks the measurements affected).`,
      );
    }
    const out: BenchResults = {
      machine,
      mode: { quick: s.quick, only: s.only, peers: [...s.peers], rounds: s.rounds },
      policies: { 'TF.js cpu, per round': pol.slow, 'every other peer, per round': pol.fast },
      workloads: results,
      train,
      cnnTrain,
      gemm,
      notes,
    };
    mkdirSync(s.outDir, { recursive: true });
    writeFileSync(join(s.outDir, 'results.json'), `${JSON.stringify(out, null, 2)}\n`);
    writeFileSync(join(s.outDir, 'results.md'), renderMarkdown(out));
    progress.stop();
    process.stdout.write(
      `\n${renderMarkdown(out)}\nWrote ${join(s.outDir, 'results.md')} and results.json${s.filtered ? ' (a filtered, quick or single-round run: bench/results.* are left as they were)' : ''}.\n`,
    );
    warnIfNoReference(out);
    return out;
  } finally {
    progress.stop();
  }
}
