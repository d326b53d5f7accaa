import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familyExamples } from '../examples/families.js';

test('the README family examples run and print a finite value for every family', () => {
  const lines = familyExamples();
  for (const family of ['regression', 'classification', 'ranking', 'sequence', 'segmentation', 'gan', 'rl', 'autoencoder']) {
    assert.ok(lines.some((l) => l.startsWith(family)), `no example line for ${family}`);
  }
  for (const line of lines) assert.ok(Number.isFinite(Number(line.trim().split(/\s+/).at(-1))), line);
  // Huber by hand: residuals -0.5, 0.5, -7 with delta 1 give 0.125 + 0.125 + 6.5, mean 2.25.
  assert.match(lines[0], /2\.250000$/);
});
