import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { ctcLoss } from '../../index.js';
import { type CtcSample, ctcMinimumSteps, ctcSampleLoss } from './ctcKernel.js';
import { ctcSampleLossScaled, ctcScaledScratch } from './ctcScaled.js';

/** One random sample with an alignment: T frames of C classes, S labels with repeats. */
function randomSample(
  next: () => number,
  time: number,
  classes: number,
  labels: number,
  logits: boolean,
  spread: number,
): CtcSample {
  const blank = Math.floor(next() * classes);
  const row: number[] = [];
  for (let i = 0; i < labels; i++) {
    // Every fourth label repeats its predecessor, so that some cells cannot take the skip.
    const c = i > 0 && i % 4 === 0 ? row[i - 1] : Math.floor(next() * (classes - 1));
    row.push(i > 0 && i % 4 === 0 ? c : c >= blank ? c + 1 : c);
  }
  let length = labels;
  while (ctcMinimumSteps(row, 0, length) > time) length--;
  const x = new Float64Array(time * classes);
  for (let t = 0; t < time; t++) {
    let m = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) {
      x[t * classes + c] = spread * (2 * next() - 1);
      m = Math.max(m, x[t * classes + c]);
    }
    if (!logits) {
      let s = 0;
      for (let c = 0; c < classes; c++) s += Math.exp(x[t * classes + c] - m);
      for (let c = 0; c < classes; c++) x[t * classes + c] -= m + Math.log(s);
    }
  }
  return { x, frameOffset: 0, classes, logits, steps: time, labels: row, labelOffset: 0, length, blank };
}

/** Loss and gradient of one sample by both kernels (the scaled one may decline: null). */
function bothKernels(sample: CtcSample, weight: number) {
  const scratch = ctcScaledScratch(sample.steps, sample.classes, sample.length);
  const n = sample.steps * sample.classes;
  const scaledGrad = new Float64Array(n);
  const logGrad = new Float64Array(n);
  return {
    scaled: ctcSampleLossScaled(sample, scratch, scaledGrad, weight),
    log: ctcSampleLoss(sample, scratch, logGrad, weight),
    scaledGrad,
    logGrad,
  };
}

describe('the rescaled probability-space CTC kernel', () => {
  test('equals the log-space kernel (value to 1e-12 relative, gradient to 1e-12) on random samples', () => {
    const next = random(17);
    let checked = 0;
    for (const logits of [true, false]) {
      for (const [time, classes, labels] of [
        [1, 2, 0],
        [1, 3, 1],
        [5, 4, 2],
        [12, 6, 5],
        [40, 10, 14],
        [60, 30, 20],
        [200, 30, 40],
      ] as const) {
        const sample = randomSample(next, time, classes, labels, logits, 3);
        const { scaled, log, scaledGrad, logGrad } = bothKernels(sample, 0.7);
        assert.notEqual(scaled, null, `declined on ${time}×${classes}, S = ${sample.length}`);
        const value = scaled as number;
        assert.ok(Math.abs(value - log) <= 1e-12 * Math.abs(log) + 1e-14, `${value} vs ${log}`);
        let worst = 0;
        for (let i = 0; i < logGrad.length; i++)
          worst = Math.max(worst, Math.abs(scaledGrad[i] - logGrad[i]));
        assert.ok(worst <= 1e-12, `gradient differs by ${worst} on ${time}×${classes}`);
        checked++;
      }
    }
    assert.equal(checked, 14);
  });

  test('keeps full precision where p(y) itself is far below the smallest float64 (2000 frames)', () => {
    const sample = randomSample(random(5), 2000, 20, 300, true, 1);
    const { scaled, log, scaledGrad, logGrad } = bothKernels(sample, 1);
    // e^(−loss) would be 0 in float64: only the per-frame rescaling keeps the recursion finite.
    assert.ok(log > 800, `loss ${log}`);
    assert.notEqual(scaled, null);
    assert.ok(Math.abs((scaled as number) - log) <= 1e-12 * log, `${scaled} vs ${log}`);
    for (let i = 0; i < logGrad.length; i++) assert.ok(Math.abs(scaledGrad[i] - logGrad[i]) <= 1e-11);
  });

  test('declines where an emission underflows: logits of ±1e4, a log-probability of −800', () => {
    const extreme = randomSample(random(3), 8, 5, 3, true, 1e4);
    assert.equal(bothKernels(extreme, 1).scaled, null);
    const underflow = randomSample(random(4), 8, 5, 3, false, 1);
    const x = underflow.x as Float64Array;
    // Frame 3 emits the blank and every label with probability e^−800 (below 2^−1000).
    for (let c = 0; c < 5; c++) x[3 * 5 + c] = c === 0 ? -1e-300 : -800;
    const scratch = ctcScaledScratch(8, 5, 3);
    const blanked = { ...underflow, blank: 1, labels: [2, 3, 4], length: 3 };
    assert.equal(ctcSampleLossScaled(blanked, scratch, null, 1), null);
  });

  test('declines once its error bound passes 2⁻⁶⁰: 2000 frames of random scores in [−4, 4]', () => {
    // α̂_t and β̂_t concentrate on different states in the middle frames, so Z_t falls to about
    // 1e-287 and the cells set to 0 there could matter: the log-space kernel takes over.
    const sample = randomSample(random(5), 2000, 20, 300, true, 4);
    const scratch = ctcScaledScratch(2000, 20, 300);
    assert.equal(ctcSampleLossScaled(sample, scratch, new Float64Array(2000 * 20), 1), null);
    // The forward pass alone lost cells too, so a value-only call runs the backward check as well.
    assert.equal(ctcSampleLossScaled(sample, scratch, null, 1), null);
  });

  test('where it declines, ctc returns the log-space kernel’s value and gradient, bit for bit', () => {
    const sample = randomSample(random(9), 8, 5, 3, true, 1e4);
    const { scaled, log, logGrad } = bothKernels(sample, 1);
    assert.equal(scaled, null);
    const inputs = {
      input: { shape: [1, 8, 5], data: sample.x },
      targets: { shape: [1, 3], data: Float64Array.from(sample.labels as number[]) },
      inputLengths: { shape: [1], data: Float64Array.of(8) },
      targetLengths: { shape: [1], data: Float64Array.of(sample.length) },
    };
    const { value, grads } = ctcLoss.valueAndGrad(inputs, { blank: sample.blank, reduction: 'sum' });
    assert.equal(value.item(), log);
    assert.deepEqual(Array.from(grads.input.data), Array.from(logGrad));
  });
});
