// The Lovász extension of the Jaccard loss (Berman, Rannen Triki & Blaschko 2018), shared by
// `lovaszHinge` and `lovaszSoftmax`: one sort of a group's errors, then one pass that computes
// the extension and its gradient together.

/** Buffers of one call, sized for its largest group and reused for every group and class. */
export interface LovaszScratch {
  /** The error of each element of the group being processed. */
  readonly errors: Float64Array;
  /** 1 where the element is foreground (in the target's class), 0 elsewhere. */
  readonly foreground: Uint8Array;
  /** Indices into the group: the elements that take part, sorted by `sortByErrorDescending`. */
  readonly order: Uint32Array;
  /** The Lovász gradient of each element's sorted position (`lovaszExtension` writes it). */
  readonly slopes: Float64Array;
}

/** Scratch buffers for groups of up to `size` elements, allocated once per call. */
export function lovaszScratch(size: number): LovaszScratch {
  return {
    errors: new Float64Array(size),
    foreground: new Uint8Array(size),
    order: new Uint32Array(size),
    slopes: new Float64Array(size),
  };
}

/**
 * Sorts `order[0, count)` so that `errors[order[r]]` is non-increasing. Equal errors keep their
 * ascending index order (torch's `sort(..., descending=True, stable=True)`); torch's default
 * unstable CPU sort may order exact ties differently. The extension's value does not depend on
 * the order of ties, only which of its subgradients is returned there. O(count·log count).
 */
export function sortByErrorDescending(order: Uint32Array, count: number, errors: Float64Array): void {
  order.subarray(0, count).sort((a, b) => errors[b] - errors[a] || a - b);
}

/**
 * ⟨e sorted descending, Lovász gradient of the sorted foreground⟩ over the elements
 * `order[0, count)` of the scratch (sorted already), and the Lovász gradient of each one in
 * `slopes[order[r]]`: with p = Σ foreground of the whole group (`positives`, which may include
 * elements left out of `order`), and after r + 1 sorted elements c₁ foreground and c₀ background,
 * J_r = 1 − (p − c₁)/(p + c₀) and slope_r = J_r − J_{r−1} (J_{−1} = 0). The union p + c₀ is never
 * 0 (a position with c₀ = 0 has c₁ ≥ 1, so p ≥ 1). The slopes are ≥ 0 and sum to at most 1, so
 * the value is at most the largest error.
 *
 * Leaving out elements with an error ≤ 0 (the hinge's ReLU) changes neither the value nor the
 * slopes of those kept: they sort after every positive error, and a slope depends only on the
 * elements sorted before it.
 */
export function lovaszExtension(scratch: LovaszScratch, count: number, positives: number): number {
  const { errors, foreground, order, slopes } = scratch;
  let value = 0;
  let inForeground = 0;
  let inBackground = 0;
  let previous = 0;
  for (let r = 0; r < count; r++) {
    const i = order[r];
    if (foreground[i] === 1) inForeground++;
    else inBackground++;
    const jaccard = 1 - (positives - inForeground) / (positives + inBackground);
    const slope = jaccard - previous;
    previous = jaccard;
    slopes[i] = slope;
    value += errors[i] * slope;
  }
  return value;
}
