import { LossInputError } from 'losskit';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { compareCommand } from './commands/compare.js';
import { explainCommand } from './commands/explain.js';
import { labCommand } from './commands/lab.js';
import { plotCommand } from './commands/plot.js';
import { recommendCommand } from './commands/recommend.js';
import { CliError, type CliIO, processIO } from './io.js';

/** The `name` and `version` of the package.json in folder `dir`, if there is a readable one. */
function readPackageJson(dir: URL): { name?: unknown; version?: unknown } | undefined {
  try {
    const pkg: unknown = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8'));
    return pkg !== null && typeof pkg === 'object' ? pkg : undefined;
  } catch {
    return undefined; // none here, or not JSON: not losskit's
  }
}

const LAB_PACKAGE = '@losskit/lab';

/**
 * The version in the lab package's package.json (`@losskit/lab`, which provides the `losskit`
 * command), found by walking up from `from` (this compiled file's folder): the package.json sits
 * two folders above it in the package (`dist/cli/`) and in the test build
 * (`.build/packages/lab/src/cli/`, written by scripts/link-build.mjs). Called only when
 * `--version` is asked for.
 */
export function packageVersion(from: URL = new URL('.', import.meta.url)): string {
  for (let dir = from; ; dir = new URL('..', dir)) {
    const pkg = readPackageJson(dir);
    if (pkg?.name === LAB_PACKAGE && typeof pkg.version === 'string') return pkg.version;
    if (new URL('..', dir).href === dir.href)
      throw new CliError(`cannot find the package.json of ${LAB_PACKAGE} above ${fileURLToPath(from)}`);
  }
}

/** The `losskit` command with its subcommands, writing to `io`. */
export function createProgram(io: CliIO = processIO): Command {
  const program = new Command('losskit')
    .description(
      'losskit: every loss function for training models in TypeScript — the lab, the selection guide and loss plots',
    )
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .option('-V, --version', 'print the losskit version and exit')
    .on('option:version', () => {
      io.out(`${packageVersion()}\n`);
      throw new CommanderError(0, 'commander.version', 'version printed');
    });
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
    if (error instanceof LossInputError) {
      io.err(`losskit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
