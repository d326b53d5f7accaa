import { noGrad } from '../autograd/index.js';
import { type FloatArray, LossInputError, type Tensor, formatShape, sameShape } from '../tensor/index.js';
import {
  functionOption,
  numberOption,
  type OptionSchema,
  type OptionsOf,
  resolveOptions,
} from '../losses/options.js';
import { ResidentArrays, isResident } from '../kernels/wasm/adam.js';
import type { Schedule } from './schedules.js';

/** Named float64 buffers an optimizer keeps for one parameter (momentum, moment estimates, …). */
export type ParameterState = Record<string, Float64Array>;

/** Everything an optimizer needs to continue exactly: plain data (see the checkpoint encoding). */
export interface OptimizerState {
  /** The optimizer's class name, checked on load. */
  readonly kind: string;
  /** Updates done so far (drives bias correction and the schedule). */
  readonly step: number;
  /** Shape of each parameter, checked on load. */
  readonly shapes: readonly (readonly number[])[];
  /** Per parameter, its buffers (empty before its first update). */
  readonly buffers: readonly Readonly<Record<string, Float64Array>>[];
}

/** Options every optimizer takes. */
export interface OptimizerOptions {
  /** Base learning rate. */
  readonly lr?: number;
  /** Multiplies `lr` as a function of the step (see schedules.ts). */
  readonly schedule?: Schedule;
}

/**
 * The option declarations every optimizer starts from: `lr` (non-negative, with the
 * optimizer's own default) and an optional `schedule`. An optimizer spreads these into its
 * own schema and resolves it with `resolveOptimizerOptions`.
 */
export function optimizerOptions(defaultLr: number) {
  return {
    lr: numberOption(defaultLr, { min: 0 }),
    schedule: functionOption<Schedule>('a Schedule (step => factor)'),
  } as const;
}

/**
 * Resolves an optimizer's options against its schema, as losses resolve theirs: an unknown
 * name is an error listing the known ones (`Adam: options.lrr: unknown option (this optimizer
 * takes: lr, schedule, …)`), a bad value an error naming the option, the bound and the value.
 */
export function resolveOptimizerOptions<S extends OptionSchema>(
  kind: string,
  schema: S,
  user: unknown,
): OptionsOf<S> {
  return resolveOptions(kind, schema, user, 'optimizer');
}

/**
 * Base class of the optimizers: walks the parameters that have a gradient and applies the
 * subclass's update to each, in place and outside the graph. Buffers are float64 whatever
 * the parameter dtype, and are part of `state()`, so that a restored optimizer continues
 * bit for bit.
 */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** The learning rate before the schedule. May be changed between steps. */
  baseLr: number;
  readonly schedule: Schedule | null;
  private steps = 0;
  private buffers: ParameterState[];
  /** The buffers that live in the Adam kernel's memory (see `kernelBuffer`), freed with this. */
  private readonly resident = new ResidentArrays(this);

  /** The optimizer's name, stored in its state (a literal, so that minified builds agree). */
  get kind(): string {
    return 'Optimizer';
  }

  constructor(params: readonly Tensor[], options: OptimizerOptions, defaultLr: number) {
    if (!Array.isArray(params) || params.length === 0)
      throw new LossInputError(this.kind, 'params', 'needs at least one parameter tensor');
    this.params = [...params];
    // Only the shared options here: the subclass resolves its whole schema (unknown names included).
    const shared = resolveOptimizerOptions(this.kind, optimizerOptions(defaultLr), {
      lr: options?.lr,
      schedule: options?.schedule,
    });
    this.baseLr = shared.lr;
    this.schedule = shared.schedule ?? null;
    this.buffers = this.params.map(() => ({}));
  }

  /** Updates done so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** The learning rate the next update uses: baseLr × schedule(stepCount). */
  get lr(): number {
    return this.schedule === null ? this.baseLr : this.baseLr * this.schedule(this.steps);
  }

  /** One update of every parameter that has a gradient. */
  step(): void {
    const lr = this.lr;
    const t = this.steps + 1;
    const { params, buffers } = this;
    noGrad(() => {
      for (let i = 0; i < params.length; i++) {
        const g = params[i].grad;
        if (g !== null) this.update(params[i].data, g.data, buffers[i], lr, t);
      }
    });
    this.steps = t;
  }

  /** Clears every parameter's `.grad`. */
  zeroGrad(): void {
    for (const p of this.params) p.grad = null;
  }

  /**
   * Updates one parameter in place. `state` is this parameter's buffers (empty on its first
   * update); `t` counts updates from 1.
   */
  protected abstract update(
    param: FloatArray,
    grad: FloatArray,
    state: ParameterState,
    lr: number,
    t: number,
  ): void;

  /** A float64 buffer of `state`, created zero-filled on first use. */
  protected buffer(state: ParameterState, name: string, size: number): Float64Array {
    let b = state[name];
    if (b === undefined) {
      b = new Float64Array(size);
      state[name] = b;
    }
    return b;
  }

  /**
   * A float64 buffer of `state` in the WebAssembly kernels' memory where that works (shared
   * WebAssembly memory; see kernels/wasm/adam.ts), so that a kernel updates it in place without
   * copying it in and out; else, or where that memory is full, an ordinary one (`buffer`). A
   * buffer that exists as an ordinary array (after `loadState`) moves there on first use, with
   * its values. Either kind is a Float64Array that JavaScript reads and writes alike.
   */
  protected kernelBuffer(state: ParameterState, name: string, size: number): Float64Array {
    const b = state[name];
    if (b !== undefined && isResident(b)) return b;
    const moved = this.resident.float64(size);
    if (moved === null) return this.buffer(state, name, size);
    if (b !== undefined) moved.set(b);
    state[name] = moved;
    return moved;
  }

  /** A deep copy of the optimizer's state. */
  state(): OptimizerState {
    return {
      kind: this.kind,
      step: this.steps,
      shapes: this.params.map((p) => [...p.shape]),
      buffers: this.buffers.map((b) => Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v.slice()]))),
    };
  }

  /** Restores a state taken from an optimizer of the same kind over parameters of the same shapes. */
  loadState(state: OptimizerState): void {
    const where = this.kind;
    if (state.kind !== where) throw new LossInputError(where, 'state', `was saved by ${state.kind}`);
    if (state.shapes.length !== this.params.length) {
      throw new LossInputError(
        where,
        'state',
        `holds ${state.shapes.length} parameters, this optimizer has ${this.params.length}`,
      );
    }
    state.shapes.forEach((shape, i) => {
      if (!sameShape(shape, this.params[i].shape)) {
        throw new LossInputError(
          where,
          'state',
          `parameter ${i} has shape ${formatShape(this.params[i].shape)}, the state ${formatShape(shape)}`,
        );
      }
    });
    this.steps = state.step;
    this.resident.releaseAll();
    this.buffers = state.buffers.map((b) =>
      Object.fromEntries(Object.entries(b).map(([k, v]) => [k, Float64Array.from(v)])),
    );
  }
}
