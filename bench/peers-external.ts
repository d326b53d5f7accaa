// Peers in other processes: PyTorch (bench/torch_peer.py) and the C reference (bench/reference.c).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Fill } from './data.js';
import type { TimingPolicy } from './measure.js';
import { otherCores, snapshot } from './interference.js';
import { type Outcome, failed, measured, skipped } from './outcome.js';
import { type Workload, bytesOf } from './workloads.js';

// ---- PyTorch ----

export interface TorchRuntime {
  readonly python: string;
  readonly version: string;
  /**
   * The BLAS library PyTorch's matrix products ran in (real path): Debian's python3-torch uses
   * whatever libblas.so.3 is installed, netlib's slow reference BLAS unless OpenBLAS is, and the
   * training step's time depends heavily on it.
   */
  readonly blas: string;
}

/**
 * The first Python that imports torch: $BENCH_PYTHON, `python3`, then Debian's `/usr/bin/python3`,
 * probed with `torch_peer.py --blas` (torch's version, then the BLAS it loaded).
 */
export function findTorch(script: string): TorchRuntime | string {
  const candidates = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string =>
    Boolean(c),
  );
  for (const python of candidates) {
    const probe = spawnSync(python, [script, '--blas'], { encoding: 'utf8', timeout: 60_000 });
    const [version, blas] = (probe.stdout ?? '').trim().split('\n');
    if (probe.status === 0 && version !== undefined && !version.startsWith('{') && version.length > 0)
      return { python, version, blas: blas ?? 'unknown' };
  }
  return `no python3 here imports torch and numpy (tried ${candidates.join(', ')}; Debian: apt-get install python3-torch)`;
}

/**
 * The convolutional front of a CNN training job: `channels.length` blocks of conv kernel × kernel
 * (stride 1, no padding, bias) → ReLU → max pool `pool` (stride `pool`) over [C, H, W] images,
 * flattened (C, H, W order) into the dense layers of `sizes`.
 */
export interface ConvStack {
  readonly image: readonly [number, number, number];
  readonly channels: readonly number[];
  readonly kernel: number;
  readonly pool: number;
}

export interface TrainJob {
  readonly id: string;
  /** Dense layer sizes (after the conv stack's flattened features, when there is one). */
  readonly sizes: readonly number[];
  /** Convolutions before the dense layers (a CNN job); absent for the MLP job. */
  readonly conv?: ConvStack;
  readonly batch: number;
  readonly learningRate: number;
  readonly inputFill: Fill;
  readonly labelFill: Fill;
}

export interface TorchJob {
  readonly threads: readonly number[];
  readonly policy: TimingPolicy;
  readonly workloads: readonly Workload[];
  /** The training jobs (one, or the MLP and the CNN job), or none. */
  readonly train: TrainJob | readonly TrainJob[] | null;
  /** Time the training step before the workloads (the bench alternates the order by round). */
  readonly trainFirst: boolean;
}

/** One result line of torch_peer.py, for workload (or train job) `id` at `threads` threads. */
export interface TorchResult {
  readonly id: string;
  readonly threads: number;
  readonly outcome: Outcome;
}

interface TorchLine {
  id?: string;
  threads?: number;
  samplesNs?: number[];
  value?: number;
  skipped?: string;
  error?: string;
  otherCores?: number | null;
}

/** Runs torch_peer.py over the job; `onResult` sees each result as it arrives. */
export function runTorch(
  runtime: TorchRuntime,
  script: string,
  job: TorchJob,
  onResult: (r: TorchResult) => void,
): Promise<void> {
  const payload = {
    threads: job.threads,
    policy: job.policy,
    workloads: job.workloads.map((w) => ({ id: w.id, loss: w.loss, options: w.options, inputs: w.inputs })),
    train: job.train,
    trainFirst: job.trainFirst,
  };
  return new Promise((resolve, reject) => {
    // A process that runs one thread count sizes OpenMP's and OpenBLAS's pools to it from the start.
    const sized =
      job.threads.length === 1
        ? { OMP_NUM_THREADS: String(job.threads[0]), OPENBLAS_NUM_THREADS: String(job.threads[0]) }
        : {};
    const child = spawn(runtime.python, [script], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...sized },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      let parsed: TorchLine;
      try {
        parsed = JSON.parse(line) as TorchLine;
      } catch {
        return;
      }
      if (parsed.id === undefined || parsed.threads === undefined) return;
      let outcome: Outcome;
      if (parsed.samplesNs !== undefined && parsed.value !== undefined)
        outcome = measured(parsed.samplesNs, parsed.value, parsed.otherCores ?? null);
      else if (parsed.skipped !== undefined) outcome = skipped(parsed.skipped);
      else outcome = failed(parsed.error ?? 'no result');
      onResult({ id: parsed.id, threads: parsed.threads, outcome });
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`torch_peer.py exited with ${code}: ${stderr.trim().split('\n').pop()}`)),
    );
    child.stdin.end(JSON.stringify(payload));
  });
}

// ---- C reference ----

export interface CRuntime {
  readonly binary: string;
  readonly compiler: string;
}

export const cFlags = ['-O3', '-march=native', '-ffast-math'];

/** Compiles reference.c with $CC (default gcc); a string says why there is no C column. */
export function buildReference(source: string, outDir: string): CRuntime | string {
  const cc = process.env.CC ?? 'gcc';
  const version = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (version.status !== 0) return `no C compiler (${cc} not found; set CC to use another)`;
  mkdirSync(outDir, { recursive: true });
  const binary = `${outDir}/reference`;
  const build = spawnSync(cc, [...cFlags, '-o', binary, source, '-lm'], { encoding: 'utf8' });
  if (build.status !== 0) return `${cc} failed on reference.c: ${build.stderr.trim().split('\n')[0]}`;
  return { binary, compiler: version.stdout.split('\n')[0].trim() };
}

/** The reference's command-line spelling of a fill. */
export function fillArg(fill: Fill): string {
  if (fill.kind === 'uniform') return `u:${fill.seed}:${fill.lo}:${fill.hi}`;
  if (fill.kind === 'bits') return `bits:${fill.seed}`;
  if (fill.kind === 'integers') return `int:${fill.seed}:${fill.lo}:${fill.hi}`;
  const ignore =
    fill.ignoreSeed === undefined
      ? ''
      : `:${fill.ignoreSeed}:${fill.ignoreRate ?? 0}:${fill.ignoreIndex ?? -100}`;
  return `labels:${fill.seed}:${fill.classes}${ignore}`;
}

function policyArgs(policy: TimingPolicy): string[] {
  return [
    `warmup=${policy.warmup}`,
    `budget=${policy.budgetMs}`,
    `min=${policy.minSamples}`,
    `max=${policy.maxSamples}`,
  ];
}

function runReference(c: CRuntime, args: string[]): Outcome {
  const before = snapshot();
  const run = spawnSync(c.binary, args, { encoding: 'utf8', maxBuffer: 1 << 24, timeout: 300_000 });
  const others = otherCores(before, snapshot());
  if (run.status !== 0) return failed(run.stderr.trim() || `exit ${run.status}`);
  try {
    const parsed = JSON.parse(run.stdout) as { samplesNs: number[]; value: number };
    return measured(parsed.samplesNs, parsed.value, others);
  } catch (error) {
    return failed(error);
  }
}

/** The fused C kernel for a workload (numeric options only). */
export function runFused(c: CRuntime, w: Workload, policy: TimingPolicy): Outcome {
  const options = Object.entries(w.options)
    .filter((e): e is [string, number] => typeof e[1] === 'number')
    .map(([k, v]) => `opt=${k}:${v}`);
  const inputs = w.inputs.map((s) => `in=${s.shape.join('x')}:${fillArg(s.fill)}`);
  const outcome = runReference(c, [w.loss, ...policyArgs(policy), ...options, ...inputs]);
  if (outcome.status === 'failed' && outcome.reason.includes('unknown kind'))
    return skipped('no kernel in reference.c');
  return outcome;
}

/** STREAM-style copy or triad moving the workload's byte count. */
export function runStream(c: CRuntime, kind: 'copy' | 'triad', w: Workload, policy: TimingPolicy): Outcome {
  return runReference(c, [kind, ...policyArgs(policy), `bytes=${bytesOf(w)}`]);
}
