import { resolveLossName } from './find-loss.js';

const formatDefault = (value: unknown): string =>
  value === undefined
    ? 'none'
    : typeof value === 'string'
      ? `'${value}'`
      : (JSON.stringify(value) ?? String(value));

/**
 * What `losskit explain <loss>` prints: formula, inputs and options, properties, when to use,
 * limitations, hyperparameters and references, all from the registry's `info`. A name from another
 * library (`BCEWithLogitsLoss`, `sparse_categorical_crossentropy`) first says which registry loss it
 * is and where the library's defaults differ.
 */
export function describeLoss(name: string): string {
  const { entry, alias } = resolveLossName(name);
  const { info } = entry;
  const lines: string[] = [];
  if (alias !== undefined) {
    const whose = alias.library === 'losskit' ? "fit's short name" : `${alias.library}'s name`;
    lines.push(`'${alias.name}' is ${whose} for ${info.name}.`);
    if (alias.note !== undefined) lines.push(`Note: ${alias.note}.`);
    lines.push('');
  }
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title}:`, ...items.map((item) => `  - ${item}`));
  };
  lines.push(`${info.title} (${info.name}, ${info.family})`, '', info.summary, '', `  ${info.formula}`);
  section(
    'Inputs',
    info.inputs.map((input) => `${input.name}${input.differentiable ? ' (receives a gradient)' : ''}`),
  );
  section(
    'Options',
    info.options.map((o) => `${o.name} = ${formatDefault(o.default)}  (${o.accepts})`),
  );
  const p = info.properties;
  section('Properties', [
    `differentiability: ${p.differentiability}`,
    `robustness: ${p.robustness}`,
    `gradient: ${p.gradientBehaviour}`,
    `scale: ${p.scaleSensitivity}`,
    `class imbalance: ${p.classImbalance}`,
  ]);
  section('When to use', info.whenToUse);
  section('Limitations', info.limitations);
  section(
    'Hyperparameters',
    info.hyperparameters.map((h) => `${h.name}: typically ${h.typical}. ${h.effect}`),
  );
  section('Tasks', [info.tasks.join(', ')]);
  section('References', info.references);
  return lines.join('\n');
}
