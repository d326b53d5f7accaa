import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { plainTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { type LossEntry, reconstructionLoss, vaeKlLoss, vaeLoss, vaeLossLoss } from '../../index.js';

const entry = vaeLossLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter();

const input = t([0.2, 0.7, 0.4, 0.9, 0.35, 0.6], [3, 2]);
const target = t([0, 1, 0.3, 1, 0, 0.8], [3, 2]);
const mu = t([0.3, -1, 0.5, 2], [2, 2]);
const latents = {
  mu: t([0.3, -1, 0.5, 2, -0.2, 0.1], [3, 2]),
  logVar: t([0.1, -0.5, 1, -2, 0.4, 0], [3, 2]),
};

test('vaeLoss is reconstruction + β·vaeKl under the same reduction, value and gradients', () => {
  for (const reconstruction of ['mse', 'l1', 'bce'] as const) {
    for (const reduction of ['batchmean', 'mean', 'sum'] as const) {
      const beta = 0.7;
      const both = vaeLossLoss.valueAndGrad(
        { input, target, ...latents },
        { beta, reconstruction, reduction },
      );
      const recon = reconstructionLoss.valueAndGrad({ input, target }, { kind: reconstruction, reduction });
      const kl = vaeKlLoss.valueAndGrad(latents, { reduction });
      const label = `${reconstruction}/${reduction}`;
      const tol = { rtol: 1e-12, atol: 1e-15 };
      assertClose(
        both.value,
        { shape: [], data: [recon.value.item() + beta * kl.value.item()] },
        tol,
        `${label} value`,
      );
      assertClose(both.grads.input, recon.grads.input, tol, `${label} grads.input`);
      assertClose(
        both.grads.mu,
        t(
          [...kl.grads.mu.data].map((g) => beta * g),
          [3, 2],
        ),
        tol,
        `${label} grads.mu`,
      );
      assertClose(
        both.grads.logVar,
        t(
          [...kl.grads.logVar.data].map((g) => beta * g),
          [3, 2],
        ),
        tol,
        `${label} grads.logVar`,
      );
    }
  }
});

test('β = 0 leaves only the reconstruction and no gradient on the latents', () => {
  const { value, grads } = vaeLossLoss.valueAndGrad({ input, target, ...latents }, { beta: 0 });
  assertClose(
    value,
    reconstructionLoss.value({ input, target }, { reduction: 'batchmean' }),
    { rtol: 1e-15, atol: 0 },
    'value',
  );
  assert.ok([...grads.mu.data, ...grads.logVar.data].every((g) => g === 0));
});

test("'bce' with probabilities 0 and 1 and log-variances of ±30 stays finite", () => {
  const { value, grads } = vaeLossLoss.valueAndGrad(
    {
      input: t([0, 1], [1, 2]),
      target: t([1, 0], [1, 2]),
      mu: t([0, 0], [1, 2]),
      logVar: t([30, -30], [1, 2]),
    },
    { reconstruction: 'bce' },
  );
  assertAllFinite(value, 'value');
  for (const [name, g] of Object.entries(grads)) assertAllFinite(g, name);
});

test('gradients match central differences for option combinations the oracle lacks', () => {
  gradcheck(entry, { input, target, ...latents }, { reconstruction: 'bce', reduction: 'sum' });
  gradcheck(entry, { input, target, ...latents }, { reconstruction: 'bce', reduction: 'mean', beta: 2 });
  gradcheck(entry, { input, target, ...latents }, { reconstruction: 'l1', reduction: 'mean', beta: 0.25 });
  gradcheck(
    entry,
    { input, target, ...latents },
    { reconstruction: 'mse', reduction: 'batchmean' },
    t([2.5], []),
  );
});

test("reduction 'none' is an error that explains why and lists the valid reductions", () => {
  rejects(
    () => vaeLoss(input, target, latents.mu, latents.logVar, { reduction: 'none' as 'sum' }),
    'options.reduction',
    /'none' is not available .*different shapes.*'batchmean' \| 'mean' \| 'sum'/,
  );
});

test('a reconstruction kind not in the list is an error listing the valid kinds', () => {
  rejects(
    () => vaeLoss(input, target, latents.mu, latents.logVar, { reconstruction: 'ssim' as 'mse' }),
    'options.reconstruction',
    /'mse' \| 'l1' \| 'bce', got 'ssim'/,
  );
});

test('beta must be >= 0', () => {
  rejects(
    () => vaeLoss(input, target, latents.mu, latents.logVar, { beta: -1 }),
    'options.beta',
    />= 0, got -1/,
  );
});

test('shape errors name the argument and both shapes', () => {
  rejects(
    () => vaeLoss(input, t([0, 1, 0.3, 1, 0], [5]), latents.mu, latents.logVar),
    'target',
    /\[5\].*\[3, 2\]/,
  );
  rejects(() => vaeLoss(input, target, latents.mu, t([0, 0, 0], [3, 1])), 'logVar', /\[3, 1\].*\[3, 2\]/);
  rejects(
    () => vaeLoss(input, target, mu, mu),
    'mu',
    /batch size 2 \(shape \[2, 2\]\).*batch size 3 \(shape \[3, 2\]\)/,
  );
});

test("'bce' rejects a reconstruction outside [0, 1]", () => {
  rejects(
    () =>
      vaeLoss(t([0.5, 1.5], [1, 2]), t([0, 1], [1, 2]), t([0], [1, 1]), t([0], [1, 1]), {
        reconstruction: 'bce',
      }),
    'input',
    /1\.5 at index \[0, 1\] is outside \[0, 1\]/,
  );
});

test('a 0-d input is an error asking for a batch axis', () => {
  rejects(() => vaeLoss(0.5, 0.5, latents.mu, latents.logVar), 'input', /\[N, \.\.\.\], got \[\]/);
});
