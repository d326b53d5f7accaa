// The playground page: the loss explorer, the training view (a Web Worker trains two models) and
// the selection guide, all computed here with losskit. The state lives in the URL (src/state.ts).
import {
  findLoss,
  type LossEntry,
  lossList,
  recommend,
  type RecommendQuery,
  targetMetrics,
  tasks,
} from 'losskit';
import { lossCurves } from '../../lab/src/lab/curves.js';
import { type ChartSeries, drawChart, format, type Scales, xAt } from './chart.js';
import { type Control, type ControlValue, controlsFor, optionsFrom, parseValue } from './controls.js';
import {
  DEFAULT_PAIR,
  DEFAULT_SHARE,
  parseState,
  type State,
  type Values,
  type View,
  writeState,
} from './state.js';
import {
  DATA_SETS,
  type DataSet,
  type DataSetName,
  EXTENT,
  GRID,
  IMAGE,
  makeData,
  OBJECT_SHARE,
  SHOWN,
  type Snapshot,
  type TrainConfig,
  TRUE_LINE,
  TrainingRun,
  trainableLosses,
} from './train-core.js';
import type { WorkerReply, WorkerRequest } from './worker.js';

const $ = <T extends Element = HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (found === null) throw new Error(`playground: no element ${selector}`);
  return found;
};

const state: State = parseState(location.search);
const syncUrl = () => history.replaceState(null, '', `${location.pathname}${writeState(state)}`);

// ---------------------------------------------------------------------------------------------
// Capabilities: WebAssembly SIMD and workers.

/** The smallest module with a SIMD instruction (i8x16.splat of 0, then i8x16.popcnt). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

function checkCapabilities(): void {
  const notes: string[] = [];
  const simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  if (!simd)
    notes.push(
      'WebAssembly SIMD is not available in this browser: losskit falls back to its JavaScript kernels (the same results, slower).',
    );
  if (typeof Worker === 'undefined') notes.push(`Web Workers are not available: ${NO_WORKER}`);
  for (const note of notes) showNotice(note);
}

const NO_WORKER = 'training runs on the page itself, which may pause while it computes.';

/** Adds a sentence to the capability notice under the title. */
function showNotice(note: string): void {
  const box = $('#capabilities');
  box.textContent = box.textContent ? `${box.textContent} ${note}` : note;
  box.hidden = false;
}

// ---------------------------------------------------------------------------------------------
// Views.

function showView(view: View): void {
  state.view = view;
  for (const tab of Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'))) {
    const selected = tab.dataset.view === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
  }
  for (const panel of Array.from(document.querySelectorAll<HTMLElement>('[role=tabpanel]')))
    panel.hidden = panel.id !== `view-${view}`;
  syncUrl();
  if (view === 'train') trainer.ensure();
  if (view === 'guide') renderGuide();
}

function setupTabs(): void {
  const tabs = Array.from(document.querySelectorAll<HTMLButtonElement>('[role=tab]'));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => showView(tab.dataset.view as View));
    tab.addEventListener('keydown', (event) => {
      const delta = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (delta === 0) return;
      const next = tabs[(i + delta + tabs.length) % tabs.length];
      next.focus();
      showView(next.dataset.view as View);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Option controls (shared by the explorer and the training view).

const families = () => {
  const out = new Map<string, LossEntry[]>();
  for (const entry of lossList) {
    const list = out.get(entry.family) ?? [];
    list.push(entry);
    out.set(entry.family, list);
  }
  return out;
};

function fillLossSelect(select: HTMLSelectElement, names: readonly string[] | null, selected: string): void {
  select.replaceChildren();
  for (const [family, entries] of families()) {
    const shown = entries.filter((e) => names === null || names.includes(e.name));
    if (shown.length === 0) continue;
    const group = document.createElement('optgroup');
    group.label = family;
    for (const e of shown)
      group.append(new Option(`${e.info.title} (${e.name})`, e.name, false, e.name === selected));
    select.append(group);
  }
  select.value = selected;
}

/** Control values from URL text, defaults filled in. */
function controlValues(controls: readonly Control[], text: Values): Record<string, ControlValue> {
  const out: Record<string, ControlValue> = {};
  for (const c of controls) {
    const given = text[c.name] === undefined ? undefined : parseValue(c, text[c.name]);
    out[c.name] = given ?? c.default;
  }
  return out;
}

/** Renders the controls into `box`; `change` gets the option's name and its new value. */
function renderControls(
  box: HTMLElement,
  idPrefix: string,
  controls: readonly Control[],
  values: Readonly<Record<string, ControlValue>>,
  change: (name: string, value: ControlValue, final: boolean) => void,
): void {
  box.replaceChildren();
  if (controls.length === 0) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = 'No numeric or categorical options.';
    box.append(p);
    return;
  }
  for (const c of controls) {
    const row = document.createElement('div');
    row.className = 'control';
    const id = `${idPrefix}-${c.name.replace(':', '-')}`;
    const label = document.createElement('label');
    label.htmlFor = id;
    label.textContent = c.name.endsWith(':off') ? `${c.name.slice(0, -4)} off (null)` : c.name;
    label.title = c.accepts;
    row.append(label);
    if (c.kind === 'number') {
      const input = document.createElement('input');
      input.type = 'range';
      input.id = id;
      input.min = String(c.min);
      input.max = String(c.max);
      input.step = String(c.step);
      input.value = String(values[c.name]);
      input.dataset.option = c.name;
      const out = document.createElement('output');
      out.htmlFor.add(id);
      out.textContent = format(Number(values[c.name]));
      input.addEventListener('input', () => {
        out.textContent = format(Number(input.value));
        change(c.name, Number(input.value), false);
      });
      input.addEventListener('change', () => change(c.name, Number(input.value), true));
      row.append(input, out);
    } else {
      const select = document.createElement('select');
      select.id = id;
      select.dataset.option = c.name;
      for (const v of c.values) select.append(new Option(String(v), String(v), false, v === values[c.name]));
      select.addEventListener('change', () => change(c.name, parseValue(c, select.value) ?? c.default, true));
      row.append(select);
    }
    box.append(row);
  }
}

/** URL text of the values that differ from the defaults. */
function changedText(controls: readonly Control[], values: Readonly<Record<string, ControlValue>>): Values {
  const out: Values = {};
  for (const c of controls) if (values[c.name] !== c.default) out[c.name] = String(values[c.name]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The explorer.

interface Drawn {
  readonly value: readonly (readonly [number, number])[];
  readonly gradient: readonly (readonly [number, number])[];
}

const explorer = {
  controls: [] as Control[],
  values: {} as Record<string, ControlValue>,
  drawn: { value: [], gradient: [] } as Drawn,
  pinned: [] as { name: string; value: Drawn['value']; gradient: Drawn['gradient'] }[],
  cursor: 0,
  scales: [] as Scales[],
  xLabel: '',
};

function selectLoss(name: string, options: Values = {}): void {
  const entry = findLoss(name);
  state.loss = entry.name;
  explorer.controls = controlsFor(entry).filter((c) => !SKIPPED_CONTROLS.has(c.name));
  explorer.values = controlValues(explorer.controls, options);
  state.options = changedText(explorer.controls, explorer.values);
  $<HTMLSelectElement>('#loss').value = entry.name;
  renderControls($('#explorer-options'), 'opt', explorer.controls, explorer.values, (option, value) => {
    explorer.values[option] = value;
    state.options = changedText(explorer.controls, explorer.values);
    syncUrl();
    drawExplorer();
  });
  renderInfo(entry);
  syncUrl();
  drawExplorer();
}

/** Integer options that pick an index (a class to ignore, the blank): the probe's inputs fix them. */
const SKIPPED_CONTROLS = new Set(['ignoreIndex', 'blank']);

function renderInfo(entry: LossEntry): void {
  const info = entry.info;
  const box = $('#info');
  box.replaceChildren();
  const add = (tag: string, text: string, className?: string) => {
    const node = document.createElement(tag);
    node.textContent = text;
    if (className) node.className = className;
    box.append(node);
    return node;
  };
  add('h2', info.title);
  add('p', info.summary);
  add('p', info.formula, 'formula');
  const props = Object.entries(info.properties)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join(' · ');
  add('p', props, 'muted');
  const list = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    add('h3', title);
    const ul = document.createElement('ul');
    for (const item of items) {
      const li = document.createElement('li');
      li.textContent = item;
      ul.append(li);
    }
    box.append(ul);
  };
  list('When to use', info.whenToUse);
  list('Limitations', info.limitations);
  list(
    'Hyperparameters',
    info.hyperparameters.map((h) => `${h.name}: ${h.typical} — ${h.effect}`),
  );
  list('References', info.references);
}

function drawExplorer(): void {
  const status = $('#explorer-status');
  status.textContent = '';
  let drawn: Drawn = { value: [], gradient: [] };
  try {
    const curves = lossCurves({ loss: state.loss, options: optionsFrom(explorer.values), points: 201 });
    drawn = { value: curves.value.series[0].points, gradient: curves.gradient.series[0].points };
    explorer.xLabel = curves.value.x.label;
  } catch (e) {
    status.textContent = `These options cannot be drawn on this axis: ${(e as Error).message}`;
  }
  explorer.drawn = drawn;
  if (explorer.cursor >= drawn.value.length) explorer.cursor = Math.floor(drawn.value.length / 2);
  renderExplorerCharts();
}

function renderExplorerCharts(): void {
  const { drawn, pinned } = explorer;
  const cursorX = drawn.value[explorer.cursor]?.[0];
  const series = (which: 'value' | 'gradient'): ChartSeries[] => [
    ...pinned.map((p, i) => ({ name: p.name, points: p[which], className: `pinned pinned-${i % 4}` })),
    { name: `${state.loss} (current)`, points: drawn[which], className: 'current' },
  ];
  explorer.scales = [
    drawChart($<SVGSVGElement>('#value-chart'), {
      xLabel: explorer.xLabel,
      yLabel: 'loss',
      series: series('value'),
      cursor: cursorX,
    }),
    drawChart($<SVGSVGElement>('#grad-chart'), {
      xLabel: explorer.xLabel,
      yLabel: 'd loss / d x',
      series: series('gradient'),
      cursor: cursorX,
    }),
  ];
  const legend = $('#pinned');
  legend.replaceChildren();
  for (const [i, p] of pinned.entries()) {
    const li = document.createElement('li');
    li.className = `pinned-${i % 4}`;
    li.textContent = p.name;
    legend.append(li);
  }
  updateReadout();
}

function updateReadout(): void {
  const cursor = $<HTMLInputElement>('#cursor');
  cursor.max = String(Math.max(explorer.drawn.value.length - 1, 0));
  cursor.value = String(explorer.cursor);
  const v = explorer.drawn.value[explorer.cursor];
  const g = explorer.drawn.gradient.find((p) => v !== undefined && p[0] === v[0]);
  $('#readout').textContent =
    v === undefined
      ? ''
      : `x = ${format(v[0])}   loss = ${format(v[1])}   gradient = ${g === undefined ? '—' : format(g[1])}`;
}

function setupExplorer(): void {
  const select = $<HTMLSelectElement>('#loss');
  fillLossSelect(select, null, state.loss);
  select.addEventListener('change', () => selectLoss(select.value));
  $('#pin').addEventListener('click', () => {
    const opts = Object.entries(optionsFrom(explorer.values))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ');
    explorer.pinned.push({ name: `${state.loss}${opts ? ` (${opts})` : ''}`, ...explorer.drawn });
    if (explorer.pinned.length > 6) explorer.pinned.shift();
    renderExplorerCharts();
  });
  $('#unpin').addEventListener('click', () => {
    explorer.pinned = [];
    renderExplorerCharts();
  });
  for (const [i, id] of ['#value-chart', '#grad-chart'].entries()) {
    const svg = $<SVGSVGElement>(id);
    svg.addEventListener('pointermove', (event) => {
      const scales = explorer.scales[i];
      if (scales === undefined || explorer.drawn.value.length === 0) return;
      const x = xAt(svg, scales, event.clientX);
      let best = 0;
      explorer.drawn.value.forEach((p, j) => {
        if (Math.abs(p[0] - x) < Math.abs(explorer.drawn.value[best][0] - x)) best = j;
      });
      explorer.cursor = best;
      renderExplorerCharts();
    });
  }
  const cursor = $<HTMLInputElement>('#cursor');
  cursor.addEventListener('input', () => {
    explorer.cursor = Math.min(Number(cursor.value), explorer.drawn.value.length - 1);
    renderExplorerCharts();
  });
  selectLoss(state.loss, state.options);
}

// ---------------------------------------------------------------------------------------------
// The training view.

/** The page's end of the training: a Web Worker, or the same loop on the page where workers are missing. */
interface Channel {
  send(request: WorkerRequest): void;
}

function openChannel(receive: (reply: WorkerReply) => void): Channel {
  if (typeof Worker !== 'undefined') {
    try {
      const worker = new Worker('worker.js');
      worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => receive(event.data));
      worker.addEventListener('error', (event) => receive({ type: 'error', message: event.message }));
      return { send: (request) => worker.postMessage(request) };
    } catch (e) {
      // A browser that refuses this worker (a file:// page, a strict policy): train on the page.
      showNotice(`The training worker could not start (${(e as Error).message}): ${NO_WORKER}`);
    }
  }
  let run: TrainingRun | undefined;
  let playing = false;
  const send = () =>
    run && receive({ type: 'snapshot', snapshot: run.snapshot(), playing, stepsPerSecond: 0 });
  const tick = () => {
    if (!playing || run === undefined) return;
    run.advance(5);
    if (run.done) playing = false;
    send();
    if (playing) setTimeout(tick, 0);
  };
  return {
    send(request) {
      if (request.type === 'reset') {
        playing = false;
        run = new TrainingRun(request.config);
      } else if (request.type === 'play') {
        playing = run !== undefined && !run.done;
        setTimeout(tick, 0);
      } else if (request.type === 'pause') playing = false;
      else if (request.type === 'step') {
        playing = false;
        run?.advance(1);
      }
      send();
    },
  };
}

const sideKeys = ['a', 'b'] as const;

const trainer = {
  channel: undefined as Channel | undefined,
  controls: { a: [] as Control[], b: [] as Control[] },
  values: { a: {} as Record<string, ControlValue>, b: {} as Record<string, ControlValue> },
  started: false,
  ensure(): void {
    if (!this.started) {
      this.started = true;
      this.reset();
    }
  },
  config(): TrainConfig {
    return {
      data: state.data,
      share: state.share,
      seed: state.seed,
      losses: [state.a, state.b],
      options: [optionsFrom(this.values.a), optionsFrom(this.values.b)],
    };
  },
  reset(): void {
    this.channel ??= openChannel(receive);
    $('#train-error').textContent = '';
    this.channel.send({ type: 'reset', config: this.config() });
  },
};

function setSideLoss(side: 'a' | 'b', name: string, text: Values = {}): void {
  const entry = findLoss(name);
  state[side] = entry.name;
  const controls = controlsFor(entry).filter((c) => !SKIPPED_CONTROLS.has(c.name) && c.name !== 'fromLogits');
  trainer.controls[side] = controls;
  trainer.values[side] = controlValues(controls, text);
  state[side === 'a' ? 'aOptions' : 'bOptions'] = changedText(controls, trainer.values[side]);
  $<HTMLSelectElement>(`#loss-${side}`).value = entry.name;
  renderControls(
    $(`#options-${side}`),
    `train-${side}`,
    controls,
    trainer.values[side],
    (option, value, final) => {
      trainer.values[side][option] = value;
      state[side === 'a' ? 'aOptions' : 'bOptions'] = changedText(controls, trainer.values[side]);
      syncUrl();
      if (final) trainer.reset();
    },
  );
  syncUrl();
}

function setupTraining(): void {
  const data = $<HTMLSelectElement>('#data');
  const share = $<HTMLInputElement>('#share');
  const seed = $<HTMLInputElement>('#seed');
  const fillPair = () => {
    const names = trainableLosses(state.data);
    for (const side of sideKeys) fillLossSelect($<HTMLSelectElement>(`#loss-${side}`), names, state[side]);
    $('#share-label').textContent = SHARE_LABEL[state.data];
    // The objects set takes a foreground share in a narrower range than the other sets' [0, 0.5].
    const range = state.data === 'objects' ? OBJECT_SHARE : { min: 0, max: 0.5 };
    share.min = String(range.min);
    share.max = String(range.max);
    share.value = String(state.share);
    $('#field-caption').textContent = CAPTION[state.data];
  };
  data.value = state.data;
  share.value = String(state.share);
  seed.value = String(state.seed);
  $('#share-value').textContent = format(state.share);
  fillPair();
  setSideLoss('a', state.a, state.aOptions);
  setSideLoss('b', state.b, state.bOptions);
  data.addEventListener('change', () => {
    state.data = DATA_SETS.find((name) => name === data.value) ?? 'line';
    state.share = DEFAULT_SHARE[state.data];
    share.value = String(state.share);
    $('#share-value').textContent = format(state.share);
    [state.a, state.b] = DEFAULT_PAIR[state.data];
    fillPair();
    setSideLoss('a', state.a);
    setSideLoss('b', state.b);
    trainer.reset();
  });
  share.addEventListener('input', () => {
    state.share = Number(share.value);
    $('#share-value').textContent = format(state.share);
    syncUrl();
  });
  share.addEventListener('change', () => trainer.reset());
  seed.addEventListener('change', () => {
    const v = Number(seed.value);
    if (Number.isInteger(v) && v >= 0) state.seed = v;
    seed.value = String(state.seed);
    syncUrl();
    trainer.reset();
  });
  $('#new-seed').addEventListener('click', () => {
    state.seed = Math.floor(Math.random() * 100000);
    seed.value = String(state.seed);
    syncUrl();
    trainer.reset();
  });
  for (const side of sideKeys) {
    const select = $<HTMLSelectElement>(`#loss-${side}`);
    select.addEventListener('change', () => {
      setSideLoss(side, select.value);
      trainer.reset();
    });
  }
  $('#play').addEventListener('click', () => trainer.channel?.send({ type: 'play' }));
  $('#pause').addEventListener('click', () => trainer.channel?.send({ type: 'pause' }));
  $('#step').addEventListener('click', () => trainer.channel?.send({ type: 'step' }));
  $('#reset').addEventListener('click', () => trainer.reset());
}

function receive(reply: WorkerReply): void {
  if (reply.type === 'error') {
    $('#train-error').textContent = reply.message;
    return;
  }
  const { snapshot, playing } = reply;
  const status = $('#train-status');
  status.textContent = `step ${snapshot.step} / ${snapshot.steps}${playing ? ' · training' : snapshot.done ? ' · done' : ' · paused'}${
    reply.stepsPerSecond > 0 ? ` · ${Math.round(reply.stepsPerSecond)} steps/s` : ''
  }`;
  status.dataset.step = String(snapshot.step);
  status.dataset.done = String(snapshot.done);
  status.dataset.stepsPerSecond = String(reply.stepsPerSecond);
  const play = $<HTMLButtonElement>('#play');
  const pause = $<HTMLButtonElement>('#pause');
  // A disabled button loses the keyboard focus: hand it to the other one, so that Space toggles.
  const focused = document.activeElement;
  play.disabled = playing || snapshot.done;
  pause.disabled = !playing;
  if (focused === play && play.disabled && !pause.disabled) pause.focus();
  else if (focused === pause && pause.disabled)
    (play.disabled ? $<HTMLButtonElement>('#step') : play).focus();
  drawTraining(snapshot);
}

const SHARE_LABEL: Record<DataSetName, string> = {
  line: 'Outlier share',
  blobs: 'Minority share',
  spirals: 'Noise (std)',
  noisy: 'Label-noise rate',
  objects: 'Foreground share',
};
const METRIC_NAME: Record<DataSetName, string> = {
  line: 'coefficient error',
  blobs: 'minority recall',
  spirals: 'held-out accuracy',
  noisy: 'clean test accuracy',
  objects: 'held-out IoU',
};
/** What the two panels show, per data set. */
const CAPTION: Record<DataSetName, string> = {
  line: 'Points: the training data, outliers in orange. Dashed green: the true line; solid: the line each loss fits.',
  blobs: 'Orange: the minority class. Shaded: where each model predicts the minority class.',
  spirals:
    'Two noisy spirals (200 training points; the metric is the accuracy on 200 held-out ones). Shaded: where each model predicts the orange arm. Focal (γ = 2) shrinks the gradient of every point the model already gets right, most of them early on, so it climbs the spirals more slowly than cross-entropy: the run stops at 120 steps, where the gap shows for every seed we tried. It is a difference of speed, not of the final fit: given 300 steps both reach about the same accuracy.',
  noisy:
    'Colour: the training label (ringed: flipped by the label noise). Shading: the predicted class. The metric uses held-out points with clean labels.',
  objects: `${SHOWN} of the 16 held-out ${IMAGE}×${IMAGE} images (grey: the noisy input the model sees, a 3×3 neighbourhood per pixel). Blue: foreground found; orange: false alarm; red outline: foreground missed. The metric is the foreground IoU over every held-out pixel. With about 5% foreground, per-pixel cross-entropy is dominated by the background; the Lovász hinge optimises a surrogate of the IoU itself and ends ahead for the seeds we tried.`,
};
const metricName = () => METRIC_NAME[state.data];

let fieldData: { key: string; data: DataSet } = { key: '', data: makeData('line', 0, 0) };

function drawTraining(snapshot: Snapshot): void {
  const key = `${state.data}/${state.share}/${state.seed}`;
  if (fieldData.key !== key) fieldData = { key, data: makeData(state.data, state.share, state.seed) };
  const data = fieldData.data;
  for (const [i, side] of snapshot.sides.entries()) {
    const key = sideKeys[i];
    const svg = $<SVGSVGElement>(`#field-${key}`);
    if (side.masks !== undefined) drawMasks(svg, data, side.masks);
    else drawField(svg, data, side.line, side.regions);
    const metric = $(`#metric-${key}`);
    const last = side.metrics.at(-1);
    metric.dataset.value = last === undefined ? '' : String(last);
    const prAuc = side.prAuc?.at(-1);
    if (prAuc !== undefined) metric.dataset.prAuc = String(prAuc);
    else delete metric.dataset.prAuc;
    metric.textContent = `${side.loss}: ${metricName()} ${last === undefined ? '—' : format(last)}${
      prAuc !== undefined ? ` · PR-AUC ${format(prAuc)}` : ''
    }${
      side.line
        ? ` · fitted y = ${format(side.line[0])}·x ${side.line[1] < 0 ? '−' : '+'} ${format(Math.abs(side.line[1]))}`
        : ''
    }${side.error ? ` · error: ${side.error}` : ''}`;
  }
  const seriesOf = (pick: (s: Snapshot['sides'][number]) => readonly number[]): ChartSeries[] =>
    snapshot.sides.map((s, i) => ({
      name: s.loss,
      points: pick(s).map((v, j) => [j + 1, v] as const),
      className: `series-${i}`,
    }));
  drawChart($<SVGSVGElement>('#loss-history'), {
    xLabel: 'step',
    yLabel: 'training loss',
    series: seriesOf((s) => s.losses),
  });
  drawChart($<SVGSVGElement>('#metric-history'), {
    xLabel: 'step',
    yLabel: metricName(),
    series: seriesOf((s) => s.metrics),
    ...(state.data !== 'line' ? { yRange: [0, 1] as const } : {}),
  });
  $('#history-legend').textContent =
    `${snapshot.sides[0]?.loss ?? ''} (solid) vs ${snapshot.sides[1]?.loss ?? ''} (dashed)`;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const FIELD = 240;

function drawField(
  svg: SVGSVGElement,
  data: DataSet,
  line: readonly [number, number] | undefined,
  regions: readonly number[] | undefined,
): void {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${FIELD} ${FIELD}`);
  const ext = data.name === 'line' ? { x: 2.5, y0: -6, y1: 5 } : { x: EXTENT, y0: -EXTENT, y1: EXTENT };
  const sx = (x: number) => ((x + ext.x) / (2 * ext.x)) * FIELD;
  const sy = (y: number) => (1 - (y - ext.y0) / (ext.y1 - ext.y0)) * FIELD;
  const add = (name: string, attrs: Record<string, string | number>) => {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
    return node;
  };
  if (regions) {
    const cell = FIELD / GRID;
    const multi = data.classes > 2;
    // Binary: the positive class is shaded; more classes: each class its own tint. A run of equal
    // cells in a row is one rectangle (a few dozen elements instead of GRID² per redraw).
    for (let row = 0; row < GRID; row++) {
      for (let c = 0; c < GRID; ) {
        const r = regions[row * GRID + c];
        let end = c + 1;
        while (end < GRID && regions[row * GRID + end] === r) end++;
        if (r === 1 || multi)
          add('rect', {
            x: c * cell,
            y: row * cell,
            width: (end - c) * cell,
            height: cell,
            class: multi ? `region c${r}` : 'region',
          });
        c = end;
      }
    }
  }
  for (let i = 0; i < data.n; i++) {
    const x = data.features === 1 ? data.x[i] : data.x[2 * i];
    const y = data.features === 1 ? data.y[i] : data.x[2 * i + 1];
    // Noisy labels: coloured by the (possibly flipped) training label, flipped ones ringed.
    const cls =
      data.classes > 2
        ? `pt c${data.y[i]}${data.special[i] ? ' flipped' : ''}`
        : data.special[i]
          ? 'pt special'
          : 'pt';
    add('circle', { cx: sx(x), cy: sy(y), r: 2.6, class: cls });
  }
  if (data.name === 'line') {
    const ends = [-ext.x, ext.x];
    add('line', {
      x1: sx(ends[0]),
      x2: sx(ends[1]),
      y1: sy(TRUE_LINE.slope * ends[0] + TRUE_LINE.intercept),
      y2: sy(TRUE_LINE.slope * ends[1] + TRUE_LINE.intercept),
      class: 'truth',
    });
    if (line)
      add('line', {
        x1: sx(ends[0]),
        x2: sx(ends[1]),
        y1: sy(line[0] * ends[0] + line[1]),
        y2: sy(line[0] * ends[1] + line[1]),
        class: 'fit',
      });
  }
}

/** Objects: the first SHOWN held-out images as PNG data URLs (grey levels of the input), per data key. */
let inputImages: { key: string; urls: string[] } = { key: '', urls: [] };

function inputUrls(data: DataSet): string[] {
  const key = fieldData.key;
  if (inputImages.key === key) return inputImages.urls;
  const urls: string[] = [];
  const test = data.test;
  const canvas = document.createElement('canvas');
  canvas.width = IMAGE;
  canvas.height = IMAGE;
  const context = canvas.getContext('2d');
  if (test !== undefined && context !== null) {
    for (let k = 0; k < SHOWN; k++) {
      const image = context.createImageData(IMAGE, IMAGE);
      for (let i = 0; i < IMAGE * IMAGE; i++) {
        // Intensity ≈ 0 (background) … 1 (object), plus noise: white … mid grey.
        const v = Math.min(1, Math.max(0, (test.x[k * IMAGE * IMAGE + i] + 0.5) / 2));
        const grey = Math.round(250 - 150 * v);
        image.data.set([grey, grey, grey, 255], 4 * i);
      }
      context.putImageData(image, 0, 0);
      urls.push(canvas.toDataURL());
    }
  }
  inputImages = { key, urls };
  return urls;
}

/**
 * Objects: SHOWN held-out images in a 2 × 2 grid, the input in grey, the predicted mask against
 * the truth on top (found, false alarm, missed; a run of equal pixels in a row is one rectangle).
 */
function drawMasks(svg: SVGSVGElement, data: DataSet, masks: readonly number[]): void {
  svg.replaceChildren();
  svg.setAttribute('viewBox', `0 0 ${FIELD} ${FIELD}`);
  const gap = 6;
  const tile = (FIELD - gap) / 2;
  const cell = tile / IMAGE;
  const urls = inputUrls(data);
  const truth = data.test?.y;
  const add = (name: string, attrs: Record<string, string | number>) => {
    const node = document.createElementNS(SVG_NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    svg.append(node);
  };
  const kinds = ['', 'found', 'false-alarm', 'missed'];
  for (let k = 0; k < SHOWN; k++) {
    const x0 = (k % 2) * (tile + gap);
    const y0 = Math.floor(k / 2) * (tile + gap);
    if (urls[k] !== undefined)
      add('image', {
        href: urls[k],
        x: x0,
        y: y0,
        width: tile,
        height: tile,
        class: 'input',
        preserveAspectRatio: 'none',
      });
    add('rect', { x: x0, y: y0, width: tile, height: tile, class: 'tile' });
    if (truth === undefined) continue;
    const kindAt = (r: number, c: number) => {
      const i = k * IMAGE * IMAGE + r * IMAGE + c;
      const p = masks[i] === 1;
      const t = truth[i] === 1;
      return p && t ? 1 : p ? 2 : t ? 3 : 0;
    };
    for (let r = 0; r < IMAGE; r++) {
      for (let c = 0; c < IMAGE; ) {
        const kind = kindAt(r, c);
        let end = c + 1;
        while (end < IMAGE && kindAt(r, end) === kind) end++;
        if (kind !== 0)
          add('rect', {
            x: x0 + c * cell,
            y: y0 + r * cell,
            width: (end - c) * cell,
            height: cell,
            class: `mask ${kinds[kind]}`,
          });
        c = end;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The guide.

function setupGuide(): void {
  const task = $<HTMLSelectElement>('#task');
  for (const t of tasks) task.append(new Option(t, t, false, t === state.task));
  const metric = $<HTMLSelectElement>('#metric');
  metric.append(new Option('(any)', ''));
  for (const m of targetMetrics) metric.append(new Option(m, m, false, m === state.metric));
  task.value = state.task;
  metric.value = state.metric;
  $<HTMLInputElement>('#imbalanced').checked = state.imbalanced;
  $<HTMLInputElement>('#outliers').checked = state.outliers;
  const update = () => {
    state.task = task.value;
    state.metric = metric.value;
    state.imbalanced = $<HTMLInputElement>('#imbalanced').checked;
    state.outliers = $<HTMLInputElement>('#outliers').checked;
    syncUrl();
    renderGuide();
  };
  for (const id of ['#task', '#metric', '#imbalanced', '#outliers']) $(id).addEventListener('change', update);
}

function renderGuide(): void {
  const list = $('#suggestions');
  list.replaceChildren();
  let ranked: ReturnType<typeof recommend>;
  try {
    const query = {
      task: state.task,
      imbalanced: state.imbalanced,
      outliers: state.outliers,
      ...(state.metric ? { metric: state.metric } : {}),
    } as RecommendQuery;
    ranked = recommend(query);
  } catch (e) {
    list.textContent = (e as Error).message;
    return;
  }
  for (const r of ranked) {
    const li = document.createElement('li');
    const head = document.createElement('div');
    head.className = 'suggestion-head';
    const title = document.createElement('strong');
    title.textContent = `${r.rank}. ${r.title}`;
    const open = document.createElement('button');
    open.type = 'button';
    open.textContent = 'Open in explorer';
    open.dataset.loss = r.loss;
    open.addEventListener('click', () => {
      const text: Values = {};
      for (const [k, v] of Object.entries(r.options))
        if (typeof v !== 'object' || v === null) text[k] = String(v);
      selectLoss(r.loss, text);
      showView('explorer');
      $('#loss').focus();
    });
    head.append(title, open);
    const reason = document.createElement('p');
    reason.textContent = r.fromTable ? r.reason : r.summary;
    li.append(head, reason);
    if (r.evidence) {
      const ev = document.createElement('p');
      ev.className = 'muted';
      ev.textContent = `Lab: ${Object.entries(r.evidence.metrics)
        .map(([k, v]) => `${k} ${format(v)}`)
        .join(', ')} (${r.evidence.command})`;
      li.append(ev);
    }
    list.append(li);
  }
}

// ---------------------------------------------------------------------------------------------

checkCapabilities();
setupTabs();
setupExplorer();
setupTraining();
setupGuide();
showView(state.view);
document.body.dataset.ready = 'true';
document.body.dataset.firstDrawMs = String(Math.round(performance.now()));
