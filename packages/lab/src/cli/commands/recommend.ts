import { Command, Option } from 'commander';
import {
  type Recommendation,
  type TargetKind,
  type TargetMetric,
  recommend,
  selectRow,
  targetKinds,
  targetMetrics,
  tasks,
} from 'losskit';
import type { Task } from 'losskit';
import type { CliIO } from '../io.js';

interface RecommendFlags {
  task: Task;
  imbalanced?: boolean;
  outliers?: boolean;
  noisyLabels?: boolean;
  metric?: TargetMetric;
  target?: TargetKind;
  json?: boolean;
}

/** `alpha: 0.75, gamma: 2`, then the options to compute from the data: `posWeight: <negatives / positives>`. */
const formatOptions = (
  options: Readonly<Record<string, unknown>>,
  fromData: Readonly<Record<string, string>>,
) =>
  [
    ...Object.entries(options).map(
      ([k, v]) =>
        `${k}: ${typeof v === 'string' ? `'${v}'` : Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}`,
    ),
    ...Object.entries(fromData).map(([k, how]) => `${k}: <${how}>`),
  ].join(', ');

/** `Lab (imbalanced-binary, seed 1, BCE + posWeight): minority recall 0.917, … — losskit lab --only imbalanced-binary` */
const formatEvidence = (evidence: NonNullable<Recommendation['evidence']>) =>
  `Lab (${evidence.experiment}, seed ${evidence.seed}${evidence.quick ? ', quick' : ''}, ${evidence.label}): ${Object.entries(
    evidence.metrics,
  )
    .map(([metric, value]) => `${metric} ${value}`)
    .join(', ')} — ${evidence.command}`;

export function recommendCommand(io: CliIO): Command {
  return new Command('recommend')
    .description('suggest losses for a problem, ranked, with the reason and options to start from')
    .addOption(new Option('--task <task>', 'what the model does').choices(tasks).makeOptionMandatory())
    .option('--imbalanced', 'one class (or the foreground) is rare')
    .option('--outliers', 'the targets have gross outliers or heavy tails')
    .option('--noisy-labels', 'some labels are wrong')
    .addOption(new Option('--metric <metric>', 'the metric you are judged on').choices(targetMetrics))
    .addOption(
      new Option(
        '--target <kind>',
        'counts (non-negative integers), intervals (prediction intervals wanted), variance (noise that varies with the input), unaligned (label sequences shorter than the input, no alignment)',
      ).choices(targetKinds),
    )
    .option('--json', 'print the suggestions as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  losskit recommend --task binary --imbalanced\n  losskit recommend --task segmentation --metric iou\n  losskit recommend --task regression --target intervals',
    )
    .action((flags: RecommendFlags) => {
      const query = {
        task: flags.task,
        imbalanced: flags.imbalanced ?? false,
        outliers: flags.outliers ?? false,
        noisyLabels: flags.noisyLabels ?? false,
        ...(flags.metric ? { metric: flags.metric } : {}),
        ...(flags.target ? { target: flags.target } : {}),
      };
      const suggestions = recommend(query);
      if (flags.json) {
        io.out(`${JSON.stringify(suggestions, null, 2)}\n`);
        return;
      }
      const row = selectRow(query).when;
      const situation = [
        row.task,
        row.imbalanced ? 'imbalanced' : '',
        row.outliers ? 'with outliers' : '',
        row.noisyLabels ? 'noisy labels' : '',
        row.metric ? `judged on ${row.metric}` : '',
        row.target ? `${row.target} targets` : '',
      ]
        .filter(Boolean)
        .join(', ');
      io.out(`Selection table row: ${situation}\n\n`);
      for (const s of suggestions) {
        if (!s.fromTable && s.rank === suggestions.findIndex((x) => !x.fromTable) + 1)
          io.out('Also serves this task:\n');
        const list = formatOptions(s.options, s.optionsFromData);
        const options = list.length > 0 ? ` { ${list} }` : '';
        io.out(`${String(s.rank).padStart(2)}. ${s.loss}${options} — ${s.title}\n    ${s.reason}\n`);
        if (s.evidence) io.out(`    ${formatEvidence(s.evidence)}\n`);
      }
      io.out('\nMore on any of them: losskit explain <loss>\n');
    });
}
