// The playground in a real browser: packages/playground built into a temporary folder by its own
// build script (esbuild), served by its own server script, and driven in Debian's chromium.
// Screenshots go to a temporary folder, or, with SAVE_SCREENSHOTS=1, to docs/playground-explorer.png
// and docs/playground-training.png (the README shows those): a plain test run leaves the tree as it was.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lossList } from 'losskit';
import type { Browser, Page } from 'playwright-core';
import { lossCurves } from '../../packages/lab/src/lab/curves.js';
import { TrainingRun } from '../../packages/playground/src/train-core.js';
import { browserSkipReason, launchChromium } from '../lab/browser.js';

// The compiled test lives in <build>/test/playground/; the repository root is three levels up.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const shots =
  process.env.SAVE_SCREENSHOTS === '1' ? join(root, 'docs') : mkdtempSync(join(tmpdir(), 'losskit-shots-'));
const skip = browserSkipReason();

type BuildModule = { buildPlayground(outdir: string): Promise<{ file: string; gzip: number }[]> };
type ServeModule = { servePlayground(dir: string, port?: number): Promise<{ server: Server; url: string }> };

let dir = '';
let server: Server | undefined;
let base = '';
let browser: Browser | undefined;
const problems: string[] = [];

async function open(
  search = '',
  { width = 1200, init }: { width?: number; init?: () => void } = {},
): Promise<Page> {
  if (browser === undefined) throw new Error('no browser');
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  if (init !== undefined) await page.addInitScript(init);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page: ${error.message}`));
  await page.goto(`${base}${search}`);
  await page.waitForSelector('body[data-ready=true]');
  return page;
}

const points = (page: Page, selector: string) =>
  page.$eval(selector, (el) => JSON.parse(el.getAttribute('data-points') ?? '[]') as [number, number][]);

/**
 * Curves equal to the core's up to the last bits: chromium's V8 and Node's may round Math.exp and
 * Math.log differently in the last place, so values are compared to 1e-12 relative.
 */
function assertSameCurve(
  actual: [number, number][],
  expected: readonly (readonly [number, number])[],
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: point count`);
  actual.forEach(([x, y], i) => {
    const [ex, ey] = expected[i];
    assert.equal(x, ex, `${what}: x of point ${i}`);
    assert.ok(
      Math.abs(y - ey) <= 1e-12 * Math.max(1, Math.abs(ey)),
      `${what}: point ${i} at x = ${x}: ${y} vs the core's ${ey}`,
    );
  });
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'losskit-playground-'));
  const build = (await import(
    pathToFileURL(join(root, 'packages/playground/build.mjs')).href
  )) as BuildModule;
  const serve = (await import(
    pathToFileURL(join(root, 'packages/playground/serve.mjs')).href
  )) as ServeModule;
  await build.buildPlayground(dir);
  const served = await serve.servePlayground(dir);
  server = served.server;
  base = served.url;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('every registry loss can be selected in the explorer and draws its value and gradient', {
  skip,
}, async () => {
  const page = await open();
  const drawn = await page.evaluate(() => {
    const select = document.querySelector('#loss') as HTMLSelectElement;
    const out: Record<string, [number, number, string]> = {};
    for (const option of Array.from(select.options)) {
      select.value = option.value;
      select.dispatchEvent(new Event('change'));
      const count = (id: string) =>
        JSON.parse(document.querySelector(`${id} path.current`)?.getAttribute('data-points') ?? '[]').length;
      out[option.value] = [
        count('#value-chart'),
        count('#grad-chart'),
        document.querySelector('#explorer-status')?.textContent ?? '',
      ];
    }
    return out;
  });
  assert.deepEqual(
    Object.keys(drawn).sort(),
    lossList.map((e) => e.name).sort(),
    'the select lists every registry loss',
  );
  for (const [name, [values, grads, status]] of Object.entries(drawn)) {
    assert.ok(
      values > 100 && grads > 100,
      `${name}: ${values} value and ${grads} gradient points (${status})`,
    );
  }
  await page.close();
});

test('moving an option slider redraws the curve with the core values for that option', { skip }, async () => {
  const page = await open('?loss=focal');
  const before = await points(page, '#value-chart path.current');
  assertSameCurve(
    before,
    lossCurves({ loss: 'focal', points: 201 }).value.series[0].points,
    'focal defaults',
  );
  const options: Record<string, number> = {};
  for (const [id, option, target] of [
    ['#opt-gamma', 'gamma', '4.5'],
    ['#opt-alpha', 'alpha', '0.8'],
  ] as const) {
    const chosen = await page.$eval(
      id,
      (el, v) => {
        const input = el as HTMLInputElement;
        input.value = v;
        input.dispatchEvent(new Event('input'));
        return Number(input.value);
      },
      target,
    );
    assert.ok(Math.abs(chosen - Number(target)) < 0.05, `${option} slider moved to ${chosen}`);
    options[option] = chosen;
    const core = lossCurves({ loss: 'focal', options, points: 201 });
    assertSameCurve(
      await points(page, '#value-chart path.current'),
      core.value.series[0].points,
      `value with ${option}`,
    );
    assertSameCurve(
      await points(page, '#grad-chart path.current'),
      core.gradient.series[0].points,
      `gradient with ${option}`,
    );
  }
  const after = await points(page, '#value-chart path.current');
  assert.ok(
    after.some(([, y], i) => Math.abs(y - before[i][1]) > 1e-3),
    'the curve changed',
  );
  // The readout shows the value under the cursor, from the drawn points.
  await page.$eval('#cursor', (el) => {
    (el as HTMLInputElement).value = '150';
    el.dispatchEvent(new Event('input'));
  });
  const [x, v] = (await points(page, '#value-chart path.current'))[150];
  const [, g] = (await points(page, '#grad-chart path.current'))[150];
  const readout = (await page.textContent('#readout')) ?? '';
  const shown = (name: string) => Number(new RegExp(`${name} = (\\S+)`).exec(readout)?.[1]);
  for (const [name, exact] of [
    ['x', x],
    ['loss', v],
    ['gradient', g],
  ] as const) {
    assert.ok(
      Math.abs(shown(name) - exact) <= 1e-3 * Math.abs(exact) + 1e-4,
      `readout ${readout}: ${name} ${exact}`,
    );
  }
  await page.$eval('#pin', (el) => (el as HTMLButtonElement).click());
  await page.$eval('#opt-gamma', (el) => {
    (el as HTMLInputElement).value = '0';
    el.dispatchEvent(new Event('input'));
  });
  await page.screenshot({ path: join(shots, 'playground-explorer.png'), fullPage: false });
  await page.close();
});

test('training on the outlier line: huber ends with a smaller coefficient error than mse on the same seed', {
  skip,
}, async (t) => {
  const page = await open('?view=train');
  assert.equal(await page.inputValue('#loss-a'), 'huber');
  assert.equal(await page.inputValue('#loss-b'), 'mse');
  assert.equal(await page.inputValue('#data'), 'line');
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.click('#step');
  await page.waitForSelector('#train-status[data-step="1"]');
  await page.click('#play');
  await page.waitForSelector('#train-status[data-done="true"]', { timeout: 120_000 });
  const huber = Number(await page.getAttribute('#metric-a', 'data-value'));
  const mse = Number(await page.getAttribute('#metric-b', 'data-value'));
  assert.ok(huber < mse, `coefficient error: huber ${huber}, mse ${mse}`);
  t.diagnostic(
    `first draw ${await page.getAttribute('body', 'data-first-draw-ms')} ms; ${await page.textContent('#train-status')}`,
  );
  // The same seed gives the same run in Node (the worker runs the very same code).
  const run = new TrainingRun({
    data: 'line',
    share: 0.2,
    seed: 1,
    losses: ['huber', 'mse'],
    options: [{}, {}],
  });
  run.advance(run.steps);
  const [a, b] = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
  assert.ok(
    Math.abs(a - huber) < 1e-6 && Math.abs(b - mse) < 1e-6,
    `node: ${a}, ${b}; browser: ${huber}, ${mse}`,
  );
  await page.screenshot({ path: join(shots, 'playground-training.png'), fullPage: true });
  await page.close();
});

test('the spirals train in the worker: finite held-out accuracy, the same as in Node', {
  skip,
}, async (t) => {
  const page = await open('?view=train&data=spirals');
  assert.equal(await page.inputValue('#data'), 'spirals');
  assert.equal(await page.inputValue('#loss-a'), 'binaryCrossEntropyWithLogits');
  assert.equal(await page.inputValue('#loss-b'), 'focal');
  assert.equal(await page.textContent('#share-label'), 'Noise (std)');
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.click('#step');
  await page.waitForSelector('#train-status[data-step="1"]');
  await page.click('#play');
  await page.waitForSelector('#train-status[data-done="true"]', { timeout: 120_000 });
  const accuracy = [
    Number(await page.getAttribute('#metric-a', 'data-value')),
    Number(await page.getAttribute('#metric-b', 'data-value')),
  ];
  assert.ok(
    accuracy.every((a) => Number.isFinite(a) && a >= 0 && a <= 1),
    `held-out accuracy ${accuracy}`,
  );
  assert.ok((await page.$$('#field-a rect.region')).length > 0, 'decision regions drawn');
  const rate = Number(await page.getAttribute('#train-status', 'data-steps-per-second'));
  assert.ok(rate > 0, `steps/s ${rate}`);
  t.diagnostic(
    `spirals: ${await page.textContent('#train-status')}; held-out accuracy ${accuracy.join(', ')}`,
  );
  const run = new TrainingRun({
    data: 'spirals',
    share: 0.1,
    seed: 1,
    losses: ['binaryCrossEntropyWithLogits', 'focal'],
    options: [{}, {}],
  });
  run.advance(run.steps);
  const node = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
  assert.ok(
    Math.abs(node[0] - accuracy[0]) < 1e-9 && Math.abs(node[1] - accuracy[1]) < 1e-9,
    `node: ${node}; browser: ${accuracy}`,
  );
  // Noisy labels: a step in the worker gives a clean test accuracy and three-class regions.
  await page.selectOption('#data', 'noisy');
  assert.match(page.url(), /data=noisy/);
  assert.equal(await page.inputValue('#loss-a'), 'sparseCategoricalCrossEntropy');
  assert.equal(await page.inputValue('#loss-b'), 'generalizedCrossEntropy');
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.click('#step');
  await page.waitForSelector('#train-status[data-step="1"]');
  const clean = Number(await page.getAttribute('#metric-b', 'data-value'));
  assert.ok(Number.isFinite(clean) && clean >= 0 && clean <= 1, `clean accuracy ${clean}`);
  assert.ok((await page.$$('#field-a rect.region.c0')).length > 0);
  // Imbalanced blobs show PR-AUC next to minority recall.
  await page.selectOption('#data', 'blobs');
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.click('#step');
  await page.waitForSelector('#train-status[data-step="1"]');
  const prAuc = Number(await page.getAttribute('#metric-a', 'data-pr-auc'));
  assert.ok(Number.isFinite(prAuc) && prAuc >= 0 && prAuc <= 1, `PR-AUC ${prAuc}`);
  assert.match((await page.textContent('#metric-a')) ?? '', /PR-AUC/);
  await page.close();
});

test('the URL holds the whole state and reopens it', { skip }, async () => {
  const search =
    '?view=train&data=blobs&share=0.25&seed=7&b=binaryCrossEntropy&a.gamma=3&b.labelSmoothing=0.1';
  const page = await open(search);
  assert.equal(new URL(page.url()).search, search, 'the canonical URL is kept as given');
  assert.equal(await page.inputValue('#data'), 'blobs');
  assert.equal(await page.inputValue('#share'), '0.25');
  assert.equal(await page.inputValue('#seed'), '7');
  assert.equal(await page.inputValue('#loss-a'), 'focal');
  assert.equal(await page.inputValue('#loss-b'), 'binaryCrossEntropy');
  assert.equal(Number(await page.inputValue('#train-a-gamma')), 3);
  assert.equal(Number(await page.inputValue('#train-b-labelSmoothing')), 0.1);
  // A change on the page goes into the URL, and that URL reopens it.
  await page.click('#tab-explorer');
  await page.selectOption('#loss', 'smoothL1');
  await page.$eval('#opt-beta', (el) => {
    (el as HTMLInputElement).value = '2.5';
    el.dispatchEvent(new Event('input'));
  });
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('loss'), 'smoothL1');
  assert.equal(url.searchParams.get('o.beta'), '2.5');
  assert.equal(url.searchParams.get('seed'), '7');
  const curve = await points(page, '#value-chart path.current');
  const again = await open(url.search);
  assert.equal(new URL(again.url()).search, url.search);
  assert.equal(await again.inputValue('#opt-beta'), '2.5');
  assert.deepEqual(await points(again, '#value-chart path.current'), curve);
  assert.equal(await again.getAttribute('#tab-explorer', 'aria-selected'), 'true');
  await again.close();
  await page.close();
});

test('the guide ranks losses with recommend and opens a suggestion in the explorer', { skip }, async () => {
  const page = await open('?view=guide');
  await page.selectOption('#task', 'regression');
  await page.check('#outliers');
  const first = await page.getAttribute('#suggestions li:first-child button', 'data-loss');
  assert.ok(first, 'a first suggestion');
  assert.match(page.url(), /out=1/);
  await page.click('#suggestions li:first-child button');
  assert.equal(await page.getAttribute('#tab-explorer', 'aria-selected'), 'true');
  assert.equal(await page.inputValue('#loss'), first);
  // Keyboard: the tabs move with the arrow keys.
  await page.focus('#tab-explorer');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getAttribute('#tab-train', 'aria-selected'), 'true');
  await page.close();
});

test('small objects on a grid train in the worker: a finite held-out IoU and the masks drawn', {
  skip,
}, async (t) => {
  const page = await open('?view=train&data=objects');
  assert.equal(await page.inputValue('#data'), 'objects');
  assert.equal(await page.inputValue('#loss-a'), 'binaryCrossEntropyWithLogits');
  assert.equal(await page.inputValue('#loss-b'), 'lovaszHinge');
  assert.equal(await page.textContent('#share-label'), 'Foreground share');
  const offered = await page.$$eval('#loss-b option', (options) =>
    options.map((o) => (o as HTMLOptionElement).value),
  );
  assert.ok(offered.includes('dice') && !offered.includes('lovaszSoftmax'), offered.join(' '));
  await page.waitForSelector('#train-status[data-step="0"]');
  for (let step = 1; step <= 3; step++) {
    await page.click('#step');
    await page.waitForSelector(`#train-status[data-step="${step}"]`);
  }
  const iou = [
    Number(await page.getAttribute('#metric-a', 'data-value')),
    Number(await page.getAttribute('#metric-b', 'data-value')),
  ];
  assert.ok(
    iou.every((v) => Number.isFinite(v) && v >= 0 && v <= 1),
    `IoU ${iou}`,
  );
  assert.equal((await page.$$('#field-a image.input')).length, 4, 'four held-out inputs drawn');
  assert.ok((await page.$$('#field-b rect.mask')).length > 0, 'masks drawn');
  // The same three steps in Node.
  const run = new TrainingRun({
    data: 'objects',
    share: 0.05,
    seed: 1,
    losses: ['binaryCrossEntropyWithLogits', 'lovaszHinge'],
    options: [{}, {}],
  });
  run.advance(3);
  const node = run.snapshot().sides.map((s) => s.metrics.at(-1) ?? Number.NaN);
  assert.ok(
    Math.abs(node[0] - iou[0]) < 1e-9 && Math.abs(node[1] - iou[1]) < 1e-9,
    `node: ${node}; browser: ${iou}`,
  );
  await page.click('#play');
  await page.waitForSelector('#train-status[data-done="true"]', { timeout: 120_000 });
  t.diagnostic(`objects: ${await page.textContent('#train-status')}`);
  await page.close();
});

test('a narrow window (420 px): no horizontal scroll in any view, the panels stacked', { skip }, async () => {
  for (const search of ['', '?view=train', '?view=train&data=objects', '?view=guide']) {
    const page = await open(search, { width: 420 });
    const overflow = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.ok(overflow.scroll <= overflow.client, `${search || 'explorer'}: ${JSON.stringify(overflow)}`);
    if (search.includes('train')) {
      const [a, b] = await Promise.all(
        ['#field-a', '#field-b'].map((id) => page.$eval(id, (el) => el.getBoundingClientRect().top)),
      );
      assert.ok(b > a + 100, `the two sides stacked: tops ${a}, ${b}`);
    }
    await page.close();
  }
});

test('the keyboard alone: Tab reaches Play, Space starts training and Space again pauses it', {
  skip,
}, async () => {
  // The objects set: 150 slower steps, so that the run is still going when Space is pressed again.
  const page = await open('?view=train&data=objects');
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.focus('#data');
  const visited: string[] = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const id = await page.evaluate(() => document.activeElement?.id ?? '');
    visited.push(id);
    if (id === 'play') break;
  }
  assert.equal(visited.at(-1), 'play', `Tab order: ${visited.join(' → ')}`);
  for (const id of ['share', 'seed', 'new-seed']) assert.ok(visited.includes(id), `${id} reachable by Tab`);
  await page.keyboard.press('Space');
  await page.waitForSelector('#train-status:not([data-step="0"])');
  // Play is disabled while training; the focus moved to Pause, so Space pauses.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'pause');
  await page.keyboard.press('Space');
  await page.waitForFunction(() => document.querySelector('#train-status')?.textContent?.includes('paused'));
  // Enter on Step advances one step; sliders move with the arrow keys.
  const before = Number(await page.getAttribute('#train-status', 'data-step'));
  await page.focus('#step');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`#train-status[data-step="${before + 1}"]`);
  await page.focus('#share');
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.inputValue('#share'), '0.06');
  await page.close();
});

test('without workers or WebAssembly SIMD: a clear message, and training runs on the page', {
  skip,
}, async () => {
  const page = await open('?view=train', {
    init: () => {
      // Pretend an old browser: no Worker, and no module validates (so no SIMD).
      Reflect.deleteProperty(window, 'Worker');
      WebAssembly.validate = () => false;
    },
  });
  const notice = (await page.textContent('#capabilities')) ?? '';
  assert.ok(await page.isVisible('#capabilities'));
  assert.match(notice, /WebAssembly SIMD is not available/);
  assert.match(notice, /Web Workers are not available/);
  await page.waitForSelector('#train-status[data-step="0"]');
  await page.click('#step');
  await page.waitForSelector('#train-status[data-step="1"]');
  assert.ok(Number.isFinite(Number(await page.getAttribute('#metric-a', 'data-value'))));
  await page.close();
});

test('no console errors on any of the pages', { skip }, () => {
  assert.deepEqual(problems, []);
});
