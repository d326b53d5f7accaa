// A lab result with every kind of chart, made up (no training), for report tests.
import type { LabResult } from '../../packages/lab/src/lab/index.js';

const curve = (f: (x: number) => number) => Array.from({ length: 30 }, (_, i) => [i, f(i)] as const);

export function fakeLabResult(): LabResult {
  const summary = (mean: number) => ({
    mean,
    spread: mean / 10,
    min: mean * 0.9,
    max: mean * 1.1,
    values: [mean * 0.9, mean * 1.1],
  });
  return {
    quick: true,
    seeds: [1, 2],
    seconds: 1.5,
    experiments: [
      {
        name: 'all-chart-kinds',
        title: 'Every chart kind',
        claim: 'A beats B <on purpose> & escapes "quotes".',
        setup: 'Made-up numbers.',
        variants: [
          { id: 'a', label: 'A', losses: ['mse'] },
          { id: 'b', label: 'B', losses: ['huber'], options: 'delta = 1' },
        ],
        metricSpecs: [
          { id: 'error', label: 'error', better: 'lower', description: 'Mean absolute error.' },
          { id: 'confidence', label: 'confidence', better: 'neither' },
        ],
        headline: ['error'],
        status: 'ok',
        summary: {
          a: { error: summary(1), confidence: summary(0.9) },
          b: { error: summary(2), confidence: summary(0.8) },
        },
        verdict: {
          outcome: 'held',
          explanation: 'A 1 < B 2.',
          heldOnSeeds: 2,
          inconclusiveOnSeeds: 0,
          seeds: 2,
        },
        charts: [
          {
            kind: 'line',
            title: 'Training loss',
            x: { label: 'step' },
            y: { label: 'loss', scale: 'log' },
            series: [
              { name: 'A', points: curve((i) => 1 / (i + 1)) },
              { name: 'B', points: curve((i) => 2 / (i + 1)) },
            ],
          },
          {
            kind: 'scatter',
            title: 'Samples',
            x: { label: 'x' },
            y: { label: 'y' },
            panels: 'separate',
            series: [
              { name: 'A', points: curve((i) => Math.sin(i)) },
              { name: 'B', points: curve((i) => Math.cos(i)) },
            ],
          },
          {
            kind: 'bars',
            title: 'Grouped',
            y: { label: 'value' },
            bars: [
              { group: 'g1', series: 'A', value: 1 },
              { group: 'g1', series: 'B', value: 2 },
              { group: 'g2', series: 'A', value: 3, spread: 0.5 },
              { group: 'g2', series: 'B', value: 1 },
            ],
          },
          {
            kind: 'images',
            title: 'Images',
            width: 4,
            height: 4,
            images: ['input', 'A', 'B'].flatMap((row) =>
              [0, 1].map((c) => ({
                row,
                column: `#${c}`,
                pixels: Array.from({ length: 16 }, (_, p) => (p % 5) / 4),
              })),
            ),
          },
        ],
        notes: ['A note.'],
        seconds: 0.7,
      },
      {
        name: 'failed-one',
        title: 'A failure',
        claim: 'Never judged.',
        setup: 'Throws.',
        variants: [{ id: 'a', label: 'A', losses: ['mse'] }],
        metricSpecs: [{ id: 'error', label: 'error', better: 'lower' }],
        headline: ['error'],
        status: 'failed',
        error: 'diverged',
        summary: {},
        verdict: {
          outcome: 'inconclusive',
          explanation: 'The experiment failed before it could be judged: diverged',
          heldOnSeeds: 0,
          inconclusiveOnSeeds: 0,
          seeds: 2,
        },
        charts: [],
        notes: [],
        seconds: 0.1,
      },
      {
        name: 'nothing-to-compare',
        title: 'Both arms failed',
        claim: 'A covers at least as many modes as B.',
        setup: 'Both cover none.',
        variants: [
          { id: 'a', label: 'A', losses: ['mse'] },
          { id: 'b', label: 'B', losses: ['mae'] },
        ],
        metricSpecs: [{ id: 'modes', label: 'modes', better: 'higher' }],
        headline: [],
        status: 'ok',
        summary: { a: { modes: summary(0) }, b: { modes: summary(0) } },
        verdict: {
          outcome: 'inconclusive',
          explanation: 'A 0, B 0. Inconclusive: neither covered a mode, so there is nothing to compare.',
          heldOnSeeds: 0,
          inconclusiveOnSeeds: 2,
          seeds: 2,
        },
        charts: [],
        notes: [],
        seconds: 0.1,
      },
    ],
  };
}
