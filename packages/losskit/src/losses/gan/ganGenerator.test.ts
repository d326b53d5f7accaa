import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { ganGenerator, ganGeneratorLoss, type LossEntry } from '../../index.js';

const entry = ganGeneratorLoss as unknown as LossEntry;
const exact = { rtol: 1e-12, atol: 0 };
const rejects = lossInputErrorAsserter();

test('non-saturating keeps a strong gradient where the discriminator rejects the samples; saturating loses it', () => {
  const rejected = t([-5]);
  const nonSaturating = ganGeneratorLoss.valueAndGrad({ fake: rejected });
  const saturating = ganGeneratorLoss.valueAndGrad({ fake: rejected }, { saturating: true });
  // −log σ(x) has slope −σ(−x); log(1 − σ(x)) has slope −σ(x).
  assertClose(nonSaturating.grads.fake, t([-1 / (1 + Math.exp(-5))]), exact, 'non-saturating');
  assertClose(saturating.grads.fake, t([-1 / (1 + Math.exp(5))]), exact, 'saturating');
  assert.ok(Math.abs(nonSaturating.grads.fake.data[0]) > 100 * Math.abs(saturating.grads.fake.data[0]));
});

test('saturating is log(1 − D): at D = ½ the two forms are −log ½ and log ½', () => {
  assertClose(ganGenerator([0]), { shape: [], data: [Math.LN2] }, exact, 'non-saturating');
  assertClose(ganGenerator([0], { saturating: true }), { shape: [], data: [-Math.LN2] }, exact, 'saturating');
});

for (const saturating of [false, true]) {
  test(`logits of ±1e4 give the exact finite loss and gradient (saturating: ${saturating})`, () => {
    const { value, grads } = ganGeneratorLoss.valueAndGrad({ fake: t([1e4, -1e4]) }, { saturating });
    // non-saturating: mean softplus(−x) = (0 + 1e4)/2; saturating: −mean softplus(x) = −(1e4 + 0)/2.
    assertClose(value, { shape: [], data: [saturating ? -5000 : 5000] }, exact, 'value');
    assertClose(grads.fake, t(saturating ? [-0.5, 0] : [0, -0.5]), { rtol: 0, atol: 1e-300 }, 'grads.fake');
  });
}

test('fromLogits false: probabilities 0 and 1 are finite, logs clamped at −100 with torch BCE gradients', () => {
  const nonSaturating = ganGeneratorLoss.valueAndGrad({ fake: t([0, 1]) }, { fromLogits: false });
  // −log 0 → 100, −log 1 = 0; slope (p − 1)/max(p(1 − p), 1e-12): −1e12 at 0, 0 at 1; halved by the mean.
  assertClose(nonSaturating.value, { shape: [], data: [50] }, exact, 'non-saturating value');
  assertClose(nonSaturating.grads.fake, t([-0.5e12, 0]), exact, 'non-saturating grad');
  const saturating = ganGeneratorLoss.valueAndGrad(
    { fake: t([0, 1]) },
    { fromLogits: false, saturating: true },
  );
  // log(1 − 0) = 0, log(1 − 1) → −100; slope −p/max(p(1 − p), 1e-12): 0 at 0, −1e12 at 1.
  assertClose(saturating.value, { shape: [], data: [-50] }, exact, 'saturating value');
  assertClose(saturating.grads.fake, t([0, -0.5e12]), exact, 'saturating grad');
  assertAllFinite(saturating.grads.fake, 'saturating grad');
});

test('an empty fake batch gives 0', () => {
  assert.equal(ganGenerator([], { saturating: true }).item(), 0);
});

test('gradients match central differences for a 2-D batch in all four option combinations', () => {
  const logits = t([0.3, -1.4, 2.2, -0.6], [2, 2]);
  const probs = t([0.3, 0.15, 0.8, 0.55], [2, 2]);
  for (const saturating of [false, true]) {
    gradcheck(entry, { fake: logits }, { saturating });
    gradcheck(entry, { fake: probs }, { saturating, fromLogits: false });
  }
});

test('fromLogits false rejects a probability outside [0, 1]', () => {
  rejects(
    () => ganGenerator([0.5, -0.25], { fromLogits: false }),
    'fake',
    /-0\.25 at index \[1\] is outside \[0, 1\]/,
  );
});

test('saturating must be a boolean', () => {
  rejects(
    () => ganGenerator([0], { saturating: 'yes' as unknown as boolean }),
    'options.saturating',
    /true or false/,
  );
});
