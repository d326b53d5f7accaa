import { join, resolve } from 'node:path';
import { Command } from 'commander';
import {
  experiments,
  formatClaimsMarkdown,
  formatSummary,
  runLab,
  selectExperiments,
} from '../../lab/index.js';
import { renderReport } from '../../lab/report/index.js';
import { CliError, type CliIO, checkOutputFolder, createOutputFolder, writeOutputFile } from '../io.js';
import { nameList, positiveIntegerUpTo } from '../parse-args.js';
import { labProgressView } from '../progress.js';

interface LabFlags {
  only?: string[];
  quick?: boolean;
  seeds: number;
  out: string;
  list?: boolean;
}

/** The most seeds `--seeds` takes: each one repeats every experiment. */
export const MAX_SEEDS = 1000;

/**
 * `losskit lab`: runs the built-in experiments and writes index.html, metrics.json and claims.md
 * into `--out` (checked before anything runs; only its last folder is created).
 */
export function labCommand(io: CliIO): Command {
  return new Command('lab')
    .description(
      "train small models on built-in data with competing losses and report whether the catalogue's claims hold",
    )
    .option('--only <names>', 'comma-separated experiment names to run (see --list)', nameList)
    .option(
      '--quick',
      'smaller data and fewer steps, for a quick check (the summary line says how long the run took)',
    )
    .option(
      '--seeds <n>',
      `repeat every experiment with n seeds (1 to ${MAX_SEEDS}) and report mean ± spread`,
      positiveIntegerUpTo(MAX_SEEDS),
      1,
    )
    .option(
      '--out <dir>',
      'folder for index.html, metrics.json and claims.md (a Markdown table of the verdicts); created if missing, but its parent folder must exist',
      'lab-report',
    )
    .option('--list', 'list the experiments and their claims, then exit')
    .addHelpText(
      'after',
      '\nExamples:\n  losskit lab                      the full lab\n  losskit lab --quick --out /tmp/r  a quick run\n  losskit lab --only regression-outliers --seeds 5',
    )
    .action(async (flags: LabFlags) => {
      if (flags.list) {
        for (const e of experiments) io.out(`${e.name.padEnd(26)} ${e.claim}\n`);
        return;
      }
      let selected: ReturnType<typeof selectExperiments>;
      try {
        selected = selectExperiments(experiments, flags.only);
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      if (selected.length === 0) throw new CliError('there are no experiments to run');
      const outDir = resolve(flags.out);
      // Checked before the experiments run, so that a bad path does not cost the whole run.
      await checkOutputFolder('--out', outDir);
      const view = labProgressView(io);
      io.err(
        `losskit lab: ${selected.length} experiment(s), ${flags.seeds} seed(s)${flags.quick ? ', quick mode' : ''}\n`,
      );
      const result = await runLab({
        experiments: selected,
        quick: flags.quick ?? false,
        seeds: flags.seeds,
        onProgress: (p) => view.onProgress(p),
        onExperimentDone: (r) => view.onExperimentDone(r),
      }).finally(() => view.stop());
      const command = [
        'losskit lab',
        flags.quick ? '--quick' : '',
        flags.seeds > 1 ? `--seeds ${flags.seeds}` : '',
        flags.only ? `--only ${flags.only.join(',')}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      await createOutputFolder('--out', outDir);
      const html = renderReport(result, {
        generatedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        command,
        metricsFile: 'metrics.json',
      });
      await writeOutputFile('--out', join(outDir, 'index.html'), html);
      await writeOutputFile('--out', join(outDir, 'metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
      await writeOutputFile('--out', join(outDir, 'claims.md'), `${formatClaimsMarkdown(result)}\n`);
      io.out(
        `\n${formatSummary(result)}\n\nReport: ${join(outDir, 'index.html')}\nMetrics: ${join(outDir, 'metrics.json')}\n`,
      );
      const failed = result.experiments.filter((e) => e.status === 'failed');
      if (failed.length > 0)
        throw new CliError(
          `${failed.length} experiment(s) failed to run: ${failed.map((e) => e.name).join(', ')}`,
        );
    });
}
