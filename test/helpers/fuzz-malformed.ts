// Malformed TensorLikes for the boundary fuzzer: every kind of value a loss must reject with a
// LossInputError (wrong types, bigint and DataView typed arrays, self-containing and 100 000-deep
// nesting, shared rows standing for 2^36 numbers, bad shapes, data of nulls, booleans and strings).
import { Tensor } from '../../packages/losskit/src/index.js';
import type { OracleTensor } from './oracle.js';

/** Inputs that are not valid TensorLikes (or valid ones with a malformed part). */
export const malformedKinds = [
  'null',
  'string',
  'bigint',
  'boolean',
  'symbol',
  'function',
  'emptyObject',
  'nullPrototype',
  'bigInt64Array',
  'bigUint64Array',
  'dataView',
  'float16Array',
  'arrayBuffer',
  'deepNested',
  'deepNested80',
  'cyclicArray',
  'cyclicRow',
  'sharedRowsHuge',
  'sparseArray',
  'sparseData',
  'arrayLikeHuge',
  'shapeNegative',
  'shapeFraction',
  'shapeNaN',
  'shapeInfinity',
  'shapeUnsafe',
  'shapeHugeWithZero',
  'shapeString',
  'shapeNull',
  'shapeStringEntry',
  'shapeRank100',
  'shapeNullPrototype',
  'dataNull',
  'dataBoolean',
  'dataNumericString',
  'dataUndefined',
  'dataNestedArray',
  'dataBigInt',
  'dataNumber',
  'dataString',
  'dataMissing',
  'dataLengthNegative',
  'dataLengthFraction',
  'dataLengthString',
  'dataTooShort',
  'dataBigInt64Array',
  'nestedNull',
  'nestedBoolean',
  'nestedString',
  'nestedHole',
  'nestedRagged',
] as const;
export type MalformedKind = (typeof malformedKinds)[number];

/** Builds the malformed value of `kind`; `like` is the valid input it stands in for. */
export function malformedValue(kind: MalformedKind, like: OracleTensor): unknown {
  const n = Math.max(like.data.length, 1);
  const data = like.data.length > 0 ? [...like.data] : [0];
  const shape = like.data.length > 0 ? [...like.shape] : [1];
  const withData = (d: unknown) => ({ shape, data: d });
  const replaced = (v: unknown) => {
    const d: unknown[] = [...data];
    d[d.length >> 1] = v;
    return withData(d);
  };
  switch (kind) {
    case 'null':
      return null;
    case 'string':
      return '1,2,3';
    case 'bigint':
      return 3n;
    case 'boolean':
      return true;
    case 'symbol':
      return Symbol('x');
    case 'function':
      return () => 1;
    case 'emptyObject':
      return {};
    case 'nullPrototype':
      return Object.create(null);
    case 'bigInt64Array':
      return new BigInt64Array(n);
    case 'bigUint64Array':
      return new BigUint64Array(n);
    case 'dataView':
      return new DataView(new ArrayBuffer(8 * n));
    case 'float16Array': {
      const F16 = (globalThis as { Float16Array?: new (n: number) => unknown }).Float16Array;
      return F16 === undefined ? new BigInt64Array(n) : new F16(n);
    }
    case 'arrayBuffer':
      return new ArrayBuffer(8 * n);
    case 'deepNested': {
      let a: unknown = [1];
      for (let i = 0; i < 100_000; i++) a = [a];
      return a;
    }
    case 'deepNested80': {
      let a: unknown = [1];
      for (let i = 0; i < 80; i++) a = [a];
      return a;
    }
    case 'cyclicArray': {
      const a: unknown[] = [];
      a.push(a);
      return a;
    }
    case 'cyclicRow': {
      const row: unknown[] = [1, 2];
      const a: unknown[] = [row, row];
      row[1] = a;
      return a;
    }
    case 'sharedRowsHuge': {
      // [4096, 4096, 4096] = 2^36 elements from 12 KiB of arrays.
      const row = new Array(4096).fill(0.5);
      const plane = new Array(4096).fill(row);
      return new Array(4096).fill(plane);
    }
    case 'sparseArray': {
      const a: number[] = [];
      a.length = 2 ** 30;
      return a;
    }
    case 'sparseData': {
      const a: number[] = [];
      a.length = 2 ** 30;
      return { shape: [2 ** 30], data: a };
    }
    case 'arrayLikeHuge':
      return { shape: [2 ** 31], data: { length: 2 ** 31 } };
    case 'shapeNegative':
      return { shape: [-1], data: [] };
    case 'shapeFraction':
      return { shape: [1.5], data: [1] };
    case 'shapeNaN':
      return { shape: [Number.NaN], data: [1] };
    case 'shapeInfinity':
      return { shape: [Number.POSITIVE_INFINITY], data: [1] };
    case 'shapeUnsafe':
      return { shape: [2 ** 53 + 2, 0], data: [] };
    case 'shapeHugeWithZero':
      return { shape: [2 ** 40, 0], data: [] };
    case 'shapeString':
      return { shape: '3', data: [1, 2, 3] };
    case 'shapeNull':
      return { shape: null, data: [1] };
    case 'shapeStringEntry':
      return { shape: [String(n)], data: new Float64Array(n) };
    case 'shapeRank100':
      return { shape: new Array(100).fill(1), data: [1] };
    case 'shapeNullPrototype':
      return { shape: Object.create(null), data: [1] };
    case 'dataNull':
      return replaced(null);
    case 'dataBoolean':
      return replaced(true);
    case 'dataNumericString':
      return replaced('1');
    case 'dataUndefined':
      return replaced(undefined);
    case 'dataNestedArray':
      return replaced([1]);
    case 'dataBigInt':
      return replaced(1n);
    case 'dataNumber':
      return withData(5);
    case 'dataString':
      return withData('1'.repeat(n));
    case 'dataMissing':
      return { shape };
    case 'dataLengthNegative':
      return withData({ length: -1 });
    case 'dataLengthFraction':
      return withData({ length: 1.5 });
    case 'dataLengthString':
      return withData({ length: String(n) });
    case 'dataTooShort':
      return withData(data.slice(1));
    case 'dataBigInt64Array':
      return withData(new BigInt64Array(n));
    case 'nestedNull':
    case 'nestedBoolean':
    case 'nestedString':
    case 'nestedHole':
    case 'nestedRagged': {
      const nested = new Tensor(Float64Array.from(data), shape).toArray();
      if (!Array.isArray(nested)) return [null];
      let row: unknown[] = nested;
      while (Array.isArray(row[0])) row = row[0] as unknown[];
      if (kind === 'nestedNull') row[0] = null;
      else if (kind === 'nestedBoolean') row[0] = true;
      else if (kind === 'nestedString') row[0] = '1';
      else if (kind === 'nestedHole') delete row[0];
      else row.push(1);
      return nested;
    }
  }
}
