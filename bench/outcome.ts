// What one peer's measurement of one workload came to.
import { type Summary, summarize } from './stats.js';

/** One round of a measurement: the bench measures every peer in interleaved rounds (rounds.ts). */
export interface Round {
  readonly medianNs: number;
  readonly samples: number;
  /** Cores other processes kept busy during this round (null where unknown). */
  readonly otherCores: number | null;
}

export type Outcome =
  | {
      readonly status: 'ok';
      /** Over the samples of every round together. */
      readonly summary: Summary;
      readonly value: number;
      readonly samplesNs: readonly number[];
      /** Cores other processes kept busy meanwhile: the most of any round (null where unknown). */
      readonly otherCores: number | null;
      /** Each round on its own; absent in results from before rounds (one round, unchecked). */
      readonly rounds?: readonly Round[];
    }
  | { readonly status: 'skipped'; readonly reason: string }
  | { readonly status: 'failed'; readonly reason: string };

export function measured(
  samplesNs: readonly number[],
  value: number,
  otherCores: number | null = null,
): Outcome {
  return { status: 'ok', summary: summarize(samplesNs), value, samplesNs, otherCores };
}

/** A measurement that shared the machine with other processes using at least this many cores is marked. */
export const busyThreshold = 0.2;

export const skipped = (reason: string): Outcome => ({ status: 'skipped', reason });

export function failed(error: unknown): Outcome {
  const message = error instanceof Error ? error.message : String(error);
  return { status: 'failed', reason: message.split('\n')[0].slice(0, 200) };
}

/** The peers (columns) of the report, in column order. */
export const peerIds = [
  'losskit',
  'losskit-out',
  'losskit-resident',
  'tfjs-cpu',
  'tfjs-wasm',
  'torch-1t',
  'torch-2t',
  'c-fused',
  'c-copy',
  'c-triad',
] as const;
export type PeerId = (typeof peerIds)[number];

export const peerLabels: Readonly<Record<PeerId, string>> = {
  losskit: 'losskit',
  'losskit-out': 'losskit (out)',
  'losskit-resident': 'losskit (resident)',
  'tfjs-cpu': 'TF.js cpu',
  'tfjs-wasm': 'TF.js wasm',
  'torch-1t': 'PyTorch 1T',
  'torch-2t': 'PyTorch 2T',
  'c-fused': 'C fused',
  'c-copy': 'C copy',
  'c-triad': 'C triad',
};

/** Peers that compute the loss (their value must agree with losskit's); copy/triad do not. */
export const computesLoss = (peer: PeerId): boolean => peer !== 'c-copy' && peer !== 'c-triad';
