// How much CPU other processes took while a measurement ran (Linux /proc; null elsewhere).
// On a 2-core machine one busy neighbour halves what a 2-thread peer can get, so the report
// marks every measurement that shared the machine.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/stat and /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface CpuSnapshot {
  readonly wallMs: number;
  /** Busy ticks of the whole machine (user, nice, system, irq, softirq, steal). */
  readonly machineBusy: number;
  /** Ticks of this process and its waited-for children. */
  readonly own: number;
}

/** Busy ticks from the aggregate line of /proc/stat. */
export function machineBusyTicks(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (line === undefined) throw new Error('no cpu line in /proc/stat');
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return user + nice + system + irq + softirq + (steal ?? 0);
}

/** utime + stime + cutime + cstime from /proc/<pid>/stat (fields 14-17). */
export function processTicks(pidStat: string): number {
  const fields = pidStat.slice(pidStat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
}

export function snapshot(): CpuSnapshot | null {
  try {
    return {
      wallMs: performance.now(),
      machineBusy: machineBusyTicks(readFileSync('/proc/stat', 'utf8')),
      own: processTicks(readFileSync('/proc/self/stat', 'utf8')),
    };
  } catch {
    return null;
  }
}

/** Average number of cores other processes kept busy between two snapshots (≥ 0). */
export function otherCores(before: CpuSnapshot | null, after: CpuSnapshot | null): number | null {
  if (before === null || after === null) return null;
  const wallTicks = ((after.wallMs - before.wallMs) / 1000) * TICKS_PER_SECOND;
  if (wallTicks < 5) return null; // too short for tick resolution
  const others = after.machineBusy - before.machineBusy - (after.own - before.own);
  return Math.max(0, others / wallTicks);
}
