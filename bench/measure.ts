// Timing of in-process calls: warm-up, then a number of timed calls chosen from the duration of
// a warm call so that slow peers (TF.js's cpu backend at 2^24 elements) get fewer repetitions.
import { type RepetitionPolicy, sampleCount } from './stats.js';

export interface TimingPolicy extends RepetitionPolicy {
  /** Warm-up calls (JIT, allocator, caches) before timing; calls slower than 1 s get one. */
  readonly warmup: number;
  /**
   * Keep warming up until this much time has passed (at most 500 calls): V8 serves the first
   * few dozen multi-megabyte typed arrays slowly (12 ms against 0.7 ms for a 4 MiB gradient),
   * so a fixed count of warm-up calls timed that phase in the first round and not the second.
   */
  readonly warmupMs?: number;
}

export interface Timing {
  readonly samplesNs: number[];
  /** The loss value the last call returned (checked against the other peers). */
  readonly value: number;
}

const nowNs = (): number => Number(process.hrtime.bigint());

/**
 * Times `call` (which must finish its work before returning and return the loss value).
 * Garbage collection is not forced between calls: the cost of the garbage a call leaves
 * (allocated gradients, TF.js's intermediate tensors) is part of what is measured.
 */
export async function timeCalls(call: () => number | Promise<number>, policy: TimingPolicy): Promise<Timing> {
  let t0 = nowNs();
  let value = await call();
  let last = nowNs() - t0;
  const warmups = last > 1e9 ? 0 : policy.warmup - 1;
  const warmStart = t0;
  const warmNs = (policy.warmupMs ?? 0) * 1e6;
  for (let i = 0; i < warmups || (i < 500 && nowNs() - warmStart < warmNs); i++) {
    t0 = nowNs();
    value = await call();
    last = nowNs() - t0;
  }
  const count = sampleCount(last / 1e6, policy);
  const samplesNs: number[] = [];
  for (let i = 0; i < count; i++) {
    t0 = nowNs();
    value = await call();
    samplesNs.push(nowNs() - t0);
  }
  return { samplesNs, value };
}
