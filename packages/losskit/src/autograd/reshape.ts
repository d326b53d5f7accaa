import { LossInputError, Tensor, formatShape, shapeSize } from '../tensor/index.js';
import { record } from './engine.js';
import { type Operand, asTensor } from './operand.js';

/**
 * The same values with a new shape (one entry may be -1: inferred). Shares storage with `a`,
 * as a view does. Backward: the gradient reshaped back.
 *
 * @example
 * reshape(tensor([1, 2, 3, 4]), [2, -1]).shape // [2, 2]
 */
export function reshape(a: Operand, shape: readonly number[]): Tensor {
  const x = asTensor(a, 'reshape', 'a');
  const target = inferShape(x, shape);
  const out = new Tensor(x.data, target);
  return record('reshape', out, [x], (g) => [reshape(g, x.shape)]);
}

function inferShape(x: Tensor, shape: readonly number[]): number[] {
  const target = [...shape];
  const unknown = target.indexOf(-1);
  if (unknown !== -1) {
    const known = shapeSize(target.filter((_, k) => k !== unknown));
    if (known === 0 || x.size % known !== 0) {
      throw new LossInputError(
        'reshape',
        'shape',
        `cannot infer -1 in ${formatShape(shape)} for ${x.size} elements`,
      );
    }
    target[unknown] = x.size / known;
  }
  if (!target.every((d) => Number.isInteger(d) && d >= 0) || shapeSize(target) !== x.size) {
    throw new LossInputError(
      'reshape',
      'shape',
      `${formatShape(shape)} does not fit ${x.size} elements of shape ${formatShape(x.shape)}`,
    );
  }
  return target;
}

/** `[N, ...rest]` as `[N, Π rest]`. */
export function flatten(a: Operand): Tensor {
  const x = asTensor(a, 'flatten', 'a');
  if (x.rank === 0) return reshape(x, [1, 1]);
  return reshape(x, [x.shape[0], -1]);
}

/** Inserts an axis of length 1 at `axis` (negative counts from the end of the new shape). */
export function expandDims(a: Operand, axis: number): Tensor {
  const x = asTensor(a, 'expandDims', 'a');
  const rank = x.rank + 1;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new LossInputError('expandDims', 'axis', `${axis} is out of range for the new rank ${rank}`);
  }
  const k = axis < 0 ? axis + rank : axis;
  return reshape(x, [...x.shape.slice(0, k), 1, ...x.shape.slice(k)]);
}

/** Removes axes of length 1 (all of them, or the ones listed). */
export function squeeze(a: Operand, axes?: readonly number[]): Tensor {
  const x = asTensor(a, 'squeeze', 'a');
  const drop = new Set(
    (axes ?? x.shape.map((_, k) => k).filter((k) => x.shape[k] === 1)).map((k) => (k < 0 ? k + x.rank : k)),
  );
  for (const k of drop) {
    if (x.shape[k] !== 1)
      throw new LossInputError('squeeze', 'axes', `axis ${k} has length ${x.shape[k]}, not 1`);
  }
  return reshape(
    x,
    x.shape.filter((_, k) => !drop.has(k)),
  );
}
