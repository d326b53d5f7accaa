import { Command, InvalidArgumentError, Option } from 'commander';
import {
  type CompareTask,
  type ComparisonResult,
  DataError,
  compareLosses,
  compareTasks,
  formatComparison,
  tableToDataset,
} from '../../lab/index.js';
import { compareLimits } from '../../lab/compare/compare-losses.js';
import { LossInputError } from 'losskit';
import { readCsv } from '../csv.js';
import { CliError, type CliIO } from '../io.js';
import { nameList, nonNegativeInteger, positiveIntegerUpTo } from '../parse-args.js';
import { singleProgress } from '../progress.js';

interface CompareFlags {
  target: string;
  task: CompareTask;
  seed: number;
  seeds: number;
  testFraction: number;
  epochs?: number;
  hidden: number[];
  columns?: string[];
  ignore?: string[];
  json?: boolean;
}

/** Commander parser for a fraction strictly between 0 and 1. */
export function openFraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n > 0 && n < 1))
    throw new InvalidArgumentError(`expected a number between 0 and 1 (exclusive), got '${value}'`);
  return n;
}

/** Commander parser for comma-separated layer widths, e.g. `32,32` (within `compareLimits`). */
export function layerWidths(value: string): number[] {
  const { hiddenLayers, hiddenWidth } = compareLimits;
  const width = positiveIntegerUpTo(hiddenWidth);
  const parts = value.split(',');
  try {
    if (parts.length > hiddenLayers) throw new Error('too many layers');
    return parts.map((part) => width(part));
  } catch {
    throw new InvalidArgumentError(
      `expected 1 to ${hiddenLayers} comma-separated widths from 1 to ${hiddenWidth}, such as 32,32, got '${value}'`,
    );
  }
}

const examples = `
Examples:
  losskit compare houses.csv --target price --task regression
  losskit compare churn.csv --target churned --task binary --seeds 10
  losskit compare flowers.csv --target species --task multiclass --hidden 64,64 --epochs 50
  losskit compare patients.csv --target outcome --task binary --ignore id,name --test-fraction 0.3
  losskit compare houses.csv --target price --task regression --columns area,rooms --seed 0 --json

A loss is named best only when, against every other loss, its mean lead over the seeds is
larger than the seed-to-seed spread of that lead. A constant and a linear baseline are shown
for scale; the report warns when one of them beats every loss.`;

export function compareCommand(io: CliIO): Command {
  return new Command('compare')
    .description(
      'train a small model on your CSV with each suitable loss over several seeds, next to a constant and a linear baseline, and report whether one loss is clearly better on held-out rows',
    )
    .argument('<file>', 'CSV file with a header row; the feature columns must be numeric')
    .requiredOption('--target <column>', 'name of the column to predict (required; e.g. --target price)')
    .addOption(
      new Option('--task <task>', 'what kind of target it is (required; e.g. --task binary)')
        .choices(compareTasks)
        .makeOptionMandatory(),
    )
    .option(
      '--seeds <n>',
      `how many seeds to run (1 to ${compareLimits.seeds}); each has its own split, initialisation and shuffling (e.g. --seeds 10)`,
      positiveIntegerUpTo(compareLimits.seeds),
      5,
    )
    .option('--seed <n>', 'the first seed; the others follow it (e.g. --seed 0)', nonNegativeInteger, 1)
    .option(
      '--test-fraction <f>',
      'share of the rows held out for testing (e.g. --test-fraction 0.3)',
      openFraction,
      0.25,
    )
    .option(
      '--epochs <n>',
      `training epochs, 1 to ${compareLimits.epochs} (default: about 1500 optimiser steps, between 2 and 200 epochs; e.g. --epochs 50)`,
      positiveIntegerUpTo(compareLimits.epochs),
    )
    .addOption(
      new Option(
        '--hidden <sizes>',
        `hidden layer widths, comma-separated (up to ${compareLimits.hiddenLayers} layers of 1 to ${compareLimits.hiddenWidth}; e.g. --hidden 64,64)`,
      )
        .argParser(layerWidths)
        .default([32], '32'),
    )
    .option(
      '--columns <names>',
      'use only these feature columns (default: every column but the target; e.g. --columns area,rooms)',
      nameList,
    )
    .option('--ignore <names>', 'leave these columns out (default: none; e.g. --ignore id,name)', nameList)
    .option('--json', 'print the comparison as JSON (default: a table; e.g. --json > comparison.json)')
    .addHelpText('after', examples)
    .action(async (file: string, flags: CompareFlags) => {
      if (flags.columns !== undefined && flags.ignore !== undefined)
        throw new CliError('give --columns or --ignore, not both');
      const table = await readCsv(file);
      let result: ComparisonResult;
      const progress = singleProgress(io);
      try {
        const dataset = tableToDataset(table, flags.target, flags.task, {
          columns: flags.columns,
          ignore: flags.ignore,
        });
        result = compareLosses(dataset, {
          task: flags.task,
          seed: flags.seed,
          seeds: flags.seeds,
          testFraction: flags.testFraction,
          epochs: flags.epochs,
          hidden: flags.hidden,
          onProgress: progress.update,
        });
      } catch (error) {
        if (error instanceof DataError) throw new CliError(withHint(error, flags));
        if (error instanceof LossInputError) throw new CliError(error.message);
        throw error;
      } finally {
        progress.stop();
      }
      io.out(flags.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatComparison(result)}\n`);
    });
}

/** A data error, with how to leave a non-numeric column out when that is the way past it. */
function withHint(error: DataError, flags: CompareFlags): string {
  if (error.column === undefined) return error.message;
  const fix =
    flags.columns !== undefined
      ? `leave '${error.column}' out of --columns`
      : `leave the column out with --ignore ${[...(flags.ignore ?? []), error.column].join(',')}`;
  return `${error.message}; ${fix}`;
}
