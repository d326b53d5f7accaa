// The core in a browser: packages/losskit/dist/ served over HTTP to Debian's chromium, every WebAssembly kernel
// loaded there (synchronous compilation on the main thread) and giving the bits Node gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveFolder } from './helpers/dist-server.js';
import { browserSkipReason, launchChromium } from './lab/browser.js';

const dist = fileURLToPath(new URL('../../packages/losskit/dist/', import.meta.url));

/**
 * The workload both sides run: each SIMD kernel on inputs from a fixed formula, returning the
 * loss values, a checksum of each gradient, and whether each kernel module loaded. Written as a
 * string so that the browser page and Node evaluate the very same code.
 */
const workload = `
const lk = await import(base + 'index.js');
const loaded = {
  float32: (await import(base + 'kernels/wasm/float32.js')).simdAvailable(),
  overlap: (await import(base + 'kernels/wasm/overlap.js')).overlapSimdAvailable(),
  gemm: (await import(base + 'kernels/wasm/gemm.js')).simdGemmAvailable(),
  softmax: (await import(base + 'kernels/wasm/softmax.js')).simdOneHotApplies(new Float32Array(4096), 64),
  triplet: (await import(base + 'kernels/wasm/triplet.js')).simdTripletApplies(...[1, 2, 3].map(() => new Float32Array(4096)), 128),
};
const f32 = (n, f) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = f(i); return a; };
const n = 4096;
const x = f32(n, (i) => 6 * Math.sin(i * 0.37));
const y = f32(n, (i) => (i % 3 === 0 ? 1 : 0));
const p = f32(n, (i) => 0.5 + 0.49 * Math.sin(i * 0.11));
const rows = 64, classes = 64;
const logits = f32(rows * classes, (i) => 4 * Math.cos(i * 0.23));
const labels = f32(rows, (i) => (i * 7) % classes);
const sum = (t) => { let s = 0; for (let i = 0; i < t.data.length; i++) s += t.data[i] * (1 + (i % 7)); return s; };
const calls = {
  mse: lk.losses.mse.valueAndGrad({ input: x, target: p }),
  huber: lk.losses.huber.valueAndGrad({ input: x, target: p }, { delta: 0.5 }),
  bce: lk.losses.binaryCrossEntropyWithLogits.valueAndGrad({ input: x, target: y }),
  focal: lk.losses.focal.valueAndGrad({ input: x, target: y }),
  sparseCE: lk.losses.sparseCategoricalCrossEntropy.valueAndGrad({ input: new lk.Tensor(logits, [rows, classes]), target: labels }),
  dice: lk.losses.dice.valueAndGrad({ input: p, target: y }),
  triplet: lk.losses.triplet.valueAndGrad({
    anchor: new lk.Tensor(f32(n, (i) => Math.sin(i)), [32, 128]),
    positive: new lk.Tensor(f32(n, (i) => Math.cos(i)), [32, 128]),
    negative: new lk.Tensor(f32(n, (i) => Math.sin(2 * i)), [32, 128]),
  }),
};
const out = { loaded, values: {}, grads: {} };
for (const [name, r] of Object.entries(calls)) {
  out.values[name] = r.value.item();
  out.grads[name] = Object.values(r.grads).map(sum);
}
const a = new lk.Tensor(f32(96 * 80, (i) => Math.sin(i * 0.3)), [96, 80]);
const b = new lk.Tensor(f32(80 * 72, (i) => Math.cos(i * 0.7)), [80, 72]);
out.values.matmul = sum(lk.ops.matmul(a, b));
return out;
`;

type Outcome = {
  loaded: Record<string, boolean>;
  values: Record<string, number>;
  grads: Record<string, number[]>;
};

const run = new Function('base', `return (async () => {${workload}})();`) as (
  base: string,
) => Promise<Outcome>;

test('the core runs in chromium: every WebAssembly kernel loads and gives the same results as in Node', {
  skip: browserSkipReason(),
}, async () => {
  const server = await serveFolder(dist, {
    '/': { type: 'text/html', body: '<!doctype html><title>losskit</title>' },
  });
  const base = server.base;
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(base);
    const inBrowser = (await page.evaluate(
      ([source, root]) => new Function('base', `return (async () => {${source}})();`)(root),
      [workload, base] as const,
    )) as Outcome;
    const inNode = await run(new URL('../../packages/losskit/dist/', import.meta.url).href);
    assert.deepEqual(
      inBrowser.loaded,
      { float32: true, overlap: true, gemm: true, softmax: true, triplet: true },
      'the SIMD modules load in chromium',
    );
    assert.deepEqual(inBrowser, inNode);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
