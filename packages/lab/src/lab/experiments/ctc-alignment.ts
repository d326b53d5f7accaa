// Experiment: learning to read digit strings from unsegmented noisy frames with CTC, which never
// sees where a digit starts or ends. A frame classifier trained on the true frame labels (the
// alignment given) is measured beside it as a reference; it is not part of the claim.
import {
  Adam,
  cosineDecay,
  editDistance,
  type FloatArray,
  losses,
  lossOp,
  mlp,
  noGrad,
  ops,
  shuffledBatches,
  Tensor,
  takeRows,
  trainStep,
} from 'losskit';
import { type DigitSequence, digitPrototypes, digitSequences } from '../data/digit-frames.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { armObjective, armVariant, type LossArm } from './loss-arm.js';

/** Class 0 is CTC's blank (and silence for the frame labels); digit d is class d + 1. */
const BLANK = 0;
const CLASSES = 11;
const DIMS = 8;
const PROTOTYPE_SCALE = 1.5;
const NOISE = 0.7;
/** The model sees each frame with this many neighbours on each side. */
const WINDOW = 1;
const HIDDEN = 32;
const SEQUENCES = { minDigits: 1, maxDigits: 6, minFrames: 2, maxFrames: 4 } as const;
/** The verdict's threshold on the held-out character error rate. */
const MAX_CER = 0.1;
/**
 * A CER measured on n held-out digits has a standard error of about √(0.1 · 0.9 / n) near the
 * threshold; closer than this many of them to it is too close to call.
 */
const UNCERTAIN_SE = 2;
/** Frame label of padding past a sequence's end, ignored by the frame cross-entropy. */
const PADDING = -1;
const BATCH = 32;
/** Sequences shown in the posterior images. */
const SHOWN = 4;

const ctcVariant = { id: 'ctc', label: 'CTC', losses: ['ctc'] } as const;
const frameArm = {
  id: 'frame-ce',
  label: 'Frame cross-entropy (alignment given)',
  loss: 'sparseCategoricalCrossEntropy',
  options: { ignoreIndex: PADDING },
  optionsNote:
    'trained on the true label of every frame (silence = class 0); a reference, not part of the claim',
} as const satisfies LossArm;

type VariantId = typeof ctcVariant.id | typeof frameArm.id;

/** Each frame with its WINDOW neighbours on each side (zeros past the ends), padded to `frames` per sequence. */
function windowedFrames(sequences: readonly DigitSequence[], frames: number): Tensor {
  const width = (2 * WINDOW + 1) * DIMS;
  const out = new Float64Array(sequences.length * frames * width);
  sequences.forEach((s, n) => {
    for (let t = 0; t < s.length; t++) {
      for (let k = -WINDOW; k <= WINDOW; k++) {
        const u = t + k;
        if (u < 0 || u >= s.length) continue;
        out.set(
          s.frames.subarray(u * DIMS, (u + 1) * DIMS),
          ((n * frames + t) * (2 * WINDOW + 1) + k + WINDOW) * DIMS,
        );
      }
    }
  });
  return new Tensor(out, [sequences.length, frames * width]);
}

/** The CTC inputs of the sequences: targets [N, S] (digit + 1, padded with the blank) and both lengths. */
function ctcTargets(sequences: readonly DigitSequence[], width: number) {
  const targets = new Float64Array(sequences.length * width);
  sequences.forEach((s, n) => {
    s.digits.forEach((d, i) => {
      targets[n * width + i] = d + 1;
    });
  });
  return {
    targets: new Tensor(targets, [sequences.length, width]),
    inputLengths: new Tensor(
      Float64Array.from(sequences, (s) => s.length),
      [sequences.length],
    ),
    targetLengths: new Tensor(
      Float64Array.from(sequences, (s) => s.digits.length),
      [sequences.length],
    ),
  };
}

/** The class of every frame (silence 0, digit d as d + 1), PADDING past each sequence's end. */
function frameLabels(sequences: readonly DigitSequence[], frames: number): Tensor {
  const out = new Float64Array(sequences.length * frames).fill(PADDING);
  sequences.forEach((s, n) => {
    s.frameDigits.forEach((d, t) => {
      out[n * frames + t] = d + 1;
    });
  });
  return new Tensor(out, [sequences.length, frames]);
}

/**
 * Greedy (best-path) CTC decoding of one sequence: the most probable class of each of its first
 * `length` frames, repeats collapsed, then blanks removed. `scores` holds `classes` per frame.
 */
export function greedyDecode(
  scores: ArrayLike<number>,
  length: number,
  classes: number,
  blank = BLANK,
): number[] {
  const out: number[] = [];
  let previous = -1;
  for (let t = 0; t < length; t++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (scores[t * classes + c] > scores[t * classes + best]) best = c;
    if (best !== previous && best !== blank) out.push(best);
    previous = best;
  }
  return out;
}

/** Greedy-decoding scores of [N, T, C] logits against the sequences' digits. */
function decodingScores(logits: FloatArray, sequences: readonly DigitSequence[], frames: number) {
  let errors = 0;
  let characters = 0;
  let exact = 0;
  let blanks = 0;
  let counted = 0;
  const decoded: number[][] = [];
  sequences.forEach((s, n) => {
    const scores = logits.subarray(n * frames * CLASSES, (n * frames + s.length) * CLASSES);
    const labels = greedyDecode(scores, s.length, CLASSES);
    const truth = Array.from(s.digits, (d) => d + 1);
    const distance = editDistance(labels, truth);
    errors += distance;
    characters += truth.length;
    if (distance === 0) exact++;
    for (let t = 0; t < s.length; t++) {
      let best = 0;
      for (let c = 1; c < CLASSES; c++) if (scores[t * CLASSES + c] > scores[t * CLASSES + best]) best = c;
      if (best === BLANK) blanks++;
    }
    counted += s.length;
    decoded.push(labels);
  });
  return {
    cer: characters === 0 ? Number.NaN : errors / characters,
    sequenceAccuracy: exact / sequences.length,
    blankFrames: blanks / counted,
    characters,
    decoded,
  };
}

/** Softmax of every frame of a [T, C] block, transposed to C rows of T pixels (padded to `width`). */
function posteriorImage(logits: ArrayLike<number>, offset: number, length: number, width: number): number[] {
  const pixels = new Array<number>(CLASSES * width).fill(0);
  for (let t = 0; t < length; t++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < CLASSES; c++) max = Math.max(max, logits[offset + t * CLASSES + c]);
    let sum = 0;
    for (let c = 0; c < CLASSES; c++) sum += Math.exp(logits[offset + t * CLASSES + c] - max);
    for (let c = 0; c < CLASSES; c++)
      pixels[c * width + t] = Math.exp(logits[offset + t * CLASSES + c] - max) / sum;
  }
  return pixels;
}

const digitsText = (labels: ArrayLike<number>) => Array.from(labels, (l) => String(l - 1)).join('');

export const ctcAlignment = defineExperiment({
  name: 'ctc-alignment',
  title: 'Reading digit strings without an alignment: CTC',
  claim: `A small frame-wise model trained with CTC on unsegmented noisy frames of digit strings reads held-out strings with a greedy-decoding character error rate below ${MAX_CER * 100}%.`,
  setup: `Synthetic utterances of ${SEQUENCES.minDigits}–${SEQUENCES.maxDigits} digits: each digit lasts ${SEQUENCES.minFrames}–${SEQUENCES.maxFrames} frames, each frame is the digit's prototype (a random ${DIMS}-D Gaussian vector, σ = ${PROTOTYPE_SCALE}) plus Gaussian noise (σ = ${NOISE}), with short silences (noise only) at the ends, between some digits and always between repeated ones. The model sees each frame with its ${WINDOW} neighbour on each side and maps it through ${HIDDEN} tanh units to ${CLASSES} logits (blank + 10 digits); CTC trains it from the digit strings alone (${BATCH} sequences a step, Adam at lr 0.01, cosine decay; 2,000 training strings and 800 steps, --quick: 400 and 250). Held-out strings (1,000; --quick 300) are decoded greedily: the best class per frame, repeats merged, blanks dropped. The CER is the edit distance to the true string over the number of true digits. A second model of the same size is trained with frame-level cross-entropy on the true label of every frame, the alignment CTC never sees, as a reference.`,
  variants: [ctcVariant, armVariant(frameArm)],
  metrics: [
    {
      id: 'cer',
      label: 'CER',
      better: 'lower',
      description:
        'Character error rate of greedy decoding on held-out strings: total edit distance over the number of true digits.',
    },
    {
      id: 'sequenceAccuracy',
      label: 'strings exactly right',
      better: 'higher',
      description: 'Share of held-out strings decoded without a single error.',
    },
    {
      id: 'blankFrames',
      label: 'blank frames',
      better: 'neither',
      description: 'Share of held-out frames whose most probable class is the blank (or silence).',
    },
    {
      id: 'characters',
      label: 'held-out digits',
      better: 'neither',
      digits: 0,
      description: 'Digits in the held-out strings: the CER’s denominator.',
    },
  ],
  headline: ['cer', 'sequenceAccuracy'],
  run({ seed, quick, onProgress }) {
    const prototypes = digitPrototypes(rngFor(seed, 'ctc-alignment/prototypes'), DIMS, PROTOTYPE_SCALE);
    const dataRng = rngFor(seed, 'ctc-alignment/data');
    const spec = { ...SEQUENCES, noise: NOISE };
    const train = digitSequences(dataRng, prototypes, { ...spec, count: quick ? 400 : 2000 });
    const test = digitSequences(dataRng, prototypes, { ...spec, count: quick ? 300 : 1000 });
    const steps = quick ? 250 : 800;
    const evalEvery = steps / 10;
    const frames = Math.max(...train.map((s) => s.length), ...test.map((s) => s.length));
    const width = (2 * WINDOW + 1) * DIMS;
    const trainInput = windowedFrames(train, frames);
    const testInput = windowedFrames(test, frames);
    const trainCtc = ctcTargets(train, SEQUENCES.maxDigits);
    const trainFrameLabels = frameLabels(train, frames);
    const frameObjective = armObjective(frameArm);
    const variants = [ctcVariant.id, frameArm.id] as const;
    const labels: Record<VariantId, string> = { ctc: ctcVariant.label, 'frame-ce': frameArm.label };
    const metrics: Record<string, Record<string, number>> = {};
    const curves: Series[] = [];
    const shownWidth = Math.max(...test.slice(0, SHOWN).map((s) => s.length));
    const posteriors: Record<string, number[][]> = {};
    const readings: Record<string, string[]> = {};
    variants.forEach((id, v) => {
      const model = mlp([width, HIDDEN, CLASSES], {
        activation: 'tanh',
        dtype: 'float64',
        rng: rngFor(seed, 'ctc-alignment/init'),
      });
      // [N, T·width] windows → [N·T, width] frames → [N·T, C] → [N, T, C] logits.
      const logitsOf = (input: Tensor) =>
        ops.reshape(model.forward(ops.reshape(input, [input.shape[0] * frames, width])), [
          input.shape[0],
          frames,
          CLASSES,
        ]);
      const optimizer = new Adam(model.parameters(), {
        lr: 0.01,
        schedule: cosineDecay({ steps, minFactor: 0.05 }),
      });
      const batches = shuffledBatches({
        count: train.length,
        batchSize: BATCH,
        steps,
        rng: rngFor(seed, 'ctc-alignment/shuffle'),
      });
      const trace: [number, number][] = [];
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainInput, rows);
        const objective =
          id === 'ctc'
            ? () =>
                lossOp(losses.ctc, {
                  input: logitsOf(x),
                  targets: takeRows(trainCtc.targets, rows),
                  inputLengths: takeRows(trainCtc.inputLengths, rows),
                  targetLengths: takeRows(trainCtc.targetLengths, rows),
                })
            : () => frameObjective(logitsOf(x), takeRows(trainFrameLabels, rows));
        trainStep(model, optimizer, objective, { measureGradNorm: false });
        step++;
        if (step % evalEvery !== 0) continue;
        const logits = noGrad(() => logitsOf(testInput)).data;
        trace.push([step, decodingScores(logits, test, frames).cer]);
        onProgress((v + step / steps) / variants.length, `training ${labels[id]}`);
      }
      const logits = noGrad(() => logitsOf(testInput)).data;
      const { decoded, ...scores } = decodingScores(logits, test, frames);
      metrics[id] = scores;
      curves.push({ name: labels[id], points: trace });
      posteriors[id] = test
        .slice(0, SHOWN)
        .map((sequence, n) => posteriorImage(logits, n * frames * CLASSES, sequence.length, shownWidth));
      readings[id] = decoded.slice(0, SHOWN).map((d) => digitsText(d) || '(nothing)');
    });
    const columns: Record<VariantId, string> = { ctc: 'CTC', 'frame-ce': 'frame cross-entropy' };
    const images = test.slice(0, SHOWN).flatMap((sequence, n) =>
      variants.map((id) => ({
        row: `${Array.from(sequence.digits).join('')} → ${variants.map((v) => readings[v][n]).join(' / ')}`,
        column: columns[id],
        pixels: posteriors[id][n],
      })),
    );
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Held-out character error rate during training',
          caption: `Greedy decoding; the claim's threshold is ${MAX_CER}.`,
          x: { label: 'step' },
          y: { label: 'CER', domain: [0, 1] },
          series: [
            ...curves,
            {
              name: `threshold ${MAX_CER}`,
              points: [
                [0, MAX_CER],
                [steps, MAX_CER],
              ],
            },
          ],
        },
        {
          kind: 'images',
          title: 'Frame posteriors of held-out strings',
          caption:
            'Rows: true string → what CTC / the frame classifier read. In each image one row of pixels per class (top: blank/silence, then the digits 0–9), one column per frame (white = probability 1). CTC learns on its own to mark each digit with a short spike and fill the rest with blanks; the frame classifier, told the alignment, labels every frame of a digit.',
          width: shownWidth,
          height: CLASSES,
          images,
        },
      ],
      notes: [
        `${train.length} training and ${test.length} held-out strings, ${frames} frames at most; ${steps} steps of ${BATCH} strings per model.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const cer = m('ctc', 'cer');
    const characters = m('ctc', 'characters');
    const percent = (v: number) => `${formatNumber(100 * v)}%`;
    const numbers = `Greedy CER on ${Math.round(characters)} held-out digits: CTC ${percent(cer)} (threshold ${percent(MAX_CER)}), ${percent(m('ctc', 'sequenceAccuracy'))} of the strings exactly right; frame cross-entropy with the alignment given, outside the claim: ${percent(m('frame-ce', 'cer'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "CTC's CER": cer, 'the number of held-out digits': characters },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    const margin =
      characters > 0
        ? UNCERTAIN_SE * Math.sqrt((MAX_CER * (1 - MAX_CER)) / characters)
        : Number.POSITIVE_INFINITY;
    if (Math.abs(cer - MAX_CER) < margin) {
      return {
        outcome: 'inconclusive',
        explanation: `${numbers} Inconclusive: the CER is within ${UNCERTAIN_SE} standard errors (±${percent(margin)}) of the threshold, too close to call on ${Math.round(characters)} digits.`,
      };
    }
    const held = cer < MAX_CER;
    return decided(
      held,
      `${numbers} The claim needs a CER below ${percent(MAX_CER)}, so it ${held ? 'held' : 'did not hold'}.`,
    );
  },
});

/** The character error rate's distance, re-exported for the experiment's tests. */
export { editDistance };
