import { Command, Option } from 'commander';
import {
  type CompareTask,
  DataError,
  compareLosses,
  compareTasks,
  formatComparison,
  tableToDataset,
} from '../../lab/index.js';
import { readCsv } from '../csv.js';
import { CliError, type CliIO } from '../io.js';
import { positiveInteger } from '../parse-args.js';
import { singleProgress } from '../progress.js';

interface CompareFlags {
  target: string;
  task: CompareTask;
  seed: number;
  json?: boolean;
}

export function compareCommand(io: CliIO): Command {
  return new Command('compare')
    .description(
      'train a small model on your CSV with each suitable loss and report which did best on a held-out split',
    )
    .argument('<file>', 'CSV file with a header row; every column but the target must be numeric')
    .requiredOption('--target <column>', 'name of the column to predict')
    .addOption(
      new Option('--task <task>', 'what kind of target it is').choices(compareTasks).makeOptionMandatory(),
    )
    .option('--seed <n>', 'seed for the split, the initialisation and the shuffling', positiveInteger, 1)
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  losskit compare houses.csv --target price --task regression\n  losskit compare churn.csv --target churned --task binary',
    )
    .action(async (file: string, flags: CompareFlags) => {
      const table = await readCsv(file);
      let result: ReturnType<typeof compareLosses>;
      const progress = singleProgress(io);
      try {
        const dataset = tableToDataset(table, flags.target, flags.task);
        result = compareLosses(dataset, { task: flags.task, seed: flags.seed, onProgress: progress.update });
      } catch (error) {
        if (error instanceof DataError) throw new CliError(error.message);
        throw error;
      } finally {
        progress.stop();
      }
      io.out(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatComparison(result)}\n`);
    });
}
