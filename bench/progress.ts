// Progress while the bench runs: a cli-progress bar on a terminal, one line per step otherwise.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Marks the start of a step (shown on the bar / printed). */
  start(label: string): void;
  /** Marks a step done, with a short result. */
  done(label: string, result: string): void;
  stop(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) {
    let n = 0;
    return {
      start: () => {},
      done: (label, result) => {
        n++;
        stream.write(`[${n}/${total}] ${label}: ${result}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: '{bar} {value}/{total} | {duration_formatted} | {step}', hideCursor: true, stream, fps: 5 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { step: 'starting' });
  return {
    start: (label) => bar.update({ step: label }),
    done: (label, result) => {
      bar.increment(1, { step: `${label}: ${result}` });
    },
    stop: () => bar.stop(),
  };
}
