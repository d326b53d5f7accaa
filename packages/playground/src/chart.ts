// A tiny SVG line chart: axes with a few ticks, one path per series, an optional cursor mark.
// Each drawn series path carries its points as JSON in `data-points` (the browser test reads them).

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number])[];
  /** CSS class of the path: 'series-0', 'series-1', 'pinned' … */
  readonly className: string;
}

export interface ChartSpec {
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** The x of the cursor mark, if any. */
  readonly cursor?: number;
  /** Fixed y range (otherwise from the data). */
  readonly yRange?: readonly [number, number];
}

export const WIDTH = 480;
export const HEIGHT = 240;
export const MARGIN = { left: 52, right: 12, top: 12, bottom: 40 } as const;

const NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

function ticks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}

export const format = (v: number): string =>
  Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)
    ? v.toExponential(3)
    : v.toFixed(4).replace(/\.?0+$/, '') || '0';

/** The chart's scales, for mapping a pointer position back to x. */
export interface Scales {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

export function drawChart(svg: SVGSVGElement, spec: ChartSpec): Scales {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const all = spec.series.flatMap((s) => s.points);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  let x0 = xs.length ? Math.min(...xs) : 0;
  let x1 = xs.length ? Math.max(...xs) : 1;
  let [y0, y1] = spec.yRange ?? [ys.length ? Math.min(...ys) : 0, ys.length ? Math.max(...ys) : 1];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad;
  y1 += pad;
  if (x0 > x1) [x0, x1] = [x1, x0];
  const w = WIDTH - MARGIN.left - MARGIN.right;
  const h = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0)) * w;
  const sy = (y: number) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * h;
  const axes = el('g', { class: 'axes' });
  for (const t of ticks(x0, x1)) {
    axes.append(el('line', { x1: sx(t), x2: sx(t), y1: MARGIN.top, y2: MARGIN.top + h, class: 'grid' }));
    axes.append(el('text', { x: sx(t), y: MARGIN.top + h + 14, 'text-anchor': 'middle' }, format(t)));
  }
  for (const t of ticks(y0, y1)) {
    axes.append(el('line', { x1: MARGIN.left, x2: MARGIN.left + w, y1: sy(t), y2: sy(t), class: 'grid' }));
    axes.append(el('text', { x: MARGIN.left - 4, y: sy(t) + 4, 'text-anchor': 'end' }, format(t)));
  }
  if (y0 < 0 && y1 > 0)
    axes.append(el('line', { x1: MARGIN.left, x2: MARGIN.left + w, y1: sy(0), y2: sy(0), class: 'zero' }));
  axes.append(
    el(
      'text',
      { x: MARGIN.left + w / 2, y: HEIGHT - 6, 'text-anchor': 'middle', class: 'label' },
      spec.xLabel,
    ),
  );
  axes.append(
    el(
      'text',
      {
        x: 12,
        y: MARGIN.top + h / 2,
        'text-anchor': 'middle',
        class: 'label',
        transform: `rotate(-90 12 ${MARGIN.top + h / 2})`,
      },
      spec.yLabel,
    ),
  );
  svg.append(axes);
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const d = s.points
      .map(
        (p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(2)},${sy(Math.min(Math.max(p[1], y0), y1)).toFixed(2)}`,
      )
      .join('');
    const path = el('path', { d, class: `curve ${s.className}` });
    path.setAttribute('data-name', s.name);
    path.setAttribute('data-points', JSON.stringify(s.points));
    path.append(el('title', {}, s.name));
    svg.append(path);
  }
  if (spec.cursor !== undefined && spec.cursor >= x0 && spec.cursor <= x1) {
    svg.append(
      el('line', {
        x1: sx(spec.cursor),
        x2: sx(spec.cursor),
        y1: MARGIN.top,
        y2: MARGIN.top + h,
        class: 'cursor',
      }),
    );
  }
  return { x0, x1, y0, y1 };
}

/** The data x under a pointer at clientX over the chart. */
export function xAt(svg: SVGSVGElement, scales: Scales, clientX: number): number {
  const box = svg.getBoundingClientRect();
  const vx = ((clientX - box.left) / box.width) * WIDTH;
  const t = (vx - MARGIN.left) / (WIDTH - MARGIN.left - MARGIN.right);
  return scales.x0 + Math.min(Math.max(t, 0), 1) * (scales.x1 - scales.x0);
}
