// A lab variant declared once as { id, label, loss, options }: the report's Variant and the
// training objective both come from that declaration.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { armObjective, armVariant, describeOptions } from '../../../packages/lab/src/lab/experiments/loss-arm.js';
import { huber, tensor } from '../../../packages/losskit/src/index.js';

test('a variant shows its options as written: numbers, flags by name, strings quoted, lists bracketed', () => {
  assert.equal(describeOptions({ alpha: 0.25, gamma: 2 }), 'alpha = 0.25, gamma = 2');
  assert.equal(describeOptions({ fromLogits: true, alpha: 0.5 }), 'fromLogits, alpha = 0.5');
  assert.equal(describeOptions({ beta: 4, reconstruction: 'bce' }), "beta = 4, reconstruction = 'bce'");
  assert.equal(describeOptions({ posWeight: [3, 1.5], fromLogits: false }), 'posWeight = [3, 1.5]');
});

test('armVariant names the one loss and its options; a note overrides options known only at run time', () => {
  assert.deepEqual(armVariant({ id: 'mse', label: 'MSE', loss: 'mse' }), {
    id: 'mse',
    label: 'MSE',
    losses: ['mse'],
  });
  assert.deepEqual(armVariant({ id: 'huber', label: 'Huber', loss: 'huber', options: { delta: 1 } }), {
    id: 'huber',
    label: 'Huber',
    losses: ['huber'],
    options: 'delta = 1',
  });
  assert.deepEqual(
    armVariant({
      id: 'bce-pos-weight',
      label: 'BCE + posWeight',
      loss: 'binaryCrossEntropyWithLogits',
      optionsNote: 'posWeight = negatives / positives',
    }).options,
    'posWeight = negatives / positives',
  );
});

test('armObjective trains with the declared options, merged with those computed at run time', () => {
  const p = tensor([0, 1, 5]);
  const t = tensor([0, 0, 0]);
  const arm = { id: 'huber', label: 'Huber', loss: 'huber', options: { delta: 1 } } as const;
  assert.equal(armObjective(arm)(p, t).item(), huber(p, t, { delta: 1 }).item());
  assert.equal(armObjective(arm, { delta: 2 })(p, t).item(), huber(p, t, { delta: 2 }).item());
  assert.notEqual(huber(p, t, { delta: 1 }).item(), huber(p, t, { delta: 2 }).item());
});
