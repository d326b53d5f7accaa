import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import {
  type LossEntry,
  linearCrossEntropy,
  linearCrossEntropyLoss,
  tokenCrossEntropyLoss,
} from '../../index.js';
import { chunkRows, panelWidth } from './linearCrossEntropy.js';

const entry = linearCrossEntropyLoss as unknown as LossEntry;
type Plain = { shape: number[]; data: Float64Array };

/** Deterministic values in [lo, hi) (a linear congruential generator). */
function values(n: number, seed: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
}

/** Token ids in [0, V), every `ignoreEvery`-th one replaced by −100. */
function ids(n: number, vocabulary: number, ignoreEvery = 0): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++)
    out[i] = ignoreEvery > 0 && i % ignoreEvery === 1 ? -100 : (i * 7 + 3) % vocabulary;
  return out;
}

/** The materialising route: logits = hidden @ weightᵀ, tokenCrossEntropy, then the two products. */
function materialised(
  hidden: Plain,
  weight: Plain,
  target: Plain,
  options: Record<string, unknown>,
  upstream: Plain | null = null,
) {
  const [vocabulary, features] = weight.shape;
  const tokens = target.data.length;
  const logits = new Float64Array(tokens * vocabulary);
  for (let t = 0; t < tokens; t++)
    for (let v = 0; v < vocabulary; v++) {
      let s = 0;
      for (let k = 0; k < features; k++) s += hidden.data[t * features + k] * weight.data[v * features + k];
      logits[t * vocabulary + v] = s;
    }
  const input = { shape: [...target.shape, vocabulary], data: logits };
  const { value, grads } = tokenCrossEntropyLoss.valueAndGrad({ input, target }, options as never, upstream);
  const g = grads.input.data;
  const dHidden = new Float64Array(tokens * features);
  const dWeight = new Float64Array(vocabulary * features);
  for (let t = 0; t < tokens; t++)
    for (let v = 0; v < vocabulary; v++) {
      const gv = g[t * vocabulary + v];
      for (let k = 0; k < features; k++) {
        dHidden[t * features + k] += gv * weight.data[v * features + k];
        dWeight[v * features + k] += gv * hidden.data[t * features + k];
      }
    }
  return {
    value,
    hidden: { shape: hidden.shape, data: dHidden },
    weight: { shape: weight.shape, data: dWeight },
  };
}

function problem(batch: number[], vocabulary: number, features: number, ignoreEvery = 0, seed = 1) {
  const tokens = batch.reduce((a, b) => a * b, 1);
  return {
    hidden: { shape: [...batch, features], data: values(tokens * features, seed) },
    weight: { shape: [vocabulary, features], data: values(vocabulary * features, seed + 1) },
    target: { shape: batch, data: ids(tokens, vocabulary, ignoreEvery) },
  };
}

function assertMatchesMaterialised(
  p: ReturnType<typeof problem>,
  options: Record<string, unknown>,
  upstream: Plain | null = null,
  tol = { rtol: 1e-12, atol: 1e-14 },
) {
  const fused = linearCrossEntropyLoss.valueAndGrad(p, options as never, upstream);
  const reference = materialised(p.hidden, p.weight, p.target, options, upstream);
  assertClose(fused.value, reference.value, tol, 'value');
  assertClose(fused.grads.hidden, reference.hidden, tol, 'grads.hidden');
  assertClose(fused.grads.weight, reference.weight, tol, 'grads.weight');
}

describe('linearCrossEntropy equals tokenCrossEntropy over hidden @ weightᵀ', () => {
  for (const reduction of ['mean', 'sum', 'none'] as const) {
    for (const labelSmoothing of [0, 0.1]) {
      test(`reduction ${reduction}, labelSmoothing ${labelSmoothing}, with ignored tokens`, () => {
        assertMatchesMaterialised(problem([3, 5], 7, 4, 4), { reduction, labelSmoothing });
      });
    }
  }

  test("'none' with an upstream weighs each token's gradient", () => {
    const p = problem([2, 3], 6, 3, 3);
    const upstream = { shape: [2, 3], data: values(6, 9, 0.5, 2) };
    assertMatchesMaterialised(p, { reduction: 'none', labelSmoothing: 0.2 }, upstream);
  });

  test('a custom ignoreIndex skips exactly the tokens carrying it', () => {
    const p = problem([9], 5, 3);
    p.target.data[2] = 4;
    p.target.data[6] = 4;
    assertMatchesMaterialised(p, { ignoreIndex: 4 });
  });

  test('odd sizes (tails of every register tile) match too', () => {
    assertMatchesMaterialised(problem([7], 9, 5, 5), { labelSmoothing: 0.05 });
    assertMatchesMaterialised(problem([1], 1, 1), {});
  });

  test('several chunks (V large enough that a chunk holds fewer rows than there are tokens)', () => {
    const vocabulary = 1 << 16;
    const rows = chunkRows(vocabulary, 1 << 20);
    assert.ok(rows < 70, `chunk of ${rows} rows`);
    assertMatchesMaterialised(problem([rows * 2 + 3], vocabulary, 2, 6), { labelSmoothing: 0.1 }, null, {
      rtol: 1e-10,
      atol: 1e-13,
    });
  });

  test('float32 inputs give float32 results within 2e-6 of float64', () => {
    const p = problem([4, 6], 11, 8, 5);
    const f32 = {
      hidden: { shape: p.hidden.shape, data: Float32Array.from(p.hidden.data) },
      weight: { shape: p.weight.shape, data: Float32Array.from(p.weight.data) },
      target: p.target,
    };
    const a = linearCrossEntropyLoss.valueAndGrad(f32, { labelSmoothing: 0.1 });
    const b = linearCrossEntropyLoss.valueAndGrad(p, { labelSmoothing: 0.1 });
    assert.equal(a.value.dtype, 'float32');
    assert.equal(a.grads.weight.dtype, 'float32');
    assertClose(a.value, b.value, { rtol: 2e-6, atol: 0 }, 'value');
    assertClose(a.grads.hidden, b.grads.hidden, { rtol: 2e-6, atol: 1e-7 }, 'grads.hidden');
    assertClose(a.grads.weight, b.grads.weight, { rtol: 2e-6, atol: 1e-7 }, 'grads.weight');
  });
});

describe('linearCrossEntropy float32 at a realistic size (SIMD GEMM, several chunks and panels)', () => {
  // V = 8192, H = 16: float32 chunks of 512 tokens, each split into vocabulary panels; 2 chunks + 37.
  const [vocabulary, features] = [8192, 16];
  const rows = chunkRows(vocabulary, 1 << 20, true);
  const tokens = 2 * rows + 37;
  const p = problem([tokens], vocabulary, features, 9, 5);
  // The float64 reference sees the same float32-rounded inputs: the difference is the float32 arithmetic.
  const h32 = Float32Array.from(p.hidden.data);
  const w32 = Float32Array.from(p.weight.data);
  const f32 = {
    hidden: { shape: p.hidden.shape, data: h32 },
    weight: { shape: p.weight.shape, data: w32 },
    target: p.target,
  };
  const f64 = {
    hidden: { shape: p.hidden.shape, data: Float64Array.from(h32) },
    weight: { shape: p.weight.shape, data: Float64Array.from(w32) },
    target: p.target,
  };

  test('the problem spans several chunks and panels', () => {
    assert.ok(tokens > 2 * rows, `${tokens} tokens, chunks of ${rows}`);
    assert.ok(panelWidth(vocabulary, features, rows) < vocabulary / 2, 'at least 3 panels');
  });

  for (const options of [{ labelSmoothing: 0.1 }, { reduction: 'sum' }] as const) {
    test(`float32 equals float64 within float32 sums: ${JSON.stringify(options)}`, () => {
      const a = linearCrossEntropyLoss.valueAndGrad(f32, options);
      const b = linearCrossEntropyLoss.valueAndGrad(f64, options);
      assert.equal(a.grads.hidden.dtype, 'float32');
      assertClose(a.value, b.value, { rtol: 1e-6, atol: 0 }, 'value');
      // Float32 sums over up to V terms: the error scales with the gradient's size, not each entry's.
      for (const name of ['hidden', 'weight'] as const) {
        let scale = 0;
        for (const v of b.grads[name].data) scale = Math.max(scale, Math.abs(v));
        assertClose(a.grads[name], b.grads[name], { rtol: 1e-5, atol: 2e-5 * scale }, `grads.${name}`);
      }
    });
  }
});

describe('linearCrossEntropy gradients', () => {
  for (const options of [{}, { labelSmoothing: 0.3 }, { reduction: 'sum' }]) {
    test(`equal central finite differences: ${JSON.stringify(options)}`, () => {
      const p = problem([5], 4, 3, 4, 7);
      gradcheck(entry, p, options);
    });
  }

  test("equal central finite differences under 'none' with an upstream", () => {
    const p = problem([2, 2], 3, 2, 0, 3);
    gradcheck(
      entry,
      p,
      { reduction: 'none', labelSmoothing: 0.1 },
      { shape: [2, 2], data: [1, -0.5, 2, 0.25] },
    );
  });
});

describe('linearCrossEntropy extremes and edge cases', () => {
  test('logits of ±1e4 give the exact finite loss and gradient', () => {
    const { value, grads } = linearCrossEntropyLoss.valueAndGrad(
      {
        hidden: [[100, 0]],
        weight: [
          [100, 0],
          [-100, 0],
          [0, 1],
        ],
        target: [1],
      },
      { reduction: 'sum' },
    );
    assertClose(value, { shape: [], data: [2e4] }, { rtol: 1e-12, atol: 0 }, 'value');
    assertAllFinite(grads.hidden, 'grads.hidden');
    // softmax = [1, 0, 0]: ∂/∂h = W₀ − W₁, ∂/∂W = (1, −1, 0) ⊗ h.
    assertClose(grads.hidden, { shape: [1, 2], data: [200, 0] }, { rtol: 1e-12, atol: 0 }, 'grads.hidden');
    assertClose(
      grads.weight,
      { shape: [3, 2], data: [100, 0, -100, 0, 0, 0] },
      { rtol: 1e-12, atol: 0 },
      'grads.weight',
    );
  });

  test('every token ignored: mean 0 with zero gradients', () => {
    const p = problem([3], 4, 2);
    p.target.data.fill(-100);
    const { value, grads } = linearCrossEntropyLoss.valueAndGrad(p);
    assert.equal(value.item(), 0);
    assert.ok(grads.hidden.data.every((v) => v === 0));
    assert.ok(grads.weight.data.every((v) => v === 0));
  });

  test('the value alone equals the value of valueAndGrad', () => {
    const p = problem([6], 5, 3, 3);
    const both = linearCrossEntropyLoss.valueAndGrad(p, { labelSmoothing: 0.1 });
    assert.equal(
      linearCrossEntropy(p.hidden, p.weight, p.target, { labelSmoothing: 0.1 }).item(),
      both.value.item(),
    );
  });

  test('the documented example', () => {
    assertClose(
      linearCrossEntropy(
        [
          [1, 0],
          [0, 2],
        ],
        [
          [1, 0],
          [0, 1],
          [1, 1],
        ],
        [0, 2],
      ),
      { shape: [], data: [0.8103092398688823] },
      { rtol: 1e-15, atol: 0 },
      'example',
    );
  });
});

describe('linearCrossEntropy rejects bad inputs', () => {
  const rejects = lossInputErrorAsserter();
  const p = problem([3], 4, 2);

  test('a weight whose width is not H', () => {
    rejects(
      () => linearCrossEntropy(p.hidden, { shape: [4, 3], data: new Float64Array(12) }, p.target),
      'weight',
      /\[V, 2\]/,
    );
  });
  test('a weight that is not a matrix', () => {
    rejects(
      () => linearCrossEntropy(p.hidden, { shape: [8], data: new Float64Array(8) }, p.target),
      'weight',
      /\[V, H\]/,
    );
  });
  test('a target whose shape is not hidden without its feature axis', () => {
    rejects(() => linearCrossEntropy(p.hidden, p.weight, [0, 1]), 'target', /does not match hidden/);
  });
  test('a token id outside the vocabulary', () => {
    rejects(() => linearCrossEntropy(p.hidden, p.weight, [0, 4, 1]), 'target', /outside \[0, 4\)/);
  });
  test('label smoothing outside [0, 1]', () => {
    rejects(
      () => linearCrossEntropy(p.hidden, p.weight, p.target, { labelSmoothing: 1.5 }),
      'options.labelSmoothing',
      /./,
    );
  });
});

describe('linearCrossEntropy matches PyTorch', () => {
  // torch 1.13, float64: F.cross_entropy((hidden @ weight.T).reshape(-1, 5), target.reshape(-1),
  // ignore_index=-100, ...) then backward(), for hidden [2, 3, 4] and weight [5, 4].
  const hidden = {
    shape: [2, 3, 4],
    data: [
      0.94, 0.416, -0.081, 0.841, 0.29, 0.582, -0.643, -0.298, 0.163, -0.424, -0.094, -0.646, -0.289, 0.244,
      -0.036, -0.118, -0.185, -0.589, 0.33, 0.57, -0.579, 0.353, -0.781, 0.048,
    ],
  };
  const weight = {
    shape: [5, 4],
    data: [
      -0.548, 0.116, 0.175, 0.364, 0.491, -0.545, 0.62, 0.261, -0.608, -0.695, -0.037, 0.835, 0.144, -0.038,
      0.592, -0.264, -0.456, -0.917, 0.497, -0.316,
    ],
  };
  const target = { shape: [2, 3], data: [1, 4, -100, 0, 2, 3] };
  const tol = { rtol: 1e-12, atol: 1e-15 };

  test("label_smoothing=0.1, reduction='mean'", () => {
    const { value, grads } = linearCrossEntropyLoss.valueAndGrad(
      { hidden, weight, target },
      { labelSmoothing: 0.1 },
    );
    assertClose(value, { shape: [], data: [1.5290221008002753] }, tol, 'value');
    assertClose(grads.hidden, { shape: [2, 3, 4], data: HIDDEN_GRAD_MEAN }, tol, 'grads.hidden');
    assertClose(grads.weight, { shape: [5, 4], data: WEIGHT_GRAD_MEAN }, tol, 'grads.weight');
  });

  test("reduction='sum'", () => {
    const { value, grads } = linearCrossEntropyLoss.valueAndGrad(
      { hidden, weight, target },
      { reduction: 'sum' },
    );
    assertClose(value, { shape: [], data: [7.567050004001376] }, tol, 'value');
    assertClose(grads.hidden, { shape: [2, 3, 4], data: HIDDEN_GRAD_SUM }, tol, 'grads.hidden');
    assertClose(grads.weight, { shape: [5, 4], data: WEIGHT_GRAD_SUM }, tol, 'grads.weight');
  });
});

const HIDDEN_GRAD_MEAN = [
  -0.09682070011999712, 0.0312343409592859, -0.04065350782469068, -0.001167610398415018, 0.051421001629687255,
  0.10951448184052753, -0.02107864484640777, 0.08455963549266113, 0.0, 0.0, 0.0, 0.0, 0.05475876849961156,
  -0.088929679789896, 0.03151375781142007, -0.033895697252733586, 0.0633295265194001, 0.03208026328892896,
  0.06314068117308809, -0.10001534073685019, -0.09305494659097205, -0.05858861296572735, -0.06125334975362049,
  0.10389301514068858,
];
const WEIGHT_GRAD_MEAN = [
  0.045848605114356684, 0.013649984548913266, -0.06524199601377295, 0.048949178595156906,
  -0.12270761461961911, -0.039250988847212134, -0.01200237316437309, -0.08812642879042525,
  0.021535213790433126, 0.1304744952081583, -0.1049075738001933, -0.049871377729902966, 0.12322289190825665,
  -0.014800212942708994, 0.09300024428426812, 0.014664322984191229, -0.0678990961934274, -0.09007327796715045,
  0.08915169869407122, 0.07438430494098004,
];
const HIDDEN_GRAD_SUM = [
  -0.5527435005999854, 0.16909170479642954, -0.22832753912345344, -0.014338051992075107, 0.28316500814843626,
  0.5976924092026377, -0.11815322423203883, 0.47199817746330563, 0.0, 0.0, 0.0, 0.0, 0.3090538424980578,
  -0.49782839894948006, 0.17700878905710032, -0.1882784862636679, 0.3579076325970005, 0.1883213164446448,
  0.35634340586544044, -0.565976703684251, -0.4992147329548602, -0.3307230648286367, -0.3285267487681024,
  0.563465075703443,
];
const WEIGHT_GRAD_SUM = [
  0.26168302557178347, 0.0639699227445663, -0.3468299800688648, 0.27740589297578455, -0.7039980730980955,
  -0.21773494423606066, -0.07613186582186546, -0.5038721439521263, 0.12971606895216561, 0.7313924760407915,
  -0.5817578690009666, -0.28549688864951495, 0.6775544595412832, -0.08918106471354503, 0.5188812214213405,
  0.08938161492095612, -0.36495548096713704, -0.48844638983575217, 0.4858384934703562, 0.4225815247049001,
];
