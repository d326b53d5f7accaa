import { booleanOption, numberOption, numberPairOption } from '../losses/options.js';
import { simdAdam } from '../kernels/wasm/adam.js';
import { LossInputError, type FloatArray, type Tensor } from '../tensor/index.js';
import {
  Optimizer,
  type OptimizerOptions,
  type ParameterState,
  optimizerOptions,
  resolveOptimizerOptions,
} from './optimizer.js';

const nonNegative = (defaultValue: number) => numberOption(defaultValue, { min: 0 });

/** Options of `SGD`. */
export interface SgdOptions extends OptimizerOptions {
  /** Default 0 (plain SGD). */
  readonly momentum?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  readonly nesterov?: boolean;
  /** Default 0. */
  readonly dampening?: number;
  /** L2 penalty added to the gradient. Default 0. */
  readonly weightDecay?: number;
}

/** The option declarations of `SGD`. */
export const SGD_OPTIONS = {
  ...optimizerOptions(0.01),
  momentum: nonNegative(0),
  dampening: nonNegative(0),
  weightDecay: nonNegative(0),
  nesterov: booleanOption(false),
} as const;

/**
 * Stochastic gradient descent with optional momentum, Nesterov momentum and weight decay,
 * exactly PyTorch's `torch.optim.SGD`. Default lr 0.01.
 */
export class SGD extends Optimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly dampening: number;
  private readonly weightDecay: number;

  override get kind(): string {
    return 'SGD';
  }

  constructor(params: readonly Tensor[], options: SgdOptions = {}) {
    super(params, options, 0.01);
    const o = resolveOptimizerOptions('SGD', SGD_OPTIONS, options);
    this.momentum = o.momentum;
    this.dampening = o.dampening;
    this.weightDecay = o.weightDecay;
    this.nesterov = o.nesterov;
    if (this.nesterov && !(this.momentum > 0 && this.dampening === 0)) {
      throw new LossInputError(
        'SGD',
        'options.momentum',
        `must be > 0 with dampening 0 for Nesterov, got momentum ${this.momentum} and dampening ${this.dampening}`,
      );
    }
  }

  protected update(p: FloatArray, g: FloatArray, state: ParameterState, lr: number): void {
    const { momentum: mu, weightDecay: wd, dampening, nesterov } = this;
    const n = p.length;
    if (mu === 0) {
      for (let i = 0; i < n; i++) p[i] -= lr * (g[i] + wd * p[i]);
      return;
    }
    const first = state.momentum === undefined;
    const buf = this.buffer(state, 'momentum', n);
    const keep = 1 - dampening;
    if (first) {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * p[i];
        buf[i] = d;
        p[i] -= lr * (nesterov ? d + mu * d : d);
      }
    } else if (nesterov) {
      for (let i = 0; i < n; i++) {
        const d = g[i] + wd * p[i];
        const b = mu * buf[i] + keep * d;
        buf[i] = b;
        p[i] -= lr * (d + mu * b);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const b = mu * buf[i] + keep * (g[i] + wd * p[i]);
        buf[i] = b;
        p[i] -= lr * b;
      }
    }
  }
}

/** Options of `Adam` and `AdamW`. */
export interface AdamOptions extends OptimizerOptions {
  /** Decay rates of the first and second moment estimates. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Default 1e-8. */
  readonly eps?: number;
  /** Adam: L2 penalty added to the gradient (default 0). AdamW: decoupled decay (default 0.01). */
  readonly weightDecay?: number;
}

/** The option declarations of `Adam` (weight decay default 0) and `AdamW` (default 0.01). */
export function adamOptions(defaultLr: number, defaultDecay: number) {
  return {
    ...optimizerOptions(defaultLr),
    betas: numberPairOption([0.9, 0.999], { min: 0, below: 1 }),
    eps: nonNegative(1e-8),
    weightDecay: nonNegative(defaultDecay),
  } as const;
}

abstract class AdamBase extends Optimizer {
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly eps: number;
  protected readonly weightDecay: number;

  constructor(params: readonly Tensor[], options: AdamOptions, defaultDecay: number) {
    super(params, options, 0.001);
    const o = resolveOptimizerOptions(this.kind, adamOptions(0.001, defaultDecay), options);
    [this.beta1, this.beta2] = o.betas;
    this.eps = o.eps;
    this.weightDecay = o.weightDecay;
  }

  /**
   * The Adam step with an L2 term `l2` in the gradient (PyTorch's formulation), after `p` is
   * multiplied by `shrink` (AdamW's decoupled decay; 1 for Adam). The moments live in the
   * kernels' memory where that works, and the WebAssembly kernel (kernels/wasm/adam.ts) updates
   * them there, on the thread pool for large parameters; elsewhere the loops below do, with the
   * same operations in the same order, so both give the same bits.
   */
  protected adam(
    p: FloatArray,
    g: FloatArray,
    state: ParameterState,
    lr: number,
    t: number,
    l2: number,
    shrink: number,
  ): void {
    const m = this.kernelBuffer(state, 'expAvg', p.length);
    const v = this.kernelBuffer(state, 'expAvgSq', p.length);
    const { beta1: b1, beta2: b2, eps } = this;
    const stepSize = lr / (1 - b1 ** t);
    const correction2 = Math.sqrt(1 - b2 ** t);
    if (simdAdam(p, g, m, v, b1, b2, eps, stepSize, correction2, l2, shrink)) return;
    if (shrink !== 1) for (let i = 0; i < p.length; i++) p[i] *= shrink;
    // One loop per storage type, so that each stays monomorphic.
    if (p instanceof Float32Array && g instanceof Float32Array)
      adamLoop32(p, g, m, v, b1, b2, eps, stepSize, correction2, l2);
    else adamLoop64(p, g, m, v, b1, b2, eps, stepSize, correction2, l2);
  }
}

// The Adam update loops: invariants hoisted, moments kept in locals (the same float64
// operations in the same order as m[i] = …; v[i] = …; p[i] -= f(m[i], v[i])), and the L2 term
// dropped when it is 0 (PyTorch adds it only when weight_decay ≠ 0; a test of l2 inside one
// loop measured 11% slower on 269k float32 parameters). Two copies of one body: float32 and
// float64 parameters each get a monomorphic loop.

function adamLoop32(
  p: Float32Array,
  g: Float32Array,
  m: Float64Array,
  v: Float64Array,
  b1: number,
  b2: number,
  eps: number,
  stepSize: number,
  correction2: number,
  l2: number,
): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const n = p.length;
  if (l2 === 0) {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i] + l2 * p[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  }
}

function adamLoop64(
  p: FloatArray,
  g: FloatArray,
  m: Float64Array,
  v: Float64Array,
  b1: number,
  b2: number,
  eps: number,
  stepSize: number,
  correction2: number,
  l2: number,
): void {
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  const n = p.length;
  if (l2 === 0) {
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  } else {
    for (let i = 0; i < n; i++) {
      const gi = g[i] + l2 * p[i];
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] -= (stepSize * mi) / (Math.sqrt(vi) / correction2 + eps);
    }
  }
}

/** Adam (Kingma & Ba, 2015), PyTorch's `torch.optim.Adam`; weight decay is an L2 term. Default lr 1e-3. */
export class Adam extends AdamBase {
  override get kind(): string {
    return 'Adam';
  }

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options, 0);
  }

  protected update(p: FloatArray, g: FloatArray, state: ParameterState, lr: number, t: number): void {
    this.adam(p, g, state, lr, t, this.weightDecay, 1);
  }
}

/**
 * AdamW (Loshchilov & Hutter, 2019), PyTorch's `torch.optim.AdamW`: weights shrink by
 * lr·weightDecay before the Adam step, independently of the gradient scale. Default decay 0.01.
 */
export class AdamW extends AdamBase {
  override get kind(): string {
    return 'AdamW';
  }

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options, 0.01);
  }

  protected update(p: FloatArray, g: FloatArray, state: ParameterState, lr: number, t: number): void {
    this.adam(p, g, state, lr, t, 0, 1 - lr * this.weightDecay);
  }
}

/** Options of `RMSprop`. */
export interface RmspropOptions extends OptimizerOptions {
  /** Decay of the squared-gradient average. Default 0.99. */
  readonly alpha?: number;
  /** Default 1e-8. */
  readonly eps?: number;
  /** Default 0. */
  readonly momentum?: number;
  /** Normalise by the variance instead of the second moment. Default false. */
  readonly centered?: boolean;
  /** L2 penalty added to the gradient. Default 0. */
  readonly weightDecay?: number;
}

/** The option declarations of `RMSprop`. */
export const RMSPROP_OPTIONS = {
  ...optimizerOptions(0.01),
  alpha: numberOption(0.99, { min: 0, below: 1 }),
  eps: nonNegative(1e-8),
  momentum: nonNegative(0),
  centered: booleanOption(false),
  weightDecay: nonNegative(0),
} as const;

/** RMSprop (Hinton's lecture 6e), PyTorch's `torch.optim.RMSprop`. Default lr 0.01. */
export class RMSprop extends Optimizer {
  private readonly alpha: number;
  private readonly eps: number;
  private readonly momentum: number;
  private readonly centered: boolean;
  private readonly weightDecay: number;

  override get kind(): string {
    return 'RMSprop';
  }

  constructor(params: readonly Tensor[], options: RmspropOptions = {}) {
    super(params, options, 0.01);
    const o = resolveOptimizerOptions('RMSprop', RMSPROP_OPTIONS, options);
    this.alpha = o.alpha;
    this.eps = o.eps;
    this.momentum = o.momentum;
    this.centered = o.centered;
    this.weightDecay = o.weightDecay;
  }

  protected update(p: FloatArray, g: FloatArray, state: ParameterState, lr: number): void {
    const { alpha, eps, momentum: mu, weightDecay: wd, centered } = this;
    const sq = this.buffer(state, 'squareAvg', p.length);
    const avg = centered ? this.buffer(state, 'gradAvg', p.length) : null;
    const buf = mu > 0 ? this.buffer(state, 'momentum', p.length) : null;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + wd * p[i];
      sq[i] = alpha * sq[i] + (1 - alpha) * gi * gi;
      let denom: number;
      if (avg !== null) {
        avg[i] = alpha * avg[i] + (1 - alpha) * gi;
        denom = Math.sqrt(sq[i] - avg[i] * avg[i]) + eps;
      } else {
        denom = Math.sqrt(sq[i]) + eps;
      }
      if (buf !== null) {
        buf[i] = mu * buf[i] + gi / denom;
        p[i] -= lr * buf[i];
      } else {
        p[i] -= (lr * gi) / denom;
      }
    }
  }
}
