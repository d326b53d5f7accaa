import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  Adam,
  AdamW,
  LossInputError,
  RMSprop,
  SGD,
  type Tensor,
  clipGradNorm,
  composeSchedules,
  cosineDecay,
  globalGradNorm,
  linearWarmup,
  sequenceSchedules,
  stepDecay,
  tensor,
  variable,
} from '../index.js';

/** Runs `steps` updates on one parameter with the gradients given, returns its values after each. */
function run(make: (p: Tensor[]) => { step(): void }, start: number[], grads: number[][]): number[][] {
  const p = variable(start);
  const opt = make([p]);
  return grads.map((g) => {
    p.grad = tensor(g);
    opt.step();
    return [...p.data];
  });
}

function close(a: number[][], b: number[][], tol = 1e-12): void {
  a.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(
        Math.abs(v - b[i][j]) <= tol * (1 + Math.abs(b[i][j])),
        `step ${i + 1}[${j}]: got ${v}, want ${b[i][j]}`,
      );
    });
  });
}

const grads = [
  [0.5, -1],
  [0.25, 2],
  [-1, 0.5],
];

describe('optimizers follow their published update rules', () => {
  test('SGD: p ← p − lr·(g + wd·p)', () => {
    const got = run((p) => new SGD(p, { lr: 0.1, weightDecay: 0.5 }), [1, 2], grads);
    const want: number[][] = [];
    let p = [1, 2];
    for (const g of grads) {
      p = p.map((v, i) => v - 0.1 * (g[i] + 0.5 * v));
      want.push(p);
    }
    close(got, want);
  });

  test('SGD with momentum and with Nesterov momentum (PyTorch formulation)', () => {
    for (const nesterov of [false, true]) {
      const got = run((p) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov }), [1, 2], grads);
      const want: number[][] = [];
      let p = [1, 2];
      let buf: number[] | null = null;
      for (const g of grads) {
        const b: number[] = buf === null ? [...g] : buf.map((v, i) => 0.9 * v + g[i]);
        buf = b;
        const d = nesterov ? g.map((v, i) => v + 0.9 * b[i]) : b;
        p = p.map((v, i) => v - 0.1 * d[i]);
        want.push(p);
      }
      close(got, want);
    }
  });

  test('Adam: bias-corrected moments, m̂ / (√v̂ + ε)', () => {
    const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
    const got = run((p) => new Adam(p, { lr }), [1, 2], grads);
    const want: number[][] = [];
    let p = [1, 2];
    let m = [0, 0];
    let v = [0, 0];
    grads.forEach((g, t) => {
      m = m.map((x, i) => b1 * x + (1 - b1) * g[i]);
      v = v.map((x, i) => b2 * x + (1 - b2) * g[i] * g[i]);
      p = p.map(
        (x, i) => x - (lr * (m[i] / (1 - b1 ** (t + 1)))) / (Math.sqrt(v[i] / (1 - b2 ** (t + 1))) + eps),
      );
      want.push(p);
    });
    close(got, want);
    // The first Adam step moves every coordinate by lr in the direction of −sign(g).
    assert.ok(Math.abs(got[0][0] - (1 - lr)) < 1e-9 && Math.abs(got[0][1] - (2 + lr)) < 1e-9);
  });

  test('AdamW decays weights by lr·wd independently of the gradient; Adam adds wd·p to it', () => {
    const zero = [[0, 0]];
    close(
      run((p) => new AdamW(p, { lr: 0.1, weightDecay: 0.5 }), [1, 2], zero),
      [[0.95, 1.9]],
    );
    const adam = run((p) => new Adam(p, { lr: 0.1, weightDecay: 0.5 }), [1, 2], zero);
    close(adam, [[0.9, 1.9]], 1e-7);
  });

  test('RMSprop, plain, centered and with momentum', () => {
    for (const [centered, momentum] of [
      [false, 0],
      [true, 0],
      [false, 0.5],
    ] as const) {
      const [alpha, eps, lr] = [0.9, 1e-8, 0.01];
      const got = run((p) => new RMSprop(p, { lr, alpha, centered, momentum }), [1, 2], grads);
      const want: number[][] = [];
      let p = [1, 2];
      let sq = [0, 0];
      let avg = [0, 0];
      let buf = [0, 0];
      for (const g of grads) {
        sq = sq.map((x, i) => alpha * x + (1 - alpha) * g[i] * g[i]);
        avg = avg.map((x, i) => alpha * x + (1 - alpha) * g[i]);
        const denom = sq.map((x, i) => Math.sqrt(centered ? x - avg[i] * avg[i] : x) + eps);
        if (momentum > 0) {
          buf = buf.map((x, i) => momentum * x + g[i] / denom[i]);
          p = p.map((x, i) => x - lr * buf[i]);
        } else {
          p = p.map((x, i) => x - (lr * g[i]) / denom[i]);
        }
        want.push(p);
      }
      close(got, want);
    }
  });

  test('parameters without a gradient are left alone', () => {
    const a = variable([1]);
    const b = variable([2]);
    a.grad = tensor([1]);
    new Adam([a, b], { lr: 0.1 }).step();
    assert.deepEqual([...b.data], [2]);
    assert.notDeepEqual([...a.data], [1]);
  });

  test('bad hyperparameters are errors naming the option', () => {
    const p = [variable([1])];
    assert.throws(
      () => new SGD(p, { lr: -1 }),
      (e) => e instanceof LossInputError && e.argument === 'options.lr',
    );
    assert.throws(
      () => new SGD(p, { nesterov: true }),
      (e) => e instanceof LossInputError && /Nesterov/.test(e.message),
    );
    assert.throws(
      () => new Adam(p, { betas: [1, 0.999] }),
      (e) => e instanceof LossInputError && e.argument === 'options.betas',
    );
    assert.throws(
      () => new Adam([]),
      (e) => e instanceof LossInputError && e.argument === 'params',
    );
  });
});

test('a restored optimizer state continues bit for bit', () => {
  const p1 = variable([1, -1]);
  const a = new Adam([p1], { lr: 0.05 });
  for (const g of grads.slice(0, 2)) {
    p1.grad = tensor(g);
    a.step();
  }
  const p2 = variable([...p1.data]);
  const b = new Adam([p2], { lr: 0.05 });
  b.loadState(a.state());
  p1.grad = tensor(grads[2]);
  p2.grad = tensor(grads[2]);
  a.step();
  b.step();
  assert.deepEqual([...p2.data], [...p1.data]);
  assert.equal(b.stepCount, 3);
  assert.throws(
    () => new SGD([p2]).loadState(a.state()),
    (e) => e instanceof LossInputError && /saved by Adam/.test(e.message),
  );
});

describe('learning-rate schedules', () => {
  test('stepDecay multiplies by gamma every `every` steps', () => {
    const s = stepDecay({ every: 10, gamma: 0.5 });
    assert.deepEqual([0, 9, 10, 25].map(s), [1, 1, 0.5, 0.25]);
  });

  test('cosineDecay goes from 1 to minFactor along half a cosine', () => {
    const s = cosineDecay({ steps: 100, minFactor: 0.1 });
    assert.equal(s(0), 1);
    assert.ok(Math.abs(s(50) - 0.55) < 1e-12);
    assert.equal(s(100), 0.1);
    assert.equal(s(1000), 0.1);
  });

  test('linearWarmup ramps to 1 over its steps, then stays', () => {
    const s = linearWarmup({ steps: 4 });
    assert.deepEqual([0, 1, 2, 3, 10].map(s), [0.25, 0.5, 0.75, 1, 1]);
  });

  test('composeSchedules multiplies; sequenceSchedules chains phases with their own step counts', () => {
    const product = composeSchedules(linearWarmup({ steps: 2 }), stepDecay({ every: 1, gamma: 0.5 }));
    assert.deepEqual([0, 1, 2].map(product), [0.5, 0.5, 0.25]);
    const chained = sequenceSchedules([linearWarmup({ steps: 2 }), 2], cosineDecay({ steps: 2 }));
    close([[0, 1, 2, 3, 4].map(chained)], [[0.5, 1, 1, 0.5, 0]]);
  });

  test('an optimizer applies its schedule step by step', () => {
    const p = variable([0]);
    const opt = new SGD([p], { lr: 1, schedule: stepDecay({ every: 1, gamma: 0.5 }) });
    const moves: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = p.data[0];
      p.grad = tensor([-1]);
      opt.step();
      moves.push(p.data[0] - before);
    }
    assert.deepEqual(moves, [1, 0.5, 0.25]);
    assert.equal(opt.lr, 0.125);
    assert.throws(() => cosineDecay({ steps: 0 }), LossInputError);
  });
});

test('clipGradNorm rescales all gradients together to the maximum norm and returns the norm before', () => {
  const a = variable([0]);
  const b = variable([0, 0]);
  a.grad = tensor([3]);
  b.grad = tensor([0, 4]);
  assert.equal(globalGradNorm([a, b]), 5);
  assert.equal(clipGradNorm([a, b], 1), 5);
  assert.ok(Math.abs(globalGradNorm([a, b]) - 1) < 1e-6);
  assert.ok(Math.abs((a.grad as Tensor).data[0] / (b.grad as Tensor).data[1] - 0.75) < 1e-12);
  assert.equal(clipGradNorm([a, b], 10), globalGradNorm([a, b]));
});
