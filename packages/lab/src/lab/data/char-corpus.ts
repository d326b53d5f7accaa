/** A text turned into character ids, with fixed-width contexts for next-character prediction. */
export interface CharCorpus {
  /** The characters of the vocabulary, by id. */
  readonly vocabulary: readonly string[];
  /** The normalised text as ids. */
  readonly ids: Int32Array;
}

/** Next-character examples: `count` contexts of `context` ids each, and the id that follows each. */
export interface CharExamples {
  /** `count × context`, row-major. */
  readonly contexts: Int32Array;
  readonly targets: Int32Array;
  readonly count: number;
  readonly context: number;
}

/**
 * Lower-cases the text and turns every run of whitespace into one space, then numbers the distinct
 * characters in order of first appearance.
 */
export function charCorpus(text: string): CharCorpus {
  const normalised = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const index = new Map<string, number>();
  const vocabulary: string[] = [];
  const ids = new Int32Array(normalised.length);
  for (let i = 0; i < normalised.length; i++) {
    const ch = normalised[i];
    let id = index.get(ch);
    if (id === undefined) {
      id = vocabulary.length;
      index.set(ch, id);
      vocabulary.push(ch);
    }
    ids[i] = id;
  }
  return { vocabulary, ids };
}

/**
 * Every position `t` in `[from, to)` with at least one character before it becomes one example:
 * the `context` ids before it (padded on the left with `padId` at the start of the text) and the
 * id at `t`.
 */
export function charExamples(
  ids: Int32Array,
  context: number,
  from: number,
  to: number,
  padId: number,
): CharExamples {
  const start = Math.max(from, 1);
  const count = Math.max(0, to - start);
  const contexts = new Int32Array(count * context);
  const targets = new Int32Array(count);
  for (let e = 0; e < count; e++) {
    const t = start + e;
    for (let c = 0; c < context; c++) {
      const source = t - context + c;
      contexts[e * context + c] = source >= 0 ? ids[source] : padId;
    }
    targets[e] = ids[t];
  }
  return { contexts, targets, count, context };
}
