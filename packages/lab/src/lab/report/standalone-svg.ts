import * as Plot from '@observablehq/plot';
import type { LineChart } from '../experiment.js';
import { escapeHtml } from './render-report.js';
import { serverDocument } from './charts.js';

const WIDTH = 680;
const PANEL_HEIGHT = 300;
const TITLE_HEIGHT = 26;
/** Observable Plot's default categorical scheme (observable10), so the legend can be drawn by hand. */
const PALETTE = [
  '#4269d0',
  '#efb118',
  '#ff725c',
  '#6cc5b0',
  '#3ca951',
  '#ff8ab7',
  '#a463f2',
  '#97bbf5',
  '#9c6b4e',
  '#9498a0',
];

/** One line chart as a bare `<svg>`. */
function panel(chart: LineChart, document: Document): string {
  const data = chart.series.flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: PANEL_HEIGHT,
    x: { label: chart.x.label, grid: true },
    y: { label: chart.y.label, grid: true },
    color: { domain: chart.series.map((s) => s.name), range: PALETTE },
    marks: [
      Plot.ruleY([0], { strokeOpacity: 0.4 }),
      Plot.line(data, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 1.8 }),
    ],
  }) as Element;
  return svg.outerHTML;
}

/** Swatches and names of the series, right-aligned on the title line. */
function legend(names: readonly string[], baseline: number): string {
  if (names.length < 2) return '';
  const widths = names.map((n) => Math.ceil(30 + 7.4 * n.length));
  let x = WIDTH - 10 - widths.reduce((a, b) => a + b, 0);
  return names
    .map((name, i) => {
      const item = `<rect x="${x}" y="${baseline - 10}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${x + 16}" y="${baseline}" font-family="system-ui, sans-serif" font-size="12">${escapeHtml(name)}</text>`;
      x += widths[i];
      return item;
    })
    .join('');
}

/**
 * Line charts stacked in one standalone SVG file (what `losskit plot --out file.svg` writes):
 * each chart titled, with a legend of its series.
 */
export function renderStandaloneSvg(charts: readonly LineChart[]): string {
  const document = serverDocument();
  const height = charts.length * (PANEL_HEIGHT + TITLE_HEIGHT);
  const parts = charts.map((chart, i) => {
    const top = i * (PANEL_HEIGHT + TITLE_HEIGHT);
    const inner = panel(chart, document).replace(/^<svg /, `<svg x="0" y="${top + TITLE_HEIGHT}" `);
    const title = `<text x="12" y="${top + 18}" font-family="system-ui, sans-serif" font-size="15" font-weight="600">${escapeHtml(chart.title)}</text>`;
    return `${title}${legend(
      chart.series.map((s) => s.name),
      top + 18,
    )}${inner}`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" style="background:white">${parts.join('')}</svg>
`;
}
