import { readFileSync } from 'node:fs';

/** One `{shape, data}` tensor of the oracle file. */
export interface OracleTensor {
  shape: number[];
  data: number[];
}

/** One case of `torch-cases.json` (see test/fixtures/README.md). */
export interface OracleCase {
  id: string;
  loss: string;
  inputs: Record<string, OracleTensor>;
  options: Record<string, unknown>;
  upstream?: OracleTensor;
  expected: { value: OracleTensor; grads: Record<string, OracleTensor> };
  tol: { rtol: number; atol: number };
  tags: string[];
}

const fixture = (name: string): OracleCase[] =>
  JSON.parse(readFileSync(new URL(`../../../test/fixtures/${name}`, import.meta.url), 'utf8')).cases;

/**
 * Every PyTorch reference case: the team oracle's public cases (torch-cases.json, and
 * parity-a-cases.json and parity-b-cases.json for Catalogue II) plus the cases generated here for
 * losses the oracle predates (see test/fixtures/README.md).
 */
export const oracleCases: OracleCase[] = [
  ...fixture('torch-cases.json'),
  ...fixture('parity-a-cases.json'),
  ...fixture('parity-b-cases.json'),
  ...fixture('linear-cross-entropy-cases.json'),
];

/** The cases grouped by the loss they check, in file order. */
export function oracleCasesByLoss(cases: readonly OracleCase[]): Map<string, OracleCase[]> {
  const byLoss = new Map<string, OracleCase[]>();
  for (const c of cases) {
    const list = byLoss.get(c.loss);
    if (list === undefined) byLoss.set(c.loss, [c]);
    else list.push(c);
  }
  return byLoss;
}

export const isOracleTensor = (v: unknown): v is OracleTensor =>
  v !== null && typeof v === 'object' && Array.isArray((v as OracleTensor).shape);

/** A float64 `{shape, data}` TensorLike of an oracle tensor. */
export const asF64 = (t: OracleTensor) => ({ shape: t.shape, data: Float64Array.from(t.data) });
/** A float32 copy, for the dtype tests. */
export const asF32 = (t: OracleTensor) => ({ shape: t.shape, data: Float32Array.from(t.data) });

/** The case's inputs and options as TensorLikes of one dtype. */
export function caseArgs(
  c: OracleCase,
  convert: (t: OracleTensor) => { shape: number[]; data: Float64Array | Float32Array } = asF64,
) {
  const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, convert(v)]));
  const options = Object.fromEntries(
    Object.entries(c.options).map(([k, v]) => [k, isOracleTensor(v) ? asF64(v) : v]),
  );
  const upstream = c.upstream ? convert(c.upstream) : undefined;
  return { inputs, options, upstream };
}
