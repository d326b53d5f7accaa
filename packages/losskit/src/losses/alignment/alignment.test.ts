// What is particular to the preference losses (dpo, simpo, orpo); the registry-driven tests cover
// the PyTorch reference cases, reductions, float32, extremes and the fuzz boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { random } from '../../../../../test/helpers/random.js';
import { tensor } from '../../tensor/index.js';
import type { LossEntry } from '../define.js';
import { dpo, dpoLoss } from './dpo.js';
import { orpo, orpoLoss } from './orpo.js';
import { simpo, simpoLoss } from './simpo.js';

/** log σ(x) written plainly (not the library's softplus), for the reference formulas below. */
const logSigmoid = (x: number) => -Math.log1p(Math.exp(-x));

function logProbs(n: number, next: () => number, scale = 20): number[] {
  return Array.from({ length: n }, () => -scale * next() - 0.05);
}

test('dpo: every lossType equals its formula in TRL’s DPOTrainer, written out independently', () => {
  const next = random(5);
  const [pc, pr, rc, rr] = [0, 1, 2, 3].map(() => logProbs(6, next));
  const beta = 0.3;
  const eps = 0.2;
  const deltas = pc.map((_, i) => pc[i] - rc[i] - (pr[i] - rr[i]));
  const expected: Record<string, (d: number) => number> = {
    sigmoid: (d) => -(1 - eps) * logSigmoid(beta * d) - eps * logSigmoid(-beta * d),
    hinge: (d) => Math.max(0, 1 - beta * d),
    ipo: (d) => (d - 1 / (2 * beta)) ** 2,
    robust: (d) => (-(1 - eps) * logSigmoid(beta * d) + eps * logSigmoid(-beta * d)) / (1 - 2 * eps),
  };
  for (const [lossType, formula] of Object.entries(expected)) {
    const units = dpo(pc, pr, rc, rr, {
      beta,
      labelSmoothing: eps,
      lossType: lossType as 'sigmoid',
      reduction: 'none',
    });
    deltas.forEach((d, i) => {
      assert.ok(
        Math.abs(units.data[i] - formula(d)) < 1e-12 * (1 + Math.abs(formula(d))),
        `${lossType}[${i}]`,
      );
    });
  }
});

test('dpo, simpo and orpo: analytic gradients equal central differences for every option', () => {
  const next = random(9);
  const pairs = (n: number) => [0, 1, 2, 3].map(() => tensor(logProbs(n, next, 3)));
  const check = (entry: LossEntry, inputs: Record<string, unknown>, options: Record<string, unknown>) =>
    gradcheck(entry, inputs, options, tensor([0.5, -1, 2, 1.5, 1]), { rtol: 1e-6, atol: 1e-7 });
  for (const lossType of ['sigmoid', 'hinge', 'ipo', 'robust']) {
    for (const labelSmoothing of [0, 0.3]) {
      const [policyChosen, policyRejected, referenceChosen, referenceRejected] = pairs(5);
      check(
        dpoLoss,
        { policyChosen, policyRejected, referenceChosen, referenceRejected },
        { lossType, labelSmoothing, beta: 0.7, reduction: 'none' },
      );
    }
  }
  for (const options of [{}, { beta: 2.5, gamma: 0.5, labelSmoothing: 0.1 }]) {
    const [chosen, rejected] = pairs(5);
    check(simpoLoss, { chosen, rejected }, { ...options, reduction: 'none' });
  }
  for (const beta of [0.1, 1]) {
    const [chosen, rejected] = pairs(5);
    check(orpoLoss, { chosen, rejected }, { beta, reduction: 'none' });
  }
});

test('simpo with γ = 0 and no smoothing is −log σ(β(c − r)); orpo is −β log σ of the log odds ratio', () => {
  const c = [-0.8, -2];
  const r = [-1.1, -0.4];
  const s = simpo(c, r, { gamma: 0, beta: 2, reduction: 'none' });
  for (let i = 0; i < c.length; i++) assert.ok(Math.abs(s.data[i] + logSigmoid(2 * (c[i] - r[i]))) < 1e-12);
  const odds = (lp: number) => Math.exp(lp) / (1 - Math.exp(lp));
  const o = orpo(c, r, { beta: 0.25, reduction: 'none' });
  c.forEach((_, i) => {
    const expected = -0.25 * logSigmoid(Math.log(odds(c[i]) / odds(r[i])));
    assert.ok(Math.abs(o.data[i] - expected) < 1e-12, `orpo[${i}]`);
  });
});

test('dpo: a policy equal to its reference gives log 2 (sigmoid), and the hinge gives no gradient beyond its margin', () => {
  assert.ok(Math.abs(dpo([-3, -4], [-5, -1], [-3, -4], [-5, -1]).item() - Math.LN2) < 1e-15);
  const { grads } = dpoLoss.valueAndGrad(
    { policyChosen: [0], policyRejected: [-20], referenceChosen: [-1], referenceRejected: [-1] },
    { lossType: 'hinge', beta: 0.1 },
  );
  assert.ok(grads.policyChosen.data[0] === 0 && grads.policyRejected.data[0] === 0);
});

test('bad input is a LossInputError naming the loss, the argument and the problem', () => {
  const rejectsDpo = lossInputErrorAsserter('dpo');
  rejectsDpo(() => dpo([-1, -2], [-1], [-1, -2], [-1, -2]), 'policyRejected', /shape \[1\] does not match/);
  rejectsDpo(() => dpo([-1], [-1], [-1], [-1], { labelSmoothing: 0.5 }), 'options.labelSmoothing', /< 0\.5/);
  rejectsDpo(
    () => dpo([-1], [-1], [-1], [-1], { lossType: 'kto' as never }),
    'options.lossType',
    /'sigmoid'/,
  );
  rejectsDpo(() => dpo([-1], [-1], [-1], [-1], { beta: 0 }), 'options.beta', /> 0, got 0/);
  const rejectsOrpo = lossInputErrorAsserter('orpo');
  rejectsOrpo(() => orpo([-1, 0], [-1, -2]), 'chosen', /log-probabilities < 0.*got 0 at index 1/);
  rejectsOrpo(() => orpo([-1], [0.5]), 'rejected', /got 0\.5 at index 0/);
  rejectsOrpo(() => orpo([-1], [-1e-320]), 'rejected', /too close to 0/);
  lossInputErrorAsserter('simpo')(() => simpo([-1], [-1, -2]), 'rejected', /does not match/);
});
