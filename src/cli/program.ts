import { Command, CommanderError } from 'commander';
import { compareCommand } from './commands/compare.js';
import { explainCommand } from './commands/explain.js';
import { labCommand } from './commands/lab.js';
import { plotCommand } from './commands/plot.js';
import { recommendCommand } from './commands/recommend.js';
import { CliError, type CliIO, processIO } from './io.js';

/** The `losskit` command with its subcommands, writing to `io`. */
export function createProgram(io: CliIO = processIO): Command {
  const program = new Command('losskit')
    .description(
      'losskit: every loss function for training models in TypeScript — the lab, the selection guide and loss plots',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  for (const command of [
    labCommand(io),
    compareCommand(io),
    recommendCommand(io),
    explainCommand(io),
    plotCommand(io),
  ]) {
    command
      .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
      .showHelpAfterError(`(run losskit ${command.name()} --help for usage)`)
      .exitOverride();
    program.addCommand(command);
  }
  program.addHelpText('after', '\nStart with: losskit lab --quick   (then open lab-report/index.html)');
  return program;
}

/** Runs the CLI on `argv` (as `process.argv`: node, script, args…) and returns the exit status. */
export async function runCli(argv: readonly string[], io: CliIO = processIO): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? 0
        : error.exitCode || 2;
    }
    if (error instanceof CliError) {
      io.err(`losskit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
