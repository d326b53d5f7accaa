import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { ganDiscriminator, ganDiscriminatorLoss, type LossEntry } from '../../index.js';

const entry = ganDiscriminatorLoss as unknown as LossEntry;
const exact = { rtol: 1e-12, atol: 0 };
const rejects = lossInputErrorAsserter();

test('an undecided discriminator (every logit 0) scores 2·log 2', () => {
  assertClose(ganDiscriminator([0, 0, 0], [0, 0]), { shape: [], data: [2 * Math.LN2] }, exact, 'value');
});

test('logits of ±1e4 give the exact finite loss and gradient', () => {
  const { value, grads } = ganDiscriminatorLoss.valueAndGrad({ real: t([1e4, -1e4]), fake: t([1e4, -1e4]) });
  // real: softplus(−1e4) = 0, softplus(1e4) = 1e4 → mean 5000; fake: softplus(1e4), softplus(−1e4) → 5000.
  assertClose(value, { shape: [], data: [1e4] }, exact, 'value');
  // ∂/∂real = −σ(−x)/2, ∂/∂fake = σ(x)/2.
  assertClose(grads.real, t([0, -0.5]), { rtol: 0, atol: 1e-300 }, 'grads.real');
  assertClose(grads.fake, t([0.5, 0]), { rtol: 0, atol: 1e-300 }, 'grads.fake');
});

test('fromLogits false: probabilities exactly 0 and 1 follow torch BCE (log clamped at −100, gradient (p − y)/max(p(1 − p), 1e-12))', () => {
  const { value, grads } = ganDiscriminatorLoss.valueAndGrad(
    { real: t([1, 0]), fake: t([0, 1]) },
    { fromLogits: false },
  );
  // real: −log 1 = 0, −log 0 → 100; fake: −log(1 − 0) = 0, −log(1 − 1) → 100. Mean 50 each.
  assertClose(value, { shape: [], data: [100] }, exact, 'value');
  assertClose(grads.real, t([0, -1e12 / 2]), exact, 'grads.real');
  assertClose(grads.fake, t([0, 1e12 / 2]), exact, 'grads.fake');
  assertAllFinite(grads.real, 'grads.real');
});

test('each expectation is a mean over its own batch: repeating the fake batch changes nothing', () => {
  const real = [0.3, -1.2, 2];
  const fake = [-0.4, 1.1];
  const once = ganDiscriminatorLoss.valueAndGrad({ real: t(real), fake: t(fake) });
  const twice = ganDiscriminatorLoss.valueAndGrad({ real: t(real), fake: t([...fake, ...fake]) });
  assertClose(twice.value, once.value, exact, 'value');
  assertClose(twice.grads.real, once.grads.real, exact, 'grads.real');
  assertClose(
    twice.grads.fake,
    t([...once.grads.fake.data].map((g) => g / 2).concat([...once.grads.fake.data].map((g) => g / 2))),
    exact,
    'grads.fake',
  );
});

test('an empty fake batch contributes 0 and leaves the real part alone', () => {
  const { value, grads } = ganDiscriminatorLoss.valueAndGrad({ real: t([0]), fake: t([]) });
  assertClose(value, { shape: [], data: [Math.LN2] }, exact, 'value');
  assert.equal(grads.fake.size, 0);
});

test('the logits path equals the probabilities path at σ(x), gradients related by the chain rule', () => {
  const logit = fc.double({ min: -15, max: 15, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(logit, { minLength: 1, maxLength: 5 }),
      fc.array(logit, { minLength: 1, maxLength: 5 }),
      (real, fake) => {
        const sig = (x: number) => 1 / (1 + Math.exp(-x));
        const logits = ganDiscriminatorLoss.valueAndGrad({ real: t(real), fake: t(fake) });
        const probs = ganDiscriminatorLoss.valueAndGrad(
          { real: t(real.map(sig)), fake: t(fake.map(sig)) },
          { fromLogits: false },
        );
        assertClose(logits.value, probs.value, { rtol: 1e-9, atol: 1e-9 }, 'value');
        const chain = (g: ArrayLike<number>, x: number[]) => t(x.map((v, i) => g[i] * sig(v) * (1 - sig(v))));
        assertClose(
          logits.grads.real,
          chain(probs.grads.real.data, real),
          { rtol: 1e-7, atol: 1e-9 },
          'grads.real',
        );
        assertClose(
          logits.grads.fake,
          chain(probs.grads.fake.data, fake),
          { rtol: 1e-7, atol: 1e-9 },
          'grads.fake',
        );
      },
    ),
  );
});

test('an upstream u scales both gradients by u', () => {
  const inputs = { real: t([0.5, -1]), fake: t([2]) };
  const plain = ganDiscriminatorLoss.valueAndGrad(inputs);
  const scaled = ganDiscriminatorLoss.valueAndGrad(inputs, {}, 3);
  assertClose(scaled.grads.real, t([...plain.grads.real.data].map((g) => 3 * g)), exact, 'grads.real');
  assertClose(scaled.grads.fake, t([...plain.grads.fake.data].map((g) => 3 * g)), exact, 'grads.fake');
});

test('gradients match central differences for probabilities with batches of different sizes and ranks', () => {
  gradcheck(
    entry,
    { real: t([0.2, 0.7, 0.55, 0.9, 0.35]), fake: t([0.1, 0.6, 0.45, 0.8], [2, 2]) },
    { fromLogits: false },
  );
});

test('fromLogits false rejects a probability outside [0, 1], naming the input and the index', () => {
  rejects(
    () => ganDiscriminator([0.5], [0.2, 1.5], { fromLogits: false }),
    'fake',
    /1\.5 at index \[1\] is outside \[0, 1\]/,
  );
  rejects(() => ganDiscriminator([-0.1], [0.2], { fromLogits: false }), 'real', /outside \[0, 1\]/);
});

test('fromLogits must be a boolean', () => {
  rejects(
    () => ganDiscriminator([0], [0], { fromLogits: 1 as unknown as boolean }),
    'options.fromLogits',
    /true or false/,
  );
});
