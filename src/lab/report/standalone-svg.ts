import * as Plot from '@observablehq/plot';
import type { LineChart } from '../experiment.js';
import { escapeHtml } from './render-report.js';
import { serverDocument } from './charts.js';

const WIDTH = 680;
const PANEL_HEIGHT = 300;
const TITLE_HEIGHT = 26;

/** One line chart as a bare `<svg>`, each line labelled at its end instead of a legend. */
function panel(chart: LineChart, document: Document): string {
  const data = chart.series.flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  const labelled = chart.series.length > 1;
  const svg = Plot.plot({
    document,
    width: WIDTH,
    height: PANEL_HEIGHT,
    marginRight: labelled ? 90 : 20,
    x: { label: chart.x.label, grid: true },
    y: { label: chart.y.label, grid: true },
    color: { domain: chart.series.map((s) => s.name) },
    marks: [
      Plot.ruleY([0], { strokeOpacity: 0.4 }),
      Plot.line(data, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 1.8 }),
      ...(labelled
        ? [Plot.text(data, Plot.selectLast({ x: 'x', y: 'y', z: 'series', text: 'series', fill: 'series', textAnchor: 'start', dx: 4 }))]
        : []),
    ],
  }) as Element;
  return svg.outerHTML;
}

/**
 * Line charts stacked in one standalone SVG file (what `losskit plot --out file.svg` writes):
 * each chart titled, its lines labelled at their right end.
 */
export function renderStandaloneSvg(charts: readonly LineChart[]): string {
  const document = serverDocument();
  const height = charts.length * (PANEL_HEIGHT + TITLE_HEIGHT);
  const parts = charts.map((chart, i) => {
    const top = i * (PANEL_HEIGHT + TITLE_HEIGHT);
    const inner = panel(chart, document).replace(/^<svg /, `<svg x="0" y="${top + TITLE_HEIGHT}" `);
    return `<text x="12" y="${top + 18}" font-family="system-ui, sans-serif" font-size="15" font-weight="600">${escapeHtml(chart.title)}</text>${inner}`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" style="background:white">${parts.join('')}</svg>
`;
}
