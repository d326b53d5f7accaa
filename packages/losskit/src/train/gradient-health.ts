import type { ParameterGroup } from '../nn/index.js';

/** Thresholds of the gradient health monitor. */
export interface GradientHealthOptions {
  /** A layer whose gradient norm falls below this is reported as vanishing. Default 1e-7. */
  readonly vanishing?: number;
  /** A layer whose gradient norm exceeds this is reported as exploding. Default 1e3. */
  readonly exploding?: number;
  /**
   * What a step with a NaN or infinite gradient does: 'skip' the update (default), 'stop'
   * training, or 'step' anyway.
   */
  readonly onNonFinite?: 'skip' | 'stop' | 'step';
}

/** What went wrong with a layer's gradient. */
export type GradientProblem = 'vanishing' | 'exploding' | 'non-finite';

/** One problem of one layer: reported when first seen, then counted. */
export interface GradientWarning {
  readonly kind: GradientProblem;
  /** The layer's path in the model (`'2'`, `'encoder.conv1'`). */
  readonly layer: string;
  /** What the layer is, e.g. `Linear(64 → 1)`. */
  readonly description: string;
  /** Global step (from 1) and epoch (from 1) where it was first seen. */
  readonly step: number;
  readonly epoch: number;
  /** The layer's gradient norm when first seen. */
  readonly norm: number;
  /** Steps on which it was seen (updated as training goes on). */
  count: number;
  /** The last step on which it was seen. */
  lastStep: number;
  /** A sentence for people. */
  readonly message: string;
}

/** Gradient norms of one step. */
export interface GradientNorms {
  /** √(Σ over all parameters of grad²). */
  readonly global: number;
  /** Per layer (parameter group), by layer path. */
  readonly layers: Record<string, number>;
  /** Whether some gradient is NaN or infinite. */
  readonly nonFinite: boolean;
}

/** Global and per-layer gradient norms from the parameters' `.grad` (groups without any gradient are left out). */
export function gradientNorms(groups: readonly ParameterGroup[]): GradientNorms {
  const layers: Record<string, number> = {};
  let total = 0;
  let nonFinite = false;
  for (const group of groups) {
    let s = 0;
    let any = false;
    for (const [, p] of group.parameters) {
      const g = p.grad?.data;
      if (g === undefined) continue;
      any = true;
      for (let i = 0; i < g.length; i++) s += g[i] * g[i];
    }
    if (!any) continue;
    if (!Number.isFinite(s)) nonFinite = true;
    layers[group.layer === '' ? '(root)' : group.layer] = Math.sqrt(s);
    total += s;
  }
  return { global: Math.sqrt(total), layers, nonFinite };
}

function describeNorm(kind: GradientProblem, norm: number, options: Required<GradientHealthOptions>): string {
  if (kind === 'non-finite') return `is ${Number.isNaN(norm) ? 'NaN' : 'infinite'}`;
  if (kind === 'vanishing') return `vanishes (norm ${norm.toExponential(2)} < ${options.vanishing})`;
  return `explodes (norm ${norm.toExponential(2)} > ${options.exploding})`;
}

/**
 * Watches per-layer gradient norms step by step and keeps one warning per (layer, problem),
 * with its first step and a count, instead of printing anything.
 */
export class GradientMonitor {
  readonly options: Required<GradientHealthOptions>;
  private readonly seen = new Map<string, GradientWarning>();

  constructor(
    private readonly groups: readonly ParameterGroup[],
    options: GradientHealthOptions = {},
    readonly warnings: GradientWarning[] = [],
  ) {
    this.options = {
      vanishing: options.vanishing ?? 1e-7,
      exploding: options.exploding ?? 1e3,
      onNonFinite: options.onNonFinite ?? 'skip',
    };
    for (const w of warnings) this.seen.set(`${w.kind}:${w.layer}`, w);
  }

  /** Norms of the current gradients, and the warnings raised for the first time at this step. */
  check(step: number, epoch: number): { norms: GradientNorms; fresh: GradientWarning[] } {
    const norms = gradientNorms(this.groups);
    const fresh: GradientWarning[] = [];
    for (const group of this.groups) {
      const layer = group.layer === '' ? '(root)' : group.layer;
      const norm = norms.layers[layer];
      if (norm === undefined) continue;
      const kind: GradientProblem | null = !Number.isFinite(norm)
        ? 'non-finite'
        : norm < this.options.vanishing
          ? 'vanishing'
          : norm > this.options.exploding
            ? 'exploding'
            : null;
      if (kind === null) continue;
      const key = `${kind}:${layer}`;
      const known = this.seen.get(key);
      if (known !== undefined) {
        known.count++;
        known.lastStep = step;
        continue;
      }
      const warning: GradientWarning = {
        kind,
        layer,
        description: group.description,
        step,
        epoch,
        norm,
        count: 1,
        lastStep: step,
        message: `gradient of layer '${layer}' (${group.description}) ${describeNorm(kind, norm, this.options)} at step ${step}, epoch ${epoch}`,
      };
      this.seen.set(key, warning);
      this.warnings.push(warning);
      fresh.push(warning);
    }
    return { norms, fresh };
  }
}
