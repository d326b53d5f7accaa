import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLossName } from '../../packages/losskit/src/guide/index.js';
import {
  editDistance,
  lookupLossName,
  lossAliasTable,
  nearestLossNames,
  normalizeLossName,
} from '../../packages/losskit/src/losses/names.js';
import { describeLoss, findLoss, LossInputError, lossAliases, lossList, losses } from '../../packages/losskit/src/index.js';
import { lossEntry } from '../../packages/losskit/src/train/objective.js';

const registry: Readonly<Record<string, unknown>> = losses;

test('findLoss accepts any case and separators', () => {
  assert.equal(findLoss('huber').name, 'huber');
  assert.equal(findLoss('HUBER').name, 'huber');
  assert.equal(findLoss('smooth-l1').name, 'smoothL1');
  assert.equal(findLoss('binary_cross_entropy_with_logits').name, 'binaryCrossEntropyWithLogits');
});

test("findLoss accepts fit's short names and the PyTorch, Keras, TF.js and Optax names of the same loss", () => {
  const expected: Record<string, string> = {
    bce: 'binaryCrossEntropy',
    bceWithLogits: 'binaryCrossEntropyWithLogits',
    crossEntropy: 'sparseCategoricalCrossEntropy',
    kl: 'klDivergence',
    BCELoss: 'binaryCrossEntropy',
    BCEWithLogitsLoss: 'binaryCrossEntropyWithLogits',
    l1: 'mae',
    L1Loss: 'mae',
    CrossEntropyLoss: 'sparseCategoricalCrossEntropy',
    sparse_categorical_crossentropy: 'sparseCategoricalCrossEntropy',
    categorical_crossentropy: 'categoricalCrossEntropy',
    binary_crossentropy: 'binaryCrossEntropy',
    MSELoss: 'mse',
    mean_squared_error: 'mse',
    HuberLoss: 'huber',
    SmoothL1Loss: 'smoothL1',
    KLDivLoss: 'klDivergence',
    kl_divergence: 'klDivergence',
    TripletMarginLoss: 'triplet',
    sigmoidCrossEntropy: 'binaryCrossEntropyWithLogits',
    sigmoid_focal_loss: 'focal',
  };
  for (const [name, loss] of Object.entries(expected)) assert.equal(findLoss(name).name, loss, name);
});

test('a library name whose defaults differ from the registry loss carries a note saying how to match them', () => {
  const kl = resolveLossName('KLDivLoss');
  assert.equal(kl.alias?.library, 'PyTorch');
  assert.match(kl.alias?.note ?? '', /inputKind: 'logProbs'/);
  assert.match(resolveLossName('sparse_categorical_crossentropy').alias?.note ?? '', /fromLogits: false/);
  assert.match(resolveLossName('kl_divergence').alias?.note ?? '', /inputKind: 'probs'/);
  assert.equal(resolveLossName('huber').alias, undefined, 'a registry name is not an alias');
});

test('the alias table is consistent: names that normalise alike name one loss, never another registry loss', () => {
  const byKey = new Map<string, string>();
  for (const alias of lossAliasTable) {
    const key = normalizeLossName(alias.name);
    const previous = byKey.get(key);
    assert.ok(
      previous === undefined || previous === alias.loss,
      `${alias.name} → ${alias.loss}, not ${previous}`,
    );
    byKey.set(key, alias.loss);
    const sameAsRegistry = Object.keys(registry).find((n) => normalizeLossName(n) === key);
    if (sameAsRegistry !== undefined) assert.equal(alias.loss, sameAsRegistry, alias.name);
  }
});

test('NLL has no registry loss with its semantics yet, and the message says so instead of mapping it elsewhere', () => {
  for (const name of ['nll', 'NLLLoss', 'nll_loss']) {
    const lookup = lookupLossName(name);
    if ('negativeLogLikelihood' in registry) {
      assert.deepEqual(lookup.kind === 'registry' && lookup.loss, 'negativeLogLikelihood', name);
      continue;
    }
    assert.equal(lookup.kind, 'not in registry', name);
    assert.throws(
      () => findLoss(name),
      (e: unknown) =>
        e instanceof LossInputError &&
        e.message.includes(`'${name}' is PyTorch's name for a loss with no registry equivalent yet`) &&
        /no registry loss has its semantics \(it would be 'negativeLogLikelihood'\)/.test(e.message) &&
        /takes log-probabilities/.test(e.message),
    );
  }
});

test("an unknown loss name is a LossInputError suggesting the nearest name (did you mean 'huber'?)", () => {
  assert.throws(
    () => findLoss('hubber'),
    (e: unknown) =>
      e instanceof LossInputError &&
      e.loss === 'findLoss' &&
      e.argument === 'name' &&
      /unknown loss 'hubber'; did you mean 'huber'\?/.test(e.message),
  );
  assert.deepEqual(nearestLossNames('focall'), ['focal']);
  assert.deepEqual(
    nearestLossNames('HubberLoss'),
    ['huber'],
    'aliases are candidates too, mapped to the registry name',
  );
  assert.deepEqual(nearestLossNames('xyzzy'), [], 'nothing is suggested when nothing is close');
  assert.throws(() => findLoss('xyzzy'), /unknown loss 'xyzzy', and no loss has a similar name/);
  assert.throws(() => findLoss('constructor'), LossInputError, 'an Object.prototype member is not a loss');
  assert.equal(editDistance('hubber', 'huber'), 1);
});

test("fit's unknown-loss error suggests the nearest name, and names the registry loss behind another library's name", () => {
  const problem = (name: string) => {
    try {
      lossEntry(name);
    } catch (e) {
      assert.ok(e instanceof LossInputError, `${name}: ${String(e)}`);
      return e.message;
    }
    assert.fail(`${name} was accepted`);
  };
  assert.match(
    problem('hubber'),
    /^loss: hubber: is not a registry loss: unknown loss 'hubber'; did you mean 'huber'\?/,
  );
  assert.match(
    problem('MSELoss'),
    /is not a registry loss: it is PyTorch's name for 'mse', which is what fit takes/,
  );
  assert.match(problem('constructor'), /is not a registry loss/);
  assert.match(problem('toString'), /is not a registry loss/);
  assert.deepEqual(lossAliases, {
    bce: 'binaryCrossEntropy',
    bceWithLogits: 'binaryCrossEntropyWithLogits',
    crossEntropy: 'sparseCategoricalCrossEntropy',
    kl: 'klDivergence',
  });
  assert.equal(lossEntry('bce').name, 'binaryCrossEntropy');
});

test('describeLoss shows the formula, options with defaults, properties, uses and limitations of every loss', () => {
  for (const entry of lossList) {
    const text = describeLoss(entry.name);
    assert.ok(text.startsWith(entry.info.title), entry.name);
    assert.ok(text.includes(entry.info.formula), `${entry.name} formula`);
    for (const o of entry.info.options)
      assert.ok(text.includes(`${o.name} = `), `${entry.name} option ${o.name}`);
    for (const heading of ['Properties:', 'When to use:', 'Limitations:', 'References:'])
      assert.ok(text.includes(heading), `${entry.name} ${heading}`);
  }
  assert.match(describeLoss('huber'), /delta = 1 {2}\(a finite number > 0\)/);
});

test("describeLoss of another library's name first says which registry loss it is, and the note", () => {
  const text = describeLoss('KLDivLoss');
  assert.match(
    text,
    /^'KLDivLoss' is PyTorch's name for klDivergence\.\nNote: PyTorch's input is log-probabilities/,
  );
  assert.ok(text.includes(losses.klDivergence.info.formula));
  assert.match(describeLoss('bce'), /^'bce' is fit's short name for binaryCrossEntropy\./);
});
