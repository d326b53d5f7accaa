import { LossInputError } from 'losskit';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { type CurveRequest, type LossCurves, type OptionValue, lossCurves } from '../../lab/index.js';
import { renderStandaloneSvg } from '../../lab/report/index.js';
import { CliError, type CliIO, checkOutputFile, writeOutputFile } from '../io.js';
import { integerBetween, numberRange, parseLooseOptions } from '../parse-args.js';

interface PlotFlags {
  out: string;
  range?: [number, number];
  points: number;
}

/** Bounds of `--points`: a curve needs two points; more than this only slows the plot down. */
export const MIN_POINTS = 2;
export const MAX_POINTS = 100_000;

/** The curve request of the loss name and its own `--option value[,value…]` tokens. */
function curveRequest(loss: string, rest: readonly string[], flags: PlotFlags): CurveRequest {
  const loose = parseLooseOptions(rest);
  const swept = [...loose].filter(([, values]) => values.length > 1);
  if (swept.length > 1) {
    throw new Error(`only one option may list several values, but ${swept.map(([n]) => n).join(' and ')} do`);
  }
  const options: Record<string, OptionValue> = {};
  for (const [name, values] of loose) if (values.length === 1) options[name] = values[0];
  return {
    loss,
    options,
    ...(swept.length === 1 ? { sweep: { option: swept[0][0], values: swept[0][1] } } : {}),
    ...(flags.range ? { domain: flags.range } : {}),
    points: flags.points,
  };
}

/** Whether `request` succeeds on the loss's own axis range: then a failure came from `--range`. */
function worksWithoutRange(request: CurveRequest): boolean {
  try {
    lossCurves({ ...request, domain: undefined, points: MIN_POINTS });
    return true;
  } catch {
    return false;
  }
}

/** The curves, with errors caused by `--range` named as such. */
function curvesOf(request: CurveRequest): LossCurves {
  const range = request.domain === undefined ? undefined : `--range ${request.domain.join(',')}`;
  try {
    return lossCurves(request);
  } catch (error) {
    const message = (error as Error).message;
    if (range !== undefined && worksWithoutRange(request))
      throw new CliError(`${range} is outside what ${request.loss} accepts: ${message}`);
    throw new CliError(message);
  }
}

/**
 * `losskit plot <loss> [--option v1,v2…] --out file.svg`: the loss and its gradient along the loss's
 * natural axis, one curve per value of the swept option, as a standalone SVG.
 */
export function plotCommand(io: CliIO): Command {
  return new Command('plot')
    .description('draw a loss and its gradient against the error (or logit, distance…) to an SVG file')
    .argument('<loss>', 'registry name (see losskit explain --list)')
    .argument(
      '[options...]',
      "the loss's own options, e.g. --delta 0.5,1,2 (one option may list several values)",
    )
    .requiredOption('--out <file>', 'the SVG file to write (its folder must exist)')
    .option(
      '--range <lo,hi>',
      'range of the horizontal axis: two finite numbers, lo < hi, within ±1e9 (default: the natural range of the loss)',
      numberRange,
    )
    .option(
      '--points <n>',
      `points per curve, an integer from ${MIN_POINTS} to ${MAX_POINTS}`,
      integerBetween(MIN_POINTS, MAX_POINTS),
      241,
    )
    .allowUnknownOption()
    .addHelpText(
      'after',
      '\nExamples:\n  losskit plot huber --delta 0.5,1,2 --out huber.svg\n  losskit plot focal --gamma 0,1,2,5 --out focal.svg\n  losskit plot ppoClip --clip-epsilon 0.1,0.2 --out ppo.svg',
    )
    .action(async (loss: string, rest: string[], flags: PlotFlags) => {
      const file = resolve(flags.out);
      await checkOutputFile('--out', file);
      let request: CurveRequest;
      try {
        request = curveRequest(loss, rest, flags);
      } catch (error) {
        throw new CliError(error instanceof LossInputError ? error.problem : (error as Error).message);
      }
      const curves = curvesOf(request);
      await writeOutputFile('--out', file, renderStandaloneSvg([curves.value, curves.gradient]));
      io.out(`Wrote ${file} (${curves.loss}: loss and gradient, ${curves.value.series.length} curve(s))\n`);
    });
}
