// The explorer's and the training view's option controls, derived from a loss's option specs:
// a slider for every numeric option (its range from the spec's bounds), a select for the
// categorical ones (enum and boolean). Tensor-valued options and `reduction` have no control.
import type { LossEntry } from 'losskit';

export type ControlValue = number | string | boolean | null;

export interface NumberControl {
  readonly kind: 'number';
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly default: number;
  readonly accepts: string;
}

export interface ChoiceControl {
  readonly kind: 'choice';
  readonly name: string;
  readonly values: readonly ControlValue[];
  readonly default: ControlValue;
  readonly accepts: string;
}

export type Control = NumberControl | ChoiceControl;

const bound = (accepts: string, op: string): number | undefined => {
  const m = new RegExp(`${op} (-?[0-9.e+-]+)`).exec(accepts);
  return m ? Number(m[1]) : undefined;
};

/** The controls of an entry's options, in schema order. */
export function controlsFor(entry: LossEntry): Control[] {
  const out: Control[] = [];
  for (const [name, spec] of Object.entries(entry.optionSchema)) {
    if (name === 'reduction') continue;
    const accepts = spec.accepts;
    const def = spec.default;
    if (accepts === 'true | false') {
      out.push({ kind: 'choice', name, values: [true, false], default: def as boolean, accepts });
    } else if (accepts.startsWith("'")) {
      const values = accepts.split(' | ').map((v) => v.replace(/^'|'$/g, ''));
      out.push({ kind: 'choice', name, values, default: def as string, accepts });
    } else if (accepts.startsWith('a finite number') || accepts.startsWith('an integer')) {
      if (typeof def !== 'number' && def !== null) continue; // an optional number with no default
      const integer = accepts.startsWith('an integer');
      const min = bound(accepts, '>=');
      const above = bound(accepts, '>');
      const max = bound(accepts, '<=');
      const below = bound(accepts, '<');
      const start = typeof def === 'number' ? def : 1;
      let lo = min ?? (above !== undefined ? above + (integer ? 1 : 0.01) : Math.min(start - 2, -2));
      let hi = max ?? (below !== undefined ? below - (integer ? 1 : 0.01) : Math.max(start * 4, lo + 5));
      if (hi > 100 && max === undefined && below === undefined) hi = Math.max(start * 2, 10);
      if (lo > start) lo = start;
      if (hi < start) hi = start;
      const step = integer ? 1 : Math.max((hi - lo) / 200, 0.005);
      out.push({
        kind: 'number',
        name,
        min: lo,
        max: hi,
        step: Number(step.toPrecision(2)),
        default: start,
        accepts,
      });
      if (def === null)
        out.push({ kind: 'choice', name: `${name}:off`, values: [true, false], default: true, accepts });
    }
  }
  return out;
}

/** Option values from control values: a nullable option switched off (`name:off`) becomes null. */
export function optionsFrom(values: Readonly<Record<string, ControlValue>>): Record<string, ControlValue> {
  const out: Record<string, ControlValue> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name.endsWith(':off')) continue;
    out[name] = values[`${name}:off`] === true ? null : value;
  }
  return out;
}

/** Parses a control value written in the URL. */
export function parseValue(control: Control, text: string): ControlValue | undefined {
  if (control.kind === 'number') {
    const v = Number(text);
    return Number.isFinite(v) ? v : undefined;
  }
  const found = control.values.find((v) => String(v) === text);
  return found === undefined && !control.values.includes(text) ? undefined : (found ?? text);
}
