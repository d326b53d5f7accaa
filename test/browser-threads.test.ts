// Threads in a browser: a cross-origin isolated page (COOP/COEP headers) runs the core in a
// module Worker, where blocking in Atomics.wait is allowed, so the pool starts Web Workers on
// shared WebAssembly memory; the page's own main thread and a page without isolation stay on one
// thread and say why. The threaded product gives the bits of the single-thread one.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serveFolder } from './helpers/dist-server.js';
import { browserSkipReason, launchChromium } from './lab/browser.js';

const dist = fileURLToPath(new URL('../../packages/losskit/dist/', import.meta.url));

/** The worker: reports, multiplies on 1 thread, waits for the pool, multiplies on 2, posts the results. */
const workerSource = `
const lk = await import('/index.js');
const pool = await import('/kernels/threads/pool.js');
const f32 = (n, f) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = f(i); return a; };
const a = new lk.Tensor(f32(256 * 300, (i) => Math.sin(i * 0.3)), [256, 300]);
const b = new lk.Tensor(f32(300 * 200, (i) => Math.cos(i * 0.7)), [300, 200]);
const auto = lk.threadReport();
lk.setThreads(1);
const one = lk.ops.matmul(a, b).data;
lk.setThreads(2);
lk.ops.matmul(a, b);
const until = Date.now() + 10000;
while (pool.readyWorkers() < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
const two = lk.ops.matmul(a, b).data;
let same = one.length === two.length;
for (let i = 0; same && i < one.length; i++) same = Object.is(one[i], two[i]);
postMessage({ auto, report: lk.threadReport(), ready: pool.readyWorkers(), same });
`;

const page = `<!doctype html><title>threads</title><script type="module">
const lk = await import('/index.js');
const result = { main: lk.threadReport(), isolated: self.crossOriginIsolated };
if (self.crossOriginIsolated) {
  const worker = new Worker('/worker.js', { type: 'module' });
  result.worker = await new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.onerror = (e) => resolve({ error: String(e.message) }); });
}
window.result = result;
</script>`;

test('in chromium the pool runs in a worker of a cross-origin isolated page, and says why not elsewhere', {
  skip: browserSkipReason(),
}, async () => {
  // Every answer carries the isolation headers, except on the page asked for with ?isolated=0
  // and the files it loads.
  const isolation = {
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-embedder-policy': 'require-corp',
  };
  const server = await serveFolder(
    dist,
    { '/': { type: 'text/html', body: page }, '/worker.js': { type: 'text/javascript', body: workerSource } },
    (request) =>
      request.url?.includes('isolated=0') || request.headers.referer?.includes('isolated=0') ? {} : isolation,
  );
  const base = server.base;
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(base);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
      timeout: 30000,
    });
    const isolated = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
      main: string;
      isolated: boolean;
      worker: { auto: string; report: string; ready: number; same: boolean; error?: string };
    };
    assert.equal(isolated.isolated, true);
    assert.match(
      isolated.main,
      /^losskit: 1 thread of \d+ cores? \(threads unavailable: a browser's main thread may not block/,
    );
    assert.equal(isolated.worker.error, undefined);
    assert.match(
      isolated.worker.auto,
      /^losskit: \d+ threads? of \d+ cores? \(Web Workers, shared WebAssembly memory\)$/,
    );
    assert.match(isolated.worker.report, /^losskit: 2 threads of /);
    assert.equal(isolated.worker.ready, 1, 'one Web Worker started');
    assert.equal(isolated.worker.same, true, 'the 2-thread product is bitwise the 1-thread product');

    await tab.goto(`${base}?isolated=0`);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined);
    const plain = (await tab.evaluate(() => (window as unknown as { result: unknown }).result)) as {
      main: string;
      isolated: boolean;
    };
    assert.equal(plain.isolated, false);
    assert.match(
      plain.main,
      /^losskit: 1 thread of \d+ cores? \(threads unavailable: the page is not cross-origin isolated/,
    );
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    server.close();
  }
});
