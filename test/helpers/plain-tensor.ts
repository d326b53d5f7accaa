/** A plain float64 tensor `{ shape, data }` from a flat list; the shape defaults to 1-d. */
export const plainTensor = (data: number[], shape: number[] = [data.length]) => ({
  shape,
  data: Float64Array.from(data),
});

/** `plainTensor` with the shape first, for tests that read better as `t([rows, classes], [...])`. */
export const shapedTensor = (shape: number[], data: number[]) => plainTensor(data, shape);
