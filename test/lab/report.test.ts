import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderReport } from '../../packages/lab/src/lab/report/index.js';
import { fakeLabResult } from './fake-lab-result.js';

test('the report is one self-contained page: no scripts, no external resources', () => {
  const html = renderReport(fakeLabResult(), { command: 'losskit lab --quick', metricsFile: 'metrics.json' });
  assert.ok(html.startsWith('<!doctype html>'));
  assert.doesNotMatch(html, /<script|<link|src="http|href="http|@import|url\(/);
});

test('each experiment gets a section with its claim, verdict and metrics table; text is escaped', () => {
  const html = renderReport(fakeLabResult());
  assert.match(html, /<section class="experiment" id="all-chart-kinds"/);
  assert.match(html, /<section class="experiment" id="failed-one"/);
  assert.match(html, /A beats B &lt;on purpose&gt; &amp; escapes &quot;quotes&quot;\./);
  assert.match(html, /badge held">HELD/);
  assert.match(html, /badge failed">FAILED TO RUN/);
  assert.match(html, /1\.000 ± 0\.100/, 'mean ± spread with several seeds');
  assert.match(html, /Held on 2 of 2 seeds/);
  assert.match(html, /1 of 3 claims held; 1 inconclusive, 1 failed to run/);
});

test('an inconclusive claim gets its own badge and verdict style, distinct from held and did not hold', () => {
  const html = renderReport(fakeLabResult());
  const section = html.slice(html.indexOf('id="nothing-to-compare"'));
  assert.match(section, /<span class="badge inconclusive">INCONCLUSIVE<\/span>/);
  assert.match(section, /<div class="verdict inconclusive">A 0, B 0\. Inconclusive: neither covered a mode/);
  assert.match(section, /Held on 0 of 2 seeds, inconclusive on 2, taken one at a time/);
  assert.doesNotMatch(section.slice(0, section.indexOf('</section>')), /badge held|HELD</);
  assert.match(html, /\.badge\.inconclusive \{ background: var\(--inconclusive\); \}/);
  assert.match(html, /\.verdict\.inconclusive \{[^}]*border-color: var\(--inconclusive\)/);
});

test('every chart kind renders to inline SVG with marks', () => {
  const html = renderReport(fakeLabResult());
  const figures = html.split('<figure class="chart"').slice(1);
  assert.equal(figures.length, 5, 'the headline bar chart and the four charts of the experiment');
  for (const kind of ['bars', 'line', 'scatter', 'images'])
    assert.ok(
      figures.some((f) => f.includes(`data-kind="${kind}"`)),
      kind,
    );
  for (const f of figures) assert.match(f, /<svg[\s\S]*aria-label="(bar|line|dot|cell)"/);
});
