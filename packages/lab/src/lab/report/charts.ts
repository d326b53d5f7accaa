// Renders the lab's chart data (plain JSON, see ../experiment.ts) to inline SVG with Observable
// Plot, on a server-side DOM from linkedom. Used only by the CLI path, never by the core index.
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { Axis, BarChart, Chart, ImageGrid, LineChart, ScatterChart } from '../experiment.js';

/** A DOM document Plot can draw into, without a browser. */
export function serverDocument(): Document {
  return parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
}

const WIDTH = 640;

function axisOptions(axis: Axis) {
  return {
    label: axis.label,
    type: axis.scale === 'log' ? ('log' as const) : ('linear' as const),
    ...(axis.domain ? { domain: [axis.domain[0], axis.domain[1]] } : {}),
    grid: true,
  };
}

/** Series names in a stable order: those the experiment's variants use first, in variant order. */
function colorDomain(names: readonly string[], preferred: readonly string[]): string[] {
  const present = new Set(names);
  const ordered = preferred.filter((n) => present.has(n));
  for (const n of names) if (!ordered.includes(n)) ordered.push(n);
  return ordered;
}

function lineChart(chart: LineChart, document: Document, preferred: readonly string[]) {
  const data = chart.series.flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  const names = chart.series.map((s) => s.name);
  return Plot.plot({
    document,
    width: WIDTH,
    height: 320,
    x: axisOptions(chart.x),
    y: axisOptions(chart.y),
    color: { legend: names.length > 1, domain: colorDomain(names, preferred) },
    marks: [Plot.line(data, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 1.6, tip: false })],
  });
}

function scatterChart(chart: ScatterChart, document: Document, preferred: readonly string[]) {
  const data = chart.series.flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  const lines = (chart.lines ?? []).flatMap((s) => s.points.map(([x, y]) => ({ x, y, series: s.name })));
  const names = [...chart.series.map((s) => s.name), ...(chart.lines ?? []).map((s) => s.name)];
  const separate = chart.panels === 'separate' && chart.series.length > 1;
  return Plot.plot({
    document,
    width: WIDTH,
    height: separate ? 240 : 360,
    x: axisOptions(chart.x),
    y: axisOptions(chart.y),
    ...(separate ? { fx: { label: null, domain: chart.series.map((s) => s.name) } } : {}),
    color: { legend: names.length > 1, domain: colorDomain(names, preferred) },
    marks: [
      Plot.dot(data, {
        x: 'x',
        y: 'y',
        fill: 'series',
        r: 1.8,
        fillOpacity: 0.7,
        ...(separate ? { fx: 'series' } : {}),
      }),
      ...(lines.length > 0 ? [Plot.line(lines, { x: 'x', y: 'y', stroke: 'series', strokeWidth: 2 })] : []),
      ...(separate ? [Plot.frame({ strokeOpacity: 0.2 })] : []),
    ],
  });
}

function barChart(chart: BarChart, document: Document, preferred: readonly string[]) {
  const groups = [...new Set(chart.bars.map((b) => b.group))];
  const names = [...new Set(chart.bars.map((b) => b.series))];
  const grouped = groups.length > 1;
  const data = chart.bars.map((b) => ({
    ...b,
    low: b.value - (b.spread ?? 0),
    high: b.value + (b.spread ?? 0),
  }));
  const withSpread = data.filter((b) => (b.spread ?? 0) > 0);
  const position = grouped ? { fx: 'group', x: 'series' } : { x: 'series' };
  return Plot.plot({
    document,
    width: grouped ? WIDTH : Math.min(WIDTH, 140 + 90 * names.length),
    height: 260,
    marginBottom: 40,
    x: { label: null, domain: colorDomain(names, preferred), axis: grouped ? null : 'bottom' },
    ...(grouped ? { fx: { label: null, domain: groups } } : {}),
    y: { ...axisOptions(chart.y), zero: chart.y.scale !== 'log' },
    color: { legend: grouped, domain: colorDomain(names, preferred) },
    marks: [
      Plot.barY(data, { ...position, y: 'value', fill: 'series' }),
      Plot.ruleY([0]),
      ...(withSpread.length > 0
        ? [
            Plot.ruleX(withSpread, {
              ...position,
              y1: 'low',
              y2: 'high',
              stroke: 'currentColor',
              strokeWidth: 1.5,
            }),
          ]
        : []),
      Plot.text(data, {
        ...position,
        y: 'high',
        text: (d: { value: number }) => formatBarValue(d.value),
        dy: -3,
        fontSize: 10,
        lineAnchor: 'bottom',
      }),
    ],
  });
}

function formatBarValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 0.01 || magnitude >= 1e4)) return value.toExponential(1);
  return Number(value.toPrecision(3)).toString();
}

function imageGrid(chart: ImageGrid, document: Document) {
  const rows = [...new Set(chart.images.map((i) => i.row))];
  const columns = [...new Set(chart.images.map((i) => i.column))];
  const [lo, hi] = chart.range ?? [0, 1];
  const cells: { x: number; y: number; v: number; row: string; column: string }[] = [];
  for (const image of chart.images) {
    for (let p = 0; p < image.pixels.length; p++) {
      cells.push({
        x: p % chart.width,
        y: Math.floor(p / chart.width),
        v: image.pixels[p],
        row: image.row,
        column: image.column,
      });
    }
  }
  const cellSize = Math.max(3, Math.min(8, Math.floor(560 / (columns.length * chart.width))));
  return Plot.plot({
    document,
    width: 110 + columns.length * (chart.width * cellSize + 6),
    height: 30 + rows.length * (chart.height * cellSize + 6),
    marginLeft: 100,
    marginTop: 24,
    marginRight: 10,
    marginBottom: 6,
    padding: 0,
    x: { axis: null, domain: Array.from({ length: chart.width }, (_, i) => i) },
    y: { axis: null, domain: Array.from({ length: chart.height }, (_, i) => i) },
    fx: { domain: columns, label: null, axis: 'top', padding: 0.08 },
    fy: { domain: rows, label: null, axis: 'left', padding: 0.08 },
    color: { type: 'linear', domain: [lo, hi], range: ['black', 'white'], clamp: true },
    marks: [Plot.cell(cells, { x: 'x', y: 'y', fx: 'column', fy: 'row', fill: 'v', inset: 0 })],
  });
}

/**
 * One chart as an HTML string (a `<figure>` or `<svg>` with inline styles). `preferred` lists
 * the experiment's variant labels, so each variant keeps its colour across the charts.
 */
export function renderChart(
  chart: Chart,
  preferred: readonly string[] = [],
  document = serverDocument(),
): string {
  let element: Element;
  switch (chart.kind) {
    case 'line':
      element = lineChart(chart, document, preferred) as Element;
      break;
    case 'scatter':
      element = scatterChart(chart, document, preferred) as Element;
      break;
    case 'bars':
      element = barChart(chart, document, preferred) as Element;
      break;
    case 'images':
      element = imageGrid(chart, document) as Element;
      break;
  }
  return element.outerHTML;
}
