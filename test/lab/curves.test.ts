import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lossList } from '../../packages/losskit/src/index.js';
import { lossCurves } from '../../packages/lab/src/lab/index.js';

const at = (points: readonly (readonly [number, number])[], x: number) => {
  const p = points.find(([px]) => Math.abs(px - x) < 1e-9);
  assert.ok(p, `no point at x = ${x}`);
  return p[1];
};

test('huber curves: one series per delta, gradient clipped at ±delta', () => {
  const curves = lossCurves({
    loss: 'huber',
    sweep: { option: 'delta', values: [0.5, 1, 2] },
    domain: [-4, 4],
    points: 81,
  });
  assert.deepEqual(
    curves.gradient.series.map((s) => s.name),
    ['delta = 0.5', 'delta = 1', 'delta = 2'],
  );
  assert.equal(at(curves.gradient.series[0].points, 3), 0.5);
  assert.equal(at(curves.gradient.series[2].points, -3), -2);
  assert.equal(at(curves.value.series[1].points, 0.5), 0.125);
  assert.match(curves.value.x.label, /error/);
});

test('ppoClip is drawn against the probability ratio, with a zero gradient beyond 1 + ε for a positive advantage', () => {
  const curves = lossCurves({ loss: 'ppoClip', options: { clipEpsilon: 0.2 }, domain: [0.5, 2], points: 31 });
  assert.equal(at(curves.gradient.series[0].points, 1.5), 0);
  assert.ok(Math.abs(at(curves.gradient.series[0].points, 1) + 1) < 1e-9, 'd(−r·A)/dr = −1 inside the band');
});

test('every registry loss can be plotted with finite curves', () => {
  for (const entry of lossList) {
    const curves = lossCurves({ loss: entry.name, points: 11 });
    assert.ok(curves.value.series[0].points.length >= 9, `${entry.name} value points`);
    assert.ok(curves.gradient.series[0].points.length >= 9, `${entry.name} gradient points`);
  }
});

test('an option the loss does not take, or a value outside its domain, is an error', () => {
  assert.throws(
    () => lossCurves({ loss: 'huber', options: { gamma: 2 } }),
    /'huber' has no option 'gamma'; its options are: delta, reduction/,
  );
  assert.throws(() => lossCurves({ loss: 'huber', sweep: { option: 'delta', values: [-1] } }), /delta/);
});
