import assert from 'node:assert/strict';

export interface Tolerance {
  rtol: number;
  atol: number;
}

/**
 * Element-wise |actual − expected| ≤ atol + rtol·|expected|, shapes equal, no NaN.
 * The failure message prints the index, both values, the difference and the tolerance.
 */
export function assertClose(
  actual: { shape: readonly number[]; data: ArrayLike<number> },
  expected: { shape: readonly number[]; data: ArrayLike<number> },
  tol: Tolerance,
  label: string,
): void {
  assert.deepEqual([...actual.shape], [...expected.shape], `${label}: shape`);
  assert.equal(actual.data.length, expected.data.length, `${label}: length`);
  for (let i = 0; i < expected.data.length; i++) {
    const a = actual.data[i];
    const b = expected.data[i];
    const diff = Math.abs(a - b);
    const bound = tol.atol + tol.rtol * Math.abs(b);
    if (!(diff <= bound)) {
      assert.fail(`${label}[${i}]: got ${a}, want ${b}, |diff| ${diff} > tolerance ${bound} (rtol ${tol.rtol}, atol ${tol.atol})`);
    }
  }
}

/** Every element finite. */
export function assertAllFinite(t: { data: ArrayLike<number> }, label: string): void {
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) assert.fail(`${label}[${i}] is ${t.data[i]}, expected a finite number`);
  }
}
