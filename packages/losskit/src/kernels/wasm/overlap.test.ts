import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { random } from '../../../../../test/helpers/random.js';
import { LossInputError, losses, Tensor } from '../../index.js';
import { sigmoid } from '../../losses/math.js';
import { overlapLoss, sumsCheckRanges } from '../../losses/segmentation/overlap.js';
import {
  OVERLAP_SIMD_MIN_LENGTH,
  overlapSimdAvailable,
  simdAddLogitOverlapGrad,
  simdAddOverlapGrad,
  simdOverlapSums,
} from './overlap.js';

/** Elements per chunk in overlap.ts: lengths around it cross a chunk boundary. */
const CHUNK = 16384;

/**
 * How the predictions and the target are drawn: `binary` masks (30% ones) and `soft` targets
 * with random predictions; an `emptyTarget`, an `emptyPrediction` (p = 0, or logits of −1e4,
 * against a binary mask), `allOnes` (p = y = 1, or logits of 1e4: loss 0), and `confident`
 * predictions that match a binary mask closely (a loss near 1e-3, where the value's relative
 * error is that of the sums magnified about 1000 times).
 */
type Pattern = 'binary' | 'soft' | 'emptyTarget' | 'emptyPrediction' | 'allOnes' | 'confident';
const PATTERNS: readonly Pattern[] = [
  'binary',
  'soft',
  'emptyTarget',
  'emptyPrediction',
  'allOnes',
  'confident',
];

/** A random logit: mostly in ±8, some ±40, a few ±800 (e^−800 underflows) and ±1e4. */
function randomLogit(i: number, u: number): number {
  const sign = u < 0.5 ? -1 : 1;
  if (i % 97 === 0) return sign * 1e4;
  if (i % 89 === 0) return sign * 800;
  return (2 * u - 1) * (i % 5 === 0 ? 40 : 8);
}

/**
 * float32 predictions (probabilities, or logits when `logits`) and target of `shape` drawn by
 * `pattern`, and their float64 copies.
 */
function segmentationInputs(shape: readonly number[], pattern: Pattern, seed: number, logits = false) {
  const n = shape.reduce((a, b) => a * b, 1);
  const next = random(seed);
  const p = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (pattern === 'allOnes') y[i] = 1;
    else if (pattern === 'soft') y[i] = next();
    else if (pattern !== 'emptyTarget') y[i] = +(next() < 0.3);
    const u = next();
    if (pattern === 'allOnes') p[i] = logits ? 1e4 : 1;
    else if (pattern === 'emptyPrediction') p[i] = logits ? -1e4 : 0;
    else if (pattern === 'confident')
      p[i] = logits ? (2 * y[i] - 1) * (12 + 8 * u) : Math.abs(y[i] - 1e-3 * u);
    else p[i] = logits ? randomLogit(i, u) : u;
  }
  return {
    p32: new Tensor(p, shape),
    y32: new Tensor(y, shape),
    p64: new Tensor(Float64Array.from(p), shape),
    y64: new Tensor(Float64Array.from(y), shape),
  };
}

const relative = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
const maxAbs = (d: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < d.length; i++) m = Math.max(m, Math.abs(d[i]));
  return m;
};

/** Σpy, Σp, Σy over [start, end) by the JavaScript loop's order, in float64; p = σ(x) with logits. */
function referenceSums(x: Float32Array, y: Float32Array, start: number, end: number, logits: boolean) {
  let inter = 0;
  let sumP = 0;
  let sumY = 0;
  for (let i = start; i < end; i++) {
    const p = logits ? sigmoid(x[i]) : x[i];
    inter += p * y[i];
    sumP += p;
    sumY += y[i];
  }
  return [inter, sumP, sumY];
}

/**
 * slope·yᵢ and the offset of the overlap gradient ∂loss/∂pᵢ = slope·yᵢ + offset in each group,
 * from float64 sums of the float64 data (`weight` times the loss's gradient): the two terms the
 * float32 kernel adds in float32 arithmetic. Dice: slope = −2w/(G·d), IoU: −w(d + n)/(G·d²);
 * both: offset = w·n/(G·d²), with n and d the numerator and denominator of the group's score.
 */
function overlapGradTerms(
  kind: 'dice' | 'iou',
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  groups: number,
  weight: number,
  eps = 1e-5,
) {
  const size = p.length / groups;
  const slopeY = new Float64Array(p.length);
  const offset = new Float64Array(p.length);
  for (let g = 0; g < groups; g++) {
    const [inter, sumP, sumY] = referenceSums(
      Float32Array.from(p),
      Float32Array.from(y),
      g * size,
      (g + 1) * size,
      false,
    );
    const n = kind === 'dice' ? 2 * inter + eps : inter + eps;
    const d = kind === 'dice' ? sumP + sumY + eps : sumP + sumY - inter + eps;
    const slope = kind === 'dice' ? (-2 * weight) / (groups * d) : (-weight * (d + n)) / (groups * d * d);
    for (let i = g * size; i < (g + 1) * size; i++) {
      slopeY[i] = slope * y[i];
      offset[i] = (weight * n) / (groups * d * d);
    }
  }
  return { slopeY, offset };
}

/**
 * The float32 loss (SIMD for groups of OVERLAP_SIMD_MIN_LENGTH elements or more) against the
 * float64 path on the same values: the value within 2e-6 relative; each gradient within one
 * float32 rounding of the float64 one (plus 1e-10 of the largest, for sums taken in another
 * order), and, for bceDice and bceIou, one more rounding of BCE's own term (added first). The
 * SIMD probability gradient (float32 arithmetic) instead within `termTolerance` of its terms,
 * plus, for bceDice and bceIou, the roundings of BCE's term and of the sum.
 */
function compareWithFloat64(
  name: 'dice' | 'iou' | 'bceDice' | 'bceIou',
  shape: readonly number[],
  aggregate: 'batch' | 'sample',
  pattern: Pattern,
  seed: number,
  fromLogits = false,
) {
  const { p32, y32, p64, y64 } = segmentationInputs(shape, pattern, seed, fromLogits);
  const label = `${name} [${shape}] ${aggregate} ${pattern}${fromLogits ? ' logits' : ''}`;
  const entry = losses[name];
  const options = { aggregate, fromLogits };
  const f32 = entry.valueAndGrad({ input: p32, target: y32 }, options);
  const f64 = entry.valueAndGrad({ input: p64, target: y64 }, options);
  const v32 = f32.value.item();
  const v64 = f64.value.item();
  assert.ok(relative(v32, v64) <= 2e-6, `${label}: value ${v32} vs float64 ${v64}`);
  assert.equal(f32.value.item(), entry.value({ input: p32, target: y32 }, options).item(), label);
  const g32 = f32.grads.input.data;
  const g64 = f64.grads.input.data;
  // bceDice and bceIou: alpha = 0.5 of the BCE gradient, rounded to float32 alone.
  const withBce = name.startsWith('bce');
  const bceEntry = fromLogits ? losses.binaryCrossEntropyWithLogits : losses.binaryCrossEntropy;
  const bce = withBce ? bceEntry.valueAndGrad({ input: p64, target: y64 }).grads.input.data : null;
  const groups = aggregate === 'batch' ? 1 : shape[0];
  const kind = name === 'dice' || name === 'bceDice' ? 'dice' : 'iou';
  const terms =
    !fromLogits && p64.size / groups >= OVERLAP_SIMD_MIN_LENGTH
      ? overlapGradTerms(kind, p64.data, y64.data, groups, withBce ? 0.5 : 1)
      : null;
  const floor = 1e-10 * maxAbs(g64);
  for (let i = 0; i < g64.length; i++) {
    const own = bce === null ? 0 : 0.5 * Math.abs(bce[i]);
    const rounded = 2 ** -24 * (Math.abs(g64[i]) + own) * 1.001;
    const tolerance =
      terms === null
        ? rounded + floor
        : termTolerance(terms.slopeY[i], terms.offset[i]) + (withBce ? rounded : 0) + floor;
    if (!(Math.abs(g32[i] - g64[i]) <= tolerance)) {
      assert.fail(
        `${label}: gradient[${i}] ${g32[i]} vs float64 ${g64[i]} ± ${tolerance} (p = ${p64.data[i]}, y = ${y64.data[i]})`,
      );
    }
  }
}

test('the overlap SIMD kernels load in Node (WebAssembly SIMD is available)', () => {
  assert.equal(overlapSimdAvailable(), true);
});

test('simdOverlapSums gives the float64 sums up to their order (and σ to 1e-15), from any start and across chunks', () => {
  for (const n of [OVERLAP_SIMD_MIN_LENGTH, 1001, CHUNK + 3, 3 * CHUNK, 100_003]) {
    for (const [pattern, logits] of [
      ['binary', false],
      ['soft', false],
      ['binary', true],
      ['soft', true],
    ] as const) {
      const { p32, y32 } = segmentationInputs([n], pattern, n, logits);
      const x = p32.data as Float32Array;
      const y = y32.data as Float32Array;
      for (const [start, end] of [
        [0, n],
        [5, n - 2],
      ]) {
        const sums = new Float64Array(4);
        assert.equal(simdOverlapSums(x, y, start, end, logits, sums, 1), true, 'values in [0, 1]');
        assert.equal(sums[0], 0, 'nothing written before `at`');
        const expected = referenceSums(x, y, start, end, logits);
        // Positive terms: another order changes each sum by at most (end − start) roundings;
        // σ from the kernel's exp and from the JavaScript table differ by about 1e-15.
        const bound = (end - start) * 2 ** -53 + (logits ? 2e-15 : 0);
        for (let k = 0; k < 3; k++) {
          assert.ok(
            relative(sums[k + 1], expected[k]) <= bound,
            `n=${n} ${pattern}${logits ? ' logits' : ''} [${start}, ${end}) sum ${k}: ${sums[k + 1]} vs ${expected[k]}`,
          );
        }
        if (pattern === 'binary') assert.equal(sums[3], expected[2], 'Σy of a binary mask is exact');
      }
    }
  }
});

test('simdOverlapSums ignores what an earlier, longer call left past the end of a short chunk', () => {
  const ones = new Float32Array(CHUNK).fill(1);
  const sums = new Float64Array(3);
  simdOverlapSums(ones, ones, 0, CHUNK, false, sums);
  assert.deepEqual([...sums], [CHUNK, CHUNK, CHUNK]);
  for (const [start, end] of [
    [0, 4099],
    [1, 4099],
    [2, 4099],
    [CHUNK - 133, CHUNK],
  ]) {
    simdOverlapSums(ones, ones, 0, CHUNK, false, sums);
    simdOverlapSums(ones, ones, start, end, false, sums);
    const n = end - start;
    assert.deepEqual([...sums], [n, n, n], `[${start}, ${end})`);
    // Logits pad with σ = 0 (a padding logit of 0 would add 1/2 per padded lane).
    simdOverlapSums(ones, ones, 0, CHUNK, false, sums);
    simdOverlapSums(new Float32Array(CHUNK).fill(1e4), ones, start, end, true, sums);
    assert.deepEqual([...sums], [n, n, n], `logits [${start}, ${end})`);
  }
});

/**
 * How far the float32 kernel's slope·y + offset (f32x4 arithmetic on slope and offset rounded
 * to float32) may lie from the exact term: (3|slope·y| + 2|offset|)·2^−24, with 0.1% for the
 * second-order terms.
 */
const termTolerance = (slopeY: number, offset: number) =>
  2 ** -24 * (3 * Math.abs(slopeY) + 2 * Math.abs(offset)) * 1.001;

test('simdAddOverlapGrad adds slope·y[i] + offset within a few float32 roundings inside [start, end) and leaves the rest', () => {
  const n = 3 * CHUNK + 7;
  const next = random(11);
  const y = Float32Array.from({ length: n }, () => next());
  const start = 3;
  const end = n - 2;
  for (const gradIsZero of [false, true]) {
    const [slope, offset] = [-3.7e-6 * (next() + 0.5), 1.3e-6 * (next() + 0.5)];
    const grad = Float32Array.from({ length: n }, (_, i) =>
      gradIsZero && i >= start && i < end ? 0 : next() - 0.5,
    );
    const before = grad.slice();
    assert.equal(simdAddOverlapGrad(y, start, end, slope, offset, grad, gradIsZero), grad);
    let worst = 0;
    for (let i = 0; i < n; i++) {
      if (i < start || i >= end) {
        assert.ok(Object.is(grad[i], before[i]), `grad[${i}] outside [start, end) changed`);
        continue;
      }
      // The exact sum, then its own rounding to float32.
      const expected = before[i] + (slope * y[i] + offset);
      const tolerance = termTolerance(slope * y[i], offset) + 2 ** -24 * Math.abs(expected);
      const error = Math.abs(grad[i] - expected);
      worst = Math.max(worst, error / tolerance);
      if (!(error <= tolerance)) {
        assert.fail(`gradIsZero ${gradIsZero}: grad[${i}] ${grad[i]}, expected ${expected} ± ${tolerance}`);
      }
    }
    // Slope and offset of either sign, y across [0, 1): the bound is not loose by orders.
    assert.ok(worst > 0.1, `worst error ${worst} of the tolerance`);
  }
});

test('simdAddLogitOverlapGrad adds (slope·y + offset)·σ(x)σ(−x) within a float32 rounding inside [start, end) and leaves the rest', () => {
  const n = 3 * CHUNK + 7;
  const next = random(12);
  const x = Float32Array.from({ length: n }, (_, i) => randomLogit(i, next()));
  const y = Float32Array.from({ length: n }, () => next());
  const start = 3;
  const end = n - 2;
  for (const gradIsZero of [false, true]) {
    const [slope, offset] = [-3.7e-6 * (next() + 0.5), 1.3e-6 * (next() + 0.5)];
    const grad = Float32Array.from({ length: n }, (_, i) =>
      gradIsZero && i >= start && i < end ? 0 : 1e-6 * (next() - 0.5),
    );
    const before = grad.slice();
    assert.equal(simdAddLogitOverlapGrad(x, y, start, end, slope, offset, grad, gradIsZero), grad);
    for (let i = 0; i < n; i++) {
      // σ(x)σ(−x) = e/(1 + e)² with e = e^−|x| (Math.exp: independent of both the kernel's exp
      // and math.ts's); 1e-12 of the term covers their difference.
      const e = Math.exp(-Math.abs(x[i]));
      const term = ((slope * y[i] + offset) * e) / (1 + e) ** 2;
      const expected = i >= start && i < end ? before[i] + term : before[i];
      if (!(Math.abs(grad[i] - expected) <= 2 ** -24 * Math.abs(expected) * 1.001 + 1e-12 * Math.abs(term))) {
        assert.fail(`gradIsZero ${gradIsZero}: grad[${i}] ${grad[i]}, expected ${expected} (x = ${x[i]})`);
      }
    }
  }
});

test('overlapLoss told that its float32 buffer holds zeros writes the bits it would have added', () => {
  const { p32, y32 } = segmentationInputs([3, CHUNK + 5], 'soft', 3);
  const p = p32.data as Float32Array;
  const y = y32.data as Float32Array;
  for (const kind of ['dice', 'iou'] as const) {
    for (const [groups, logits] of [
      [1, false],
      [3, false],
      [3, true],
    ] as const) {
      const added = new Float32Array(p.length);
      const written = new Float32Array(p.length);
      const a = overlapLoss(kind, p, y, groups, 1e-5, logits, 0.7, added, false);
      const w = overlapLoss(kind, p, y, groups, 1e-5, logits, 0.7, written, true);
      assert.equal(w, a);
      assert.deepEqual(written, added, `${kind} groups ${groups} logits ${logits}`);
      assert.ok(maxAbs(written) > 0);
    }
  }
});

test("dice and iou on float32 match the float64 path, 'batch': masks, soft targets, empty target, empty prediction, all ones", () => {
  for (const name of ['dice', 'iou'] as const) {
    for (const n of [
      OVERLAP_SIMD_MIN_LENGTH - 1,
      OVERLAP_SIMD_MIN_LENGTH,
      1001,
      CHUNK + 3,
      3 * CHUNK,
      100_003,
    ]) {
      for (const pattern of PATTERNS) compareWithFloat64(name, [n], 'batch', pattern, n);
    }
  }
});

test("dice and iou on float32 match the float64 path with 'sample': several groups, of lengths not multiples of 4", () => {
  for (const name of ['dice', 'iou'] as const) {
    for (const shape of [
      [5, 1001],
      [3, 1, CHUNK + 3],
      [4, 2, 7, 13],
      [7, 30],
    ]) {
      for (const pattern of PATTERNS) compareWithFloat64(name, shape, 'sample', pattern, shape[0]);
    }
  }
});

test('dice and iou on float32 logits match the float64 path (logits to ±1e4), both aggregates', () => {
  for (const name of ['dice', 'iou'] as const) {
    for (const n of [OVERLAP_SIMD_MIN_LENGTH, 1001, CHUNK + 3, 100_003]) {
      for (const pattern of PATTERNS) compareWithFloat64(name, [n], 'batch', pattern, n, true);
    }
    for (const shape of [
      [5, 1001],
      [3, 1, CHUNK + 3],
    ]) {
      for (const pattern of PATTERNS) compareWithFloat64(name, shape, 'sample', pattern, shape[0], true);
    }
  }
});

test('dice on 2^20 + 3 float32 elements stays within 2e-6 of float64, value and gradient', () => {
  compareWithFloat64('dice', [2 ** 20 + 3], 'batch', 'binary', 20);
  compareWithFloat64('dice', [16, 2 ** 16 + 1], 'sample', 'soft', 21);
  compareWithFloat64('dice', [2 ** 20 + 3], 'batch', 'confident', 22);
  compareWithFloat64('dice', [2 ** 20 + 3], 'batch', 'confident', 23, true);
});

test('bceDice and bceIou on float32 add the overlap gradient to the BCE one already in the buffer', () => {
  for (const name of ['bceDice', 'bceIou'] as const) {
    for (const [shape, aggregate] of [
      [[CHUNK + 3], 'batch'],
      [[3, 1001], 'sample'],
      [[100_003], 'batch'],
    ] as const) {
      for (const pattern of ['binary', 'soft', 'emptyTarget'] as const) {
        compareWithFloat64(name, shape, aggregate, pattern, shape[0]);
        compareWithFloat64(name, shape, aggregate, pattern, shape[0], true);
      }
    }
  }
});

// Range checks fused into the sums: large float32 inputs skip validation's [0, 1] probes, and
// the SIMD sums pass flags an offender; the checks then run and throw as validation did.

/** The error `call` throws (failing when it throws none or something else). */
function thrownBy(call: () => unknown): LossInputError {
  try {
    call();
  } catch (e) {
    assert.ok(e instanceof LossInputError, `expected a LossInputError, got ${String(e)}`);
    return e;
  }
  assert.fail('no error thrown');
}

/** A flat index as validation prints it ([i, j, …]). */
function indexText(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    index.unshift(flat % shape[k]);
    flat = Math.floor(flat / shape[k]);
  }
  return `[${index.join(', ')}]`;
}

/**
 * Inputs whose first pass is the SIMD kernel (groups of OVERLAP_SIMD_MIN_LENGTH or more, across
 * chunks) and inputs left to the JavaScript loops (smaller groups, or a float64 target), with the
 * indices tried: the first, one in a middle group or chunk, the last.
 */
const RANGE_CASES = [
  { shape: [2 * CHUNK + 3], aggregate: 'batch', simd: true, at: [0, CHUNK + 1, 2 * CHUNK + 2] },
  { shape: [3, CHUNK + 5], aggregate: 'sample', simd: true, at: [0, 2 * CHUNK + 7, 3 * CHUNK + 14] },
  { shape: [4, 1, 200], aggregate: 'sample', simd: true, at: [0, 333, 799] },
  { shape: [100], aggregate: 'batch', simd: false, at: [0, 50, 99] },
  { shape: [4, 30], aggregate: 'sample', simd: false, at: [0, 37, 119] },
] as const;

const SEGMENTATION_LOSSES = ['dice', 'iou', 'bceDice', 'bceIou'] as const;

test('sumsCheckRanges holds for float32 groups of OVERLAP_SIMD_MIN_LENGTH or more, not for smaller groups, float64 or mixed', () => {
  for (const { shape, aggregate, simd } of RANGE_CASES) {
    const { p32, y32, p64, y64 } = segmentationInputs(shape, 'soft', 1);
    const groups = aggregate === 'batch' ? 1 : shape[0];
    assert.equal(sumsCheckRanges(p32.data, y32.data, groups), simd, `[${shape}] ${aggregate}`);
    assert.equal(sumsCheckRanges(p64.data, y64.data, groups), false, `[${shape}] float64`);
    assert.equal(sumsCheckRanges(p32.data, y64.data, groups), false, `[${shape}] float64 target`);
  }
  assert.equal(sumsCheckRanges(new Float32Array(0), new Float32Array(0), 0), false, 'no group');
});

test('a value outside [0, 1], NaN or ±Infinity at the first, a middle or the last index is the error validation gives, float32 large or small, both aggregates', () => {
  const bad = {
    input: [Number.NaN, Infinity, -Infinity, 1.5, -0.5],
    target: [Number.NaN, Infinity, -Infinity, 2, -0.5],
  };
  for (const { shape, aggregate, simd, at } of RANGE_CASES) {
    const { p32, y32, p64, y64 } = segmentationInputs(shape, 'soft', 2);
    for (const name of SEGMENTATION_LOSSES) {
      const entry = losses[name];
      for (const argument of ['input', 'target'] as const) {
        const for32 = argument === 'input' ? p32.data : y32.data;
        const for64 = argument === 'input' ? p64.data : y64.data;
        const what = argument === 'input' ? 'probability' : 'target value';
        for (const value of bad[argument]) {
          for (const i of at) {
            const label = `${name} [${shape}] ${aggregate} ${argument}[${i}] = ${value}`;
            const [was32, was64] = [for32[i], for64[i]];
            for32[i] = value;
            for64[i] = value;
            try {
              const options = { aggregate };
              // The float64 path validates as before the fusion: the reference error.
              const expected = thrownBy(() => entry.valueAndGrad({ input: p64, target: y64 }, options));
              assert.equal(expected.argument, argument, label);
              assert.match(
                expected.message,
                new RegExp(`${what} ${value} at index \\${indexText(i, shape)} is outside \\[0, 1\\]`),
                label,
              );
              for (const call of [
                () => entry.valueAndGrad({ input: p32, target: y32 }, options),
                () => entry.value({ input: p32, target: y32 }, options),
              ]) {
                const error = thrownBy(call);
                assert.equal(error.argument, expected.argument, label);
                assert.equal(error.message, expected.message, label);
                assert.equal(error.loss, name, label);
              }
            } finally {
              for32[i] = was32;
              for64[i] = was64;
            }
          }
        }
      }
      // With logits only the target is checked in [0, 1]; the input only for being finite.
      const i = at[1];
      y32.data[i] = 2;
      try {
        const error = thrownBy(() =>
          entry.valueAndGrad({ input: p32, target: y32 }, { aggregate, fromLogits: true }),
        );
        assert.equal(error.argument, 'target');
        assert.match(
          error.message,
          new RegExp(`target value 2 at index \\${indexText(i, shape)} is outside`),
        );
      } finally {
        y32.data[i] = y64.data[i];
      }
      assert.ok(simd === sumsCheckRanges(p32.data, y32.data, aggregate === 'batch' ? 1 : shape[0]));
    }
  }
});

test('an offending input is reported before an offending target, wherever each lies, as validation orders them', () => {
  for (const { shape, aggregate, at } of RANGE_CASES) {
    const { p32, y32 } = segmentationInputs(shape, 'binary', 3);
    p32.data[at[2]] = 1.5;
    y32.data[at[0]] = -0.5;
    for (const name of SEGMENTATION_LOSSES) {
      const error = thrownBy(() => losses[name].valueAndGrad({ input: p32, target: y32 }, { aggregate }));
      assert.equal(error.argument, 'input', `${name} [${shape}]`);
      assert.match(error.message, /probability 1\.5 at index/);
    }
  }
});

test('a float64 target with a large float32 input is still checked (by validation)', () => {
  const { p32, y64 } = segmentationInputs([2 * CHUNK + 3], 'binary', 4);
  y64.data[CHUNK + 1] = Number.NaN;
  for (const name of SEGMENTATION_LOSSES) {
    const error = thrownBy(() => losses[name].valueAndGrad({ input: p32, target: y64 }));
    assert.equal(error.argument, 'target');
    assert.match(error.message, /target value NaN at index \[16385\] is outside \[0, 1\]/);
  }
});

test('−0, which the kernel flags with the negatives, is accepted and counts as 0', () => {
  const shape = [2, CHUNK + 5];
  const { p32, y32 } = segmentationInputs(shape, 'binary', 5);
  const zeroY = y32.data.indexOf(0);
  const p = new Tensor(p32.data.slice(), shape);
  const y = new Tensor(y32.data.slice(), shape);
  p.data[7] = -0;
  y.data[zeroY] = -0;
  const positive = new Tensor(p32.data.slice(), shape);
  positive.data[7] = 0;
  for (const name of SEGMENTATION_LOSSES) {
    for (const aggregate of ['batch', 'sample'] as const) {
      const withNegativeZero = losses[name].valueAndGrad({ input: p, target: y }, { aggregate });
      const withZero = losses[name].valueAndGrad({ input: positive, target: y32 }, { aggregate });
      assert.equal(withNegativeZero.value.item(), withZero.value.item(), `${name} ${aggregate}`);
    }
  }
});

test('a reused out buffer holding garbage gets no gradient when a range check throws (left as it was, or all zeros), and is exact after a call that succeeds', () => {
  for (const { shape, aggregate, at } of RANGE_CASES) {
    const { p32, y32 } = segmentationInputs(shape, 'soft', 6);
    const size = p32.size;
    const garbage = Float32Array.from({ length: size }, (_, i) => 1000 + (i % 17));
    for (const name of SEGMENTATION_LOSSES) {
      const entry = losses[name];
      for (const fromLogits of [false, true]) {
        const options = { aggregate, fromLogits };
        const out = new Tensor(garbage.slice(), shape);
        const was = y32.data[at[2]];
        y32.data[at[2]] = Number.NaN;
        try {
          thrownBy(() =>
            entry.valueAndGrad({ input: p32, target: y32 }, options, null, { grads: { input: out } }),
          );
        } finally {
          y32.data[at[2]] = was;
        }
        const untouched = out.data.every((v, i) => v === garbage[i]);
        const zeros = out.data.every((v) => v === 0);
        assert.ok(untouched || zeros, `${name} [${shape}] ${aggregate}: out half-written`);
        out.data.set(garbage);
        const again = entry.valueAndGrad({ input: p32, target: y32 }, options, null, {
          grads: { input: out },
        });
        assert.equal(again.grads.input, out);
        const expected = entry.valueAndGrad({ input: p32, target: y32 }, options);
        assert.equal(again.value.item(), expected.value.item());
        assert.deepEqual(out.data, expected.grads.input.data, `${name} [${shape}] ${aggregate} out`);
      }
    }
  }
});

test('without WebAssembly (node --jitless) the kernels report null and dice keeps its JavaScript loops', () => {
  const index = new URL('../../index.js', import.meta.url).href;
  const kernels = new URL('./overlap.js', import.meta.url).href;
  const script = `
    const { losses, Tensor } = await import(${JSON.stringify(index)});
    const k = await import(${JSON.stringify(kernels)});
    const n = 4099;
    const p = Float32Array.from({ length: n }, (_, i) => ((i * 7919) % 1000) / 1000);
    const y = Float32Array.from({ length: n }, (_, i) => +(i % 3 === 0));
    const f32 = losses.dice.valueAndGrad({ input: p, target: y });
    const f64 = losses.dice.valueAndGrad({ input: Float64Array.from(p), target: Float64Array.from(y) });
    let worst = 0;
    for (let i = 0; i < n; i++)
      worst = Math.max(worst, Math.abs(f32.grads.input.data[i] - f64.grads.input.data[i]) / Math.abs(f64.grads.input.data[i]));
    console.log(JSON.stringify({
      available: k.overlapSimdAvailable(),
      sums: k.simdOverlapSums(p, y, 0, n, false, new Float64Array(3)),
      grad: k.simdAddOverlapGrad(y, 0, n, 1, 0, new Float32Array(n), true),
      logitGrad: k.simdAddLogitOverlapGrad(p, y, 0, n, 1, 0, new Float32Array(n), true),
      value: Math.abs(f32.value.item() - f64.value.item()) / f64.value.item(),
      worst,
    }));`;
  const result = spawnSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout);
  assert.deepEqual(
    { available: report.available, sums: report.sums, grad: report.grad, logitGrad: report.logitGrad },
    { available: false, sums: null, grad: null, logitGrad: null },
  );
  assert.ok(report.value <= 2e-6, `value ${report.value} relative`);
  assert.ok(report.worst <= 2 ** -24, `gradient ${report.worst} relative`);
});
