// Experiment 6b: distilling a next-character teacher into a smaller student with the KL
// divergence to its softened outputs, against the same student trained on hard labels.
import { noGrad, ops } from 'losskit';
import { klDivergence, tokenCrossEntropy } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, trainStep } from 'losskit';
import { rngFor } from '../data/rng-for.js';
import { type BarChart, defineExperiment, type Metrics, type Series } from '../experiment.js';
import { softmaxRows } from '../metrics.js';
import { decided, formatNumber, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import {
  aliceTask,
  allOf,
  CharMlp,
  type CharMlpSize,
  type CharTask,
  CONTEXT,
  charBatch,
  scoreModel,
} from './char-model.js';

const TEACHER: CharMlpSize = { embedding: 8, hidden: 64 };
const STUDENT: CharMlpSize = { embedding: 4, hidden: 16 };
const BATCH = 128;
const TEMPERATURE = 2;
/** Weight of the KL term in the distilled student's loss; the rest goes to the hard labels (Hinton et al.). */
const ALPHA = 0.5;
/** "Matches or beats": the distilled student's perplexity may exceed the hard-label student's by at most 1%. */
const MATCH_TOLERANCE = 1.01;
/** The bar chart shows the first training example from this one on whose context ends a word. */
const SHOWN_FROM = 500;
const SHOWN_CHARACTERS = 6;

const variants = [
  {
    id: 'teacher',
    label: 'Teacher',
    losses: ['tokenCrossEntropy'],
    options: `embedding ${TEACHER.embedding}, hidden ${TEACHER.hidden}`,
  },
  {
    id: 'student-hard',
    label: 'Student, hard labels',
    losses: ['tokenCrossEntropy'],
    options: `embedding ${STUDENT.embedding}, hidden ${STUDENT.hidden}`,
  },
  {
    id: 'student-distilled',
    label: 'Student, distilled',
    losses: ['klDivergence', 'tokenCrossEntropy'],
    options: `T = ${TEMPERATURE}, ${ALPHA}·T²·KL + ${1 - ALPHA}·CE`,
  },
  {
    id: 'student-kl-only',
    label: 'Student, KL only',
    losses: ['klDivergence'],
    options: `T = ${TEMPERATURE}, T²·KL`,
  },
] as const;

type VariantId = (typeof variants)[number]['id'];
type StudentId = Exclude<VariantId, 'teacher'>;

/** The teacher's probabilities at temperature `TEMPERATURE` for every training example, row-major. */
function softTargets(teacher: CharMlp, task: CharTask): Float64Array {
  return noGrad(() => {
    const logits = teacher.forward(allOf(task.train).contexts);
    return softmaxRows(ops.div(logits, TEMPERATURE).data, task.vocabulary);
  });
}

function rowsOf(table: Float64Array, width: number, rows: ArrayLike<number>): Tensor {
  const out = new Float64Array(rows.length * width);
  for (let i = 0; i < rows.length; i++)
    out.set(table.subarray(rows[i] * width, (rows[i] + 1) * width), i * width);
  return new Tensor(out, [rows.length, width]);
}

/** The loss of one student variant on a batch. */
function studentLoss(id: StudentId, logits: Tensor, targets: Tensor, soft: Tensor): Tensor {
  if (id === 'student-hard') return tokenCrossEntropy(logits, targets);
  // KL(teacher_T ‖ student_T) per example, scaled by T² so its gradient keeps the size of the hard loss's.
  const kl = ops.mul(klDivergence(ops.div(logits, TEMPERATURE), soft), TEMPERATURE * TEMPERATURE);
  if (id === 'student-kl-only') return kl;
  return ops.add(ops.mul(kl, ALPHA), ops.mul(tokenCrossEntropy(logits, targets), 1 - ALPHA));
}

/** The teacher's distribution on one training context at temperature 1 and T, beside the true character. */
function softTargetChart(teacher: CharMlp, task: CharTask): BarChart {
  const space = task.characters.indexOf(' ');
  let example = Math.min(SHOWN_FROM, task.train.count - 1);
  while (example + 1 < task.train.count && task.train.contexts[(example + 1) * CONTEXT - 1] !== space)
    example++;
  const { contexts } = charBatch(task.train, [example]);
  const logits = noGrad(() => teacher.forward(contexts).data);
  const sharp = softmaxRows(logits, task.vocabulary);
  const soft = softmaxRows(
    Array.from(logits, (z) => z / TEMPERATURE),
    task.vocabulary,
  );
  const target = task.train.targets[example];
  const shown = Array.from({ length: task.vocabulary }, (_, c) => c)
    .sort((a, b) => sharp[b] - sharp[a])
    .slice(0, SHOWN_CHARACTERS);
  if (!shown.includes(target)) shown[shown.length - 1] = target;
  const name = (c: number) => (task.characters[c] === ' ' ? '␣' : task.characters[c]);
  const context = Array.from(task.train.contexts.subarray(example * CONTEXT, (example + 1) * CONTEXT), (c) =>
    c < task.vocabulary ? task.characters[c] : '',
  ).join('');
  return {
    kind: 'bars',
    title: `What the student learns from: the teacher's next character after "${context}"`,
    caption: `The hard label puts everything on "${name(target)}"; the teacher's distribution, softened further at T = ${TEMPERATURE}, also says which other characters are plausible.`,
    y: { label: 'probability', domain: [0, 1] },
    bars: shown.flatMap((c) => [
      { group: name(c), series: 'hard label', value: c === target ? 1 : 0 },
      { group: name(c), series: 'teacher, T = 1', value: sharp[c] },
      { group: name(c), series: `teacher, T = ${TEMPERATURE}`, value: soft[c] },
    ]),
  };
}

export const sequenceDistillation = defineExperiment({
  name: 'sequence-distillation',
  title: 'Next-character model: distilling a teacher into a smaller student with KL',
  claim: `A small next-character model distilled from a larger teacher (${ALPHA}·T²·KL to the teacher's outputs at T = ${TEMPERATURE}, plus ${1 - ALPHA}·cross-entropy) reaches a validation perplexity at most ${Math.round((MATCH_TOLERANCE - 1) * 100)}% above, or below, the same student trained on the hard labels alone.`,
  setup: `The text, split and model family of the label-smoothing experiment (the opening of "Alice's Adventures in Wonderland", public domain; ${CONTEXT} characters of context). The teacher (embedding ${TEACHER.embedding}, ${TEACHER.hidden} hidden units) is trained with token cross-entropy for 1,000 Adam steps at lr 0.003. Three students (embedding ${STUDENT.embedding}, ${STUDENT.hidden} hidden units, about a fifth of the teacher's weights) start from the same weights and see the same batches of ${BATCH} for 1,000 steps at lr 0.01: on the hard labels, on Hinton et al.'s mix of the KL divergence to the teacher's softened outputs and the hard labels, and on the KL term alone (--quick: 300 steps each, teacher at lr 0.01).`,
  variants,
  metrics: [
    {
      id: 'perplexity',
      label: 'validation perplexity',
      better: 'lower',
      description: 'exp of the mean cross-entropy of the next character on the validation text (nats).',
    },
    {
      id: 'accuracy',
      label: 'accuracy',
      better: 'higher',
      description: 'Share of validation positions whose most probable character is the right one.',
    },
    {
      id: 'parameters',
      label: 'weights',
      better: 'neither',
      digits: 0,
      description: 'Number of trained numbers in the model.',
    },
  ],
  headline: ['perplexity'],
  run({ seed, quick, onProgress }) {
    const task = aliceTask();
    const steps = quick ? 300 : 1000;
    const evalEvery = steps / 10;
    const stages = variants.length;
    const metrics: Record<string, Record<string, number>> = {};
    const curves: Series[] = [];

    const train = (
      model: CharMlp,
      lr: number,
      stage: number,
      label: string,
      loss: (logits: Tensor, targets: Tensor, rows: Int32Array) => Tensor,
    ) => {
      const optimizer = new Adam(model.parameters(), { lr });
      const points: [number, number][] = [];
      const batches = shuffledBatches({
        count: task.train.count,
        batchSize: BATCH,
        steps,
        rng: rngFor(seed, 'sequence-distillation/batches'),
      });
      let step = 0;
      for (const rows of batches) {
        const { contexts, targets } = charBatch(task.train, rows);
        trainStep(model, optimizer, () => loss(model.forward(contexts), targets, rows), {
          measureGradNorm: false,
        });
        step++;
        if (step % evalEvery !== 0) continue;
        points.push([step, scoreModel(model, task, task.validation).perplexity]);
        onProgress((stage + step / steps) / stages, `training ${label}`);
      }
      const { perplexity, accuracy } = scoreModel(model, task, task.validation);
      curves.push({ name: label, points });
      return { perplexity, accuracy, parameters: model.parameterCount() };
    };

    const teacher = new CharMlp(task.vocabulary, TEACHER, rngFor(seed, 'sequence-distillation/teacher'));
    metrics.teacher = train(teacher, quick ? 0.01 : 0.003, 0, 'Teacher', (z, y) => tokenCrossEntropy(z, y));
    const soft = softTargets(teacher, task);
    variants.forEach((variant, v) => {
      if (variant.id === 'teacher') return;
      const id: StudentId = variant.id;
      const student = new CharMlp(task.vocabulary, STUDENT, rngFor(seed, 'sequence-distillation/student'));
      metrics[id] = train(student, 0.01, v, variant.label, (z, y, rows) =>
        studentLoss(id, z, y, rowsOf(soft, task.vocabulary, rows)),
      );
    });
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Validation perplexity during training',
          caption: 'The teacher and the three students, each on the validation text it never trains on.',
          x: { label: 'step' },
          y: { label: 'perplexity' },
          series: curves,
        },
        softTargetChart(teacher, task),
      ],
      notes: [
        `Teacher: ${metrics.teacher.parameters} weights; each student: ${metrics['student-hard'].parameters}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId) => metricOf(metrics, id, 'perplexity');
    const distilled = m('student-distilled');
    const hard = m('student-hard');
    const limit = MATCH_TOLERANCE * hard;
    const numbers = `Validation perplexity: distilled student ${formatNumber(distilled)}, hard-label student ${formatNumber(hard)} (at most ${formatNumber(limit)} allowed); teacher ${formatNumber(m('teacher'))}, KL-only student ${formatNumber(m('student-kl-only'))}.`;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "the distilled student's perplexity": distilled, "the hard-label student's perplexity": hard },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    return distilled <= limit
      ? decided(true, `${numbers} The distilled student matches or beats the student trained on hard labels.`)
      : decided(
          false,
          `${numbers} The claim fails: the distilled student is more than ${Math.round((MATCH_TOLERANCE - 1) * 100)}% worse.`,
        );
  },
});
