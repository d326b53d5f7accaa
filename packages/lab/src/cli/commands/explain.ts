import { Command } from 'commander';
import { describeLoss } from 'losskit';
import { lossList } from 'losskit';
import { LossInputError } from 'losskit';
import { CliError, type CliIO } from '../io.js';

export function explainCommand(io: CliIO): Command {
  return new Command('explain')
    .description("show a loss's formula, options, properties, when to use it and its limitations")
    .argument(
      '[loss]',
      "registry name in any case or separators (huber, binary-cross-entropy), fit's short names (bce), or a PyTorch, Keras, TF.js or Optax name (BCEWithLogitsLoss, sparse_categorical_crossentropy)",
    )
    .option('--list', 'list every loss with its family and summary')
    .addHelpText(
      'after',
      '\nExamples:\n  losskit explain huber\n  losskit explain SmoothL1Loss\n  losskit explain --list',
    )
    .action((loss: string | undefined, flags: { list?: boolean }) => {
      if (flags.list) {
        for (const entry of lossList)
          io.out(`${entry.name.padEnd(30)} ${entry.info.family.padEnd(15)} ${entry.info.summary}\n`);
        return;
      }
      if (loss === undefined)
        throw new CliError('name a loss (losskit explain huber), or pass --list to see them all');
      try {
        io.out(`${describeLoss(loss)}\n`);
      } catch (error) {
        throw new CliError(error instanceof LossInputError ? error.problem : (error as Error).message);
      }
    });
}
