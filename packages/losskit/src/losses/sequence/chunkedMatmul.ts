import type { FloatArray } from '../../tensor/index.js';

/**
 * The three dense products of a linear layer followed by a loss, on row-major typed arrays,
 * for one chunk of R rows at a time (`linearCrossEntropy` keeps only a chunk's [R, V] scores).
 * A: the chunk's activations [R, H] (starting at `aOffset`), B: the weight [V, H], G: scores or
 * their gradient [R, V]. Register tiles of 4 × 2 outputs accumulate in float64 (plain numbers)
 * over the shared index; the loops are ordered so that the operand streamed from memory is read
 * once per chunk. No validation, no allocation.
 */

/** G[r, v] = Σ_k A[r, k]·B[v, k] (scores of R rows against every row of the weight). */
export function rowsTimesTransposed(
  a: FloatArray,
  aOffset: number,
  rows: number,
  b: FloatArray,
  vocabulary: number,
  hidden: number,
  g: FloatArray,
): void {
  const r4 = rows - (rows % 4);
  const v2 = vocabulary - (vocabulary % 2);
  for (let v = 0; v < v2; v += 2) {
    const b0 = v * hidden;
    const b1 = b0 + hidden;
    let r = 0;
    for (; r < r4; r += 4) {
      const a0 = aOffset + r * hidden;
      const a1 = a0 + hidden;
      const a2 = a1 + hidden;
      const a3 = a2 + hidden;
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      for (let k = 0; k < hidden; k++) {
        const w0 = b[b0 + k];
        const w1 = b[b1 + k];
        const x0 = a[a0 + k];
        const x1 = a[a1 + k];
        const x2 = a[a2 + k];
        const x3 = a[a3 + k];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s20 += x2 * w0;
        s21 += x2 * w1;
        s30 += x3 * w0;
        s31 += x3 * w1;
      }
      const o = r * vocabulary + v;
      g[o] = s00;
      g[o + 1] = s01;
      g[o + vocabulary] = s10;
      g[o + vocabulary + 1] = s11;
      g[o + 2 * vocabulary] = s20;
      g[o + 2 * vocabulary + 1] = s21;
      g[o + 3 * vocabulary] = s30;
      g[o + 3 * vocabulary + 1] = s31;
    }
    for (; r < rows; r++) {
      const a0 = aOffset + r * hidden;
      let s0 = 0;
      let s1 = 0;
      for (let k = 0; k < hidden; k++) {
        s0 += a[a0 + k] * b[b0 + k];
        s1 += a[a0 + k] * b[b1 + k];
      }
      g[r * vocabulary + v] = s0;
      g[r * vocabulary + v + 1] = s1;
    }
  }
  for (let v = v2; v < vocabulary; v++) {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let k = 0; k < hidden; k++) s += a[aOffset + r * hidden + k] * b[v * hidden + k];
      g[r * vocabulary + v] = s;
    }
  }
}

/** Weight rows per block of `addScoresTimesWeight`: the block of B stays in cache across row tiles. */
const VOCABULARY_BLOCK = 128;

/** dA[r, k] += Σ_v G[r, v]·B[v, k] (the gradient of the chunk's activations), dA from `dOffset`. */
export function addScoresTimesWeight(
  g: FloatArray,
  rows: number,
  b: FloatArray,
  vocabulary: number,
  hidden: number,
  da: FloatArray,
  dOffset: number,
): void {
  const r4 = rows - (rows % 4);
  const k2 = hidden - (hidden % 2);
  for (let vStart = 0; vStart < vocabulary; vStart += VOCABULARY_BLOCK) {
    const vEnd = Math.min(vocabulary, vStart + VOCABULARY_BLOCK);
    let r = 0;
    for (; r < r4; r += 4) {
      const g0 = r * vocabulary;
      const g1 = g0 + vocabulary;
      const g2 = g1 + vocabulary;
      const g3 = g2 + vocabulary;
      const d0 = dOffset + r * hidden;
      const d1 = d0 + hidden;
      const d2 = d1 + hidden;
      const d3 = d2 + hidden;
      for (let k = 0; k < k2; k += 2) {
        let s00 = 0;
        let s01 = 0;
        let s10 = 0;
        let s11 = 0;
        let s20 = 0;
        let s21 = 0;
        let s30 = 0;
        let s31 = 0;
        let bi = vStart * hidden + k;
        for (let v = vStart; v < vEnd; v++, bi += hidden) {
          const w0 = b[bi];
          const w1 = b[bi + 1];
          const x0 = g[g0 + v];
          const x1 = g[g1 + v];
          const x2 = g[g2 + v];
          const x3 = g[g3 + v];
          s00 += x0 * w0;
          s01 += x0 * w1;
          s10 += x1 * w0;
          s11 += x1 * w1;
          s20 += x2 * w0;
          s21 += x2 * w1;
          s30 += x3 * w0;
          s31 += x3 * w1;
        }
        da[d0 + k] += s00;
        da[d0 + k + 1] += s01;
        da[d1 + k] += s10;
        da[d1 + k + 1] += s11;
        da[d2 + k] += s20;
        da[d2 + k + 1] += s21;
        da[d3 + k] += s30;
        da[d3 + k + 1] += s31;
      }
      for (let k = k2; k < hidden; k++) {
        for (let i = 0; i < 4; i++) {
          let s = 0;
          for (let v = vStart; v < vEnd; v++) s += g[(r + i) * vocabulary + v] * b[v * hidden + k];
          da[dOffset + (r + i) * hidden + k] += s;
        }
      }
    }
    for (; r < rows; r++) {
      for (let k = 0; k < hidden; k++) {
        let s = 0;
        for (let v = vStart; v < vEnd; v++) s += g[r * vocabulary + v] * b[v * hidden + k];
        da[dOffset + r * hidden + k] += s;
      }
    }
  }
}

/** dB[v, k] += Σ_r G[r, v]·A[r, k] (the chunk's share of the weight's gradient). */
export function addTransposedScoresTimesRows(
  g: FloatArray,
  rows: number,
  a: FloatArray,
  aOffset: number,
  vocabulary: number,
  hidden: number,
  db: FloatArray,
): void {
  const v4 = vocabulary - (vocabulary % 4);
  const k2 = hidden - (hidden % 2);
  let v = 0;
  for (; v < v4; v += 4) {
    const d0 = v * hidden;
    const d1 = d0 + hidden;
    const d2 = d1 + hidden;
    const d3 = d2 + hidden;
    for (let k = 0; k < k2; k += 2) {
      let s00 = 0;
      let s01 = 0;
      let s10 = 0;
      let s11 = 0;
      let s20 = 0;
      let s21 = 0;
      let s30 = 0;
      let s31 = 0;
      let gi = v;
      let ai = aOffset + k;
      for (let r = 0; r < rows; r++, gi += vocabulary, ai += hidden) {
        const x0 = a[ai];
        const x1 = a[ai + 1];
        const c0 = g[gi];
        const c1 = g[gi + 1];
        const c2 = g[gi + 2];
        const c3 = g[gi + 3];
        s00 += c0 * x0;
        s01 += c0 * x1;
        s10 += c1 * x0;
        s11 += c1 * x1;
        s20 += c2 * x0;
        s21 += c2 * x1;
        s30 += c3 * x0;
        s31 += c3 * x1;
      }
      db[d0 + k] += s00;
      db[d0 + k + 1] += s01;
      db[d1 + k] += s10;
      db[d1 + k + 1] += s11;
      db[d2 + k] += s20;
      db[d2 + k + 1] += s21;
      db[d3 + k] += s30;
      db[d3 + k + 1] += s31;
    }
    for (let k = k2; k < hidden; k++) {
      for (let i = 0; i < 4; i++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += g[r * vocabulary + v + i] * a[aOffset + r * hidden + k];
        db[(v + i) * hidden + k] += s;
      }
    }
  }
  for (; v < vocabulary; v++) {
    for (let k = 0; k < hidden; k++) {
      let s = 0;
      for (let r = 0; r < rows; r++) s += g[r * vocabulary + v] * a[aOffset + r * hidden + k];
      db[v * hidden + k] += s;
    }
  }
}
