// Experiment 2: about 1% positives with overlapping classes: BCE vs focal vs BCE with posWeight.
// A fourth arm, focal with α = 0.75, is measured for the selection guide (src/guide/lab-evidence.ts)
// and is not part of the claim.
import { mlp } from 'losskit';
import { Adam } from 'losskit';
import { Tensor } from 'losskit';
import { shuffledBatches, takeRows, trainStep } from 'losskit';
import { gaussianClasses } from '../data/gaussian-classes.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { averagePrecision, binaryScores, precisionRecallCurve } from '../metrics.js';
import { type ArmOptions, type LossArm, armObjective, armVariant } from './loss-arm.js';
import { decided, formatNumber, inconclusive, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const POSITIVE_RATE = 0.01;
const FOCAL = { alpha: 0.25, gamma: 2 } as const;
/** Focal with the positives weighted up (α = 0.75 for the positive class), as the selection guide recommends. */
const FOCAL_POSITIVE = { alpha: 0.75, gamma: 2 } as const;
/** Recall must reach this multiple of plain BCE's (and at least BCE's + RECALL_MARGIN). */
const RECALL_FACTOR = 1.5;
const RECALL_MARGIN = 0.1;
/** PR-AUC may fall at most this far below plain BCE's. */
const PR_AUC_TOLERANCE = 0.05;

const arms = [
  { id: 'bce', label: 'BCE', loss: 'binaryCrossEntropyWithLogits' },
  { id: 'focal', label: `Focal (α = ${FOCAL.alpha})`, loss: 'focal', options: FOCAL },
  {
    id: 'bce-pos-weight',
    label: 'BCE + posWeight',
    loss: 'binaryCrossEntropyWithLogits',
    // posWeight itself is counted on each run's training data (see `run`).
    optionsNote: 'posWeight = negatives / positives',
  },
  {
    id: 'focal-alpha-75',
    label: `Focal (α = ${FOCAL_POSITIVE.alpha})`,
    loss: 'focal',
    options: FOCAL_POSITIVE,
  },
] as const satisfies readonly LossArm[];

type VariantId = (typeof arms)[number]['id'];

export const imbalancedBinary = defineExperiment({
  name: 'imbalanced-binary',
  title: 'Imbalanced binary classification: BCE vs focal vs posWeight',
  claim: `With 1% positives, focal loss (torchvision's defaults α = ${FOCAL.alpha}, γ = ${FOCAL.gamma}) and BCE with posWeight find more of the rare positives than plain BCE (minority recall at the 0.5 threshold at least ${RECALL_FACTOR}× BCE's) without hurting the ranking (PR-AUC within ${PR_AUC_TOLERANCE} of BCE's).`,
  setup: `Two overlapping Gaussian classes in 2-D (unit variance, centres 2.5 apart), ${POSITIVE_RATE * 100}% positives. A small MLP (2 → 16 → 1, ReLU) is trained with Adam on minibatches under each loss, and evaluated on 20 000 fresh points: PR-AUC (average precision), and recall, precision and F1 of the positive class at the default threshold p ≥ 0.5. A fourth arm, focal with α = ${FOCAL_POSITIVE.alpha} (positives weighted up instead of down), is measured for the selection guide and is not part of the claim.`,
  variants: arms.map(armVariant),
  metrics: [
    {
      id: 'prAuc',
      label: 'PR-AUC',
      better: 'higher',
      description: 'Average precision over the ranking of test scores (threshold-free).',
    },
    {
      id: 'recall',
      label: 'minority recall',
      better: 'higher',
      description: 'Share of test positives with p ≥ 0.5.',
    },
    {
      id: 'precision',
      label: 'precision',
      better: 'higher',
      description: 'Share of predicted positives that are positive.',
    },
    {
      id: 'f1',
      label: 'F1',
      better: 'higher',
      description: 'Harmonic mean of precision and recall at p ≥ 0.5.',
    },
  ],
  headline: ['prAuc', 'recall', 'f1'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'imbalanced-binary/data');
    const centres = [new Float64Array([0, 0]), new Float64Array([2.1, 1.3])];
    const weights = [1 - POSITIVE_RATE, POSITIVE_RATE];
    const train = gaussianClasses(dataRng, { count: quick ? 10000 : 20000, centres, classWeights: weights });
    const test = gaussianClasses(dataRng, { count: 20000, centres, classWeights: weights });
    const trainTarget = Float64Array.from(train.labels);
    const positives = trainTarget.reduce((s, y) => s + y, 0);
    const posWeight = (train.count - positives) / Math.max(1, positives);
    const optionsFromData: Partial<Record<VariantId, ArmOptions>> = {
      'bce-pos-weight': { posWeight: [posWeight] },
    };
    const steps = quick ? 300 : 1000;
    const testInput = new Tensor(test.features, [test.count, test.dims]);
    const trainInput = new Tensor(train.features, [train.count, 2]);
    const trainLabels = new Tensor(trainTarget, [train.count, 1]);
    const metrics: Record<string, Record<string, number>> = {};
    const curves: Series[] = [];
    arms.forEach((variant, v) => {
      const model = mlp([2, 16, 1], { rng: rngFor(seed, 'imbalanced-binary/init'), dtype: 'float64' });
      const optimizer = new Adam(model.parameters(), { lr: 0.02 });
      const objective = armObjective(variant, optionsFromData[variant.id]);
      const batches = shuffledBatches({
        count: train.count,
        batchSize: 512,
        steps,
        rng: rngFor(seed, 'imbalanced-binary/shuffle'),
      });
      let step = 0;
      for (const rows of batches) {
        const x = takeRows(trainInput, rows);
        const y = takeRows(trainLabels, rows);
        trainStep(model, optimizer, () => objective(model.forward(x), y), { measureGradNorm: false });
        if (step % 25 === 0) onProgress((v + step / steps) / arms.length, `training ${variant.label}`);
        step++;
      }
      model.eval();
      const scores = Float64Array.from(model.forward(testInput).data, (z) => 1 / (1 + Math.exp(-z)));
      const atHalf = binaryScores(scores, test.labels, 0.5);
      metrics[variant.id] = { prAuc: averagePrecision(scores, test.labels), ...atHalf };
      curves.push({ name: variant.label, points: precisionRecallCurve(scores, test.labels) });
    });
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Precision–recall curves on the test set',
          caption:
            'Similar curves mean similar rankings; the losses differ mostly in where p = 0.5 falls on the curve.',
          x: { label: 'recall', domain: [0, 1] },
          y: { label: 'precision', domain: [0, 1] },
          series: curves,
        },
      ],
      notes: [
        `${positives} positives among ${train.count} training points; posWeight = ${formatNumber(posWeight)}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const baseRecall = m('bce', 'recall');
    const neededRecall = Math.max(RECALL_FACTOR * baseRecall, baseRecall + RECALL_MARGIN);
    const failures: string[] = [];
    for (const id of ['focal', 'bce-pos-weight'] as const) {
      const label = id === 'focal' ? 'focal' : 'posWeight';
      if (!(m(id, 'recall') >= neededRecall)) {
        failures.push(
          `${label}'s recall ${formatNumber(m(id, 'recall'))} is below the required ${formatNumber(neededRecall)}`,
        );
      }
      if (!(m(id, 'prAuc') >= m('bce', 'prAuc') - PR_AUC_TOLERANCE)) {
        failures.push(
          `${label}'s PR-AUC ${formatNumber(m(id, 'prAuc'))} is more than ${PR_AUC_TOLERANCE} below BCE's ${formatNumber(m('bce', 'prAuc'))}`,
        );
      }
    }
    const claimArms = ['bce', 'focal', 'bce-pos-weight'] as const;
    const numbers = `Minority recall: BCE ${formatNumber(baseRecall)}, focal ${formatNumber(m('focal', 'recall'))}, posWeight ${formatNumber(m('bce-pos-weight', 'recall'))}; PR-AUC: ${formatNumber(m('bce', 'prAuc'))}, ${formatNumber(m('focal', 'prAuc'))}, ${formatNumber(m('bce-pos-weight', 'prAuc'))}; F1: ${formatNumber(m('bce', 'f1'))}, ${formatNumber(m('focal', 'f1'))}, ${formatNumber(m('bce-pos-weight', 'f1'))} (focal with α = ${FOCAL_POSITIVE.alpha}, outside the claim: recall ${formatNumber(m('focal-alpha-75', 'recall'))}, PR-AUC ${formatNumber(m('focal-alpha-75', 'prAuc'))}, F1 ${formatNumber(m('focal-alpha-75', 'f1'))}).`;
    const undefinedMetric = inconclusiveUnlessFinite(
      Object.fromEntries(
        claimArms.flatMap((id) => [
          [`${id}'s recall`, m(id, 'recall')],
          [`${id}'s PR-AUC`, m(id, 'prAuc')],
        ]),
      ),
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    if (claimArms.every((id) => m(id, 'recall') === 0))
      return inconclusive(numbers, 'no variant of the claim predicted a single positive at p ≥ 0.5');
    return failures.length === 0
      ? decided(
          true,
          `${numbers} Both raise recall to at least ${formatNumber(neededRecall)} and keep PR-AUC within ${PR_AUC_TOLERANCE} of BCE's.`,
        )
      : decided(false, `${numbers} The claim fails: ${failures.join('; ')}.`);
  },
});
