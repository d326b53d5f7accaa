/**
 * Projects `count × dims` row-major points onto their two leading principal axes (centred data,
 * power iteration with deflation on the covariance), for drawing high-dimensional points in 2-D.
 * Deterministic: the iteration starts from a fixed vector. Each axis's sign is chosen so that its
 * largest component is positive, so the picture does not flip between equivalent solutions.
 */
export function principalPlane(points: ArrayLike<number>, count: number, dims: number): [number, number][] {
  const mean = new Float64Array(dims);
  for (let i = 0; i < count; i++) for (let d = 0; d < dims; d++) mean[d] += points[i * dims + d] / count;
  const cov = new Float64Array(dims * dims);
  for (let i = 0; i < count; i++) {
    for (let a = 0; a < dims; a++) {
      const xa = points[i * dims + a] - mean[a];
      for (let b = 0; b < dims; b++) cov[a * dims + b] += (xa * (points[i * dims + b] - mean[b])) / count;
    }
  }
  const axes: Float64Array[] = [];
  for (let k = 0; k < 2; k++) {
    let v = Float64Array.from({ length: dims }, (_, d) => 1 / Math.sqrt(d + 1 + k));
    for (let iter = 0; iter < 200; iter++) {
      const next = new Float64Array(dims);
      for (let a = 0; a < dims; a++) for (let b = 0; b < dims; b++) next[a] += cov[a * dims + b] * v[b];
      for (const u of axes) {
        let dot = 0;
        for (let d = 0; d < dims; d++) dot += next[d] * u[d];
        for (let d = 0; d < dims; d++) next[d] -= dot * u[d];
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      for (let d = 0; d < dims; d++) next[d] /= norm;
      v = next;
    }
    let largest = 0;
    for (let d = 1; d < dims; d++) if (Math.abs(v[d]) > Math.abs(v[largest])) largest = d;
    if (v[largest] < 0) for (let d = 0; d < dims; d++) v[d] = -v[d];
    axes.push(v);
  }
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    let x = 0;
    let y = 0;
    for (let d = 0; d < dims; d++) {
      const c = points[i * dims + d] - mean[d];
      x += c * axes[0][d];
      y += c * axes[1][d];
    }
    out.push([x, y]);
  }
  return out;
}
