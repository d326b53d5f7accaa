// Optimizers declare their hyperparameters with the loss option specs: one error shape for a bad
// value (`Adam: options.lr: must be a finite number >= 0, got -1`), unknown names rejected with
// the list of known ones, and the documented defaults applied when an option is left out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Adam,
  AdamW,
  LossInputError,
  type Optimizer,
  RMSprop,
  SGD,
  type Tensor,
  tensor,
  variable,
} from '../../packages/losskit/src/index.js';

type Make = (params: Tensor[], options?: Record<string, unknown>) => Optimizer;

interface Case {
  readonly name: string;
  readonly make: Make;
  /** The documented defaults, spelled out. */
  readonly defaults: Record<string, unknown>;
  /** Per option, a value outside its domain and what the message must say. */
  readonly bad: readonly (readonly [option: string, value: unknown, says: RegExp])[];
}

const cases: readonly Case[] = [
  {
    name: 'SGD',
    make: (p, o) => new SGD(p, o),
    defaults: { lr: 0.01, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
    bad: [
      ['lr', -1, /must be a finite number >= 0, got -1$/],
      ['lr', Number.NaN, /must be a finite number >= 0, got NaN$/],
      ['momentum', -0.5, /must be a finite number >= 0, got -0\.5$/],
      ['dampening', Number.POSITIVE_INFINITY, /must be a finite number >= 0, got Infinity$/],
      ['weightDecay', '0.1', /must be a finite number >= 0, got the string '0\.1'$/],
      ['nesterov', 1, /must be true or false, got 1$/],
      ['schedule', 0.5, /must be a Schedule \(step => factor\), got 0\.5$/],
    ],
  },
  {
    name: 'Adam',
    make: (p, o) => new Adam(p, o),
    defaults: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 },
    bad: [
      ['lr', -1, /must be a finite number >= 0, got -1$/],
      ['betas', [0.9, 1], /must be a pair \[a, b\], each a finite number >= 0 and < 1, got \[0\.9, 1\]$/],
      ['betas', [-0.1, 0.999], /got \[-0\.1, 0\.999\]$/],
      ['betas', 0.9, /must be a pair \[a, b\], each .*, got 0\.9$/],
      ['eps', -1e-8, /must be a finite number >= 0, got -1e-8$/],
      ['weightDecay', -1, /must be a finite number >= 0, got -1$/],
    ],
  },
  {
    name: 'AdamW',
    make: (p, o) => new AdamW(p, o),
    defaults: { lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 },
    bad: [
      ['betas', [0.9, 0.999, 0.5], /must be a pair \[a, b\].*, got an array of 3$/],
      ['weightDecay', -0.01, /must be a finite number >= 0, got -0\.01$/],
    ],
  },
  {
    name: 'RMSprop',
    make: (p, o) => new RMSprop(p, o),
    defaults: { lr: 0.01, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 },
    bad: [
      ['alpha', 1, /must be a finite number >= 0 and < 1, got 1$/],
      ['eps', -1, /must be a finite number >= 0, got -1$/],
      ['momentum', -1, /must be a finite number >= 0, got -1$/],
      ['centered', 'yes', /must be true or false, got the string 'yes'$/],
      ['weightDecay', -1, /must be a finite number >= 0, got -1$/],
    ],
  },
];

const params = () => [variable([1, -2, 0.5])];

/** The parameter after three updates with fixed gradients. */
function afterSteps(make: Make, options?: Record<string, unknown>): number[] {
  const p = variable([1, -2, 0.5]);
  const optimizer = make([p], options);
  for (const g of [
    [0.3, -1, 2],
    [0.1, 0.5, -0.7],
    [-0.2, 0.4, 0.9],
  ]) {
    p.grad = tensor(g);
    optimizer.step();
  }
  return [...p.data];
}

for (const c of cases) {
  describe(`${c.name} options`, () => {
    test('an unknown option is an error listing the options it takes', () => {
      const known = Object.keys(c.defaults).concat('schedule');
      assert.throws(
        () => c.make(params(), { lrr: 0.1 }),
        (e) => {
          assert.ok(e instanceof LossInputError);
          assert.equal(e.argument, 'options.lrr');
          assert.match(
            e.message,
            new RegExp(`^${c.name}: options\\.lrr: unknown option \\(this optimizer takes: `),
          );
          for (const name of known) assert.match(e.message, new RegExp(`\\b${name}\\b`));
          return true;
        },
      );
    });

    for (const [option, value, says] of c.bad) {
      test(`${option}: ${String(value)} is an error naming the option, its domain and the value`, () => {
        assert.throws(
          () => c.make(params(), { [option]: value }),
          (e) => {
            assert.ok(e instanceof LossInputError);
            assert.equal(e.argument, `options.${option}`);
            assert.match(e.message, new RegExp(`^${c.name}: options\\.${option}: `));
            assert.match(e.message, says);
            return true;
          },
        );
      });
    }

    test('left-out options take the documented defaults', () => {
      const implicit = afterSteps(c.make);
      assert.deepEqual(afterSteps(c.make, {}), implicit);
      assert.deepEqual(afterSteps(c.make, c.defaults), implicit);
      assert.equal(c.make(params()).baseLr, c.defaults.lr);
      // `undefined` counts as left out, as for loss options.
      const undefinedEverywhere = Object.fromEntries(Object.keys(c.defaults).map((k) => [k, undefined]));
      assert.deepEqual(afterSteps(c.make, undefinedEverywhere), implicit);
    });

    test('a non-default value is used, not replaced by the default', () => {
      const lr = (c.defaults.lr as number) * 3;
      assert.notDeepEqual(afterSteps(c.make, { lr }), afterSteps(c.make));
      assert.equal(c.make(params(), { lr }).baseLr, lr);
    });

    test('options that are not an object are an error', () => {
      assert.throws(
        () => c.make(params(), 'fast' as unknown as Record<string, unknown>),
        (e) => e instanceof LossInputError && e.argument === 'options' && /must be an object/.test(e.message),
      );
    });
  });
}

test('SGD: Nesterov needs momentum > 0 and dampening 0, and the error says what it got', () => {
  assert.throws(
    () => new SGD(params(), { nesterov: true }),
    (e) =>
      e instanceof LossInputError &&
      e.message ===
        'SGD: options.momentum: must be > 0 with dampening 0 for Nesterov, got momentum 0 and dampening 0',
  );
  assert.throws(
    () => new SGD(params(), { nesterov: true, momentum: 0.9, dampening: 0.1 }),
    (e) => e instanceof LossInputError && /Nesterov.*dampening 0\.1$/.test(e.message),
  );
  assert.doesNotThrow(() => new SGD(params(), { nesterov: true, momentum: 0.9 }));
});

test('an optimizer with no parameters is still refused before its options are read', () => {
  assert.throws(
    () => new Adam([], { lrr: 1 } as Record<string, unknown>),
    (e) => e instanceof LossInputError && e.argument === 'params',
  );
});
