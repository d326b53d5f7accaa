// The registry is the one list of losses: the package exports follow it, the typed lookup finds
// exactly its entries, and the names that other modules take are checked against it at compile time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as losskit from '../../packages/losskit/src/index.js';
import type { Candidate } from '../../packages/lab/src/lab/compare/candidates.js';
import type { Variant } from '../../packages/lab/src/lab/experiment.js';
import {
  fitLossAliases,
  isLossName,
  type LossEntry,
  type LossSpec,
  lossAliases,
  lossByName,
  losses,
  lossList,
  type NamedLoss,
  type SelectionChoice,
} from '../../packages/losskit/src/index.js';

const exported = losskit as unknown as Readonly<Record<string, unknown>>;
const entries = losses as unknown as Readonly<Record<string, LossEntry>>;

/** Whether a value is a registry entry (a loss descriptor), whatever it is exported as. */
const looksLikeEntry = (value: unknown): boolean =>
  value !== null &&
  typeof value === 'object' &&
  typeof (value as Partial<LossEntry>).valueAndGrad === 'function' &&
  typeof (value as Partial<LossEntry>).info === 'object';

test('each registry key is its entry’s name, and lossList holds each entry once, in order', () => {
  assert.deepEqual(
    lossList.map((entry) => entry.name),
    Object.keys(losses),
  );
  for (const [key, entry] of Object.entries(entries)) assert.equal(entry.name, key);
});

test('the package exports every registry loss as a function and its entry as `<name>Loss`', () => {
  for (const name of Object.keys(losses)) {
    assert.equal(typeof exported[name], 'function', `${name} is not exported as a function`);
    assert.equal(exported[`${name}Loss`], entries[name], `${name}Loss is not the registry entry`);
  }
});

test('no loss entry is exported except a registry loss’s, under `<name>Loss`', () => {
  for (const [exportName, value] of Object.entries(exported)) {
    if (!looksLikeEntry(value)) continue;
    const { name } = value as LossEntry;
    assert.equal(entries[name], value, `${exportName} is a loss entry that is not in the registry`);
    assert.equal(exportName, `${name}Loss`, `the entry of ${name} is exported as ${exportName}`);
  }
});

test('the exported family tables together are the registry, each loss in exactly one family', () => {
  const tables = Object.entries(exported).filter(
    ([exportName, value]) =>
      /^[a-z]+Losses$/.test(exportName) &&
      exportName !== 'compareLosses' &&
      value !== null &&
      typeof value === 'object' &&
      Object.values(value).every(looksLikeEntry),
  );
  assert.ok(tables.length > 0, 'no family table is exported');
  const seen = new Map<string, string>();
  for (const [table, members] of tables) {
    for (const [key, entry] of Object.entries(members as Record<string, LossEntry>)) {
      assert.equal(entries[key], entry, `${table}.${key} is not the registry entry`);
      assert.ok(!seen.has(key), `${key} is in both ${seen.get(key)} and ${table}`);
      seen.set(key, table);
    }
  }
  assert.deepEqual([...seen.keys()].sort(), Object.keys(losses).sort());
});

test('lossByName finds every registry loss by its exact name, and only own names', () => {
  for (const name of Object.keys(losses)) {
    assert.equal(lossByName(name), entries[name], name);
    assert.equal(isLossName(name), true, name);
  }
  for (const name of [
    'constructor',
    '__proto__',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '',
    'Huber',
    'hubber',
  ]) {
    assert.equal(lossByName(name), undefined, name);
    assert.equal(lossByName(name, { aliases: true }), undefined, `${name} with aliases`);
    assert.equal(isLossName(name), false, name);
  }
});

test('lossByName takes fit’s short names only with { aliases: true }', () => {
  const aliases = Object.entries(fitLossAliases);
  assert.ok(aliases.length > 0);
  for (const [alias, loss] of aliases) {
    assert.equal(lossByName(alias), undefined, alias);
    assert.equal(lossByName(alias, { aliases: true }), entries[loss], alias);
  }
  // Other libraries' names go through lookupLossName, not this exact lookup.
  assert.equal(lossByName('MSELoss', { aliases: true }), undefined);
});

test('fit’s short names are the alias table’s losskit names, each naming a registry loss', () => {
  assert.deepEqual(lossAliases, { ...fitLossAliases });
  const fromTable = losskit.lossAliasTable.filter((a) => a.acceptedByFit).map((a) => [a.name, a.loss]);
  assert.deepEqual(fromTable, Object.entries(fitLossAliases));
  for (const loss of Object.values(fitLossAliases)) assert.ok(isLossName(loss), loss);
});

/**
 * Compile-time checks, run by `tsc` (never called): each misspelt name below compiles only while
 * its type takes a plain string, and then its `@ts-expect-error` is itself an error. A variant, a
 * selection choice, a `compare` candidate and fit's loss take registry names (and fit's short names).
 */
export function misspeltLossNamesDoNotCompile(): readonly unknown[] {
  const variant: Variant = {
    id: 'typo',
    label: 'typo',
    // @ts-expect-error 'hubber' is not a registry loss
    losses: ['hubber'],
  };
  const choice: SelectionChoice = {
    // @ts-expect-error 'binaryCrossEntropyWithLogit' is not a registry loss
    loss: 'binaryCrossEntropyWithLogit',
    reason: 'typo',
  };
  const candidate: Candidate = {
    id: 'typo',
    label: 'typo',
    // @ts-expect-error 'smoothl1' is not a registry loss (names are case-sensitive)
    loss: 'smoothl1',
    options: {},
  };
  // @ts-expect-error 'mse_loss' is PyTorch's name, not one fit takes
  const spec: LossSpec = 'mse_loss';
  // @ts-expect-error 'crossentropy' is not fit's short name 'crossEntropy'
  const named: NamedLoss = { loss: 'crossentropy' };
  // The names as spelt in the registry, and fit's short names, do compile.
  const good: readonly LossSpec[] = ['huber', 'bce', { loss: 'crossEntropy', options: {} }];
  return [variant, choice, candidate, spec, named, good];
}
