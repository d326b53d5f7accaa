// The results model, and its rendering as bench/results.md.
import { type GemmThroughput, gemmSection } from './gemm-throughput.js';
import type { TimingPolicy } from './measure.js';
import { type Outcome, type PeerId, busyThreshold, computesLoss, peerIds, peerLabels } from './outcome.js';
import {
  comparable,
  consistencyProblems,
  roundCount,
  roundSpread,
  roundsAgreeWithin,
  trustMarks,
} from './rounds.js';
import {
  describeRatio,
  formatDuration,
  formatRatio,
  gigabytesPerSecond,
  markdownTable,
  nsPerElement,
  relativeDifference,
  sig3,
  speedRatio,
} from './stats.js';

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly date: string;
  /** 1-, 5- and 15-minute load averages when the run started (other work on the machine skews timings). */
  readonly load: readonly number[];
  /** Cores other processes kept busy on average during the whole run (null where unknown). */
  readonly otherCores: number | null;
}

export interface WorkloadResult {
  readonly id: string;
  readonly loss: string;
  readonly size: string;
  readonly elements: number;
  readonly bytes: number;
  readonly peers: Partial<Record<PeerId, Outcome>>;
}

export type TrainPeer = 'losskit' | 'tfjs-cpu' | 'tfjs-wasm' | 'torch-1t' | 'torch-2t';
export const trainPeers: readonly TrainPeer[] = ['losskit', 'tfjs-cpu', 'tfjs-wasm', 'torch-1t', 'torch-2t'];

export interface TrainResult {
  readonly id: string;
  readonly label: string;
  readonly parameters: number;
  readonly peers: Partial<Record<TrainPeer, Outcome>>;
}

export interface BenchResults {
  readonly machine: MachineInfo;
  readonly mode: {
    readonly quick: boolean;
    readonly only: readonly string[];
    readonly peers: readonly string[];
    /** Interleaved rounds per cell (rounds.ts); absent in results from before rounds: one. */
    readonly rounds?: number;
  };
  readonly policies: Readonly<Record<string, TimingPolicy>>;
  readonly workloads: readonly WorkloadResult[];
  /** The MLP training step. */
  readonly train: TrainResult | null;
  /** The CNN training step; absent in results from before it was added. */
  readonly cnnTrain?: TrainResult | null;
  /** The matrix product's GFLOP/s against the SIMD peak; absent in older results. */
  readonly gemm?: GemmThroughput | null;
  readonly notes: readonly string[];
}

/** The training steps a results file holds: the MLP's, then the CNN's. */
export function trainResults(r: Pick<BenchResults, 'train' | 'cnnTrain'>): TrainResult[] {
  return [r.train, r.cnnTrain ?? null].filter((t): t is TrainResult => t !== null);
}

/** One training step or several (the MLP's and the CNN's), as a list. */
function asTrainList(train: TrainResult | null | readonly TrainResult[]): readonly TrainResult[] {
  if (train === null) return [];
  return Array.isArray(train) ? train : [train as TrainResult];
}

/** A training step's short name: "MLP training step" or "CNN training step". */
export function trainName(t: TrainResult): string {
  return t.id.startsWith('cnn') ? 'CNN training step' : 'MLP training step';
}

/** Values of peers farther than this from losskit's (relative) are flagged in the report. */
export const valueTolerance = 1e-4;

/** The median time of a cell a comparison may rest on (rounds agree, no busy neighbour), else null. */
const medianOf = (o: Outcome | undefined): number | null => (comparable(o) ? o.summary.medianNs : null);

/** The median time of any measured cell (tables show every number, with its marks). */
export const measuredMedian = (o: Outcome | undefined): number | null =>
  o?.status === 'ok' ? o.summary.medianNs : null;

function statusCell(o: Outcome | undefined): string | null {
  if (o === undefined) return '—';
  if (o.status === 'skipped') return `skipped (${o.reason})`;
  if (o.status === 'failed') return 'failed¹';
  return null;
}

/** The mark of a measurement during which other processes kept the machine busy. */
export const sharedMark = (o: Outcome): string =>
  o.status === 'ok' && (o.otherCores ?? 0) >= busyThreshold ? '‡' : '';

/**
 * "45.1 ms · 3.66×": a peer's median time, its marks (rounds.ts: ‡ busy neighbour, † rounds
 * disagree, ? a single round) and its time relative to losskit's allocating call.
 */
export function timeCell(o: Outcome | undefined, base: number | null, isBase = false): string {
  const status = statusCell(o);
  if (status !== null || o?.status !== 'ok') return status ?? '—';
  const time = `${formatDuration(o.summary.medianNs)}${trustMarks(o)}`;
  if (isBase || base === null) return time;
  return `${time} · ${formatRatio(speedRatio(base, o.summary.medianNs))}`;
}

/** "1.23 ns · 9.7 GB/s" */
export function throughputCell(o: Outcome | undefined, elements: number, bytes: number): string {
  const status = statusCell(o);
  if (status !== null || o?.status !== 'ok') return status ?? '—';
  const ns = o.summary.medianNs;
  return `${sig3(nsPerElement(ns, elements))} ns · ${sig3(gigabytesPerSecond(bytes, ns))} GB/s`;
}

const libraryPeers: readonly PeerId[] = ['tfjs-cpu', 'tfjs-wasm', 'torch-1t', 'torch-2t'];

/** Plain sentences: every workload where a library peer beats losskit, and the gap to C. */
export function slowerStatements(
  results: readonly WorkloadResult[],
  trainSteps: TrainResult | null | readonly TrainResult[],
): string[] {
  const lines: string[] = [];
  for (const peer of libraryPeers) {
    const cases: string[] = [];
    for (const w of results) {
      const mine = medianOf(w.peers.losskit);
      const theirs = medianOf(w.peers[peer]);
      if (mine === null || theirs === null || theirs >= mine) continue;
      const out = medianOf(w.peers['losskit-out']);
      const resident = medianOf(w.peers['losskit-resident']);
      const withOut =
        (out === null ? '' : `, ${sig3(out / theirs)}× with \`out\``) +
        (resident === null ? '' : `, ${sig3(resident / theirs)}× resident`);
      cases.push(`${w.id} (${sig3(mine / theirs)}×${withOut})`);
    }
    if (cases.length > 0) lines.push(`${peerLabels[peer]} is faster than losskit on ${cases.join(', ')}.`);
  }
  const gap = (peer: PeerId) =>
    results
      .map((w) => {
        const mine = medianOf(w.peers.losskit);
        const theirs = medianOf(w.peers[peer]);
        return mine === null || theirs === null ? null : { id: w.id, ratio: mine / theirs };
      })
      .filter((r): r is { id: string; ratio: number } => r !== null);
  const fused = gap('c-fused');
  if (fused.length > 0) {
    const ratios = fused.map((r) => r.ratio).sort((a, b) => a - b);
    const slower = fused.filter((r) => r.ratio > 1);
    if (slower.length > 0) {
      const worst = fused.reduce((a, b) => (b.ratio > a.ratio ? b : a));
      lines.push(
        `The fused C reference is faster than losskit on ${slower.length} of ${fused.length} workloads: losskit takes ${sig3(ratios[0])}× to ${sig3(ratios[ratios.length - 1])}× its time (worst: ${worst.id}).`,
      );
    }
  }
  const triad = gap('c-triad');
  if (triad.length > 0) {
    const ratios = triad.map((r) => r.ratio).sort((a, b) => a - b);
    lines.push(
      `Against the memory-bandwidth limit (STREAM triad moving the same bytes) losskit takes ${sig3(ratios[0])}× to ${sig3(ratios[ratios.length - 1])}× the time.`,
    );
  }
  const trains = asTrainList(trainSteps);
  for (const train of trains) {
    const mine = medianOf(train.peers.losskit);
    for (const peer of trainPeers.filter((p) => p !== 'losskit')) {
      const theirs = medianOf(train.peers[peer]);
      if (mine !== null && theirs !== null && theirs < mine) {
        lines.push(
          `${peerLabels[peer]} runs the ${trainName(train)} faster than losskit (${describeRatio(theirs / mine)}).`,
        );
      }
    }
  }
  if (lines.length === 0) {
    const cells = [
      ...results.flatMap((w) => Object.values(w.peers)),
      ...trains.flatMap((t) => Object.values(t.peers)),
    ];
    const marked = cells.filter((o) => o?.status === 'ok' && !comparable(o)).length;
    lines.push(
      marked === 0
        ? 'No peer measured in this run is faster than losskit.'
        : `No peer is faster than losskit among the cells without † or ‡; the ${marked} marked cells decide nothing.`,
    );
  }
  return lines;
}

/**
 * Peers whose loss value differs from losskit's by more than `valueTolerance`. Where the same
 * TF.js code agrees with losskit on the cpu backend, the wasm backend's difference is its
 * float32 accumulation, and the line says so.
 */
export function valueMismatches(results: readonly WorkloadResult[]): string[] {
  const out: string[] = [];
  for (const w of results) {
    const mine = w.peers.losskit;
    if (mine?.status !== 'ok') continue;
    const differs = (peer: PeerId): number | null => {
      const o = w.peers[peer];
      return o?.status === 'ok' ? relativeDifference(mine.value, o.value) : null;
    };
    for (const peer of peerIds) {
      const o = w.peers[peer];
      if (peer === 'losskit' || !computesLoss(peer) || o?.status !== 'ok') continue;
      const diff = relativeDifference(mine.value, o.value);
      if (diff <= valueTolerance) continue;
      const cpu = differs('tfjs-cpu');
      const why =
        peer === 'tfjs-wasm' && cpu !== null && cpu <= valueTolerance
          ? '; the same TF.js ops agree on the cpu backend: float32 accumulation in the wasm kernels'
          : '';
      out.push(
        `${w.id}: ${peerLabels[peer]} = ${o.value}, losskit = ${mine.value} (relative difference ${diff.toExponential(1)}${why})`,
      );
    }
  }
  return out;
}

function failures(results: readonly WorkloadResult[], trains: readonly TrainResult[]): string[] {
  const out: string[] = [];
  for (const w of results) {
    for (const peer of peerIds) {
      const o = w.peers[peer];
      if (o?.status === 'failed') out.push(`${w.id}, ${peerLabels[peer]}: ${o.reason}`);
    }
  }
  for (const train of trains)
    for (const peer of trainPeers) {
      const o = train.peers[peer];
      if (o?.status === 'failed') out.push(`${trainName(train)}, ${peerLabels[peer]}: ${o.reason}`);
    }
  return out;
}

function samplesLine(results: readonly WorkloadResult[]): string {
  const counts = new Map<PeerId, number[]>();
  for (const w of results) {
    for (const peer of peerIds) {
      const o = w.peers[peer];
      if (o?.status === 'ok') counts.set(peer, [...(counts.get(peer) ?? []), o.summary.samples]);
    }
  }
  return [...counts].map(([peer, n]) => `${peerLabels[peer]} ${Math.min(...n)}–${Math.max(...n)}`).join(', ');
}

function countShared(r: BenchResults): { marked: number; total: number } {
  const all = [
    ...r.workloads.flatMap((w) => Object.values(w.peers)),
    ...trainResults(r).flatMap((t) => Object.values(t.peers)),
  ];
  const known = all.filter((o): o is Outcome => o?.status === 'ok' && o.otherCores !== null);
  return { marked: known.filter((o) => sharedMark(o) !== '').length, total: known.length };
}

/** "1.04×": a cell's slowest round median ÷ its fastest, marked † above `roundsAgreeWithin`. */
export function spreadCell(o: Outcome | undefined): string {
  const spread = o === undefined ? null : roundSpread(o);
  if (spread === null) return '—';
  return `${sig3(spread)}×${spread > roundsAgreeWithin ? '†' : ''}`;
}

/** The section on the rounds: how far each cell's rounds agree, and what makes the run no reference. */
export function roundsSection(r: BenchResults): string[] {
  const out: string[] = ['## Rounds: do repeated measurements agree?', ''];
  const rounds = roundCount(r);
  if (rounds < 2) {
    out.push(
      'Each cell was measured in a single round, so nothing checks it: every time carries `?`. ' +
        'Run the bench with `--rounds 2` or more for numbers that can be trusted.',
      '',
    );
  } else {
    out.push(
      `Each cell was measured in ${rounds} interleaved rounds: every peer of every workload, then all of them ` +
        "again in the opposite order (PyTorch in a fresh process each round). Below: the slowest round's median " +
        `÷ the fastest's. Above ${roundsAgreeWithin}× (†) the rounds disagree and the cell is no reference number.`,
      '',
    );
    const trainCell = (p: PeerId): Outcome | undefined => r.train?.peers[p as TrainPeer];
    const cnnCell = (p: PeerId): Outcome | undefined => r.cnnTrain?.peers[p as TrainPeer];
    const present = peerIds.filter(
      (p) =>
        r.workloads.some((w) => w.peers[p] !== undefined) ||
        trainCell(p) !== undefined ||
        cnnCell(p) !== undefined,
    );
    const rows = r.workloads.map((w) => [w.id, ...present.map((p) => spreadCell(w.peers[p]))]);
    if (r.train !== null) rows.push(['training step', ...present.map((p) => spreadCell(trainCell(p)))]);
    if (r.cnnTrain) rows.push(['CNN training step', ...present.map((p) => spreadCell(cnnCell(p)))]);
    out.push(
      markdownTable(['workload', ...present.map((p) => peerLabels[p])], rows, [
        'l',
        ...present.map(() => 'r' as const),
      ]),
      '',
    );
  }
  const problems = consistencyProblems(r);
  if (problems.length === 0)
    out.push(
      `Every cell's rounds agree within ${roundsAgreeWithin}× and no measurement shared the machine with a busy process.`,
      '',
    );
  else {
    out.push('Not a reference run:', '');
    for (const p of problems) out.push(`- ${p}`);
    out.push('');
  }
  return out;
}

/** The markdown report. */
export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  const present = peerIds.filter((p) => r.workloads.some((w) => w.peers[p] !== undefined));
  const out: string[] = [];
  out.push('# losskit benchmark results', '');
  out.push(
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}; Node ${m.node}; ` +
      `${Object.entries(m.versions)
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}. Run ${m.date}${r.mode.quick ? ' (quick mode: fewer repetitions)' : ''}` +
      `${m.otherCores === null ? '' : `; other processes kept ${m.otherCores.toFixed(2)} cores busy on average during the run`}.`,
    '',
  );
  out.push(
    'Each cell is the median time of one value + gradient call (float32, reduction mean) after warm-up, ' +
      "data generation excluded, and the peer's time divided by losskit's allocating call: above 1× the peer " +
      'is slower, **bold** below 1× where the peer is faster. "losskit (out)" reuses its gradient buffers ' +
      '(`valueAndGrad(inputs, options, null, { grads })`); "losskit (resident)" is the same call with the inputs ' +
      "and gradient buffers in the kernels' memory (`KernelArrays`: the kernels that take them read and write " +
      'in place and split large calls over the threads; the inputs are copied in once, outside the timing). ' +
      'C fused is one hand-written pass compiled with ' +
      '`gcc -O3 -march=native -ffast-math`; C copy/triad are STREAM kernels moving the same number of bytes ' +
      '(the memory-bandwidth limit). All peers compute on identical inputs (a shared hash generator).',
    '',
  );
  const base = (w: WorkloadResult) => measuredMedian(w.peers.losskit);
  out.push('## Value + gradient: median time, and peer time ÷ losskit time', '');
  out.push(
    markdownTable(
      ['workload', 'size', ...present.map((p) => peerLabels[p])],
      r.workloads.map((w) => [
        w.id,
        w.size,
        ...present.map((p) => timeCell(w.peers[p], base(w), p === 'losskit')),
      ]),
      ['l', 'l', ...present.map(() => 'r' as const)],
    ),
    '',
  );
  out.push('## Throughput: ns per element and GB/s', '');
  out.push(
    'Elements are those of the differentiable inputs; bytes are the least traffic of a call (every input read once, ' +
      'every gradient written once, 4 bytes each).',
    '',
  );
  out.push(
    markdownTable(
      ['workload', 'elements', 'MB/call', ...present.map((p) => peerLabels[p])],
      r.workloads.map((w) => [
        w.id,
        String(w.elements),
        sig3(w.bytes / 1e6),
        ...present.map((p) => throughputCell(w.peers[p], w.elements, w.bytes)),
      ]),
      ['l', 'r', 'r', ...present.map(() => 'r' as const)],
    ),
    '',
  );
  const trains = trainResults(r);
  if (trains.length > 0) {
    const columns = trainPeers.filter((p) => trains.some((t) => t.peers[p] !== undefined));
    out.push('## Training step', '');
    out.push(
      markdownTable(
        ['step', ...columns.map((p) => peerLabels[p])],
        trains.map((t) => {
          const trainBase = measuredMedian(t.peers.losskit);
          return [
            t.label,
            ...columns.map((p) =>
              t.peers[p] === undefined ? '—' : timeCell(t.peers[p], trainBase, p === 'losskit'),
            ),
          ];
        }),
        ['l', ...columns.map(() => 'r' as const)],
      ),
      '',
    );
  }
  if (r.gemm) out.push(gemmSection(r.gemm));
  out.push(...roundsSection(r));
  out.push('## Where losskit is slower', '');
  out.push(
    "Factors in brackets are losskit's time divided by the peer's: first losskit's allocating call, then the call with `out`. " +
      'Cells marked † (rounds disagree) or ‡ (busy neighbour) are left out.',
    '',
  );
  for (const line of slowerStatements(r.workloads, trains)) out.push(`- ${line}`);
  out.push('');
  const mismatches = valueMismatches(r.workloads);
  out.push('## Checks', '');
  out.push(
    mismatches.length === 0
      ? `- Every peer's loss value agrees with losskit's within ${valueTolerance} (relative).`
      : `- Loss values that differ from losskit's by more than ${valueTolerance}:\n${mismatches.map((s) => `  - ${s}`).join('\n')}`,
  );
  const shared = countShared(r);
  if (shared.total > 0) {
    out.push(
      `- ‡ marks a measurement during which other processes kept at least ${busyThreshold} cores busy (${shared.marked} of ${shared.total}): on 2 cores that slows most a peer that uses both (PyTorch 2T).`,
    );
  }
  out.push(`- Timed calls per measurement: ${samplesLine(r.workloads)}.`);
  for (const [name, p] of Object.entries(r.policies)) {
    out.push(
      `- ${name}: ${p.warmup} warm-up call(s)${p.warmupMs ? ` and at least ${p.warmupMs} ms of them` : ''}, then enough calls for ${p.budgetMs} ms, at least ${p.minSamples}, at most ${p.maxSamples}.`,
    );
  }
  const failed = failures(r.workloads, trains);
  if (failed.length > 0) {
    out.push('', '¹ Failures:', '');
    for (const f of failed) out.push(`- ${f}`);
  }
  if (r.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  out.push('');
  return out.join('\n');
}
