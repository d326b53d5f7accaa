// Where the CLI writes, so tests can run commands and read what they printed.
export interface CliIO {
  /** Normal output (results, tables). */
  out(text: string): void;
  /** Diagnostics, progress and errors. */
  err(text: string): void;
  /** Whether progress bars can redraw in place (an interactive terminal). */
  readonly interactive: boolean;
}

/** The process's own stdout and stderr. */
export const processIO: CliIO = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  interactive: Boolean(process.stderr.isTTY) && process.env.CI === undefined,
};

/** An error the user can fix: printed as `losskit: <message>` without a stack trace, exit status 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}
