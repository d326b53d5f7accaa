import type { FloatArray } from '../../tensor/float-array.js';
import { EXP_FRACTION, EXP_POWER } from '../exp-table.js';
import { join, launch, threadCount, workerCount } from '../threads/pool.js';
import { ctcSharedWasm } from './kernels.generated.js';
import { isResidentArray, loadResidentModule, ResidentBlock, type ResidentModule } from './resident.js';

/**
 * The CTC forward–backward recursion in probability space as a WebAssembly kernel (ctc.wat, the
 * JavaScript kernel of losses/sequence/ctcScaled.ts operation for operation, so with the same
 * bits), on the resident memory so that the thread pool's workers share it: the samples of a
 * batch are split over the threads, each sample computed by one thread. The input is copied
 * into the kernel's memory once (not at all when it is a resident array); the gradient is
 * written there and copied out (in place when it is a resident array).
 */

/** −log p(y | x) from what the scaled forward pass leaves: p = scale·2^exponent·final. */
export function scaledLoss(exponent: number, scale: number, final: number): number {
  // scale is in [2⁻⁵⁰⁰, 1] and final in (0, 1]: their product may be subnormal, so two logs.
  return -(exponent * Math.LN2 + Math.log(scale) + Math.log(final));
}

/**
 * The extended label sequence y' = (b, y₁, b, …, y_S, b) of the `length` labels from
 * `labelOffset` into `extended` (length 2S + 1, returned), and into `skip` whether each position
 * may be entered from two before (1: a label that differs from the previous one, else 0). Shared
 * by this kernel's driver and the JavaScript kernels of losses/sequence.
 */
export function extendLabels(
  labels: ArrayLike<number>,
  labelOffset: number,
  length: number,
  blank: number,
  extended: Int32Array,
  skip: Uint8Array | Float64Array,
): number {
  const width = 2 * length + 1;
  for (let s = 0; s < width; s++) {
    const label = s % 2 === 1 ? labels[labelOffset + (s - 1) / 2] : blank;
    extended[s] = label;
    skip[s] = s >= 3 && s % 2 === 1 && label !== extended[s - 2] ? 1 : 0;
  }
  return width;
}

/** One sample of a batch, as the kernel takes it (validated by the caller). */
export interface CtcKernelSample {
  /** Tₙ ≥ 1. */
  readonly steps: number;
  /** The element index of its first frame in the input and the gradient. */
  readonly frameOffset: number;
  /** Where its labels start in `labels`, and Sₙ. */
  readonly labelOffset: number;
  readonly length: number;
  /** The gradient's weight (0: no gradient for this sample). */
  readonly weight: number;
}

/** The batch: scores [N, T, C], labels, and where the gradient goes. */
export interface CtcKernelBatch {
  readonly x: FloatArray;
  readonly classes: number;
  readonly logits: boolean;
  readonly blank: number;
  readonly labels: ArrayLike<number>;
  /** The gradient with respect to x (its frames past a sample's Tₙ are left alone), or null. */
  readonly grad: FloatArray | null;
}

/** Export names the pool's workers call, by index. */
const NAMES = ['samples'] as const;
const SAMPLES = 0;

interface CtcExports {
  samples(desc: number, slot: number): void;
}

/** Bytes of the descriptor and of a sample's record (see ctc.wat). */
const DESC_BYTES = 128;
const RECORD_BYTES = 64;
/** The exp tables: 2^(j/64) (64 values), then 2^-i (1100 values). */
const TABLE_BYTES = 8 * (EXP_FRACTION.length + EXP_POWER.length);

/**
 * Cells of work (frames × (classes + extended labels)) per thread below which a batch stays on
 * one thread: 2^15 cells take about 100 µs, far above the 2–30 µs a launch and join cost.
 */
const MIN_CELLS_PER_THREAD = 1 << 15;

interface CtcKernel extends ResidentModule<CtcExports> {
  readonly block: ResidentBlock;
}

let loaded: CtcKernel | null | undefined;

// Null where there is no resident memory (see resident.ts): the caller keeps its JavaScript kernel.
function kernel(): CtcKernel | null {
  if (loaded === undefined) {
    const m = loadResidentModule<CtcExports>(ctcSharedWasm, NAMES);
    loaded = m === null ? null : { ...m, block: new ResidentBlock(m.store) };
  }
  return loaded;
}

const align = (bytes: number) => (bytes + 15) & ~15;

/** Where each part of a call lives in its block (byte offsets from the block's start). */
interface Layout {
  readonly tables: number;
  readonly records: number;
  readonly labels: number;
  /** Bytes from one sample's extended labels to its skip flags, and from one sample's to the next's. */
  readonly skipOffset: number;
  readonly labelStride: number;
  readonly scratch: number;
  readonly scratchBytes: number;
  /** Offsets within a thread's scratch (the emissions at 0). */
  readonly alpha: number;
  readonly beta: number;
  readonly emitted: number;
  readonly occupation: number;
  readonly rowInverse: number;
  /** The copied input and the gradient's staging, or -1 where they are resident. */
  readonly x: number;
  readonly grad: number;
  readonly bytes: number;
}

function layout(batch: CtcKernelBatch, samples: readonly CtcKernelSample[], parts: number): Layout {
  let time = 1;
  let maxLabels = 0;
  for (const s of samples) {
    time = Math.max(time, s.steps);
    maxLabels = Math.max(maxLabels, s.length);
  }
  const cells = 2 * maxLabels + 3; // L + 2 for the longest sample
  const classes = batch.classes;
  const skipOffset = align(4 * cells);
  const labelStride = skipOffset + 8 * cells;
  const alpha = align(8 * time * classes);
  const beta = alpha + align(8 * time * cells);
  const emitted = beta + align(16 * cells);
  const occupation = emitted + align(8 * cells);
  const rowInverse = occupation + align(8 * classes);
  const scratchBytes = rowInverse + align(8 * time);
  const tables = DESC_BYTES;
  const records = tables + align(TABLE_BYTES);
  const labels = records + RECORD_BYTES * samples.length;
  const scratch = labels + align(labelStride * samples.length);
  const x = isResidentArray(batch.x) ? -1 : scratch + parts * scratchBytes;
  const xEnd = x < 0 ? scratch + parts * scratchBytes : x + align(batch.x.byteLength);
  const g = batch.grad;
  const grad = g === null || isResidentArray(g) ? -1 : xEnd;
  const bytes = grad < 0 ? xEnd : grad + align(g === null ? 0 : g.byteLength);
  return {
    tables,
    records,
    labels,
    skipOffset,
    labelStride,
    scratch,
    scratchBytes,
    alpha,
    beta,
    emitted,
    occupation,
    rowInverse,
    x,
    grad,
    bytes,
  };
}

/**
 * Runs the scaled recursion of every sample of `samples` on the kernel, on as many threads as
 * the work pays for, writing each gradient with respect to x times its weight (frames t < Tₙ)
 * into `batch.grad`, and into `losses[j]` the loss of sample j, or NaN where the kernel declined
 * it (ctcScaled.ts: the caller runs the log-space kernel for that sample, which overwrites any
 * gradient frames the kernel wrote). False (nothing done) where the kernel is unavailable here
 * or its memory is full.
 */
export function ctcKernelLosses(
  batch: CtcKernelBatch,
  samples: readonly CtcKernelSample[],
  losses: Float64Array,
): boolean {
  const k = kernel();
  if (k === null) return false;
  const count = samples.length;
  if (count === 0) return true;
  let cells = 0;
  for (const s of samples) cells += s.steps * (batch.classes + 2 * s.length + 1);
  const enough = Math.floor(cells / MIN_CELLS_PER_THREAD);
  const parts = enough < 2 ? 1 : Math.min(threadCount(), enough, workerCount() + 1, count);
  const at = layout(batch, samples, parts);
  const base = k.block.ensure(at.bytes);
  if (base < 0) return false;
  const buffer = k.memory.buffer;
  const { x, grad } = batch;
  const xAt = at.x < 0 ? x.byteOffset : base + at.x;
  if (at.x >= 0)
    (x instanceof Float32Array
      ? new Float32Array(buffer, xAt, x.length)
      : new Float64Array(buffer, xAt, x.length)
    ).set(x);
  const gAt = grad === null ? 0 : at.grad < 0 ? grad.byteOffset : base + at.grad;
  const gBytes = grad === null ? 0 : grad.BYTES_PER_ELEMENT;
  writeDescriptor(new Int32Array(buffer, base, DESC_BYTES / 4), base, at, batch, count, xAt, gAt, gBytes);
  const tables = new Float64Array(buffer, base + at.tables, TABLE_BYTES / 8);
  tables.set(EXP_FRACTION);
  tables.set(EXP_POWER, EXP_FRACTION.length);
  writeSamples(buffer, base, at, batch, samples);
  let launched = false;
  for (let p = 1; p < parts; p++) if (launch(p - 1, k.kernel, SAMPLES, base, p)) launched = true;
  k.exports.samples(base, 0);
  if (launched) join();
  readLosses(buffer, base + at.records, samples, losses);
  if (grad !== null && at.grad >= 0) copyGradients(buffer, gAt, grad, samples, batch.classes, losses);
  return true;
}

function writeDescriptor(
  d: Int32Array,
  base: number,
  at: Layout,
  batch: CtcKernelBatch,
  count: number,
  xAt: number,
  gAt: number,
  gBytes: number,
): void {
  d.fill(0);
  d[1] = count;
  d[2] = batch.classes;
  d[3] = batch.x.BYTES_PER_ELEMENT;
  d[4] = xAt;
  d[5] = gBytes;
  d[6] = gAt;
  d[7] = batch.logits ? 1 : 0;
  d[8] = batch.blank;
  d[9] = base + at.tables;
  d[10] = base + at.records;
  d[12] = at.skipOffset;
  d[13] = base + at.scratch;
  d[14] = at.scratchBytes;
  d[15] = at.alpha;
  d[16] = at.beta;
  d[17] = at.emitted;
  d[18] = at.occupation;
  d[19] = at.rowInverse;
}

/** Each sample's record and its extended labels (`extendLabels`) with their skip flags as f64. */
function writeSamples(
  buffer: ArrayBufferLike,
  base: number,
  at: Layout,
  batch: CtcKernelBatch,
  samples: readonly CtcKernelSample[],
): void {
  const count = samples.length;
  const ints = new Int32Array(buffer, base + at.records, (RECORD_BYTES / 4) * count);
  const reals = new Float64Array(buffer, base + at.records, (RECORD_BYTES / 8) * count);
  const { labels, blank } = batch;
  for (let j = 0; j < count; j++) {
    const { steps, frameOffset, labelOffset, length, weight } = samples[j];
    const labelsAt = base + at.labels + j * at.labelStride;
    const extended = new Int32Array(buffer, labelsAt, 2 * length + 1);
    // Two flags past the end: the backward pass reads skip[s + 2] (times an emitted 0 there,
    // so they must be finite: the block may hold another call's bytes).
    const skip = new Float64Array(buffer, labelsAt + at.skipOffset, 2 * length + 3);
    const width = extendLabels(labels, labelOffset, length, blank, extended, skip);
    skip.fill(0, width);
    const r = (RECORD_BYTES / 4) * j;
    ints[r] = steps;
    ints[r + 1] = width;
    ints[r + 2] = frameOffset;
    ints[r + 3] = labelsAt;
    reals[(RECORD_BYTES / 8) * j + 2] = weight;
  }
}

/** losses[j]: the loss of a sample the kernel did, NaN for one it declined. */
function readLosses(
  buffer: ArrayBufferLike,
  recordsAt: number,
  samples: readonly CtcKernelSample[],
  losses: Float64Array,
): void {
  const count = samples.length;
  const ints = new Int32Array(buffer, recordsAt, (RECORD_BYTES / 4) * count);
  const reals = new Float64Array(buffer, recordsAt, (RECORD_BYTES / 8) * count);
  for (let j = 0; j < count; j++) {
    const r = (RECORD_BYTES / 8) * j;
    losses[j] =
      ints[(RECORD_BYTES / 4) * j + 12] === 1
        ? scaledLoss(reals[r + 3], reals[r + 4], reals[r + 5])
        : Number.NaN;
  }
}

/** The frames t < Tₙ of each sample the kernel did, from the staging at gAt into `grad`. */
function copyGradients(
  buffer: ArrayBufferLike,
  gAt: number,
  grad: FloatArray,
  samples: readonly CtcKernelSample[],
  classes: number,
  losses: Float64Array,
): void {
  const staged =
    grad instanceof Float32Array
      ? new Float32Array(buffer, gAt, grad.length)
      : new Float64Array(buffer, gAt, grad.length);
  for (let j = 0; j < samples.length; j++) {
    const { steps, frameOffset, weight } = samples[j];
    if (weight === 0 || Number.isNaN(losses[j])) continue;
    grad.set(staged.subarray(frameOffset, frameOffset + steps * classes), frameOffset);
  }
}
