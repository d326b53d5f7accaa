import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertAllFinite, assertClose } from '../../../../../test/helpers/assert-close.js';
import { gradcheck } from '../../../../../test/helpers/gradcheck.js';
import { lossInputErrorAsserter } from '../../../../../test/helpers/loss-errors.js';
import { shapedTensor as t } from '../../../../../test/helpers/plain-tensor.js';
import { random } from '../../../../../test/helpers/random.js';
import { ctc, ctcLoss, type LossEntry } from '../../index.js';
import { ctcTorchBatch } from '../../../../../test/helpers/ctc-torch-batch.js';
import { referenceLogSoftmax } from '../../../../../test/helpers/cross-entropy-reference.js';

const entry = ctcLoss as unknown as LossEntry;
const rejects = lossInputErrorAsserter('ctc');

/** One CTC batch as plain arrays: scores [N][T][C], label rows (padded), lengths. */
interface Batch {
  readonly scores: number[][][];
  readonly targets: number[][];
  readonly inputLengths: number[];
  readonly targetLengths: number[];
}

const flat = (b: Batch) => {
  const [n, time, classes] = [b.scores.length, b.scores[0]?.length ?? 0, b.scores[0]?.[0]?.length ?? 0];
  const width = b.targets[0]?.length ?? 0;
  return {
    input: t([n, time, classes], b.scores.flat(2)),
    targets: t([n, width], b.targets.flat()),
    inputLengths: t([n], b.inputLengths),
    targetLengths: t([n], b.targetLengths),
  };
};

/** 𝓑(π): repeated symbols merged, then blanks removed. */
function collapse(path: readonly number[], blank: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < path.length; i++) {
    if (path[i] !== blank && (i === 0 || path[i] !== path[i - 1])) out.push(path[i]);
  }
  return out;
}

/**
 * CTC by enumeration of every path π ∈ [0, C)^T (independent of the recursion): log p(y) =
 * log Σ_{𝓑(π) = y} Π_t p_t(π_t), and the occupation γ_t(c) = Σ_{𝓑(π) = y, π_t = c} P(π) / p(y).
 */
function enumerate(
  logProbs: readonly (readonly number[])[],
  labels: readonly number[],
  blank: number,
): { logLikelihood: number; occupation: number[][] } {
  const time = logProbs.length;
  const classes = logProbs[0].length;
  const occupation = logProbs.map((row) => row.map(() => 0));
  let total = 0;
  const path = new Array<number>(time).fill(0);
  for (let k = 0; k < classes ** time; k++) {
    let rest = k;
    for (let s = 0; s < time; s++) {
      path[s] = rest % classes;
      rest = Math.floor(rest / classes);
    }
    const collapsed = collapse(path, blank);
    if (collapsed.length !== labels.length || collapsed.some((c, i) => c !== labels[i])) continue;
    const p = Math.exp(path.reduce((s, c, frame) => s + logProbs[frame][c], 0));
    total += p;
    for (let s = 0; s < time; s++) occupation[s][path[s]] += p;
  }
  return { logLikelihood: Math.log(total), occupation: occupation.map((row) => row.map((v) => v / total)) };
}

/** A random batch with tiny T and C (so that enumeration is cheap), every sample alignable. */
function tinyBatch(next: () => number, blank: number, classes: number): Batch {
  const n = 1 + Math.floor(next() * 3);
  const time = 1 + Math.floor(next() * 5);
  const width = Math.floor(next() * 4);
  const labelOf = () => {
    const c = Math.floor(next() * (classes - 1));
    return c >= blank ? c + 1 : c; // any class but the blank
  };
  const batch: Batch = { scores: [], targets: [], inputLengths: [], targetLengths: [] };
  for (let i = 0; i < n; i++) {
    batch.scores.push(
      Array.from({ length: time }, () => Array.from({ length: classes }, () => 4 * next() - 2)),
    );
    const row = Array.from({ length: width }, labelOf);
    const steps = 1 + Math.floor(next() * time);
    let length = Math.min(width, Math.floor(next() * (width + 1)));
    const needed = (k: number) => k + row.slice(1, k).filter((c, j) => c === row[j]).length;
    while (needed(length) > steps) length--;
    batch.targets.push(row);
    batch.inputLengths.push(steps);
    batch.targetLengths.push(length);
  }
  return batch;
}

describe('ctc against an enumeration of every alignment', () => {
  test('value, and the gradient with respect to logits (softmax − γ) and log-probabilities (−γ), equal a brute-force sum over all paths', () => {
    const next = random(2006);
    for (let round = 0; round < 60; round++) {
      const classes = 2 + Math.floor(next() * 3);
      const blank = round % 3 === 0 ? classes - 1 : Math.floor(next() * classes);
      const batch = tinyBatch(next, blank, classes);
      const inputs = flat(batch);
      for (const inputKind of ['logits', 'logProbs'] as const) {
        const scores =
          inputKind === 'logits'
            ? batch.scores
            : batch.scores.map((frames) => frames.map(referenceLogSoftmax));
        const given =
          inputKind === 'logits' ? inputs : { ...inputs, input: flat({ ...batch, scores }).input };
        const { value, grads } = ctcLoss.valueAndGrad(given, { blank, inputKind, reduction: 'none' }, null);
        const expectedValue: number[] = [];
        const expectedGrad: number[] = [];
        batch.scores.forEach((frames, n) => {
          const steps = batch.inputLengths[n];
          const logProbs = frames.slice(0, steps).map(referenceLogSoftmax);
          const labels = batch.targets[n].slice(0, batch.targetLengths[n]);
          const { logLikelihood, occupation } = enumerate(logProbs, labels, blank);
          expectedValue.push(-logLikelihood);
          frames.forEach((_, frame) => {
            for (let c = 0; c < classes; c++) {
              if (frame >= steps) expectedGrad.push(0);
              else {
                const softmax = inputKind === 'logits' ? Math.exp(logProbs[frame][c]) : 0;
                expectedGrad.push(softmax - occupation[frame][c]);
              }
            }
          });
        });
        const label = `round ${round} ${inputKind} blank ${blank} ${JSON.stringify(batch.targets)} lengths ${batch.inputLengths}/${batch.targetLengths}`;
        assertClose(value, t([batch.scores.length], expectedValue), { rtol: 1e-12, atol: 1e-12 }, label);
        assertClose(
          grads.input,
          { shape: inputs.input.shape, data: expectedGrad },
          { rtol: 1e-10, atol: 1e-12 },
          label,
        );
      }
    }
  });

  test("'mean' divides each sample by its target length (at least 1), then averages over the batch", () => {
    const batch: Batch = {
      scores: [
        [
          [0.5, -1, 2],
          [1, 0, -0.5],
          [0.2, 0.3, -2],
          [1.5, -0.3, 0],
        ],
        [
          [-1, 1, 0],
          [0.4, 0.1, 0.9],
          [2, -2, 0],
          [0, 0, 0],
        ],
        [
          [0.3, 0.3, 1],
          [-0.4, 1.2, 0.1],
          [0.9, -0.6, 0.2],
          [1, 1, -1],
        ],
      ],
      targets: [
        [1, 2, 1],
        [2, 2, 1],
        [1, 1, 1],
      ],
      inputLengths: [4, 4, 3],
      targetLengths: [3, 0, 1],
    };
    const inputs = flat(batch);
    const [a, b, c] = ctcLoss.value(inputs, { reduction: 'none' }).data;
    const mean = ctcLoss.value(inputs).item();
    assert.ok(Math.abs(mean - (a / 3 + b / 1 + c / 1) / 3) < 1e-14, `mean ${mean}`);
    const sum = ctcLoss.value(inputs, { reduction: 'sum' }).item();
    assert.ok(Math.abs(sum - (a + b + c)) < 1e-14, `sum ${sum}`);
  });
});

describe('ctc against PyTorch on a random batch', () => {
  const { input, targets, targetLengths, cases } = ctcTorchBatch;
  for (const c of cases) {
    test(`F.ctc_loss (PyTorch ${ctcTorchBatch.torch}, float64): ${c.name}`, () => {
      const inputs = {
        input: t([...input.shape], [...input.data]),
        targets: t([...targets.shape], [...targets.data]),
        inputLengths: t([c.inputLengths.length], [...c.inputLengths]),
        targetLengths: t([targetLengths.length], [...targetLengths]),
      };
      const upstream = c.upstream === undefined ? null : t([...c.upstream.shape], [...c.upstream.data]);
      const { value, grads } = ctcLoss.valueAndGrad(inputs, c.options as never, upstream);
      assertClose(value, c.value, { rtol: 1e-10, atol: 1e-12 }, `${c.name} value`);
      assertClose(grads.input, c.grad, { rtol: 1e-9, atol: 1e-12 }, `${c.name} grad`);
    });
  }
});

describe('ctc gradients against central differences (float64)', () => {
  const batch: Batch = {
    scores: [
      [
        [0.1, -0.4, 1.2, 0.3],
        [0.9, 0.2, -1.1, 0.5],
        [-0.3, 1.4, 0.6, -0.8],
        [0.7, -0.2, 0.1, 1.1],
        [0.2, 0.8, -0.5, 0.4],
      ],
      [
        [1.3, -0.6, 0.2, 0.1],
        [-0.7, 0.5, 0.9, -0.2],
        [0.4, 0.4, -1.3, 0.8],
        [0.0, 1.0, 0.3, -0.9],
        [0.6, -1.2, 0.7, 0.2],
      ],
      [
        [-0.2, 0.3, 0.5, 1.0],
        [0.8, -0.9, 0.1, 0.6],
        [1.1, 0.2, -0.4, -0.3],
        [-0.5, 0.9, 1.2, 0.0],
        [0.3, 0.1, -0.7, 0.9],
      ],
    ],
    targets: [
      [1, 1, 2],
      [3, 2, 3],
      [2, 1, 1],
    ],
    inputLengths: [5, 4, 5],
    targetLengths: [2, 3, 1],
  };
  // Each blank ≠ 0 comes with targets that avoid it.
  const settings: { options: Record<string, string | number>; targets?: number[][] }[] = [
    { options: {} },
    { options: { reduction: 'sum' } },
    {
      options: { blank: 3 },
      targets: [
        [1, 1, 2],
        [0, 2, 0],
        [2, 1, 1],
      ],
    },
    { options: { inputKind: 'logProbs' } },
    {
      options: { inputKind: 'logProbs', blank: 2, reduction: 'sum' },
      targets: [
        [1, 1, 0],
        [3, 0, 3],
        [0, 1, 1],
      ],
    },
  ];
  for (const { options, targets = batch.targets } of settings) {
    test(`${JSON.stringify(options)}, and 'none' with an upstream`, () => {
      const scores =
        options.inputKind === 'logProbs'
          ? batch.scores.map((frames) => frames.map(referenceLogSoftmax))
          : batch.scores;
      const inputs = flat({ ...batch, scores, targets });
      gradcheck(entry, inputs, options);
      gradcheck(entry, inputs, { ...options, reduction: 'none' }, t([3], [0.7, -1.3, 2.1]));
    });
  }

  test('zeroInfinity: an impossible sample has loss 0 and gradient 0 and still counts in the mean', () => {
    // Sample 1 needs 4 frames (labels 3 3 2: a blank between the 3s) and has 3.
    const inputs = flat({
      ...batch,
      targets: [
        [1, 1, 2],
        [3, 3, 2],
        [2, 1, 1],
      ],
      inputLengths: [5, 3, 5],
    });
    const units = ctcLoss.value(inputs, { zeroInfinity: true, reduction: 'none' });
    assert.equal(units.data[1], 0);
    const { value, grads } = ctcLoss.valueAndGrad(inputs, { zeroInfinity: true });
    assertClose(
      value,
      t([], [(units.data[0] / 2 + units.data[2] / 1) / 3]),
      { rtol: 1e-14, atol: 0 },
      'mean',
    );
    const frames = 5 * 4;
    assert.deepEqual(Array.from(grads.input.data.slice(frames, 2 * frames)), new Array(frames).fill(0));
    assert.ok(grads.input.data.slice(0, frames).some((v) => v !== 0));
    gradcheck(entry, inputs, { zeroInfinity: true });
    gradcheck(entry, inputs, { zeroInfinity: true, reduction: 'none' }, t([3], [0.7, -1.3, 2.1]));
  });
});

describe('ctc at extreme logits', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`logits of ±1e4 give a finite value and gradient rows of softmax − γ that sum to 0 (${dtype})`, () => {
      const time = 6;
      const classes = 5;
      const scores = Array.from({ length: 2 }, (_, n) =>
        Array.from({ length: time }, (_, s) =>
          Array.from({ length: classes }, (_, c) => ((n + s + c) % 3 === 0 ? 1e4 : -1e4)),
        ),
      );
      const inputs = flat({
        scores,
        targets: [
          [1, 2, 2],
          [3, 4, 1],
        ],
        inputLengths: [6, 5],
        targetLengths: [3, 2],
      });
      const typed =
        dtype === 'float32'
          ? { ...inputs, input: { ...inputs.input, data: Float32Array.from(inputs.input.data) } }
          : inputs;
      for (const reduction of ['mean', 'sum', 'none'] as const) {
        const { value, grads } = ctcLoss.valueAndGrad(typed, { reduction });
        assert.equal(value.dtype, dtype);
        assertAllFinite(value, `${reduction} value`);
        assertAllFinite(grads.input, `${reduction} grad`);
        // Paths through the −1e4 logits cost about 2e4 nats per frame: large, but finite.
        for (const v of value.data) assert.ok(v > 1e3, `value ${v}`);
        for (let row = 0; row < 2 * time; row++) {
          let s = 0;
          for (let c = 0; c < classes; c++) s += grads.input.data[row * classes + c];
          assert.ok(Math.abs(s) < 1e-6, `row ${row} of the gradient sums to ${s}`);
        }
      }
      const logProbs = {
        ...typed,
        input: { ...typed.input, data: typed.input.data.map((v) => v - 1e4 - Math.log(2)) },
      };
      assertAllFinite(ctcLoss.valueAndGrad(logProbs, { inputKind: 'logProbs' }).grads.input, 'logProbs grad');
    });
  }
});

describe('ctc rejects bad input with a LossInputError naming the argument', () => {
  const good = () =>
    flat({
      scores: [
        [
          [0, 1, 2],
          [1, 0, 2],
          [2, 1, 0],
        ],
        [
          [1, 1, 0],
          [0, 2, 1],
          [1, 0, 0],
        ],
      ],
      targets: [
        [1, 2],
        [2, 1],
      ],
      inputLengths: [3, 2],
      targetLengths: [2, 1],
    });
  const call =
    (inputs: ReturnType<typeof good>, options: object = {}) =>
    () =>
      ctcLoss.valueAndGrad(inputs, options as never);

  test('shapes: input [N, T, C], targets [N, S], lengths [N]', () => {
    const g = good();
    rejects(call({ ...g, input: t([2, 9], new Array(18).fill(0)) }), 'input', /\[N, T, C\].*got \[2, 9\]/);
    rejects(call({ ...g, input: t([2, 3, 0], []) }), 'input', /at least one time step and one class/);
    rejects(call({ ...g, targets: t([2], [1, 2]) }), 'targets', /\[N, S\]/);
    rejects(
      call({ ...g, targets: t([3, 2], [1, 2, 2, 1, 1, 1]) }),
      'targets',
      /\[3, 2\] must be \[N, S\] with N = 2/,
    );
    rejects(call({ ...g, inputLengths: t([1], [3]) }), 'inputLengths', /\[1\] must be \[2\]/);
    rejects(call({ ...g, targetLengths: t([2, 1], [2, 1]) }), 'targetLengths', /\[2, 1\] must be \[2\]/);
  });

  test('lengths: integers, 1 ≤ inputLengths ≤ T, 0 ≤ targetLengths ≤ S', () => {
    const g = good();
    rejects(
      call({ ...g, inputLengths: t([2], [3, 0]) }),
      'inputLengths',
      /length 0 at index \[1\] is outside \[1, 3\]/,
    );
    rejects(
      call({ ...g, inputLengths: t([2], [4, 2]) }),
      'inputLengths',
      /length 4 at index \[0\] is outside \[1, 3\]/,
    );
    rejects(
      call({ ...g, inputLengths: t([2], [2.5, 2]) }),
      'inputLengths',
      /length 2.5 at index \[0\] is not an integer/,
    );
    rejects(
      call({ ...g, targetLengths: t([2], [3, 1]) }),
      'targetLengths',
      /length 3 at index \[0\] is outside \[0, 2\]/,
    );
    rejects(call({ ...g, targetLengths: t([2], [-1, 1]) }), 'targetLengths', /outside \[0, 2\]/);
  });

  test('labels within a target’s length: integers in [0, C), not the blank; padding is not read', () => {
    const g = good();
    rejects(
      call({ ...g, targets: t([2, 2], [1, 3, 2, 1]) }),
      'targets',
      /label 3 at index \[0, 1\] is outside \[0, 3\)/,
    );
    rejects(
      call({ ...g, targets: t([2, 2], [1, 0, 2, 1]) }),
      'targets',
      /label 0 at index \[0, 1\] is the blank/,
    );
    rejects(
      call({ ...g, targets: t([2, 2], [1, 2, 1.5, 1]) }),
      'targets',
      /label 1.5 at index \[1, 0\] is not an integer/,
    );
    rejects(call(g, { blank: 2 }), 'targets', /label 2 at index \[0, 1\] is the blank \(options.blank = 2\)/);
    // Sample 1's second label is padding: any finite value there is ignored.
    const padded = ctcLoss.value({ ...g, targets: t([2, 2], [1, 2, 2, -7]) }, { reduction: 'none' });
    assert.deepEqual(Array.from(padded.data), Array.from(ctcLoss.value(g, { reduction: 'none' }).data));
  });

  test('options: blank a class index, inputKind, zeroInfinity; log-probabilities ≤ 0', () => {
    const g = good();
    rejects(call(g, { blank: 3 }), 'options.blank', /must be a class index in \[0, 3\).*got 3/);
    rejects(call(g, { blank: -1 }), 'options.blank', /an integer >= 0/);
    rejects(call(g, { blank: 0.5 }), 'options.blank', /an integer/);
    rejects(call(g, { inputKind: 'probs' }), 'options.inputKind', /'logits' \| 'logProbs'/);
    rejects(call(g, { zeroInfinity: 1 }), 'options.zeroInfinity', /true or false/);
    rejects(call(g, { inputKind: 'logProbs' }), 'input', /log-probability 1 at index \[0, 0, 1\] is above 0/);
  });

  test('an impossible alignment names the sample and its lengths, unless zeroInfinity', () => {
    const g = good();
    const repeated = { ...g, targets: t([2, 2], [1, 2, 1, 1]), targetLengths: t([2], [2, 2]) };
    rejects(
      call(repeated),
      'inputLengths',
      /sample 1 has inputLengths 2 and targetLengths 2: no alignment exists \(its labels need at least 3 time steps.*zeroInfinity/,
    );
    const units = ctcLoss.value(repeated, { zeroInfinity: true, reduction: 'none' });
    assert.equal(units.data[1], 0);
    assert.ok(units.data[0] > 0);
  });
});

describe('ctc edge cases', () => {
  test('an empty target is the probability of blanks in every frame; an empty batch gives 0', () => {
    const scores = [
      [
        [0.3, -0.2],
        [1.1, 0.4],
        [-0.5, 0.9],
      ],
    ];
    const value = ctcLoss.value(flat({ scores, targets: [[1]], inputLengths: [3], targetLengths: [0] }));
    const expected = -scores[0].reduce((s, frame) => s + referenceLogSoftmax(frame)[0], 0);
    assertClose(value, t([], [expected]), { rtol: 1e-14, atol: 0 }, 'blank-only');
    const empty = ctcLoss.valueAndGrad({
      input: t([0, 3, 2], []),
      targets: t([0, 1], []),
      inputLengths: t([0], []),
      targetLengths: t([0], []),
    });
    assert.equal(empty.value.item(), 0);
    assert.equal(empty.grads.input.size, 0);
  });

  test('the TSDoc example: two frames of two equal classes, target [1], loss −log ¾', () => {
    assert.equal(
      ctc(
        [
          [
            [0, 0],
            [0, 0],
          ],
        ],
        [[1]],
        [2],
        [1],
      ).item(),
      -Math.log(0.75),
    );
  });
});
