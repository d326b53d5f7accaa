// Runs the CLI in-process and captures what it prints.
import type { CliIO } from '../../packages/lab/src/cli/io.js';
import { runCli } from '../../packages/lab/src/cli/program.js';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(...args: string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    interactive: false,
  };
  const code = await runCli(['node', 'losskit', ...args], io);
  return { code, stdout, stderr };
}
