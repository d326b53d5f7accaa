import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { Command } from 'commander';
import { type OptionValue, lossCurves } from '../../lab/index.js';
import { renderStandaloneSvg } from '../../lab/report/index.js';
import { CliError, type CliIO } from '../io.js';
import { numberRange, parseLooseOptions, positiveInteger } from '../parse-args.js';

interface PlotFlags {
  out: string;
  range?: [number, number];
  points: number;
}

export function plotCommand(io: CliIO): Command {
  return new Command('plot')
    .description('draw a loss and its gradient against the error (or logit, distance…) to an SVG file')
    .argument('<loss>', 'registry name (see losskit explain --list)')
    .argument(
      '[options...]',
      "the loss's own options, e.g. --delta 0.5,1,2 (one option may list several values)",
    )
    .requiredOption('--out <file>', 'the SVG file to write')
    .option('--range <lo,hi>', 'range of the horizontal axis', numberRange)
    .option('--points <n>', 'points per curve', positiveInteger, 241)
    .allowUnknownOption()
    .addHelpText(
      'after',
      '\nExamples:\n  losskit plot huber --delta 0.5,1,2 --out huber.svg\n  losskit plot focal --gamma 0,1,2,5 --out focal.svg\n  losskit plot ppoClip --clip-epsilon 0.1,0.2 --out ppo.svg',
    )
    .action(async (loss: string, rest: string[], flags: PlotFlags) => {
      let curves: ReturnType<typeof lossCurves>;
      try {
        const loose = parseLooseOptions(rest);
        const swept = [...loose].filter(([, values]) => values.length > 1);
        if (swept.length > 1) {
          throw new Error(
            `only one option may list several values, but ${swept.map(([n]) => n).join(' and ')} do`,
          );
        }
        const options: Record<string, OptionValue> = {};
        for (const [name, values] of loose) if (values.length === 1) options[name] = values[0];
        curves = lossCurves({
          loss,
          options,
          ...(swept.length === 1 ? { sweep: { option: swept[0][0], values: swept[0][1] } } : {}),
          ...(flags.range ? { domain: flags.range } : {}),
          points: Math.max(2, flags.points),
        });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      const file = resolve(flags.out);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, renderStandaloneSvg([curves.value, curves.gradient]));
      io.out(`Wrote ${file} (${curves.loss}: loss and gradient, ${curves.value.series.length} curve(s))\n`);
    });
}
