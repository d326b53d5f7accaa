// Seeded data sets for the training tests.
import { Rng, type Tensor, tensor } from '../../packages/losskit/src/index.js';

/**
 * Two interleaved spirals (1.5 turns each, radius 0.3 to 3, Gaussian jitter 0.02): the classic
 * benchmark a linear model cannot separate. Labels [N, 1] in {0, 1}.
 */
export function twoSpirals(perClass: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const xs: number[][] = [];
  const ys: number[][] = [];
  for (let i = 0; i < perClass; i++) {
    const t = (i / perClass) * 1.5 * 2 * Math.PI;
    const r = 3 * (0.1 + (0.9 * i) / perClass);
    for (const label of [0, 1]) {
      const s = label === 0 ? 1 : -1;
      xs.push([s * r * Math.cos(t) + rng.normal(0, 0.02), s * r * Math.sin(t) + rng.normal(0, 0.02)]);
      ys.push([label]);
    }
  }
  return { x: tensor(xs), y: tensor(ys) };
}

/** y = x·w + b + N(0, noise²) with x uniform in [−1, 1]^d. */
export function linearData(
  n: number,
  w: readonly number[],
  b: number,
  noise: number,
  seed: number,
): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const xs = Array.from({ length: n }, () => w.map(() => rng.uniform(-1, 1)));
  const ys = xs.map((row) => [row.reduce((s, v, i) => s + v * w[i], b) + rng.normal(0, noise)]);
  return { x: tensor(xs), y: tensor(ys) };
}
