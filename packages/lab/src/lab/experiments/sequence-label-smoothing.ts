// Experiment 6a: next-character modelling on a public-domain text shipped with the package:
// token cross-entropy vs label smoothing, judged on perplexity and calibration.
import { Adam } from 'losskit';
import { shuffledBatches, trainStep } from 'losskit';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { reliabilityChart } from '../metrics.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';
import { aliceTask, CharMlp, type CharMlpSize, CONTEXT, charBatch, scoreModel } from './char-model.js';
import { type LossArm, armObjective, armVariant } from './loss-arm.js';

const SIZE: CharMlpSize = { embedding: 8, hidden: 64 };
const BATCH = 128;
const SMOOTHING = 0.1;
/** Label smoothing may cost at most this factor of cross-entropy's perplexity. */
const MAX_PERPLEXITY_RATIO = 1.05;

const arms = [
  { id: 'token-ce', label: 'Token cross-entropy', loss: 'tokenCrossEntropy' },
  {
    id: 'label-smoothing',
    label: 'Label smoothing',
    loss: 'labelSmoothingCrossEntropy',
    options: { smoothing: SMOOTHING },
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

export const sequenceLabelSmoothing = defineExperiment({
  name: 'sequence-label-smoothing',
  title: 'Next-character model: token cross-entropy vs label smoothing',
  claim: `Label smoothing (α = ${SMOOTHING}) gives a next-character model a lower expected calibration error on unseen text than token cross-entropy, at a perplexity cost of at most ${Math.round((MAX_PERPLEXITY_RATIO - 1) * 100)}%.`,
  setup: `The opening of chapter I of Lewis Carroll's "Alice's Adventures in Wonderland" (1865, public domain; about 7,000 characters, shipped with losskit), lower-cased: the first 85% for training, the last 15% as validation text. The model embeds the ${CONTEXT} previous characters (${SIZE.embedding} numbers each) and maps them through a tanh layer of ${SIZE.hidden} units to logits over the characters of the text. Both losses start from the same weights and see the same batches of ${BATCH}: 1,000 Adam steps at lr 0.003, about 20 passes over the text, near the best validation perplexity of plain cross-entropy (--quick: 300 steps at lr 0.01). ECE uses 15 confidence bins.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'perplexity',
      label: 'validation perplexity',
      better: 'lower',
      description: 'exp of the mean cross-entropy of the next character on the validation text (nats).',
    },
    {
      id: 'ece',
      label: 'ECE',
      better: 'lower',
      description:
        'Expected calibration error of the predicted next character: the mean gap between confidence and accuracy over 15 confidence bins.',
    },
    {
      id: 'meanConfidence',
      label: 'mean confidence',
      better: 'neither',
      description: 'Mean probability of the predicted next character.',
    },
    {
      id: 'accuracy',
      label: 'accuracy',
      better: 'higher',
      description: 'Share of validation positions whose most probable character is the right one.',
    },
  ],
  headline: ['ece', 'perplexity'],
  run({ seed, quick, onProgress }) {
    const task = aliceTask();
    const steps = quick ? 300 : 1000;
    const lr = quick ? 0.01 : 0.003;
    const evalEvery = steps / 10;
    const metrics: Record<string, Record<string, number>> = {};
    const perplexityCurves: Series[] = [];
    const overconfidenceCurves: Series[] = [];
    const reliability: Series[] = [];
    arms.forEach((variant, v) => {
      const model = new CharMlp(task.vocabulary, SIZE, rngFor(seed, 'sequence-label-smoothing/init'));
      const optimizer = new Adam(model.parameters(), { lr });
      const objective = armObjective(variant);
      const perplexity: [number, number][] = [];
      const overconfidence: [number, number][] = [];
      const batches = shuffledBatches({
        count: task.train.count,
        batchSize: BATCH,
        steps,
        rng: rngFor(seed, 'sequence-label-smoothing/batches'),
      });
      let step = 0;
      for (const rows of batches) {
        const { contexts, targets } = charBatch(task.train, rows);
        trainStep(model, optimizer, () => objective(model.forward(contexts), targets), {
          measureGradNorm: false,
        });
        step++;
        if (step % evalEvery !== 0) continue;
        const scores = scoreModel(model, task, task.validation);
        perplexity.push([step, scores.perplexity]);
        overconfidence.push([step, scores.meanConfidence - scores.accuracy]);
        onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
      }
      const { reliability: curve, ...scores } = scoreModel(model, task, task.validation);
      metrics[variant.id] = scores;
      perplexityCurves.push({ name: variant.label, points: perplexity });
      overconfidenceCurves.push({ name: variant.label, points: overconfidence });
      reliability.push({ name: variant.label, points: curve });
    });
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Validation perplexity during training',
          caption: 'On the last 15% of the text, which the model never trains on.',
          x: { label: 'step' },
          y: { label: 'perplexity' },
          series: perplexityCurves,
        },
        {
          kind: 'line',
          title: 'Over-confidence during training (validation text)',
          caption:
            'Mean confidence minus accuracy: above 0 the model claims more than it gets right. It moves less from one evaluation to the next than the binned ECE does.',
          x: { label: 'step' },
          y: { label: 'confidence − accuracy' },
          series: overconfidenceCurves,
        },
        reliabilityChart(
          'Reliability diagram (validation text)',
          'Accuracy of the predicted next character within each confidence bin (bins with at least 20 positions); a calibrated model follows the diagonal.',
          reliability,
        ),
      ],
      notes: [
        `Vocabulary: ${task.vocabulary} characters; ${task.train.count} training and ${task.validation.count} validation positions.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const eceCe = m('token-ce', 'ece');
    const eceLs = m('label-smoothing', 'ece');
    const pplCe = m('token-ce', 'perplexity');
    const pplLs = m('label-smoothing', 'perplexity');
    const numbers = `ECE: token cross-entropy ${formatNumber(eceCe)}, label smoothing ${formatNumber(eceLs)}; validation perplexity ${formatNumber(pplCe)} vs ${formatNumber(pplLs)} (at most ${formatNumber(MAX_PERPLEXITY_RATIO * pplCe)} allowed).`;
    const failures: string[] = [];
    if (!(eceLs < eceCe)) failures.push("label smoothing's calibration error is not lower");
    if (!(pplLs <= MAX_PERPLEXITY_RATIO * pplCe))
      failures.push(`its perplexity is more than ${MAX_PERPLEXITY_RATIO}× cross-entropy's`);
    const undefinedMetric = inconclusiveUnlessFinite(
      {
        "token cross-entropy's ECE": eceCe,
        "label smoothing's ECE": eceLs,
        "token cross-entropy's perplexity": pplCe,
        "label smoothing's perplexity": pplLs,
      },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (eceCe === 0 && eceLs === 0)
      return inconclusive(numbers, 'both models are perfectly calibrated (ECE 0)');
    return failures.length === 0
      ? decided(
          true,
          `${numbers} Label smoothing is better calibrated and its perplexity is within ${MAX_PERPLEXITY_RATIO}× cross-entropy's.`,
        )
      : decided(false, `${numbers} The claim fails: ${failures.join('; ')}.`);
  },
});
