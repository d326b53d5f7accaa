#!/usr/bin/env node
// Issue #8's memory target for `linearCrossEntropy`: value and gradients at T = 2048, V = 32768,
// H = 256 (float32) against the materialising approach (the [T, V] logits by `ops.matmul`,
// `tokenCrossEntropy`'s value and gradient, then the two gradient products), each in a fresh
// process: wall time of one call after a warm-up at a small size, and peak extra memory (the
// process's peak resident set minus its resident set once the inputs exist). Issue #17's column:
// PyTorch 1.13's materialised route (`F.cross_entropy(hidden @ weight.T, target)` + backward) with
// 1 and 2 threads on the same inputs (bench/linear_ce_torch.py, via /usr/bin/python3 or
// $LINEAR_CE_PYTHON), and the time ratio against it.
// Usage: npm run build && node bench/linear-ce.mjs [T V H]
// LINEAR_CE_CORE=path/to/index.js measures another build of the core (default packages/losskit/dist).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const [T, V, H] = process.argv.slice(2, 5).map(Number);
const shape = { T: T || 2048, V: V || 32768, H: H || 256 };

const fill = (n, seed) => {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = (s / 2147483648 - 0.5) * 0.2;
  }
  return a;
};
const raw = ({ T, V, H }) => ({
  hidden: fill(T * H, 1),
  weight: fill(V * H, 2),
  target: Float32Array.from({ length: T }, (_, i) => (i * 7919) % V),
});

if (process.env.LINEAR_CE_CHILD) {
  const core = process.env.LINEAR_CE_CORE
    ? pathToFileURL(process.env.LINEAR_CE_CORE).href
    : new URL('../packages/losskit/dist/index.js', import.meta.url).href;
  const lk = await import(core);
  const approach = process.env.LINEAR_CE_CHILD;
  const make = ({ T, V, H }) => {
    const r = raw({ T, V, H });
    return {
      hidden: new lk.Tensor(r.hidden, [T, H]),
      weight: new lk.Tensor(r.weight, [V, H]),
      target: new lk.Tensor(r.target, [T]),
    };
  };
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
  // PyTorch on the same inputs (raw float32: hidden, weight, target ids), 1 and 2 threads.
  const torch = (threads) => {
    const python = process.env.LINEAR_CE_PYTHON ?? '/usr/bin/python3';
    const script = fileURLToPath(new URL('./linear_ce_torch.py', import.meta.url));
    const args = [script, shape.T, shape.V, shape.H, threads, inputs].map(String);
    const child = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0)
      return { unavailable: (child.stderr || String(child.error)).trim().split('\n').pop() };
    return JSON.parse(child.stdout);
  };
  const dir = mkdtempSync(join(tmpdir(), 'linear-ce-'));
  const inputs = join(dir, 'inputs.f32');
  const r = raw(shape);
  writeFileSync(inputs, Buffer.concat([r.hidden, r.weight, r.target].map((a) => Buffer.from(a.buffer))));
  let torch1;
  let torch2;
  try {
    torch1 = torch(1);
    torch2 = torch(2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
  for (const [label, t] of [
    ['torch 1T:    ', torch1],
    ['torch 2T:    ', torch2],
  ]) {
    if (t.unavailable) console.log(`  ${label} unavailable (${t.unavailable})`);
    else
      console.log(
        `  ${label} ${t.seconds.toFixed(2)} s, peak extra memory ${mib(t.extraBytes)} (chunked ${(linear.seconds / t.seconds).toFixed(2)}× its time)`,
      );
  }
  console.log(
    `  time ${(linear.seconds / materialised.seconds).toFixed(2)}× materialised (target ≤ 1.5×)${torch2.unavailable ? '' : `, ${(linear.seconds / torch2.seconds).toFixed(2)}× torch 2T (target ≤ 3×)`}; memory 1/${(materialised.extraBytes / Math.max(1, linear.extraBytes)).toFixed(1)} of materialised (target ≤ 1/8)`,
  );
  const [a, b] = [linear.result[0], materialised.result[0]];
  console.log(
    `  values: ${a} and ${b} (relative difference ${(Math.abs(a - b) / Math.abs(b)).toExponential(1)})${torch1.unavailable ? '' : `, torch ${torch1.result[0]}`}`,
  );
}
