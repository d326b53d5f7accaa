// Layers declare their options with the loss option specs: unknown names are rejected with the
// list of known ones, a bad value names the option, and left-out options take their defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Conv2d, Dropout, Embedding, Linear, LossInputError, Rng, tensor } from '../../packages/losskit/src/index.js';

type Options = Record<string, unknown>;

interface Case {
  readonly name: string;
  readonly make: (options?: Options) => { parameters(): { dtype: string; data: ArrayLike<number> }[] };
  readonly takes: readonly string[];
  readonly bad: readonly (readonly [option: string, value: unknown, says: RegExp])[];
}

const cases: readonly Case[] = [
  {
    name: 'Linear',
    make: (o) => new Linear(3, 2, o),
    takes: ['bias', 'init', 'rng', 'dtype'],
    bad: [
      ['bias', 0, /must be true or false, got 0$/],
      [
        'init',
        'glorot',
        /must be one of 'heUniform' \| 'heNormal' \| 'xavierUniform' \| 'xavierNormal' \| 'zeros', got 'glorot'$/,
      ],
      ['rng', 42, /must be an Rng, got 42$/],
      ['dtype', 'int32', /must be one of 'float32' \| 'float64', got 'int32'$/],
    ],
  },
  {
    name: 'Conv2d',
    make: (o) => new Conv2d(1, 2, 3, o),
    takes: ['bias', 'init', 'rng', 'dtype', 'stride', 'padding'],
    bad: [
      ['dtype', 'float16', /got 'float16'$/],
      ['init', 3, /must be one of .*, got 3$/],
    ],
  },
  {
    name: 'Embedding',
    make: (o) => new Embedding(5, 2, o),
    takes: ['rng', 'dtype'],
    bad: [['rng', { seed: 1 }, /must be an Rng, got /]],
  },
  {
    name: 'Dropout',
    make: (o) => new Dropout(0.5, o),
    takes: ['rng'],
    bad: [['rng', 'seeded', /must be an Rng, got the string 'seeded'$/]],
  },
];

for (const c of cases) {
  describe(`${c.name} options`, () => {
    test('an unknown option is an error listing the options it takes', () => {
      assert.throws(
        () => c.make({ bais: false }),
        (e) =>
          e instanceof LossInputError &&
          e.argument === 'options.bais' &&
          e.message === `${c.name}: options.bais: unknown option (this layer takes: ${c.takes.join(', ')})`,
      );
    });

    for (const [option, value, says] of c.bad) {
      test(`${option}: a bad value is an error naming the option and the value`, () => {
        assert.throws(
          () => c.make({ [option]: value }),
          (e) =>
            e instanceof LossInputError &&
            e.argument === `options.${option}` &&
            e.message.startsWith(`${c.name}: options.${option}: `) &&
            says.test(e.message),
        );
      });
    }
  });
}

test('Linear and Conv2d default to a float32 bias and He-uniform weights from the given generator', () => {
  for (const make of [(o: Options) => new Linear(3, 2, o), (o: Options) => new Conv2d(1, 2, 3, o)]) {
    const implicit = make({ rng: new Rng(7) });
    const explicit = make({ rng: new Rng(7), bias: true, init: 'heUniform', dtype: 'float32' });
    const [w, b] = implicit.parameters();
    assert.equal(implicit.parameters().length, 2);
    assert.equal(w.dtype, 'float32');
    assert.deepEqual([...b.data], new Array(b.data.length).fill(0));
    assert.deepEqual(
      implicit.parameters().map((p) => [...p.data]),
      explicit.parameters().map((p) => [...p.data]),
    );
    assert.notDeepEqual(
      [...make({ rng: new Rng(7), init: 'xavierNormal' }).parameters()[0].data],
      [...w.data],
    );
    assert.equal(make({ bias: false }).parameters().length, 1);
    assert.equal(make({ dtype: 'float64' }).parameters()[0].dtype, 'float64');
  }
});

test('Conv2d still hands stride and padding to the convolution', () => {
  const layer = new Conv2d(1, 1, 3, { rng: new Rng(0), stride: 2, padding: 'same' });
  assert.throws(
    () => layer.forward(tensor([[[[1, 2, 3, 4]]]])),
    (e) => e instanceof LossInputError && /'same' needs stride 1/.test(e.message),
  );
  const strided = new Conv2d(1, 1, 3, { rng: new Rng(0), stride: 2, padding: 1 });
  assert.deepEqual(
    strided.forward(
      tensor([
        [
          [
            [1, 2, 3, 4],
            [5, 6, 7, 8],
            [1, 2, 3, 4],
            [5, 6, 7, 8],
          ],
        ],
      ]),
    ).shape,
    [1, 1, 2, 2],
  );
});
