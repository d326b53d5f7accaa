import {
  type FloatArray,
  Tensor,
  allocate,
  allocateForOverwrite,
  sameShape,
  shapeSize,
} from '../tensor/index.js';
import { sumTo } from './broadcast.js';
import { record } from './engine.js';
import { type Operand, asPair, asTensor, emptyLike, resultDtype } from './operand.js';
import { broadcastMap, broadcastShapes, isTrailingRow } from './shape-math.js';
import { log } from './unary.js';

type Code =
  | 'add'
  | 'sub'
  | 'mul'
  | 'div'
  | 'pow'
  | 'greater'
  | 'greaterEqual'
  | 'less'
  | 'lessEqual'
  | 'equal';

/** out[i] = x[i] ∘ y[i] (same shape). One loop per op so each stays monomorphic. */
function sameShapeLoop(code: Code, x: FloatArray, y: FloatArray, o: FloatArray): void {
  const n = o.length;
  switch (code) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = x[i] + y[i];
      return;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = x[i] - y[i];
      return;
    case 'mul':
      for (let i = 0; i < n; i++) o[i] = x[i] * y[i];
      return;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = x[i] / y[i];
      return;
    case 'pow':
      for (let i = 0; i < n; i++) o[i] = x[i] ** y[i];
      return;
    case 'greater':
      for (let i = 0; i < n; i++) o[i] = x[i] > y[i] ? 1 : 0;
      return;
    case 'greaterEqual':
      for (let i = 0; i < n; i++) o[i] = x[i] >= y[i] ? 1 : 0;
      return;
    case 'less':
      for (let i = 0; i < n; i++) o[i] = x[i] < y[i] ? 1 : 0;
      return;
    case 'lessEqual':
      for (let i = 0; i < n; i++) o[i] = x[i] <= y[i] ? 1 : 0;
      return;
    case 'equal':
      for (let i = 0; i < n; i++) o[i] = x[i] === y[i] ? 1 : 0;
      return;
  }
}

/** out[i] = x[ix[i]] ∘ y[iy[i]] through broadcast maps. */
function mappedLoop(
  code: Code,
  x: FloatArray,
  ix: Int32Array,
  y: FloatArray,
  iy: Int32Array,
  o: FloatArray,
): void {
  const n = o.length;
  switch (code) {
    case 'add':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] + y[iy[i]];
      return;
    case 'sub':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] - y[iy[i]];
      return;
    case 'mul':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] * y[iy[i]];
      return;
    case 'div':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] / y[iy[i]];
      return;
    case 'pow':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] ** y[iy[i]];
      return;
    case 'greater':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] > y[iy[i]] ? 1 : 0;
      return;
    case 'greaterEqual':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] >= y[iy[i]] ? 1 : 0;
      return;
    case 'less':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] < y[iy[i]] ? 1 : 0;
      return;
    case 'lessEqual':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] <= y[iy[i]] ? 1 : 0;
      return;
    case 'equal':
      for (let i = 0; i < n; i++) o[i] = x[ix[i]] === y[iy[i]] ? 1 : 0;
      return;
  }
}

/**
 * out[r·n + j] = x[r·n + j] ∘ y[j] (`rowRight`) or y[j] ∘ x[r·n + j] (not): one operand is a
 * row repeated over the other's leading axes (a bias add), or a scalar (n = 1). The same
 * arithmetic as `mappedLoop` through a broadcast map, without building the map. Only the
 * arithmetic codes; false when the caller must take the mapped loop. `o` may be `x` (in place:
 * `matmulBias` adds its bias so).
 */
export function rowLoop(code: Code, x: FloatArray, y: FloatArray, o: FloatArray, rowRight: boolean): boolean {
  const total = o.length;
  const n = y.length;
  if (n === 1) {
    const c = y[0];
    switch (code) {
      case 'add':
        if (rowRight) for (let i = 0; i < total; i++) o[i] = x[i] + c;
        else for (let i = 0; i < total; i++) o[i] = c + x[i];
        return true;
      case 'sub':
        if (rowRight) for (let i = 0; i < total; i++) o[i] = x[i] - c;
        else for (let i = 0; i < total; i++) o[i] = c - x[i];
        return true;
      case 'mul':
        if (rowRight) for (let i = 0; i < total; i++) o[i] = x[i] * c;
        else for (let i = 0; i < total; i++) o[i] = c * x[i];
        return true;
      case 'div':
        if (rowRight) for (let i = 0; i < total; i++) o[i] = x[i] / c;
        else for (let i = 0; i < total; i++) o[i] = c / x[i];
        return true;
      default:
        return false;
    }
  }
  switch (code) {
    case 'add':
      if (rowRight) for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = x[r + j] + y[j];
      else for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = y[j] + x[r + j];
      return true;
    case 'sub':
      if (rowRight) for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = x[r + j] - y[j];
      else for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = y[j] - x[r + j];
      return true;
    case 'mul':
      if (rowRight) for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = x[r + j] * y[j];
      else for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = y[j] * x[r + j];
      return true;
    case 'div':
      if (rowRight) for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = x[r + j] / y[j];
      else for (let r = 0; r < total; r += n) for (let j = 0; j < n; j++) o[r + j] = y[j] / x[r + j];
      return true;
    default:
      return false;
  }
}

/** The broadcast forward of a binary op (no graph). */
function binary(code: Code, a: Tensor, b: Tensor): Tensor {
  const dtype = resultDtype(a.dtype, b.dtype);
  if (sameShape(a.shape, b.shape)) {
    const out = allocateForOverwrite(dtype, a.size);
    sameShapeLoop(code, a.data, b.data, out);
    return new Tensor(out, a.shape);
  }
  const shape = broadcastShapes(code, a.shape, b.shape);
  const size = shapeSize(shape);
  // A row (or scalar) broadcast over the other operand, which already has the result's shape.
  if (size > 0) {
    if (a.size === size && sameShape(a.shape, shape) && isTrailingRow(shape, b.shape)) {
      const out = allocate(dtype, size);
      if (rowLoop(code, a.data, b.data, out, true)) return new Tensor(out, shape);
    } else if (b.size === size && sameShape(b.shape, shape) && isTrailingRow(shape, a.shape)) {
      const out = allocate(dtype, size);
      if (rowLoop(code, b.data, a.data, out, false)) return new Tensor(out, shape);
    }
  }
  const out = allocate(dtype, size);
  mappedLoop(code, a.data, broadcastMap(shape, a.shape), b.data, broadcastMap(shape, b.shape), out);
  return new Tensor(out, shape);
}

/**
 * a + b, broadcasting like numpy. Backward: the gradient summed to each input's shape.
 *
 * @example
 * add(tensor([[1], [2]]), tensor([10, 20])).toArray() // [[11, 21], [12, 22]]
 */
export function add(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('add', a, b);
  return record('add', binary('add', x, y), [x, y], (g, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(g, y.shape) : null,
  ]);
}

/** a − b, broadcasting. Backward: g and −g, summed to each shape. */
export function sub(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('sub', a, b);
  return record('sub', binary('sub', x, y), [x, y], (g, needs) => [
    needs[0] ? sumTo(g, x.shape) : null,
    needs[1] ? sumTo(neg(g), y.shape) : null,
  ]);
}

/** a · b element-wise, broadcasting. Backward: g·b and g·a. */
export function mul(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('mul', a, b);
  return record('mul', binary('mul', x, y), [x, y], (g, needs) => [
    needs[0] ? sumTo(mul(g, y), x.shape) : null,
    needs[1] ? sumTo(mul(g, x), y.shape) : null,
  ]);
}

/** a / b element-wise, broadcasting. Backward: g/b and −g·a/b². */
export function div(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('div', a, b);
  const out = binary('div', x, y);
  return record('div', out, [x, y], (g, needs) => [
    needs[0] ? sumTo(div(g, y), x.shape) : null,
    needs[1] ? sumTo(neg(div(mul(g, out), y)), y.shape) : null,
  ]);
}

/**
 * a ** b element-wise, broadcasting; `b` is usually a number. Backward: g·b·a^(b−1), and
 * g·a^b·log a for a tensor exponent that needs a gradient (a > 0 there).
 */
export function pow(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('pow', a, b);
  const out = binary('pow', x, y);
  return record('pow', out, [x, y], (g, needs) => [
    needs[0] ? sumTo(mul(g, mul(y, pow(x, sub(y, 1)))), x.shape) : null,
    needs[1] ? sumTo(mul(g, mul(out, log(x))), y.shape) : null,
  ]);
}

/** −a. Backward: −g. */
export function neg(a: Operand): Tensor {
  const x = asTensor(a, 'neg', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = -s[i];
  return record('neg', out, [x], (g) => [neg(g)]);
}

/** a². Backward: 2a·g. */
export function square(a: Operand): Tensor {
  const x = asTensor(a, 'square', 'a');
  const out = emptyLike(x);
  const s = x.data;
  const o = out.data;
  for (let i = 0; i < o.length; i++) o[i] = s[i] * s[i];
  return record('square', out, [x], (g) => [mul(g, mul(x, 2))]);
}

/**
 * Picks `a` where `condition` is non-zero and `b` elsewhere, all three broadcast together.
 * `condition` is a constant (no gradient). Backward: g routed to the side that was picked.
 */
export function where(condition: Operand, a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('where', a, b);
  const c = asTensor(condition, 'where', 'condition', x.dtype);
  const shape = broadcastShapes('where', broadcastShapes('where', c.shape, x.shape), y.shape);
  const ic = broadcastMap(shape, c.shape);
  const ix = broadcastMap(shape, x.shape);
  const iy = broadcastMap(shape, y.shape);
  const out = allocate(resultDtype(x.dtype, y.dtype), ic.length);
  const cd = c.data;
  const xd = x.data;
  const yd = y.data;
  for (let i = 0; i < out.length; i++) out[i] = cd[ic[i]] !== 0 ? xd[ix[i]] : yd[iy[i]];
  return record('where', new Tensor(out, shape), [x, y], (g, needs) => [
    needs[0] ? sumTo(where(c, g, 0), x.shape) : null,
    needs[1] ? sumTo(where(c, 0, g), y.shape) : null,
  ]);
}

/** Element-wise max(a, b); at ties the gradient goes to `a`. */
export function maximum(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('maximum', a, b);
  return where(greaterEqual(x, y), x, y);
}

/** Element-wise min(a, b); at ties the gradient goes to `a`. */
export function minimum(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('minimum', a, b);
  return where(lessEqual(x, y), x, y);
}

/** 1 where a > b, else 0 (a constant: comparisons have no gradient). */
export function greater(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('greater', a, b);
  return binary('greater', x, y);
}

/** 1 where a ≥ b, else 0. */
export function greaterEqual(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('greaterEqual', a, b);
  return binary('greaterEqual', x, y);
}

/** 1 where a < b, else 0. */
export function less(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('less', a, b);
  return binary('less', x, y);
}

/** 1 where a ≤ b, else 0. */
export function lessEqual(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('lessEqual', a, b);
  return binary('lessEqual', x, y);
}

/** 1 where a = b, else 0. */
export function equal(a: Operand, b: Operand): Tensor {
  const [x, y] = asPair('equal', a, b);
  return binary('equal', x, y);
}
