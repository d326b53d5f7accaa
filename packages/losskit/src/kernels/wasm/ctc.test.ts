import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { ctcLoss, KernelArrays, setThreads } from '../../index.js';
import { type CtcSample, ctcMinimumSteps } from '../../losses/sequence/ctcKernel.js';
import { ctcSampleLossScaled, ctcScaledScratch } from '../../losses/sequence/ctcScaled.js';
import type { FloatArray } from '../../tensor/float-array.js';
import { type CtcKernelSample, ctcKernelLosses } from './ctc.js';

/**
 * A random batch: N samples of up to T frames, C classes, up to S labels (every fourth a repeat
 * of the one before, so some cells cannot skip), lengths varied, scores in [−spread, spread]
 * (log-probabilities when !logits), stored as `Storage` (float32 or float64).
 */
function randomBatch(
  seed: number,
  shape: { batch: number; time: number; classes: number; labels: number },
  logits: boolean,
  spread: number,
  Storage: Float32ArrayConstructor | Float64ArrayConstructor,
) {
  const next = random(seed);
  const { batch, time, classes, labels } = shape;
  const blank = Math.floor(next() * classes);
  const targets = new Float64Array(batch * labels);
  const steps: number[] = [];
  const lengths: number[] = [];
  const x = new Storage(batch * time * classes);
  for (let n = 0; n < batch; n++) {
    for (let i = 0; i < labels; i++) {
      const c = Math.floor(next() * (classes - 1));
      targets[n * labels + i] = i > 0 && i % 4 === 0 ? targets[n * labels + i - 1] : c >= blank ? c + 1 : c;
    }
    const t = Math.max(1, time - Math.floor(next() * (time / 3)));
    let length = Math.floor(next() * (labels + 1));
    while (ctcMinimumSteps(targets, n * labels, length) > t) length--;
    steps.push(t);
    lengths.push(length);
    for (let f = 0; f < time; f++) {
      const row = (n * time + f) * classes;
      let m = Number.NEGATIVE_INFINITY;
      for (let c = 0; c < classes; c++) {
        x[row + c] = spread * (2 * next() - 1);
        m = Math.max(m, x[row + c]);
      }
      if (logits) continue;
      let s = 0;
      for (let c = 0; c < classes; c++) s += Math.exp(x[row + c] - m);
      for (let c = 0; c < classes; c++) x[row + c] = Math.min(0, x[row + c] - (m + Math.log(s)));
    }
  }
  return { x, targets, steps, lengths, blank, ...shape, logits };
}

type Batch = ReturnType<typeof randomBatch>;

/** The samples of a batch as the kernel takes them; weights vary, and every fifth is 0. */
function kernelSamples(b: Batch): CtcKernelSample[] {
  return b.steps.map((steps, n) => ({
    steps,
    frameOffset: n * b.time * b.classes,
    labelOffset: n * b.labels,
    length: b.lengths[n],
    weight: n % 5 === 4 ? 0 : 0.25 + n / 8,
  }));
}

/** Losses and gradient by the JavaScript twin (ctcScaled.ts), sample by sample; null losses where it declines. */
function javascriptKernel(b: Batch, withGrad: boolean) {
  const scratch = ctcScaledScratch(b.time, b.classes, b.labels);
  const grad = withGrad ? new (b.x.constructor as Float64ArrayConstructor)(b.x.length) : null;
  const losses = kernelSamples(b).map((s) => {
    const sample: CtcSample = {
      x: b.x,
      frameOffset: s.frameOffset,
      classes: b.classes,
      logits: b.logits,
      steps: s.steps,
      labels: b.targets,
      labelOffset: s.labelOffset,
      length: s.length,
      blank: b.blank,
    };
    return ctcSampleLossScaled(sample, scratch, grad, s.weight);
  });
  return { losses, grad };
}

/** The same by the WebAssembly kernel, into `grad` (a fresh array when none is given). */
function webAssemblyKernel(
  b: Batch,
  withGrad: boolean,
  x: FloatArray = b.x,
  grad: FloatArray | null = withGrad ? new (b.x.constructor as Float64ArrayConstructor)(b.x.length) : null,
) {
  const samples = kernelSamples(b);
  const losses = new Float64Array(samples.length);
  const ran = ctcKernelLosses(
    { x, classes: b.classes, logits: b.logits, blank: b.blank, labels: b.targets, grad },
    samples,
    losses,
  );
  assert.ok(ran, 'the kernel runs here (Node has shared WebAssembly memory)');
  return { losses: Array.from(losses, (l) => (Number.isNaN(l) ? null : l)), grad };
}

function assertSameBits(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++)
    assert.ok(Object.is(actual[i], expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
}

const SHAPES = [
  { batch: 1, time: 1, classes: 2, labels: 0 },
  { batch: 3, time: 6, classes: 4, labels: 3 },
  { batch: 7, time: 40, classes: 9, labels: 12 },
  { batch: 12, time: 120, classes: 30, labels: 40 },
];

describe('the WebAssembly CTC kernel (ctc.wat)', () => {
  after(() => setThreads('auto'));

  test('gives the JavaScript kernel’s bits: losses and gradients, float32 and float64, logits and log-probabilities, 1 and 2 threads', () => {
    let compared = 0;
    for (const threads of [1, 2]) {
      setThreads(threads);
      for (const [i, shape] of SHAPES.entries()) {
        for (const logits of [true, false]) {
          for (const Storage of [Float32Array, Float64Array]) {
            const b = randomBatch(10 * i + (logits ? 1 : 2), shape, logits, 4, Storage);
            for (const withGrad of [true, false]) {
              const js = javascriptKernel(b, withGrad);
              const wasm = webAssemblyKernel(b, withGrad);
              assert.ok(
                js.losses.every((l) => l !== null),
                'no sample declined at these scores',
              );
              assert.deepEqual(wasm.losses, js.losses);
              for (const [n, l] of wasm.losses.entries()) assert.ok(Object.is(l, js.losses[n]), `loss ${n}`);
              if (withGrad)
                assertSameBits(wasm.grad as ArrayLike<number>, js.grad as ArrayLike<number>, 'grad');
              compared++;
            }
          }
        }
      }
    }
    assert.equal(compared, 2 * SHAPES.length * 2 * 2 * 2);
  });

  test('declines the samples the JavaScript kernel declines (logits of ±1e4) and leaves the others exact', () => {
    const b = randomBatch(5, { batch: 6, time: 20, classes: 5, labels: 6 }, true, 4, Float64Array);
    const x = b.x as Float64Array;
    // Samples 1 and 4 get extreme scores.
    for (const n of [1, 4])
      for (let i = 0; i < b.time * b.classes; i++) x[n * b.time * b.classes + i] *= 2500;
    const js = javascriptKernel(b, true);
    const wasm = webAssemblyKernel(b, true);
    assert.deepEqual(
      wasm.losses.map((l) => l === null),
      [false, true, false, false, true, false],
    );
    assert.deepEqual(wasm.losses, js.losses);
  });

  test('writes only the frames t < Tₙ of each sample', () => {
    const b = randomBatch(8, { batch: 5, time: 30, classes: 6, labels: 8 }, true, 2, Float32Array);
    const grad = new Float32Array(b.x.length).fill(7);
    webAssemblyKernel(b, true, b.x, grad);
    for (let n = 0; n < b.batch; n++) {
      const written = grad.subarray(n * b.time * b.classes, (n * b.time + b.steps[n]) * b.classes);
      const rest = grad.subarray((n * b.time + b.steps[n]) * b.classes, (n + 1) * b.time * b.classes);
      assert.ok(
        rest.every((v) => v === 7),
        `sample ${n}: frames from ${b.steps[n]} on untouched`,
      );
      if (n % 5 !== 4)
        assert.ok(
          written.some((v) => v !== 7),
          `sample ${n}: its frames written`,
        );
    }
  });

  test('reads and writes resident arrays in place, with the same bits', () => {
    const b = randomBatch(21, SHAPES[3], true, 4, Float32Array);
    const arrays = new KernelArrays();
    try {
      const x = arrays.float32(b.x.length);
      x.set(b.x);
      const grad = arrays.float32(b.x.length);
      const resident = webAssemblyKernel(b, true, x, grad);
      const plain = webAssemblyKernel(b, true);
      assert.deepEqual(resident.losses, plain.losses);
      assertSameBits(grad, plain.grad as FloatArray, 'resident grad');
    } finally {
      arrays.release();
    }
  });

  test('ctc on a batch through the kernel: the same value and gradient with 1 and 2 threads', () => {
    const b = randomBatch(33, { batch: 16, time: 100, classes: 20, labels: 30 }, true, 4, Float32Array);
    const inputs = {
      input: { shape: [b.batch, b.time, b.classes], data: b.x },
      targets: { shape: [b.batch, b.labels], data: b.targets },
      inputLengths: { shape: [b.batch], data: Float64Array.from(b.steps) },
      targetLengths: { shape: [b.batch], data: Float64Array.from(b.lengths) },
    };
    const run = (threads: number) => {
      setThreads(threads);
      return ctcLoss.valueAndGrad(inputs, { blank: b.blank });
    };
    const one = run(1);
    const two = run(2);
    assert.ok(Object.is(one.value.item(), two.value.item()));
    assertSameBits(two.grads.input.data, one.grads.input.data, 'grad');
  });
});
