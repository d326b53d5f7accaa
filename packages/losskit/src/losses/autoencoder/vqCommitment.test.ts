// What is particular to vqCommitment: its gradients are not the derivatives of its value (the
// stop-gradients of VQ-VAE), so they are checked against the terms one by one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { vqCommitment, vqCommitmentLoss } from './vqCommitment.js';

test('the value is (1 + β)·mean (z − e)²; the codebook gets 2(e − z)/n and the encoder 2β(z − e)/n', () => {
  const z = [[1, -2, 0.5]];
  const e = [[0, -1, 0.5]];
  const beta = 0.4;
  const { value, grads } = vqCommitmentLoss.valueAndGrad({ encoded: z, quantized: e }, { beta });
  assert.ok(Math.abs(value.item() - (1.4 * (1 + 1 + 0)) / 3) < 1e-15);
  const d = [1, -1, 0];
  d.forEach((di, i) => {
    assert.ok(Math.abs(grads.quantized.data[i] - (-2 * di) / 3) < 1e-15, `quantized[${i}]`);
    assert.ok(Math.abs(grads.encoded.data[i] - (2 * beta * di) / 3) < 1e-15, `encoded[${i}]`);
  });
  // β = 0: the encoder gets no gradient (only the codebook learns).
  const frozen = vqCommitmentLoss.valueAndGrad({ encoded: z, quantized: e }, { beta: 0 });
  assert.ok(frozen.grads.encoded.data.every((g) => g === 0));
});

test('bad input is a LossInputError naming the loss, the argument and the problem', () => {
  const rejects = lossInputErrorAsserter('vqCommitment');
  rejects(() => vqCommitment([[1, 2]], [[1, 2, 3]]), 'quantized', /does not match/);
  rejects(() => vqCommitment([[1]], [[1]], { beta: -1 }), 'options.beta', />= 0/);
});
