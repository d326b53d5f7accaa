import { test } from 'node:test';
import fc from 'fast-check';
import { assertClose } from '../../../../../test/helpers/assert-close.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { wganCritic, wganCriticLoss } from '../../index.js';

const score = fc.double({ min: -1e4, max: 1e4, noNaN: true });

test('the gradient is −1/n_real on every real output and 1/n_fake on every fake one, whatever the scores', () => {
  fc.assert(
    fc.property(
      fc.array(score, { minLength: 1, maxLength: 6 }),
      fc.array(score, { minLength: 1, maxLength: 6 }),
      (real, fake) => {
        const { grads } = wganCriticLoss.valueAndGrad({ real: t(real), fake: t(fake) });
        assertClose(grads.real, t(real.map(() => -1 / real.length)), { rtol: 1e-15, atol: 0 }, 'grads.real');
        assertClose(grads.fake, t(fake.map(() => 1 / fake.length)), { rtol: 1e-15, atol: 0 }, 'grads.fake');
      },
    ),
  );
});

test('adding the same constant to every critic output leaves the loss unchanged', () => {
  fc.assert(
    fc.property(
      fc.array(score, { minLength: 1, maxLength: 6 }),
      fc.array(score, { minLength: 1, maxLength: 6 }),
      score,
      (real, fake, c) => {
        const shifted = wganCritic(
          real.map((v) => v + c),
          fake.map((v) => v + c),
        );
        assertClose(shifted, wganCritic(real, fake), { rtol: 1e-9, atol: 1e-8 }, 'value');
      },
    ),
  );
});

test('the value is mean(fake) − mean(real) with batches of different sizes', () => {
  assertClose(wganCritic([1, 2, 3], [10]), { shape: [], data: [8] }, { rtol: 0, atol: 0 }, 'value');
});
