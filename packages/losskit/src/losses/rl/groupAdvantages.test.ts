import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { groupAdvantages } from './groupAdvantages.js';

interface AdvantageCase {
  id: string;
  rewards: number[];
  groupSize: number;
  options: { scale?: boolean };
  expected: number[];
}

/** PyTorch 1.13 float64 references (test/fixtures/group-advantages.json, a copy of shared/oracle's). */
const cases: AdvantageCase[] = JSON.parse(
  readFileSync(new URL('../../../../../../test/fixtures/group-advantages.json', import.meta.url), 'utf8'),
).cases;

test('groupAdvantages matches every PyTorch reference case', () => {
  assert.ok(cases.length > 0);
  for (const c of cases) {
    const got = groupAdvantages(c.rewards, c.groupSize, c.options);
    assert.deepEqual(got.shape, [c.rewards.length], c.id);
    c.expected.forEach((want, i) => {
      assert.ok(
        Math.abs(got.data[i] - want) <= 1e-10 + 1e-8 * Math.abs(want),
        `${c.id}[${i}]: ${got.data[i]} vs ${want}`,
      );
    });
  }
});

test('each group is centred on its own mean; scale: false only centres; float32 stays float32', () => {
  const a = groupAdvantages([1, 3, 10, 10, 10, 40], 3, { scale: false });
  // Groups [1, 3, 10] (mean 14/3) and [10, 10, 40] (mean 20).
  const want = [1 - 14 / 3, 3 - 14 / 3, 10 - 14 / 3, -10, -10, 20];
  for (let i = 0; i < want.length; i++) assert.ok(Math.abs(a.data[i] - want[i]) < 1e-12, `[${i}]`);
  assert.equal(groupAdvantages(new Float32Array([1, 2, 3, 4]), 2).dtype, 'float32');
  assert.deepEqual(Array.from(groupAdvantages([5, 5, 5, 5], 4).data), [0, 0, 0, 0]);
});

test('bad input is a LossInputError naming the argument', () => {
  const rejects = lossInputErrorAsserter('groupAdvantages');
  rejects(() => groupAdvantages([1, 2, 3], 2), 'groupSize', /2 does not divide the 3 rewards/);
  rejects(() => groupAdvantages([1, 2], 1), 'groupSize', /integer >= 2/);
  rejects(() => groupAdvantages([1, 2], 1.5), 'groupSize', /integer >= 2/);
  rejects(() => groupAdvantages([[1, 2]], 2), 'rewards', /\[B\]/);
  rejects(() => groupAdvantages([1, Number.NaN], 2), 'rewards', /NaN/);
  rejects(() => groupAdvantages([1, 2], 2, { scale: 1 as never }), 'options.scale', /true or false/);
  rejects(() => groupAdvantages([1, 2], 2, { std: true } as never), 'options.std', /unknown option/);
});
