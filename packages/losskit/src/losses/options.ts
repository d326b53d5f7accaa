import { describeValue } from '../tensor/errors.js';
import { assertFinite, LossInputError, type Tensor, type TensorLike, toTensor } from '../tensor/index.js';

/**
 * How one option of a loss is declared: its default and how a user's value is checked.
 * `parse` throws a `LossInputError` naming the loss and the option for a bad value.
 */
export interface OptionSpec<T> {
  readonly default: T;
  /** Short description of the accepted values, used by `explain` and error messages. */
  readonly accepts: string;
  /**
   * The values people typically use and what the option changes, where the author wrote it
   * (`withNote`): a loss's `info.hyperparameters` is made of these notes, so they live once,
   * beside the option's domain.
   */
  readonly note?: OptionNote;
  parse(value: unknown, loss: string, name: string): T;
}

/** What `explain` says about an option beyond its domain: typical values and their effect. */
export interface OptionNote {
  readonly typical: string;
  readonly effect: string;
}

/**
 * An option spec with its note: `withNote(numberOption(1, { above: 0 }), '1.0', 'Where the
 * loss turns from quadratic to linear.')`. The loss's `info.hyperparameters` lists the noted
 * options in schema order; optimizers and layers carry notes the same way.
 */
export function withNote<T>(spec: OptionSpec<T>, typical: string, effect: string): OptionSpec<T> {
  return { ...spec, note: { typical, effect } };
}

export type OptionSchema = Readonly<Record<string, OptionSpec<unknown>>>;

/** The resolved options of a schema (every option present, defaults filled in). */
export type OptionsOf<S extends OptionSchema> = {
  [K in keyof S]: S[K] extends OptionSpec<infer T> ? T : never;
};

/** What a user may pass: any subset, each value of the option's input type. */
export type UserOptions<S extends OptionSchema> = {
  [K in keyof S]?: S[K] extends OptionSpec<infer T>
    ? T extends Tensor | undefined
      ? TensorLike | T
      : T
    : never;
};

const bad = (loss: string, name: string, problem: string) =>
  new LossInputError(loss, `options.${name}`, problem);

/** A finite number, optionally bounded: `min`/`max` inclusive, `above`/`below` exclusive. */
export function numberOption(
  defaultValue: number,
  bounds: { min?: number; max?: number; above?: number; below?: number; integer?: boolean } = {},
): OptionSpec<number> {
  const limits: string[] = [];
  if (bounds.min !== undefined) limits.push(`>= ${bounds.min}`);
  if (bounds.above !== undefined) limits.push(`> ${bounds.above}`);
  if (bounds.max !== undefined) limits.push(`<= ${bounds.max}`);
  if (bounds.below !== undefined) limits.push(`< ${bounds.below}`);
  const kind = bounds.integer ? 'an integer' : 'a finite number';
  const accepts = limits.length ? `${kind} ${limits.join(' and ')}` : kind;
  return {
    default: defaultValue,
    accepts,
    parse(value, loss, name) {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!bounds.integer || Number.isInteger(value)) &&
        (bounds.min === undefined || value >= bounds.min) &&
        (bounds.max === undefined || value <= bounds.max) &&
        (bounds.above === undefined || value > bounds.above) &&
        (bounds.below === undefined || value < bounds.below);
      if (!ok) throw bad(loss, name, `must be ${accepts}, got ${describeValue(value)}`);
      return value as number;
    },
  };
}

/** Like `numberOption`, but `undefined` (the default) means "not set". */
export function optionalNumberOption(
  bounds: Parameters<typeof numberOption>[1] = {},
): OptionSpec<number | undefined> {
  const inner = numberOption(0, bounds);
  return {
    default: undefined,
    accepts: `${inner.accepts}, or undefined`,
    parse: (value, loss, name) => (value === undefined ? undefined : inner.parse(value, loss, name)),
  };
}

/** A number, or `null` to switch the feature off (focal's `alpha`). */
export function nullableNumberOption(
  defaultValue: number | null,
  bounds: Parameters<typeof numberOption>[1] = {},
): OptionSpec<number | null> {
  const inner = numberOption(0, bounds);
  return {
    default: defaultValue,
    accepts: `${inner.accepts}, or null`,
    parse(value, loss, name) {
      if (value === null) return null;
      try {
        return inner.parse(value, loss, name);
      } catch {
        throw bad(loss, name, `must be ${inner.accepts}, or null, got ${describeValue(value)}`);
      }
    },
  };
}

/** One of a fixed list of strings; a bad value's error lists the valid ones. */
export function enumOption<const V extends string>(values: readonly V[], defaultValue: V): OptionSpec<V> {
  const accepts = values.map((v) => `'${v}'`).join(' | ');
  return {
    default: defaultValue,
    accepts,
    parse(value, loss, name) {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
        throw bad(
          loss,
          name,
          `must be one of ${accepts}, got ${typeof value === 'string' ? `'${value}'` : describeValue(value)}`,
        );
      }
      return value as V;
    },
  };
}

/** `true` or `false`. */
export function booleanOption(defaultValue: boolean): OptionSpec<boolean> {
  return {
    default: defaultValue,
    accepts: 'true | false',
    parse(value, loss, name) {
      if (typeof value !== 'boolean')
        throw bad(loss, name, `must be true or false, got ${describeValue(value)}`);
      return value;
    },
  };
}

/** An optional tensor-valued option (class weights, `posWeight`), checked for finite values. */
export function tensorOption(): OptionSpec<Tensor | undefined> {
  return {
    default: undefined,
    accepts: 'a TensorLike',
    parse(value, loss, name) {
      if (value === undefined) return undefined;
      const t = toTensor(value as TensorLike, loss, `options.${name}`, 'float64');
      assertFinite(t, loss, `options.${name}`);
      return t;
    },
  };
}

/**
 * A pair of numbers, each checked like a `numberOption` (Adam's `betas`). A bad pair's error
 * shows both values.
 */
export function numberPairOption(
  defaultValue: readonly [number, number],
  bounds: Parameters<typeof numberOption>[1] = {},
): OptionSpec<readonly [number, number]> {
  const inner = numberOption(0, bounds);
  const accepts = `a pair [a, b], each ${inner.accepts}`;
  return {
    default: defaultValue,
    accepts,
    parse(value, loss, name) {
      if (!Array.isArray(value) || value.length !== 2) {
        throw bad(loss, name, `must be ${accepts}, got ${describeValue(value)}`);
      }
      try {
        return [inner.parse(value[0], loss, name), inner.parse(value[1], loss, name)] as const;
      } catch {
        const shown = value.map((v: unknown) => describeValue(v)).join(', ');
        throw bad(loss, name, `must be ${accepts}, got [${shown}]`);
      }
    },
  };
}

/** An optional function (an optimizer's learning-rate `schedule`); `undefined` means "not set". */
export function functionOption<F extends (...args: never[]) => unknown>(
  accepts = 'a function',
): OptionSpec<F | undefined> {
  return {
    default: undefined,
    accepts: `${accepts}, or undefined`,
    parse(value, loss, name) {
      if (typeof value !== 'function')
        throw bad(loss, name, `must be ${accepts}, got ${describeValue(value)}`);
      return value as F;
    },
  };
}

/**
 * Resolves user options against a schema: unknown names are an error that lists the known ones,
 * every value is parsed, and missing ones take their defaults. `owner` names what takes the
 * options in that error ("this loss takes: …", "this optimizer takes: …"); errors name `loss`,
 * which is the loss, optimizer, layer or function the options belong to.
 */
export function resolveOptions<S extends OptionSchema>(
  loss: string,
  schema: S,
  user: unknown,
  owner = 'loss',
): OptionsOf<S> {
  if (user !== undefined && (user === null || typeof user !== 'object' || Array.isArray(user))) {
    throw new LossInputError(loss, 'options', `must be an object, got ${describeValue(user)}`);
  }
  const given = (user ?? {}) as Record<string, unknown>;
  const known = Object.keys(schema);
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) {
      const list = known.length ? known.join(', ') : 'none';
      throw new LossInputError(loss, `options.${key}`, `unknown option (this ${owner} takes: ${list})`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of known) {
    const spec = schema[key];
    out[key] = key in given && given[key] !== undefined ? spec.parse(given[key], loss, key) : spec.default;
  }
  return out as OptionsOf<S>;
}
