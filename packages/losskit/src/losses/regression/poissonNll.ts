import { defineLoss } from '../define.js';
import { booleanOption, numberOption, withNote } from '../options.js';
import { reductionOption } from '../reduce.js';
import { requireSameShape } from '../validate.js';
import { requireFiniteGradient, requireNonNegative } from './checks.js';

const NAME = 'poissonNll';
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The Stirling approximation of log(y!) that `full` adds, y·log y − y + ½·log(2πy), for y > 1 and
 * 0 for y ≤ 1 (torch's mask). It does not depend on the input, so it adds no gradient.
 */
function stirling(y: number): number {
  return y > 1 ? y * Math.log(y) - y + 0.5 * Math.log(y) + HALF_LOG_2PI : 0;
}

/**
 * Poisson negative log-likelihood.
 *
 * With `logInput` (default) the input is the log-rate x = log λ: ℓᵢ = eˣ − y·x, ∂ℓ/∂x = eˣ − y.
 * Otherwise the input is the rate λ ≥ 0: ℓᵢ = λ − y·log(λ + eps), ∂ℓ/∂λ = 1 − y/(λ + eps).
 * `full` adds the Stirling term y·log y − y + ½·log(2πy) where y > 1 (0 elsewhere), which makes
 * the value the full −log P(y | λ) up to that approximation. The target y is a count (≥ 0; any
 * non-negative number is accepted) and gets no gradient. Reduced by `reduction` ('mean' default,
 * 'sum', 'none'); `input` and `target` have the same (any) shape. Matches torch
 * `F.poisson_nll_loss`; a negative rate (torch: NaN) is an error here. A rate so close to 0 that
 * y/(λ + eps) overflows is an error naming the input (the value is finite there, the gradient not).
 *
 * @example
 * poissonNll([0], [2]).item() // 1  (e⁰ − 2·0)
 */
export const { entry: poissonNllLoss, fn: poissonNll } = defineLoss({
  kind: 'reducible',
  name: NAME,
  family: 'regression',
  inputs: ['input', 'target'],
  differentiable: ['input'],
  options: {
    logInput: withNote(
      booleanOption(true),
      'true (the model outputs log λ, unconstrained)',
      'Whether the input is the log-rate (true) or the rate itself (false).',
    ),
    full: withNote(
      booleanOption(false),
      'false',
      'Adds the Stirling approximation of log(y!) so the value is the full negative log-likelihood.',
    ),
    eps: withNote(
      numberOption(1e-8, { above: 0 }),
      '1e-8',
      'Added to the rate inside the log when logInput is false, so that λ = 0 stays finite.',
    ),
    reduction: reductionOption(),
  },
  validate(t, options) {
    requireSameShape(NAME, 'input', t.input, 'target', t.target);
    requireNonNegative(NAME, 'target', t.target, 'count');
    if (!options.logInput) requireNonNegative(NAME, 'input', t.input, 'rate (logInput: false)');
  },
  // Every path writes g[i] for every i.
  overwritesGrads: () => true,
  unitShape: (t) => t.input.shape,
  kernel({ t, options, plan, units, grads }) {
    const x = t.input.data;
    const y = t.target.data;
    const g = grads === null ? null : grads.input;
    const up = plan.upstream;
    const s = plan.scale;
    const { full, eps } = options;
    let total = 0;
    if (options.logInput) {
      for (let i = 0; i < x.length; i++) {
        const e = Math.exp(x[i]);
        // y·x is 0 for y = 0 whatever x is (0·(−1e308) is −0, never NaN).
        const l = e - y[i] * x[i] + (full ? stirling(y[i]) : 0);
        total += l;
        if (units !== null) units[i] = l;
        if (g !== null) g[i] = (up === null ? s : s * up[i]) * (e - y[i]);
      }
    } else {
      for (let i = 0; i < x.length; i++) {
        const rate = x[i] + eps;
        // λ + eps may exceed the float range (1e308 + 1e308) while its log (710) does not.
        const logRate =
          rate < Number.POSITIVE_INFINITY ? Math.log(rate) : Math.log(0.5 * x[i] + 0.5 * eps) + Math.LN2;
        const l = x[i] - y[i] * logRate + (full ? stirling(y[i]) : 0);
        total += l;
        if (units !== null) units[i] = l;
        if (g !== null) g[i] = (up === null ? s : s * up[i]) * (1 - y[i] / rate);
      }
    }
    // The gradient can overflow where the value does not: y/(λ + eps) for a rate near 0, and,
    // in float32, eˣ − y where y·x nearly cancels eˣ in the value.
    if (g !== null && Number.isFinite(total) && (!options.logInput || g instanceof Float32Array)) {
      requireFiniteGradient(
        NAME,
        'input',
        'input',
        g,
        t.input.shape,
        t.input.dtype,
        options.logInput
          ? 'lower the log-rates or compute in float64'
          : 'a rate this close to 0 with a positive count: raise eps or the rate',
      );
    }
    return total;
  },
  info: {
    title: 'Poisson negative log-likelihood',
    summary:
      'Negative log-likelihood of counts under a Poisson distribution whose rate (or log-rate) the model predicts.',
    formula: 'ℓ = eˣ − y·x (logInput), or λ − y·log(λ + eps); full adds y·log y − y + ½·log(2πy) for y > 1',
    properties: {
      differentiability: 'Smooth in the log-rate; in the rate, smooth for λ > −eps.',
      robustness:
        'Variance grows with the mean, so large counts are down-weighted relative to squared error, but a large count predicted near 0 costs a lot.',
      gradientBehaviour:
        'Gradient eˣ − y in the log-rate: predicted minus observed count, growing exponentially when the log-rate overshoots.',
      scaleSensitivity:
        'Tied to the count scale: the Poisson model assumes variance equal to the mean, so rescaled counts change the fit.',
      classImbalance: 'Not applicable (count regression).',
    },
    whenToUse: [
      'Count data: events per interval, visits, photon or read counts.',
      'Rates with exposure (add log-exposure to the log-rate input).',
    ],
    limitations: [
      'Assumes variance equal to the mean; over-dispersed counts need a negative binomial model.',
      'With logInput, a log-rate far above the data overflows e^x (above about 709 in float64, 88 in float32).',
      'The Stirling term of full is an approximation (masked to 0 for y ≤ 1) and adds no gradient.',
    ],
    references: [
      'PyTorch torch.nn.functional.poisson_nll_loss',
      'McCullagh & Nelder (1989), Generalized Linear Models',
    ],
    tasks: ['regression'],
  },
});
