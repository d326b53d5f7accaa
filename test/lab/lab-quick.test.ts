// The lab end to end: `losskit lab --quick` runs every experiment once, writes the report and the
// metrics, and the report is checked in a real browser.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import { type LabResult, experiments } from '../../packages/lab/src/lab/index.js';
import { browserSkipReason, launchChromium } from './browser.js';
import { type CliRun, cli } from './cli-capture.js';

const outDir = mkdtempSync(join(tmpdir(), 'losskit-lab-'));
let run: CliRun;
let result: LabResult;

before(async () => {
  run = await cli('lab', '--quick', '--out', outDir);
  result = JSON.parse(readFileSync(join(outDir, 'metrics.json'), 'utf8'));
});

test('lab --quick writes index.html, metrics.json and claims.md and prints a summary table of the claims', () => {
  assert.equal(run.code, 0, run.stderr);
  assert.ok(existsSync(join(outDir, 'index.html')));
  const claims = readFileSync(join(outDir, 'claims.md'), 'utf8');
  assert.equal(claims.trim().split('\n').length, 2 + experiments.length, 'a Markdown row per experiment');
  assert.match(run.stdout, /claims held \(quick mode/);
  assert.match(
    run.stdout,
    new RegExp(`Report: ${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/index\\.html`),
  );
  assert.equal(result.quick, true);
  assert.deepEqual(
    result.experiments.map((e) => e.name),
    experiments.map((e) => e.name),
  );
});

for (const experiment of experiments) {
  test(`${experiment.name} runs in quick mode, reports every metric and a verdict computed from them`, () => {
    const r = result.experiments.find((e) => e.name === experiment.name);
    assert.ok(r, 'in the metrics file');
    assert.equal(r.status, 'ok', r.error);
    const means: Record<string, Record<string, number>> = {};
    for (const variant of experiment.variants) {
      means[variant.id] = {};
      for (const metric of experiment.metrics) {
        const value = r.summary[variant.id][metric.id].mean;
        assert.ok(Number.isFinite(value), `${variant.id}.${metric.id} = ${value}`);
        means[variant.id][metric.id] = value;
      }
    }
    assert.deepEqual({ outcome: r.verdict.outcome, explanation: r.verdict.explanation }, experiment.verdict(means));
    assert.ok(r.charts.length > 0, 'draws at least one chart');
    assert.ok(r.seconds < 30, `quick mode took ${r.seconds.toFixed(1)} s`);
  });
}

test('the report in chromium: every experiment has a section with a chart that has marks, and no console errors', {
  skip: browserSkipReason(),
}, async () => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) problems.push(`network request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(join(outDir, 'index.html')).href);
    const sections = await page.$$eval('section.experiment', (nodes) =>
      nodes.map((section) => ({
        name: section.getAttribute('data-experiment'),
        charts: Array.from(section.querySelectorAll('figure.chart')).map((figure) => ({
          marks: figure.querySelectorAll(
            'svg g[aria-label="line"] path, svg g[aria-label="dot"] circle, svg g[aria-label="bar"] rect, svg g[aria-label="cell"] rect',
          ).length,
          width: figure.querySelector('svg')?.getBoundingClientRect().width ?? 0,
        })),
      })),
    );
    assert.deepEqual(
      sections.map((s) => s.name),
      experiments.map((e) => e.name),
    );
    for (const section of sections) {
      assert.ok(
        section.charts.some((c) => c.marks > 0 && c.width > 100),
        `${section.name} has a visible chart with marks`,
      );
    }
    // LOSSKIT_SCREENSHOT=path/to/file.png keeps the screenshot somewhere stable (e.g. for the README).
    const screenshot = process.env.LOSSKIT_SCREENSHOT ?? join(outDir, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    assert.ok(readFileSync(screenshot).length > 10_000, 'screenshot saved');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
