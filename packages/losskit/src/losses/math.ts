/**
 * Numerically stable scalar functions shared by the loss kernels. Each is branch-light and
 * allocation-free so that kernels can call it per element (V8 inlines small functions).
 */

import * as expTable from '../kernels/exp-table.js';

/**
 * softplus(x) = log(1 + eˣ), exact for large |x|: max(x, 0) + log1p(e^(−|x|)), with max(x, 0)
 * taken as x/2 + |x|/2 (halved first: x + |x| overflows to ∞ for x above 8.9e307).
 */
export function softplus(x: number): number {
  const a = Math.abs(x);
  return 0.5 * x + 0.5 * a + log1pUnit(expNonPositive(-a));
}

/** log σ(x) = −softplus(−x), finite for every finite x (min(x, 0) halved first, as `softplus`). */
export function logSigmoid(x: number): number {
  const a = Math.abs(x);
  return 0.5 * x - 0.5 * a - log1pUnit(expNonPositive(-a));
}

/** σ(x) = 1 / (1 + e^(−x)), computed without overflow for either sign. */
export function sigmoid(x: number): number {
  const e = expNonPositive(-Math.abs(x));
  return sigmoidFromExp(x, e);
}

/**
 * σ(x) given e = e^(−|x|), without a data-dependent branch: 1/(1 + e) for x ≥ 0, e/(1 + e)
 * below (the comparison becomes a 0/1 number, not a jump, so random signs cost nothing).
 */
export function sigmoidFromExp(x: number, e: number): number {
  const positive = +(x >= 0);
  return (e + positive * (1 - e)) / (1 + e);
}

/** log Σ exp(x[offset + k]) for k in [0, n), with the maximum subtracted first. */
export function logSumExp(x: ArrayLike<number>, offset: number, n: number): number {
  let m = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) if (x[offset + k] > m) m = x[offset + k];
  if (m === Number.NEGATIVE_INFINITY) return m;
  let s = 0;
  for (let k = 0; k < n; k++) s += expNonPositive(x[offset + k] - m);
  return m + Math.log(s);
}

/**
 * The largest finite number of each dtype: results above it overflow to ∞ when stored. Checks
 * that reject inputs whose true loss or gradient is not representable compare against it.
 */
export const LARGEST_FINITE = { float32: 3.4028234663852886e38, float64: Number.MAX_VALUE } as const;

/** PyTorch's BCE clamp: log values are clamped at −100 so that p = 0 or 1 gives a finite loss. */
export const LOG_CLAMP = -100;

/** log(p) clamped at −100, as `torch.nn.functional.binary_cross_entropy` does. */
export function clampedLog(p: number): number {
  const l = Math.log(p);
  return Math.max(l, LOG_CLAMP);
}

// ---- Table-driven exp and log1p for the hot loops ----
//
// V8's Math.exp and Math.log1p are correctly rounded software routines of about 10–15 ns each,
// which made them the cost of every exp/log loss. These two cover only the ranges the kernels
// need (exp of a non-positive number, log1p of [0, 1]) with a table and a short polynomial,
// accurate to a few units in the last place of a float64 (so the float64 path, its oracle cases
// and its finite differences are unaffected), branch-free apart from an always-predicted clamp.

// Module-local copies of the shared tables: V8 reads an imported binding through its module cell
// on every use, which cost this exp 9% (measured on a float64 BCE of 2^20 values).
const EXP_STEPS = expTable.EXP_STEPS;
const EXP_FRACTION = expTable.EXP_FRACTION;
const EXP_POWER = expTable.EXP_POWER;
const EXP_INV_STEP = EXP_STEPS / Math.LN2;
// ln 2 / 64 in two parts (fdlibm's split): k·STEP_HI is exact for |k| < 2²¹.
const EXP_STEP_HI = 0.6931471803691238 / EXP_STEPS;
const EXP_STEP_LO = 1.9082149292705877e-10 / EXP_STEPS;

/**
 * eˣ for x ≤ 0 (relative error below 1e-15; 0 below −745). With k = round(64x/ln 2) and
 * r = x − k·ln2/64 (|r| ≤ 0.0055): eˣ = 2^(k>>6) · 2^((k&63)/64) · e^r, e^r by its degree-5
 * Taylor polynomial. Positive x is outside its contract.
 */
export function expNonPositive(x: number): number {
  const clamped = Math.max(x, -745.2);
  const k = (clamped * EXP_INV_STEP - 0.5) | 0;
  const r = clamped - k * EXP_STEP_HI - k * EXP_STEP_LO;
  // Degree 5 (truncation below 4e-17), by Estrin's scheme for a short dependency chain.
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * (1 / 6) + r2 * (1 / 24 + r * (1 / 120)));
  return EXP_POWER[-(k >> 6)] * EXP_FRACTION[k & 63] * p;
}

const LOG_STEPS = 64;
/** j/64, 1/(1 + j/64) and log(1 + j/64) for j in [0, 64]. */
const LOG_BASE = new Float64Array(LOG_STEPS + 1);
const LOG_INVERSE = new Float64Array(LOG_STEPS + 1);
const LOG_VALUE = new Float64Array(LOG_STEPS + 1);
for (let j = 0; j <= LOG_STEPS; j++) {
  LOG_BASE[j] = j / LOG_STEPS;
  LOG_INVERSE[j] = 1 / (1 + j / LOG_STEPS);
  LOG_VALUE[j] = Math.log1p(j / LOG_STEPS);
}

/**
 * log(1 + e) for e in [0, 1] (relative error below 1e-15, exact at 0): with c = 1 + j/64 the
 * nearest table point, log1p(e) = log c + log1p((e − j/64)/c), the second term by its series
 * (|u| ≤ 1/128, degree 7). `e − j/64` is exact, so tiny e keep their full relative precision.
 */
export function log1pUnit(e: number): number {
  const j = (e * LOG_STEPS + 0.5) | 0;
  const u = (e - LOG_BASE[j]) * LOG_INVERSE[j];
  // Degree 7 (truncation below 3e-16 of u), by Estrin's scheme.
  const u2 = u * u;
  const u4 = u2 * u2;
  const p = u * (1 - 0.5 * u + u2 * (1 / 3 - 0.25 * u) + u4 * (0.2 - u * (1 / 6) + u2 * (1 / 7)));
  return LOG_VALUE[j] + p;
}

/**
 * ∂ max(a, b)/∂a as torch's `maximum` gives it (and ∂ min(b, a)/∂a as `minimum`): 1 when a wins,
 * ½ at a tie (the gradient is split between the two), 0 otherwise.
 */
export const maximumShare = (a: number, b: number): number => (a > b ? 1 : a === b ? 0.5 : 0);
