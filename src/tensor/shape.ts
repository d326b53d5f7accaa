/** Number of elements of a tensor of this shape (1 for the 0-d shape `[]`). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** `[2, 3]` as written in error messages. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Whether two shapes are identical (no broadcasting). */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether `shape` is a list of non-negative integers. */
export function isValidShape(shape: unknown): shape is number[] {
  return Array.isArray(shape) && shape.every((d) => Number.isInteger(d) && d >= 0);
}

/** Row-major multi-index of flat position `flat` in `shape`, as written in error messages: `[1, 2]`. */
export function formatIndex(flat: number, shape: readonly number[]): string {
  if (shape.length <= 1) return `[${flat}]`;
  const idx: number[] = new Array(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return `[${idx.join(', ')}]`;
}
