#!/usr/bin/env node
// Issue #8's memory target for `linearCrossEntropy`: value and gradients at T = 2048, V = 32768,
// H = 256 (float32) against the materialising approach (the [T, V] logits by `ops.matmul`,
// `tokenCrossEntropy`'s value and gradient, then the two gradient products), each in a fresh
// process: wall time of one call after a warm-up at a small size, and peak extra memory (the
// process's peak resident set minus its resident set once the inputs exist).
// Usage: npm run build && node bench/linear-ce.mjs [T V H]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [T, V, H] = process.argv.slice(2, 5).map(Number);
const shape = { T: T || 2048, V: V || 32768, H: H || 256 };

if (process.env.LINEAR_CE_CHILD) {
  const lk = await import(new URL('../packages/losskit/dist/index.js', import.meta.url).href);
  const approach = process.env.LINEAR_CE_CHILD;
  const fill = (n, seed) => {
    const a = new Float32Array(n);
    let s = seed;
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      a[i] = (s / 2147483648 - 0.5) * 0.2;
    }
    return a;
  };
  const make = ({ T, V, H }) => ({
    hidden: new lk.Tensor(fill(T * H, 1), [T, H]),
    weight: new lk.Tensor(fill(V * H, 2), [V, H]),
    target: new lk.Tensor(
      Float32Array.from({ length: T }, (_, i) => (i * 7919) % V),
      [T],
    ),
  });
  const run = ({ hidden, weight, target }) => {
    if (approach === 'linear') {
      const r = lk.losses.linearCrossEntropy.valueAndGrad({ hidden, weight, target });
      return [r.value.item(), r.grads.hidden.data[0], r.grads.weight.data[0]];
    }
    const logits = lk.ops.matmulTransposed(hidden, weight, false, true);
    const r = lk.losses.tokenCrossEntropy.valueAndGrad({
      input: new lk.Tensor(logits.data, [1, hidden.shape[0], weight.shape[0]]),
      target: new lk.Tensor(target.data, [1, hidden.shape[0]]),
    });
    const g = new lk.Tensor(r.grads.input.data, [hidden.shape[0], weight.shape[0]]);
    const gh = lk.ops.matmul(g, weight);
    const gw = lk.ops.matmulTransposed(g, hidden, true, false);
    return [r.value.item(), gh.data[0], gw.data[0]];
  };
  run(make({ T: 64, V: 512, H: shape.H }));
  const inputs = make(shape);
  const before = process.memoryUsage().rss;
  const start = performance.now();
  const result = run(inputs);
  const seconds = (performance.now() - start) / 1000;
  const peak = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(JSON.stringify({ seconds, extraBytes: Math.max(0, peak - before), result }));
} else {
  const measure = (approach) => {
    const child = spawnSync(
      process.execPath,
      [fileURLToPath(import.meta.url), String(shape.T), String(shape.V), String(shape.H)],
      {
        env: { ...process.env, LINEAR_CE_CHILD: approach },
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    if (child.status !== 0) throw new Error(`${approach}: ${child.stderr}`);
    return JSON.parse(child.stdout);
  };
  const linear = measure('linear');
  const materialised = measure('materialised');
  const mib = (b) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  console.log(
    `linearCrossEntropy at T = ${shape.T}, V = ${shape.V}, H = ${shape.H} (float32), one value + gradient call:`,
  );
  console.log(`  chunked:      ${linear.seconds.toFixed(2)} s, peak extra memory ${mib(linear.extraBytes)}`);
  console.log(
    `  materialised: ${materialised.seconds.toFixed(2)} s, peak extra memory ${mib(materialised.extraBytes)}`,
  );
  console.log(
    `  time ${(linear.seconds / materialised.seconds).toFixed(2)}× (target ≤ 1.5×), memory 1/${(materialised.extraBytes / Math.max(1, linear.extraBytes)).toFixed(1)} (target ≤ 1/8)`,
  );
  const [a, b] = [linear.result[0], materialised.result[0]];
  console.log(
    `  values: ${a} and ${b} (relative difference ${(Math.abs(a - b) / Math.abs(b)).toExponential(1)})`,
  );
}
