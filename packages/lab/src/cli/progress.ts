import { MultiBar, Presets, SingleBar } from 'cli-progress';
import type { ExperimentResult, LabProgress } from '../lab/index.js';
import type { CliIO } from './io.js';

/** Progress display for `losskit lab`: a bar per experiment, or plain lines when not in a terminal. */
export interface LabProgressView {
  onProgress(progress: LabProgress): void;
  onExperimentDone(result: ExperimentResult): void;
  stop(): void;
}

/** `held`, `did not hold`, `inconclusive` or `failed to run`. */
const verdictWord = (r: ExperimentResult): string =>
  r.status === 'failed' ? 'failed to run' : r.verdict.outcome;

/** Bars that redraw while training runs synchronously (redraws are forced, at most every 80 ms). */
function barsView(): LabProgressView {
  const multibar = new MultiBar(
    {
      format: ' {bar} {percentage}% | {experiment} {stage}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      barsize: 30,
      stream: process.stderr,
      fps: 12,
    },
    Presets.shades_classic,
  );
  const bars = new Map<string, SingleBar>();
  let lastDraw = 0;
  return {
    onProgress(p) {
      let bar = bars.get(p.experiment);
      if (bar === undefined) {
        bar = multibar.create(100, 0, { experiment: p.experiment.padEnd(24), stage: '' });
        bars.set(p.experiment, bar);
      }
      const seed = p.seeds > 1 ? `seed ${p.seedIndex + 1}/${p.seeds} ` : '';
      bar.update(Math.round(p.fraction * 100), { stage: `${seed}${p.stage ?? ''}` });
      const now = Date.now();
      if (now - lastDraw > 80) {
        lastDraw = now;
        multibar.update();
      }
    },
    onExperimentDone(result) {
      bars
        .get(result.name)
        ?.update(100, { stage: `${verdictWord(result)} (${result.seconds.toFixed(1)} s)` });
      multibar.update();
    },
    stop: () => multibar.stop(),
  };
}

/** One line per experiment start and end: readable in CI logs. */
function linesView(io: CliIO): LabProgressView {
  const started = new Set<string>();
  return {
    onProgress(p) {
      if (started.has(p.experiment)) return;
      started.add(p.experiment);
      io.err(`  running ${p.experiment}…\n`);
    },
    onExperimentDone(result) {
      io.err(`  ${result.name}: ${verdictWord(result)} (${result.seconds.toFixed(1)} s)\n`);
    },
    stop() {},
  };
}

/** Bars in an interactive terminal, plain lines otherwise (CI logs, pipes, tests). */
export function labProgressView(io: CliIO): LabProgressView {
  return io.interactive ? barsView() : linesView(io);
}

/** A single bar for `losskit compare` (nothing when not in a terminal); returns its update and stop. */
export function singleProgress(io: CliIO): { update(fraction: number, stage: string): void; stop(): void } {
  if (!io.interactive) return { update() {}, stop() {} };
  const bar = new SingleBar(
    {
      format: ' {bar} {percentage}% | {stage}',
      hideCursor: true,
      barsize: 30,
      stream: process.stderr,
      fps: 12,
    },
    Presets.shades_classic,
  );
  bar.start(100, 0, { stage: '' });
  return {
    update: (fraction, stage) => bar.update(Math.round(fraction * 100), { stage }),
    stop: () => bar.stop(),
  };
}
