import {
  allocate,
  assertFinite,
  formatIndex,
  formatShape,
  LossInputError,
  Tensor,
  type TensorLike,
  toTensor,
} from '../../tensor/index.js';
import { numberOption, resolveOptions } from '../options.js';
import { scalarTensor } from '../reduce.js';
import { addDistanceGrad, pDistance } from './distance.js';

const NAME = 'tripletBatchHard';

const schema = {
  margin: numberOption(1, { min: 0 }),
  p: numberOption(2, { min: 1 }),
};

/** Options of {@link tripletBatchHard}. */
export interface TripletBatchHardOptions {
  /** Required gap between the hardest negative and the hardest positive distance (default 1, ≥ 0). */
  readonly margin?: number;
  /** Norm of the distance ‖xᵢ − xⱼ‖_p (default 2, ≥ 1). */
  readonly p?: number;
}

/** What {@link tripletBatchHard} returns. */
export interface TripletBatchHardResult {
  /** The loss, a 0-d tensor in the dtype of `embeddings`. */
  readonly value: Tensor;
  /** The gradient of the loss with respect to the embeddings, shape [N, D]. */
  readonly grads: { readonly embeddings: Tensor };
  /** How many anchors had at least one positive and one negative, i.e. how many were averaged. */
  readonly validAnchors: number;
}

function parse(embeddingsLike: TensorLike, labelsLike: TensorLike): { x: Tensor; labels: Tensor } {
  const x = toTensor(embeddingsLike, NAME, 'embeddings');
  assertFinite(x, NAME, 'embeddings');
  if (x.rank !== 2)
    throw new LossInputError(NAME, 'embeddings', `must have shape [N, D], got ${formatShape(x.shape)}`);
  const labels = toTensor(labelsLike, NAME, 'labels', 'float64');
  assertFinite(labels, NAME, 'labels');
  if (labels.rank !== 1 || labels.shape[0] !== x.shape[0]) {
    throw new LossInputError(
      NAME,
      'labels',
      `shape ${formatShape(labels.shape)} does not match embeddings shape ${formatShape(x.shape)}: expected [${x.shape[0]}]`,
    );
  }
  for (let i = 0; i < labels.size; i++) {
    const v = labels.data[i];
    if (!Number.isInteger(v))
      throw new LossInputError(
        NAME,
        'labels',
        `label ${v} at index ${formatIndex(i, labels.shape)} is not an integer`,
      );
  }
  return { x, labels };
}

/**
 * Batch-hard triplet loss (Hermans, Beyer & Leibe, 2017): mines triplets inside a batch.
 *
 * For every anchor i, the hardest positive is the farthest other row with the same label and the
 * hardest negative the nearest row with a different label; with d = ‖xᵢ − xⱼ‖_p,
 * ℓᵢ = max(0, m + d(i, p*) − d(i, n*)). The value is the mean of ℓᵢ over the anchors that have at
 * least one positive and one negative; anchors without both are skipped, and a batch with no
 * such anchor gives 0 with a zero gradient. The gradient flows through the selected pairs only
 * (ties pick the lowest index), passes through the hinge where its argument is ≥ 0 (as
 * `triplet`), and is 0 where a selected distance is 0 (duplicate embeddings).
 *
 * `embeddings`: [N, D]; `labels`: [N] integers (any values, compared for equality). The result
 * and gradient take the dtype of `embeddings`. O(N²·D) time, O(N) extra memory.
 *
 * Not a registry loss: the value depends on which rows the mining picks, so it has no per-input
 * element-wise reduction.
 *
 * @example
 * tripletBatchHard([[0, 0], [0, 1], [0, 1.5]], [0, 0, 1]).value.item() // 1
 */
export function tripletBatchHard(
  embeddings: TensorLike,
  labels: TensorLike,
  options?: TripletBatchHardOptions,
): TripletBatchHardResult {
  const { x, labels: lab } = parse(embeddings, labels);
  const { margin, p } = resolveOptions(NAME, schema, options);
  const n = x.shape[0];
  const dim = x.shape[1];
  const data = x.data;
  const y = lab.data;

  // Pass 1: mine the hardest positive and negative of every anchor.
  const hardPos = new Int32Array(n).fill(-1);
  const hardNeg = new Int32Array(n).fill(-1);
  const dPos = new Float64Array(n);
  const dNeg = new Float64Array(n);
  let valid = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let farthest = Number.NEGATIVE_INFINITY;
    let nearest = Number.POSITIVE_INFINITY;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = pDistance(data, i * dim, data, j * dim, dim, p, 0);
      if (y[j] === y[i]) {
        if (d > farthest) {
          farthest = d;
          hardPos[i] = j;
        }
      } else if (d < nearest) {
        nearest = d;
        hardNeg[i] = j;
      }
    }
    if (hardPos[i] < 0 || hardNeg[i] < 0) continue;
    dPos[i] = farthest;
    dNeg[i] = nearest;
    valid++;
    const h = margin + farthest - nearest;
    if (h > 0) total += h;
  }

  // Pass 2: the gradient of the mean over valid anchors.
  const g = allocate(x.dtype, x.size);
  if (valid > 0) {
    const w = 1 / valid;
    for (let i = 0; i < n; i++) {
      const jp = hardPos[i];
      const jn = hardNeg[i];
      if (jp < 0 || jn < 0 || margin + dPos[i] - dNeg[i] < 0) continue;
      addDistanceGrad(data, i * dim, data, jp * dim, dim, p, 0, dPos[i], w, g, i * dim, g, jp * dim);
      addDistanceGrad(data, i * dim, data, jn * dim, dim, p, 0, dNeg[i], -w, g, i * dim, g, jn * dim);
    }
  }
  const value = scalarTensor(valid > 0 ? total / valid : 0, x.dtype);
  return { value, grads: { embeddings: new Tensor(g, x.shape) }, validAnchors: valid };
}
