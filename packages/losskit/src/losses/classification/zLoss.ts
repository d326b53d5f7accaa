import { type DType, type FloatArray, formatIndex, LossInputError } from '../../tensor/index.js';
import { LARGEST_FINITE } from '../math.js';
import { numberOption } from '../options.js';

/**
 * PaLM's auxiliary z-loss on the log-partition function of softmax logits, shared by
 * `sparseCategoricalCrossEntropy` and `tokenCrossEntropy` (and their TF.js forms): zLoss·lse²
 * per counted position, lse = log Σ_c exp(x_c), unweighted, reduced with the cross-entropy (same
 * divisor). Its gradient is 2·zLoss·lse·softmax(x). It keeps lse near 0, so the logits do not
 * drift (Chowdhery et al. 2022, PaLM, section 5).
 */

/** The `zLoss` option: the coefficient of lse², ≥ 0, 0 (off) by default. */
export const zLossOption = () => numberOption(0, { min: 0 });

/** zLoss acts on logits; with probability inputs there is no log-partition function to penalise. */
export function requireZLossOnLogits(loss: string, zLoss: number, fromLogits: boolean): void {
  if (zLoss !== 0 && !fromLogits) {
    throw new LossInputError(
      loss,
      'options.zLoss',
      `applies to logits only, got zLoss ${zLoss} with fromLogits: false (set zLoss to 0, or pass logits)`,
    );
  }
}

/**
 * The z-loss gradient 2·zLoss·lse·softmax(x) can overflow where the value zLoss·lse² does not
 * (|lse| below 2 with a zLoss near the dtype's largest number). With |s| the largest gradient
 * scale (the boundary scans itself when an upstream exceeds 1), each gradient entry is at most
 * |s|·(2Q + 2·zLoss·|lse|) ≤ |s|·(2Q + 4·zLoss + Σℓ), because 2|lse| ≤ 4 + lse² and every row's
 * zLoss·lse² is part of the non-negative total Σℓ; Q bounds a row's target mass Σq. Only when that
 * bound leaves the dtype's range is the gradient read, and a non-finite entry is a
 * `LossInputError` naming `options.zLoss` (a non-finite Σℓ is left to the boundary).
 */
export function requireFiniteZLossGradient(
  loss: string,
  zLoss: number,
  total: number,
  scale: number,
  targetMass: number,
  grad: FloatArray,
  shape: readonly number[],
): void {
  // A non-finite total is an overflow of the value itself, which the boundary reports.
  if (!Number.isFinite(total)) return;
  const dtype: DType = grad instanceof Float32Array ? 'float32' : 'float64';
  const bound = Math.abs(scale) * (2 * targetMass + 4 * zLoss + Math.abs(total));
  if (bound <= LARGEST_FINITE[dtype] / 2) return;
  for (let i = 0; i < grad.length; i++) {
    if (!Number.isFinite(grad[i])) {
      throw new LossInputError(
        loss,
        'options.zLoss',
        `zLoss ${zLoss} makes the gradient ${grad[i]} in ${dtype} at index ${formatIndex(i, shape)} (an overflow of 2·zLoss·lse·softmax(x)); lower zLoss or rescale the logits`,
      );
    }
  }
}
