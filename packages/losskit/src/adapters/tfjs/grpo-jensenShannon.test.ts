// The TF.js grpo and jensenShannon against the core beyond the oracle cases: every aggregation
// with padded and all-0 masks, and every input and target kind of the divergence (a
// differentiated probability input, a target with zeros), on the cpu and wasm backends.
import { before, describe, test } from 'node:test';
import { type LossEntry, losses } from '../../index.js';
import { BACKENDS, useBackend } from '../../../../../test/helpers/tfjs-backends.js';
import { assertMatchesCore } from '../../../../../test/helpers/tfjs-compare.js';

const T = (shape: number[], data: number[]) => ({ shape, data: Float64Array.from(data) });
const grpoEntry = losses.grpo as unknown as LossEntry;
const jsdEntry = losses.jensenShannon as unknown as LossEntry;

const rollout = {
  logProbs: T([3, 3], [-1, -2, -0.5, -1.2, -0.3, -2, -0.7, -0.9, -1.1]),
  oldLogProbs: T([3, 3], [-1.1, -1.5, -0.6, -1.2, -0.1, -2.5, -0.2, -0.9, -1.3]),
  refLogProbs: T([3, 3], [-0.9, -2.2, -0.4, -1, -0.35, -1.8, -0.75, -0.8, -1.2]),
  advantages: T([3], [0.5, -1, 0.8]),
  // The middle completion has no token: 'sequence' leaves it out.
  mask: T([3, 3], [1, 1, 0, 0, 0, 0, 1, 1, 1]),
};

const distributions = {
  logits: [1, -1, 0.5, 0, 2, -2],
  logProbs: [-1, -0.5, -2, -0.1, -3, -1],
  probs: [0.2, 0.5, 0.3, 0.6, 0.1, 0.3],
};
const targets = {
  probs: [0.5, 0.5, 0, 0.2, 0.3, 0.5],
  logits: [0, 1, 2, -1, 0, 1],
  logProbs: [-0.5, -1, -2, -0.7, -1.5, -0.2],
};

for (const backend of BACKENDS) {
  describe(`on the TF.js ${backend} backend`, () => {
    before(() => useBackend(backend));

    test('grpo equals the core for every aggregation, clip and β, and with an all-0 mask', () => {
      for (const aggregate of ['token', 'sequence', 'constant']) {
        for (const extra of [{}, { clipEpsilonHigh: 0.3, beta: 0 }, { clipEpsilon: 0.05, beta: 0.5 }]) {
          const options = { aggregate, ...extra };
          assertMatchesCore(grpoEntry, rollout, options, undefined, `grpo ${JSON.stringify(options)}`);
        }
        const empty = { ...rollout, mask: T([3, 3], new Array(9).fill(0)) };
        assertMatchesCore(grpoEntry, empty, { aggregate }, undefined, `grpo ${aggregate} all-0 mask`);
      }
    });

    test('jensenShannon equals the core for every input and target kind, with a zero in the target', () => {
      for (const [inputKind, input] of Object.entries(distributions)) {
        for (const [targetKind, target] of Object.entries(targets)) {
          for (const reduction of ['batchmean', 'none']) {
            const upstream = reduction === 'none' ? T([2, 3], [1, -2, 0.5, 3, 1, 1]) : undefined;
            assertMatchesCore(
              jsdEntry,
              { input: T([2, 3], input), target: T([2, 3], target) },
              { inputKind, targetKind, beta: 0.3, reduction },
              upstream,
              `jensenShannon ${inputKind} ${targetKind} ${reduction}`,
            );
          }
        }
      }
    });
  });
}
