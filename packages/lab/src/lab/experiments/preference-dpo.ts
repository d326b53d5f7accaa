// Experiment: a small policy over short token sequences, fitted to a reference distribution, then
// trained with DPO on pairwise preferences from a hidden reward; a second run with a very large β
// should barely leave the reference.
import {
  Adam,
  losses,
  lossOp,
  mlp,
  noGrad,
  ops,
  registryLoss,
  type Sequential,
  shuffledBatches,
  Tensor,
  takeRows,
  trainStep,
} from 'losskit';
import {
  type PreferenceTask,
  preferencePairs,
  preferenceTask,
  sequenceReward,
} from '../data/preference-pairs.js';
import { rngFor } from '../data/rng-for.js';
import { defineExperiment, type Metrics, type Series } from '../experiment.js';
import { decided, formatNumber, inconclusiveUnlessFinite, metricOf } from '../verdict.js';

const CONTEXTS = 32;
const LENGTH = 3;
const VOCABULARY = 6;
const SHARPNESS = 1.5;
const BETA = 0.1;
const LARGE_BETA = 50;
const BATCH = 64;
/** Threshold: DPO's greedy outputs must gain at least this much hidden reward over the reference's. */
const MIN_GAIN = 0.5;
/** Threshold: the large-β policy counts as close to the reference when its KL is at most this (nats per sequence). */
const MAX_CLOSE_KL = 0.05;
const EVALUATIONS = 10;

const variants = [
  {
    id: 'reference',
    label: 'Reference (fitted, no DPO)',
    losses: ['categoricalCrossEntropy'],
    options: 'fitted to the reference distribution; the starting point of both DPO runs',
  },
  { id: 'dpo', label: `DPO (β = ${BETA})`, losses: ['dpo'], options: `beta = ${BETA}` },
  {
    id: 'dpo-large-beta',
    label: `DPO (β = ${LARGE_BETA})`,
    losses: ['dpo'],
    options: `beta = ${LARGE_BETA}`,
  },
] as const;

type VariantId = (typeof variants)[number]['id'];

/** Per-position log-probabilities of the policy for every context, `contexts × length × vocabulary`. */
function policyLogProbs(model: Sequential, contexts: Tensor): Float64Array {
  return Float64Array.from(
    noGrad(() => ops.logSoftmax(ops.reshape(model.forward(contexts), [CONTEXTS, LENGTH, VOCABULARY]), -1))
      .data,
  );
}

/** Hidden reward of the greedy outputs, expected reward of samples, and KL(policy ‖ reference), each averaged over contexts. */
function policyMetrics(task: PreferenceTask, logp: Float64Array, reference: Float64Array) {
  let greedy = 0;
  let expected = 0;
  let kl = 0;
  for (let c = 0; c < CONTEXTS; c++) {
    for (let p = 0; p < LENGTH; p++) {
      const base = (c * LENGTH + p) * VOCABULARY;
      let best = 0;
      for (let v = 0; v < VOCABULARY; v++) {
        const prob = Math.exp(logp[base + v]);
        expected += prob * task.reward[base + v];
        kl += prob * (logp[base + v] - reference[base + v]);
        if (logp[base + v] > logp[base + best]) best = v;
      }
      greedy += task.reward[base + best];
    }
  }
  return { greedyReward: greedy / CONTEXTS, expectedReward: expected / CONTEXTS, kl: kl / CONTEXTS };
}

export const preferenceDpo = defineExperiment({
  name: 'preference-dpo',
  title:
    'Preference optimisation: DPO moves a policy toward a hidden reward, a large β keeps it at the reference',
  claim: `A policy fitted to a reference distribution and then trained with DPO (β = ${BETA}) on pairwise preferences from a hidden reward raises the hidden reward of its greedy outputs by at least ${MIN_GAIN} over the reference policy, while the same training with β = ${LARGE_BETA} stays within KL(policy ‖ reference) ≤ ${MAX_CLOSE_KL} nats.`,
  setup: `${CONTEXTS} contexts (one-hot); an output is a sequence of ${LENGTH} tokens from ${VOCABULARY}. The reference distribution picks each token from a softmax of Gaussian logits (deviation ${SHARPNESS}) per context and position; a hidden reward gives each (context, position, token) a standard normal value, independent of the reference, and a sequence the sum. The policy (one linear layer, context → ${LENGTH}×${VOCABULARY} logits) is first fitted to the reference with cross-entropy on its probabilities; that fitted policy is the reference of DPO (its log-probabilities computed without gradient). Preference pairs: two sequences drawn from the reference distribution for a random context, the first preferred with probability σ(R₁ − R₂) (Bradley–Terry). DPO gets the summed log-probabilities of the chosen and rejected sequences (log-softmax, gather, sum: autograd ops) and trains with Adam (lr 0.01, minibatches of ${BATCH}); both β start from the same fitted weights and see the same batches.`,
  variants,
  metrics: [
    {
      id: 'greedyReward',
      label: 'greedy reward',
      better: 'higher',
      description: 'Hidden reward of the most likely sequence, mean over contexts.',
    },
    {
      id: 'expectedReward',
      label: 'expected reward',
      better: 'higher',
      description: 'Hidden reward expected under the policy’s own samples, mean over contexts.',
    },
    {
      id: 'kl',
      label: 'KL(policy ‖ reference)',
      better: 'neither',
      digits: 4,
      description:
        'KL divergence of the policy’s sequence distribution from the fitted reference, nats per sequence, mean over contexts.',
    },
  ],
  headline: ['greedyReward', 'kl'],
  run({ seed, quick, onProgress }) {
    const dataRng = rngFor(seed, 'preference-dpo/data');
    const task = preferenceTask(dataRng, {
      contexts: CONTEXTS,
      length: LENGTH,
      vocabulary: VOCABULARY,
      sharpness: SHARPNESS,
    });
    const pairs = preferencePairs(dataRng, task, quick ? 1000 : 4000);
    const steps = quick ? 200 : 1000;
    const identity = new Float64Array(CONTEXTS * CONTEXTS);
    for (let c = 0; c < CONTEXTS; c++) identity[c * CONTEXTS + c] = 1;
    const contexts = new Tensor(identity, [CONTEXTS, CONTEXTS]);
    const targets = new Tensor(task.referenceProbs, [CONTEXTS * LENGTH, VOCABULARY]);
    // The policy fitted to the reference distribution: the same weights start every arm.
    const crossEntropy = registryLoss('categoricalCrossEntropy');
    const fitted = () => {
      const model = mlp([CONTEXTS, LENGTH * VOCABULARY], {
        dtype: 'float64',
        rng: rngFor(seed, 'preference-dpo/init'),
      });
      const optimizer = new Adam(model.parameters(), { lr: 0.1 });
      for (let s = 0; s < 300; s++)
        trainStep(
          model,
          optimizer,
          () => crossEntropy(ops.reshape(model.forward(contexts), [CONTEXTS * LENGTH, VOCABULARY]), targets),
          { measureGradNorm: false },
        );
      return model;
    };
    const reference = policyLogProbs(fitted(), contexts);
    const pairContexts = new Tensor(
      Float64Array.from({ length: pairs.count * CONTEXTS }, (_, k) =>
        pairs.context[Math.floor(k / CONTEXTS)] === k % CONTEXTS ? 1 : 0,
      ),
      [pairs.count, CONTEXTS],
    );
    const chosen = new Tensor(Float64Array.from(pairs.chosen), [pairs.count, LENGTH, 1]);
    const rejected = new Tensor(Float64Array.from(pairs.rejected), [pairs.count, LENGTH, 1]);
    const referenceLogp = (tokens: Int32Array) =>
      Float64Array.from({ length: pairs.count }, (_, i) => {
        let s = 0;
        for (let p = 0; p < LENGTH; p++)
          s += reference[(pairs.context[i] * LENGTH + p) * VOCABULARY + tokens[i * LENGTH + p]];
        return s;
      });
    const referenceChosen = new Tensor(referenceLogp(pairs.chosen), [pairs.count]);
    const referenceRejected = new Tensor(referenceLogp(pairs.rejected), [pairs.count]);
    const metrics: Record<string, Record<string, number>> = {
      reference: policyMetrics(task, reference, reference),
    };
    const rewardCurves: Series[] = [];
    const klCurves: Series[] = [];
    const betas = [BETA, LARGE_BETA];
    betas.forEach((beta, a) => {
      const model = fitted();
      const optimizer = new Adam(model.parameters(), { lr: 0.01 });
      const rewardTrace: [number, number][] = [[0, metrics.reference.greedyReward]];
      const klTrace: [number, number][] = [[0, 0]];
      const sequenceLogp = (logits: Tensor, tokens: Tensor) =>
        ops.sum(
          ops.takeAlongAxis(
            ops.logSoftmax(ops.reshape(logits, [tokens.shape[0], LENGTH, VOCABULARY]), -1),
            tokens,
            -1,
          ),
          { axis: [1, 2] },
        );
      let step = 0;
      for (const rows of shuffledBatches({
        count: pairs.count,
        batchSize: BATCH,
        steps,
        rng: rngFor(seed, 'preference-dpo/shuffle'),
      })) {
        const logits = () => model.forward(takeRows(pairContexts, rows));
        trainStep(
          model,
          optimizer,
          () => {
            const out = logits();
            return lossOp(
              losses.dpo,
              {
                policyChosen: sequenceLogp(out, takeRows(chosen, rows)),
                policyRejected: sequenceLogp(out, takeRows(rejected, rows)),
                referenceChosen: takeRows(referenceChosen, rows),
                referenceRejected: takeRows(referenceRejected, rows),
              },
              { beta },
            );
          },
          { measureGradNorm: false },
        );
        step++;
        if (step % (steps / EVALUATIONS) === 0) {
          const now = policyMetrics(task, policyLogProbs(model, contexts), reference);
          rewardTrace.push([step, now.greedyReward]);
          klTrace.push([step, now.kl]);
          onProgress((a + step / steps) / betas.length, `DPO with β = ${beta}`);
        }
      }
      metrics[variants[a + 1].id] = policyMetrics(task, policyLogProbs(model, contexts), reference);
      rewardCurves.push({ name: variants[a + 1].label, points: rewardTrace });
      klCurves.push({ name: variants[a + 1].label, points: klTrace });
    });
    onProgress(1);
    // The best any policy could do: the highest-reward token at every position.
    let best = 0;
    for (let row = 0; row < CONTEXTS * LENGTH; row++)
      best += Math.max(...task.reward.subarray(row * VOCABULARY, (row + 1) * VOCABULARY));
    let agree = 0;
    for (let i = 0; i < pairs.count; i++)
      if (
        sequenceReward(task, pairs.context[i], pairs.chosen, i * LENGTH) >=
        sequenceReward(task, pairs.context[i], pairs.rejected, i * LENGTH)
      )
        agree++;
    return {
      metrics,
      charts: [
        {
          kind: 'line',
          title: 'Hidden reward of the greedy outputs during DPO',
          caption: `Mean over the ${CONTEXTS} contexts; step 0 is the fitted reference. The best attainable is ${formatNumber(best / CONTEXTS)}.`,
          x: { label: 'step' },
          y: { label: 'greedy reward' },
          series: rewardCurves,
        },
        {
          kind: 'line',
          title: 'KL(policy ‖ reference) during DPO',
          caption: 'Nats per sequence, mean over contexts: a large β holds the policy at the reference.',
          x: { label: 'step' },
          y: { label: 'KL (nats)' },
          series: klCurves,
        },
      ],
      notes: [
        `${pairs.count} preference pairs, ${steps} steps; the labeller agreed with the hidden reward on ${formatNumber((100 * agree) / pairs.count)}% of them. Best attainable greedy reward ${formatNumber(best / CONTEXTS)}.`,
      ],
    };
  },
  verdict(metrics: Metrics) {
    const m = (id: VariantId, metric: string) => metricOf(metrics, id, metric);
    const gain = m('dpo', 'greedyReward') - m('reference', 'greedyReward');
    const closeKl = m('dpo-large-beta', 'kl');
    const numbers = `Greedy hidden reward: reference ${formatNumber(m('reference', 'greedyReward'))}, DPO β = ${BETA} ${formatNumber(m('dpo', 'greedyReward'))} (gain ${formatNumber(gain)}, needed ${MIN_GAIN}), β = ${LARGE_BETA} ${formatNumber(m('dpo-large-beta', 'greedyReward'))}; KL(policy ‖ reference): β = ${BETA} ${formatNumber(m('dpo', 'kl'))}, β = ${LARGE_BETA} ${formatNumber(closeKl)} (at most ${MAX_CLOSE_KL} needed).`;
    const undefinedMetric = inconclusiveUnlessFinite(
      { "DPO's greedy reward gain": gain, "the large-β run's KL": closeKl },
      numbers,
    );
    if (undefinedMetric !== undefined) return undefinedMetric;
    // Each condition: met, clearly failed, or near its threshold.
    const failed: string[] = [];
    const near: string[] = [];
    if (gain <= 0) failed.push(`DPO did not raise the greedy reward`);
    else if (gain < MIN_GAIN) near.push(`the gain is positive but below ${MIN_GAIN}`);
    if (closeKl > 2 * MAX_CLOSE_KL)
      failed.push(`the β = ${LARGE_BETA} run left the reference (KL above ${2 * MAX_CLOSE_KL})`);
    else if (closeKl > MAX_CLOSE_KL)
      near.push(`the β = ${LARGE_BETA} run's KL is between ${MAX_CLOSE_KL} and ${2 * MAX_CLOSE_KL}`);
    if (failed.length > 0) return decided(false, `${numbers} The claim fails: ${failed.join('; ')}.`);
    if (near.length > 0)
      return {
        outcome: 'inconclusive',
        explanation: `${numbers} Inconclusive: nothing clearly failed, but ${near.join(' and ')}, too close to the threshold to call.`,
      };
    return decided(
      true,
      `${numbers} DPO raised the greedy reward by at least ${MIN_GAIN}, and the large β kept the policy within ${MAX_CLOSE_KL} nats of the reference.`,
    );
  },
});
