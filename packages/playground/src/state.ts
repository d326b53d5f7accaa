// The playground's whole state and its URL form: `?view=…&loss=…&o.delta=…&data=…&share=…&seed=…&a=…&b=…&a.delta=…`.
// Only values that differ from the defaults are written, so a plain URL opens the defaults.
import { DATA_SETS, type DataSetName, OBJECT_SHARE } from './train-core.js';

export type View = 'explorer' | 'train' | 'guide';
export type Values = Record<string, string>;

export interface State {
  view: View;
  /** Explorer: the loss and its option values (as URL text). */
  loss: string;
  options: Values;
  /** Training. */
  data: DataSetName;
  share: number;
  seed: number;
  a: string;
  b: string;
  aOptions: Values;
  bOptions: Values;
  /** Guide. */
  task: string;
  imbalanced: boolean;
  outliers: boolean;
  metric: string;
}

export const DEFAULT_SHARE: Record<DataSetName, number> = {
  line: 0.2,
  blobs: 0.1,
  spirals: 0.1,
  noisy: 0.3,
  objects: 0.05,
};
export const DEFAULT_PAIR: Record<DataSetName, readonly [string, string]> = {
  line: ['huber', 'mse'],
  blobs: ['focal', 'binaryCrossEntropyWithLogits'],
  spirals: ['binaryCrossEntropyWithLogits', 'focal'],
  noisy: ['sparseCategoricalCrossEntropy', 'generalizedCrossEntropy'],
  objects: ['binaryCrossEntropyWithLogits', 'lovaszHinge'],
};

export function defaultState(): State {
  return {
    view: 'explorer',
    loss: 'huber',
    options: {},
    data: 'line',
    share: DEFAULT_SHARE.line,
    seed: 1,
    a: DEFAULT_PAIR.line[0],
    b: DEFAULT_PAIR.line[1],
    aOptions: {},
    bOptions: {},
    task: 'regression',
    imbalanced: false,
    outliers: false,
    metric: '',
  };
}

const prefixed = (params: URLSearchParams, prefix: string): Values => {
  const out: Values = {};
  for (const [k, v] of params) if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  return out;
};

export function parseState(search: string): State {
  const p = new URLSearchParams(search);
  const s = defaultState();
  const view = p.get('view');
  if (view === 'explorer' || view === 'train' || view === 'guide') s.view = view;
  s.loss = p.get('loss') ?? s.loss;
  s.options = prefixed(p, 'o.');
  const data = DATA_SETS.find((name) => name === p.get('data'));
  if (data !== undefined) {
    s.data = data;
    s.share = DEFAULT_SHARE[data];
    [s.a, s.b] = DEFAULT_PAIR[data];
  }
  const share = Number(p.get('share'));
  if (p.has('share') && Number.isFinite(share) && share >= 0 && share <= 0.5)
    // The objects set takes a narrower range (its slider's): a share outside it is clamped.
    s.share = s.data === 'objects' ? Math.min(OBJECT_SHARE.max, Math.max(OBJECT_SHARE.min, share)) : share;
  const seed = Number(p.get('seed'));
  if (p.has('seed') && Number.isInteger(seed) && seed >= 0) s.seed = seed;
  s.a = p.get('a') ?? s.a;
  s.b = p.get('b') ?? s.b;
  s.aOptions = prefixed(p, 'a.');
  s.bOptions = prefixed(p, 'b.');
  s.task = p.get('task') ?? s.task;
  s.imbalanced = p.get('imb') === '1';
  s.outliers = p.get('out') === '1';
  s.metric = p.get('metric') ?? '';
  return s;
}

export function writeState(s: State): string {
  const d = defaultState();
  const p = new URLSearchParams();
  if (s.view !== d.view) p.set('view', s.view);
  if (s.loss !== d.loss) p.set('loss', s.loss);
  for (const [k, v] of Object.entries(s.options)) p.set(`o.${k}`, v);
  if (s.data !== d.data) p.set('data', s.data);
  if (s.share !== DEFAULT_SHARE[s.data]) p.set('share', String(s.share));
  if (s.seed !== d.seed) p.set('seed', String(s.seed));
  const [a, b] = DEFAULT_PAIR[s.data];
  if (s.a !== a) p.set('a', s.a);
  if (s.b !== b) p.set('b', s.b);
  for (const [k, v] of Object.entries(s.aOptions)) p.set(`a.${k}`, v);
  for (const [k, v] of Object.entries(s.bOptions)) p.set(`b.${k}`, v);
  if (s.task !== d.task) p.set('task', s.task);
  if (s.imbalanced) p.set('imb', '1');
  if (s.outliers) p.set('out', '1');
  if (s.metric !== '') p.set('metric', s.metric);
  const text = p.toString();
  return text === '' ? '' : `?${text}`;
}
