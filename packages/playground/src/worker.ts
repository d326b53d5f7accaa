// The training playground's Web Worker: runs a TrainingRun (src/train-core.ts) and posts a
// snapshot after each batch of steps, so that the page never waits on training.
import { type Snapshot, type TrainConfig, TrainingRun } from './train-core.js';

/** Messages the page sends. */
export type WorkerRequest =
  | { readonly type: 'reset'; readonly config: TrainConfig }
  | { readonly type: 'play' }
  | { readonly type: 'pause' }
  | { readonly type: 'step' };

/** Messages the worker sends. */
export type WorkerReply =
  | {
      readonly type: 'snapshot';
      readonly snapshot: Snapshot;
      readonly playing: boolean;
      readonly stepsPerSecond: number;
    }
  | { readonly type: 'error'; readonly message: string };

const STEPS_PER_TICK = 5;
let run: TrainingRun | undefined;
let playing = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let rate = 0;
let trainedSteps = 0;
let trainedMs = 0;

const post = (reply: WorkerReply) =>
  (self as unknown as { postMessage(m: WorkerReply): void }).postMessage(reply);

function send(): void {
  if (run !== undefined) post({ type: 'snapshot', snapshot: run.snapshot(), playing, stepsPerSecond: rate });
}

function advance(count: number): void {
  if (run === undefined) return;
  const start = performance.now();
  run.advance(count);
  // Steps per second over the whole run so far (both sides count as one step).
  trainedMs += performance.now() - start;
  trainedSteps += count;
  if (trainedMs > 0) rate = (trainedSteps * 1000) / trainedMs;
  if (run.done) playing = false;
  send();
}

function tick(): void {
  timer = undefined;
  if (!playing) return;
  advance(STEPS_PER_TICK);
  if (playing) timer = setTimeout(tick, 0);
}

self.addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    switch (request.type) {
      case 'reset':
        playing = false;
        run = new TrainingRun(request.config);
        trainedSteps = 0;
        trainedMs = 0;
        rate = 0;
        send();
        break;
      case 'play':
        if (run === undefined || run.done) break;
        playing = true;
        if (timer === undefined) timer = setTimeout(tick, 0);
        send();
        break;
      case 'pause':
        playing = false;
        send();
        break;
      case 'step':
        playing = false;
        advance(1);
        break;
    }
  } catch (e) {
    post({ type: 'error', message: (e as Error).message });
  }
});
