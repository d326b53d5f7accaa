// Evaluation metrics the experiments report. Plain functions over typed arrays.
import type { LineChart, Series } from './experiment.js';

/**
 * Average precision (the step-wise area under the precision-recall curve, as scikit-learn's
 * `average_precision_score`): Σ over the positives, in decreasing score, of precision at that
 * rank; tied scores are taken as one threshold. 0 without positives.
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = labels.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
  if (positives === 0) return 0;
  let tp = 0;
  let seen = 0;
  let recall = 0;
  let area = 0;
  for (let k = 0; k < n; ) {
    // One threshold per distinct score.
    const s = scores[order[k]];
    while (k < n && scores[order[k]] === s) {
      if (labels[order[k]] === 1) tp++;
      seen++;
      k++;
    }
    const r = tp / positives;
    area += (r - recall) * (tp / seen);
    recall = r;
  }
  return area;
}

/** Precision, recall and F1 of the positive class for scores thresholded at `threshold` (score ≥ threshold is positive). */
export function binaryScores(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const predicted = scores[i] >= threshold;
    if (predicted && labels[i] === 1) tp++;
    else if (predicted) fp++;
    else if (labels[i] === 1) fn++;
  }
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Softmax of each row of `logits` (`rows × classes`, row-major). */
export function softmaxRows(logits: ArrayLike<number>, classes: number): Float64Array {
  const out = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / classes; r++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[r * classes + c]);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += out[r * classes + c] = Math.exp(logits[r * classes + c] - max);
    for (let c = 0; c < classes; c++) out[r * classes + c] /= sum;
  }
  return out;
}

/** Accuracy, mean confidence (top probability) and expected calibration error of class probabilities. */
export function calibration(probs: ArrayLike<number>, labels: ArrayLike<number>, classes: number, bins = 15) {
  const n = labels.length;
  const binCount = new Float64Array(bins);
  const binConfidence = new Float64Array(bins);
  const binCorrect = new Float64Array(bins);
  let correct = 0;
  let confidenceSum = 0;
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c;
    const confidence = probs[r * classes + best];
    const hit = best === labels[r] ? 1 : 0;
    correct += hit;
    confidenceSum += confidence;
    const b = Math.min(bins - 1, Math.floor(confidence * bins));
    binCount[b]++;
    binConfidence[b] += confidence;
    binCorrect[b] += hit;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (binCount[b] > 0) ece += Math.abs(binConfidence[b] - binCorrect[b]) / n;
  return { accuracy: correct / n, meanConfidence: confidenceSum / n, ece };
}

/** Mean absolute difference. */
export function meanAbsoluteError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return a.length === 0 ? 0 : sum / a.length;
}

/** Root of the mean squared difference. */
export function rootMeanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return a.length === 0 ? 0 : Math.sqrt(sum / a.length);
}

/**
 * Points (recall, precision) of the precision–recall curve, one at each positive's rank (where
 * the curve's corners are), thinned to about `maxPoints`.
 */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  maxPoints = 200,
): [number, number][] {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (a, b) => scores[b] - scores[a] || labels[a] - labels[b],
  );
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  if (positives === 0) return [];
  const every = Math.max(1, Math.ceil(positives / maxPoints));
  const points: [number, number][] = [];
  let tp = 0;
  for (let rank = 0; rank < order.length; rank++) {
    if (labels[order[rank]] !== 1) continue;
    tp++;
    if (tp % every === 0 || tp === positives) points.push([tp / positives, tp / (rank + 1)]);
  }
  return points;
}

/**
 * Reliability diagram points: (mean confidence, accuracy) per confidence bin, for bins holding at
 * least `minCount` examples (fewer give noise, not information).
 */
export function reliabilityCurve(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  bins = 10,
  minCount = 20,
): [number, number][] {
  const count = new Float64Array(bins);
  const confidence = new Float64Array(bins);
  const correct = new Float64Array(bins);
  for (let r = 0; r < labels.length; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[r * classes + c] > probs[r * classes + best]) best = c;
    const p = probs[r * classes + best];
    const b = Math.min(bins - 1, Math.floor(p * bins));
    count[b]++;
    confidence[b] += p;
    correct[b] += best === labels[r] ? 1 : 0;
  }
  const points: [number, number][] = [];
  for (let b = 0; b < bins; b++)
    if (count[b] >= minCount) points.push([confidence[b] / count[b], correct[b] / count[b]]);
  return points;
}

/**
 * A reliability diagram: accuracy against confidence on [0, 1] for each of `curves` (from
 * `reliabilityCurve`), with the diagonal of perfect calibration drawn last.
 */
export function reliabilityChart(title: string, caption: string, curves: readonly Series[]): LineChart {
  return {
    kind: 'line',
    title,
    caption,
    x: { label: 'confidence', domain: [0, 1] },
    y: { label: 'accuracy', domain: [0, 1] },
    series: [
      ...curves,
      {
        name: 'perfect calibration',
        points: [
          [0, 0],
          [1, 1],
        ],
      },
    ],
  };
}
