import type { Tensor } from '../tensor/index.js';
import { requireUnitInterval, requireZeroOne } from './validate.js';

/**
 * Value checks declared by a loss as data (`checks` in its spec), which the boundary runs once
 * per call, after `validate`, in their declared order. A kernel may fuse them into its own pass
 * over the data (`fusesChecks`): the boundary then hands them to it as `FusedChecks`, and runs
 * whatever the kernel did not cover itself. Messages are those of `validate.ts`.
 */

/** The kinds of value check: each rejects NaN and infinities too. */
export type CheckKind = 'unitInterval' | 'zeroOne';

/** One declared check of one input. */
export interface InputCheck<In extends string, O> {
  readonly input: In;
  readonly check: CheckKind;
  /** The noun naming an offending value in the message (unitInterval; default 'probability'). */
  readonly what?: string;
  /** Whether the check applies for these options (default: always). */
  readonly when?: (options: O) => boolean;
}

/**
 * The declared checks of one call, handed to a kernel that fuses them. A kernel calls `absorb`
 * where its fused pass verified the values, `run` where it did not (before reading them); the
 * boundary runs after the kernel whatever neither covered, so a path that forgets cannot skip
 * a check.
 */
export interface FusedChecks {
  /** Runs every pending check over all values now (throws `LossInputError`); then none is pending. */
  run(): void;
  /**
   * The kernel's pass verified elements [0, upTo) of every checked input (default: all): the
   * rest is scanned now, and an offender there runs the full check, which names it.
   */
  absorb(upTo?: number): void;
}

interface Kind {
  /** Whether one value passes (false for NaN). */
  ok(v: number): boolean;
  /** The full check over the tensor, which names the first offender. */
  full(loss: string, name: string, t: Tensor, what: string | undefined): void;
}

const KINDS: { readonly [K in CheckKind]: Kind } = {
  unitInterval: {
    ok: (v) => v >= 0 && v <= 1,
    full: (loss, name, t, what) => requireUnitInterval(loss, name, t, what),
  },
  zeroOne: {
    ok: (v) => v === 0 || v === 1,
    full: (loss, name, t) => requireZeroOne(loss, name, t),
  },
};

/** The declared checks that apply for these options, in order. */
export function activeChecks<In extends string, O>(
  checks: readonly InputCheck<In, O>[] | undefined,
  options: O,
): readonly InputCheck<In, O>[] {
  if (checks === undefined || checks.length === 0) return [];
  return checks.filter((c) => c.when === undefined || c.when(options));
}

/** Runs the checks over every value of their inputs, in order. */
export function runChecks<In extends string, O>(
  loss: string,
  checks: readonly InputCheck<In, O>[],
  t: { readonly [K in In]: Tensor },
): void {
  for (const c of checks) KINDS[c.check].full(loss, c.input, t[c.input], c.what);
}

/** Checks that are done already (or none were declared): both methods do nothing. */
export const NO_CHECKS: FusedChecks = { run() {}, absorb() {} };

/**
 * The pending checks of one call as `FusedChecks`, with `settle` for the boundary to run after
 * the kernel: whatever the kernel neither ran nor absorbed.
 */
export function pendingChecks<In extends string, O>(
  loss: string,
  checks: readonly InputCheck<In, O>[],
  t: { readonly [K in In]: Tensor },
): FusedChecks & { settle(): void } {
  let pending = true;
  const run = () => {
    if (!pending) return;
    pending = false;
    runChecks(loss, checks, t);
  };
  return {
    run,
    absorb(upTo?: number) {
      if (!pending) return;
      for (const c of checks) {
        const d = t[c.input].data;
        const ok = KINDS[c.check].ok;
        for (let i = upTo ?? d.length; i < d.length; i++) if (!ok(d[i])) run();
      }
      pending = false;
    },
    settle: run,
  };
}
