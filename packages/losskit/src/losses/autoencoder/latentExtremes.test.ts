// Latents at the edges of the float range (issue #12): β = 0 leaves the KL term out exactly
// (a huge logVar gives no 0·∞ = NaN), and a logVar or μ whose KL term overflows the result's
// dtype is an error naming it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, losses, type Tensor } from '../../index.js';

const vaeLoss = losses.vaeLoss as unknown as LossEntry;
const vaeKl = losses.vaeKl as unknown as LossEntry;
const reconstruction = losses.reconstruction as unknown as LossEntry;

const input = [
  [0.2, 0.7],
  [0.4, 0.9],
];
const target = [
  [0, 1],
  [1, 0],
];
const grads = (r: { grads: unknown }) => r.grads as Record<string, Tensor>;

test('vaeLoss with beta 0: a logVar of ±1e308 and a mu of 1e308 add exactly 0 to the value and the gradients', () => {
  for (const extreme of [1e308, -1e308]) {
    const mu = [
      [1e308, 0],
      [0, -1e308],
    ];
    const logVar = [
      [extreme, 0],
      [3, extreme],
    ];
    for (const reduction of ['batchmean', 'mean', 'sum'] as const) {
      const r = vaeLoss.valueAndGrad({ input, target, mu, logVar } as never, { beta: 0, reduction } as never);
      const recon = reconstruction.valueAndGrad(
        { input, target } as never,
        {
          reduction: reduction === 'batchmean' ? 'batchmean' : reduction,
        } as never,
      );
      assert.equal(r.value.item(), recon.value.item(), reduction);
      assert.deepEqual(
        Array.from(grads(r).input.data),
        Array.from(grads(recon).input.data),
        `${reduction} grads.input`,
      );
      assert.ok(
        grads(r).mu.data.every((v) => v === 0),
        `${reduction} grads.mu ${grads(r).mu.data}`,
      );
      assert.ok(
        grads(r).logVar.data.every((v) => v === 0),
        `${reduction} grads.logVar ${grads(r).logVar.data}`,
      );
    }
  }
});

test('vaeLoss with beta > 0 and vaeKl: a logVar whose variance overflows (above 709.78; 88.72 in float32) is an error naming logVar and the index', () => {
  const mu = [
    [0, 0],
    [0, 0],
  ];
  for (const [dtype, big] of [
    ['float64', 710],
    ['float64', 1e308],
    ['float32', 89],
    ['float32', 3e38],
  ] as const) {
    const lv = dtype === 'float32' ? Float32Array.of(0, 0, 0, big) : Float64Array.of(0, 0, 0, big);
    const logVar = { shape: [2, 2], data: lv };
    const typedMu = { shape: [2, 2], data: dtype === 'float32' ? new Float32Array(4) : new Float64Array(4) };
    const typedInput = {
      shape: [2, 2],
      data: dtype === 'float32' ? Float32Array.from(input.flat()) : Float64Array.from(input.flat()),
    };
    const message = new RegExp(
      `at index \\[1, 1\\] is above ${dtype === 'float32' ? '88\\.72' : '709\\.78'}, where the variance exp\\(logVar\\) overflows ${dtype}`,
    );
    assertLossInputError(() => vaeKl.valueAndGrad({ mu: typedMu, logVar } as never), {
      loss: 'vaeKl',
      argument: 'logVar',
      message,
    });
    assertLossInputError(
      () =>
        vaeLoss.valueAndGrad(
          { input: typedInput, target, mu: typedMu, logVar } as never,
          { beta: 0.5 } as never,
        ),
      {
        loss: 'vaeLoss',
        argument: 'logVar',
        message,
      },
    );
  }
  // 709 (88 in float32) is still representable: finite value and gradients.
  const r = vaeKl.valueAndGrad(
    {
      mu,
      logVar: [
        [709, 0],
        [0, -700],
      ],
    } as never,
    { reduction: 'none' } as never,
  );
  assert.ok(Number.isFinite(r.value.data[0]) && Number.isFinite(grads(r).logVar.data[0]));
});

test('vaeKl: a mu whose square overflows (beyond ±1.34e154) is an error naming mu', () => {
  assertLossInputError(() => vaeKl.valueAndGrad({ mu: [[0, -1e155]], logVar: [[0, 0]] } as never), {
    loss: 'vaeKl',
    argument: 'mu',
    message: /-1e\+155 at index \[0, 1\] is beyond ±1\.34e\+154, where μ² overflows float64/,
  });
});
