import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeLoss, findLoss, lossList } from '../../src/index.js';

test('findLoss accepts any case and separators', () => {
  assert.equal(findLoss('huber').name, 'huber');
  assert.equal(findLoss('HUBER').name, 'huber');
  assert.equal(findLoss('smooth-l1').name, 'smoothL1');
  assert.equal(findLoss('binary_cross_entropy_with_logits').name, 'binaryCrossEntropyWithLogits');
});

test('an unknown loss name suggests the closest registry names', () => {
  assert.throws(() => findLoss('hubber'), /unknown loss 'hubber'; did you mean huber/);
});

test('describeLoss shows the formula, options with defaults, properties, uses and limitations of every loss', () => {
  for (const entry of lossList) {
    const text = describeLoss(entry.name);
    assert.ok(text.startsWith(entry.info.title), entry.name);
    assert.ok(text.includes(entry.info.formula), `${entry.name} formula`);
    for (const o of entry.info.options)
      assert.ok(text.includes(`${o.name} = `), `${entry.name} option ${o.name}`);
    for (const heading of ['Properties:', 'When to use:', 'Limitations:', 'References:'])
      assert.ok(text.includes(heading), `${entry.name} ${heading}`);
  }
  assert.match(describeLoss('huber'), /delta = 1 {2}\(a finite number > 0\)/);
});
