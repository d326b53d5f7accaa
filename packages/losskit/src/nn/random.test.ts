import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LossInputError, Rng } from '../index.js';

test('Rng(42) produces the xoshiro128** stream of an independent reference implementation', () => {
  // Python reference of splitmix32 seeding + xoshiro128** (Blackman & Vigna), seed 42.
  const rng = new Rng(42);
  assert.deepEqual(
    [rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32()],
    [2837322924, 544945897, 479756282, 3500138142],
  );
});

test('the same seed gives the same numbers; different seeds give different ones', () => {
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return [r.next(), r.normal(), r.int(1000), r.uniform(-2, 2)];
  };
  assert.deepEqual(draw(7), draw(7));
  assert.notDeepEqual(draw(7), draw(8));
});

test('a restored state continues the stream exactly', () => {
  const r = new Rng(3);
  r.next();
  const state = r.getState();
  const expected = [r.next(), r.normal(), r.nextUint32()];
  const copy = Rng.fromState(JSON.parse(JSON.stringify(state)));
  assert.deepEqual([copy.next(), copy.normal(), copy.nextUint32()], expected);
  assert.throws(() => new Rng(0).setState([0, 0, 0, 0]), LossInputError);
  assert.throws(
    () => new Rng(0).setState([1, 2, 3] as never),
    (e) => e instanceof LossInputError && /four unsigned 32-bit integers/.test(e.message),
  );
});

test('uniform draws lie in [0, 1) with mean ½; normal draws have mean 0 and standard deviation 1', () => {
  const r = new Rng(11);
  const n = 20000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
  }
  assert.ok(Math.abs(su / n - 0.5) < 0.01);
  assert.ok(Math.abs(sn / n) < 0.03);
  assert.ok(Math.abs(Math.sqrt(sn2 / n) - 1) < 0.03);
});

test('permutation and shuffle reorder without losing or repeating anything', () => {
  const r = new Rng(5);
  const p = [...r.permutation(50)].sort((a, b) => a - b);
  assert.deepEqual(
    p,
    Array.from({ length: 50 }, (_, i) => i),
  );
  const items = r.shuffle(['a', 'b', 'c', 'd']);
  assert.deepEqual([...items].sort(), ['a', 'b', 'c', 'd']);
  assert.throws(() => r.int(0), LossInputError);
});

test('forked generators are reproducible and independent of their parent', () => {
  const a = new Rng(9).fork();
  const b = new Rng(9).fork();
  assert.equal(a.next(), b.next());
  const parent = new Rng(9);
  const child = parent.fork();
  assert.notEqual(child.next(), parent.next());
});
