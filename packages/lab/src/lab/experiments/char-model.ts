// What the two next-character experiments share: the corpus split, the model, batching and
// evaluation. The corpus is the public-domain excerpt of "Alice's Adventures in Wonderland".
import { noGrad, ops } from 'losskit';
import { tokenCrossEntropy } from 'losskit';
import { Embedding, Module, mlp, type Rng, type Sequential } from 'losskit';
import { Tensor } from 'losskit';
import { aliceText } from '../data/alice-text.js';
import { type CharExamples, charCorpus, charExamples } from '../data/char-corpus.js';
import { calibration, reliabilityCurve, softmaxRows } from '../metrics.js';

/** Characters of context the model sees. */
export const CONTEXT = 6;
/** Share of the text (its beginning) used for training; the rest is the validation text. */
const TRAIN_SHARE = 0.85;

/** The corpus as training and validation examples over one vocabulary. */
export interface CharTask {
  /** Vocabulary size; the id `vocabulary` is the padding before the first character. */
  readonly vocabulary: number;
  /** The character of each id. */
  readonly characters: readonly string[];
  readonly train: CharExamples;
  readonly validation: CharExamples;
}

/** The shipped text, split once: training from the first 85%, validation from the rest. */
export function aliceTask(): CharTask {
  const corpus = charCorpus(aliceText);
  const vocabulary = corpus.vocabulary.length;
  const split = Math.floor(corpus.ids.length * TRAIN_SHARE);
  return {
    vocabulary,
    characters: corpus.vocabulary,
    train: charExamples(corpus.ids, CONTEXT, 0, split, vocabulary),
    validation: charExamples(corpus.ids, CONTEXT, split, corpus.ids.length, vocabulary),
  };
}

/** Size of a `CharMlp`. */
export interface CharMlpSize {
  /** Width of each character's embedding. */
  readonly embedding: number;
  readonly hidden: number;
}

/**
 * Next-character model: each of the `CONTEXT` previous characters is embedded, the embeddings
 * are concatenated and a one-hidden-layer tanh MLP gives logits over the vocabulary (Bengio et
 * al.'s neural probabilistic language model, at character level).
 */
export class CharMlp extends Module {
  private readonly embedding: Embedding;
  private readonly body: Sequential;

  constructor(
    vocabulary: number,
    readonly size: CharMlpSize,
    rng: Rng,
  ) {
    super();
    this.embedding = this.addModule(
      'embedding',
      new Embedding(vocabulary + 1, size.embedding, { rng, dtype: 'float64' }),
    );
    this.body = this.addModule(
      'body',
      mlp([CONTEXT * size.embedding, size.hidden, vocabulary], { activation: 'tanh', rng, dtype: 'float64' }),
    );
  }

  /** Context ids [N, CONTEXT] → logits [N, vocabulary]. */
  forward(contexts: Tensor): Tensor {
    const embedded = this.embedding.forward(contexts);
    return this.body.forward(ops.reshape(embedded, [contexts.shape[0], CONTEXT * this.size.embedding]));
  }
}

/** The contexts and next characters of examples `rows`, as tensors. */
export function charBatch(
  examples: CharExamples,
  rows: ArrayLike<number>,
): { contexts: Tensor; targets: Tensor } {
  const k = examples.context;
  const contexts = new Float64Array(rows.length * k);
  const targets = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    for (let c = 0; c < k; c++) contexts[i * k + c] = examples.contexts[r * k + c];
    targets[i] = examples.targets[r];
  }
  return { contexts: new Tensor(contexts, [rows.length, k]), targets: new Tensor(targets, [rows.length]) };
}

/** Every example of `examples`, as one batch. */
export function allOf(examples: CharExamples): { contexts: Tensor; targets: Tensor } {
  return charBatch(
    examples,
    Int32Array.from({ length: examples.count }, (_, i) => i),
  );
}

/** What a model scores on the validation text. */
export interface CharScores {
  /** exp of the mean next-character cross-entropy (nats). */
  readonly perplexity: number;
  readonly accuracy: number;
  readonly ece: number;
  readonly meanConfidence: number;
  /** (confidence, accuracy) per confidence bin. */
  readonly reliability: [number, number][];
}

/** Perplexity and calibration of `model` on `examples` (no graph recorded). */
export function scoreModel(model: CharMlp, task: CharTask, examples: CharExamples): CharScores {
  return noGrad(() => {
    const { contexts, targets } = allOf(examples);
    const logits = model.forward(contexts);
    const perplexity = Math.exp(tokenCrossEntropy(logits, targets).item());
    const probs = softmaxRows(logits.data, task.vocabulary);
    const labels = examples.targets;
    const { accuracy, ece, meanConfidence } = calibration(probs, labels, task.vocabulary);
    return {
      perplexity,
      accuracy,
      ece,
      meanConfidence,
      reliability: reliabilityCurve(probs, labels, task.vocabulary),
    };
  });
}
