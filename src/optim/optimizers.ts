import type { FloatArray, Tensor } from '../tensor/index.js';
import { Optimizer, type OptimizerOptions, type ParameterState, checkHyper } from './optimizer.js';

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
    this.momentum = checkHyper(
      'SGD',
      'momentum',
      options.momentum ?? 0,
      (options.momentum ?? 0) >= 0,
      'non-negative',
    );
    this.dampening = checkHyper(
      'SGD',
      'dampening',
      options.dampening ?? 0,
      (options.dampening ?? 0) >= 0,
      'non-negative',
    );
    this.weightDecay = checkHyper(
      'SGD',
      'weightDecay',
      options.weightDecay ?? 0,
      (options.weightDecay ?? 0) >= 0,
      'non-negative',
    );
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov)
      checkHyper(
        'SGD',
        'momentum',
        this.momentum,
        this.momentum > 0 && this.dampening === 0,
        'positive with dampening 0 for Nesterov',
      );
  }

  protected update(p: FloatArray, g: FloatArray, state: ParameterState, lr: number): void {
    const { momentum: mu, weightDecay: wd, dampening, nesterov } = this;
    const first = state.momentum === undefined;
    const buf = mu > 0 ? this.buffer(state, 'momentum', p.length) : null;
    for (let i = 0; i < p.length; i++) {
      let d = g[i] + wd * p[i];
      if (buf !== null) {
        buf[i] = first ? d : mu * buf[i] + (1 - dampening) * d;
        d = nesterov ? d + mu * buf[i] : buf[i];
      }
      p[i] -= lr * d;
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

abstract class AdamBase extends Optimizer {
  protected readonly beta1: number;
  protected readonly beta2: number;
  protected readonly eps: number;
  protected readonly weightDecay: number;

  constructor(params: readonly Tensor[], options: AdamOptions, defaultDecay: number) {
    super(params, options, 0.001);
    const where = this.kind;
    const [b1, b2] = options.betas ?? [0.9, 0.999];
    this.beta1 = checkHyper(where, 'betas', b1, b1 >= 0 && b1 < 1, 'in [0, 1)');
    this.beta2 = checkHyper(where, 'betas', b2, b2 >= 0 && b2 < 1, 'in [0, 1)');
    this.eps = checkHyper(where, 'eps', options.eps ?? 1e-8, (options.eps ?? 1e-8) >= 0, 'non-negative');
    this.weightDecay = checkHyper(
      where,
      'weightDecay',
      options.weightDecay ?? defaultDecay,
      (options.weightDecay ?? defaultDecay) >= 0,
      'non-negative',
    );
  }

  /** The Adam step with an L2 term `l2` in the gradient (PyTorch's formulation). */
  protected adam(
    p: FloatArray,
    g: FloatArray,
    state: ParameterState,
    lr: number,
    t: number,
    l2: number,
  ): void {
    const m = this.buffer(state, 'expAvg', p.length);
    const v = this.buffer(state, 'expAvgSq', p.length);
    const { beta1: b1, beta2: b2, eps } = this;
    const stepSize = lr / (1 - b1 ** t);
    const correction2 = Math.sqrt(1 - b2 ** t);
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] + l2 * p[i];
      m[i] = b1 * m[i] + (1 - b1) * gi;
      v[i] = b2 * v[i] + (1 - b2) * gi * gi;
      p[i] -= (stepSize * m[i]) / (Math.sqrt(v[i]) / correction2 + eps);
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
    this.adam(p, g, state, lr, t, this.weightDecay);
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
    const shrink = 1 - lr * this.weightDecay;
    for (let i = 0; i < p.length; i++) p[i] *= shrink;
    this.adam(p, g, state, lr, t, 0);
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
    this.alpha = checkHyper(
      'RMSprop',
      'alpha',
      options.alpha ?? 0.99,
      (options.alpha ?? 0.99) >= 0 && (options.alpha ?? 0.99) < 1,
      'in [0, 1)',
    );
    this.eps = checkHyper('RMSprop', 'eps', options.eps ?? 1e-8, (options.eps ?? 1e-8) >= 0, 'non-negative');
    this.momentum = checkHyper(
      'RMSprop',
      'momentum',
      options.momentum ?? 0,
      (options.momentum ?? 0) >= 0,
      'non-negative',
    );
    this.weightDecay = checkHyper(
      'RMSprop',
      'weightDecay',
      options.weightDecay ?? 0,
      (options.weightDecay ?? 0) >= 0,
      'non-negative',
    );
    this.centered = options.centered ?? false;
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
