// A hyperparameter note lives once, on the option it describes (`withNote` in options.ts): the
// registry entry's `info.hyperparameters` is made from the option specs, plus the author's notes
// on anything that is not an option.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossList } from '../../packages/losskit/src/index.js';
import { numberOption, withNote } from '../../packages/losskit/src/losses/options.js';

test("every note on an option comes from that option's spec, and no option is noted twice", () => {
  for (const entry of lossList) {
    const names = entry.info.hyperparameters.map((h) => h.name);
    assert.equal(new Set(names).size, names.length, `${entry.name}: a hyperparameter noted twice (${names})`);
    for (const note of entry.info.hyperparameters) {
      if (!Object.hasOwn(entry.optionSchema, note.name)) continue;
      const spec = (entry.optionSchema as Record<string, { note?: { typical: string; effect: string } }>)[
        note.name
      ];
      assert.deepEqual(
        spec.note,
        { typical: note.typical, effect: note.effect },
        `${entry.name}: the note on option '${note.name}' belongs on its spec (withNote), not in info`,
      );
    }
  }
});

test('the notes are in schema order, and explain can show them', () => {
  const huber = lossList.find((e) => e.name === 'huber');
  assert.ok(huber);
  assert.deepEqual(
    huber.info.hyperparameters.map((h) => h.name),
    ['delta'],
  );
  assert.match(huber.info.hyperparameters[0].typical, /1\.0/);
});

test('withNote keeps the spec’s default, domain and parser', () => {
  const plain = numberOption(2, { above: 0 });
  const noted = withNote(plain, '2', 'How far.');
  assert.equal(noted.default, 2);
  assert.equal(noted.accepts, plain.accepts);
  assert.equal(noted.parse(3, 'x', 'k'), 3);
  assert.throws(() => noted.parse(0, 'x', 'k'), /must be a finite number > 0, got 0/);
  assert.deepEqual(noted.note, { typical: '2', effect: 'How far.' });
  assert.equal(plain.note, undefined);
});
