// Second derivatives (gradients of gradients) against finite differences of the first-order
// gradient: the ops WGAN-GP differentiates twice, and the rest of the primitives.
import { describe, test } from 'node:test';
import { type Tensor, ops } from '../index.js';
import { checkSecondDerivatives, sample } from '../../../../test/training/check-gradients.js';

const cases: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
  ['matmul', ops.matmul, [sample([3, 4], 1), sample([4, 2], 2)]],
  [
    'matmul (batched, transposed)',
    (a, b) => ops.matmulTransposed(a, b, true, false),
    [sample([2, 4, 3], 1), sample([4, 2], 2)],
  ],
  ['tanh', ops.tanh, [sample([6], 1, -2, 2)]],
  ['sigmoid', ops.sigmoid, [sample([6], 1, -3, 3)]],
  ['softplus', ops.softplus, [sample([6], 1, -3, 3)]],
  ['relu (after a matmul)', (x, w) => ops.relu(ops.matmul(x, w)), [sample([3, 4], 1), sample([4, 3], 2)]],
  ['leakyRelu (squared)', (x) => ops.square(ops.leakyRelu(x, 0.2)), [sample([6], 1)]],
  ['sum', (x) => ops.square(ops.sum(ops.mul(x, x), { axis: 1 })), [sample([3, 4], 1)]],
  ['square', ops.square, [sample([6], 1)]],
  ['sqrt', ops.sqrt, [sample([6], 1, 0.5, 2)]],
  ['exp and log', (x) => ops.log(ops.add(ops.exp(x), 1)), [sample([6], 1)]],
  ['div', ops.div, [sample([6], 1), sample([6], 2, 0.5, 2)]],
  ['pow', (x) => ops.pow(x, 3), [sample([6], 1)]],
  ['logSoftmax', (x) => ops.logSoftmax(x), [sample([2, 4], 1, -2, 2)]],
  ['mean and abs', (x) => ops.square(ops.mean(ops.abs(x), { axis: 0 })), [sample([3, 4], 1)]],
  [
    'conv2d',
    (x, w) => ops.tanh(ops.conv2d(x, w, { padding: 1, stride: 2 })),
    [sample([1, 2, 5, 5], 1), sample([2, 2, 3, 3], 2)],
  ],
  [
    'maxPool2d and upsample2d',
    (x) => ops.square(ops.upsample2d(ops.maxPool2d(x))),
    [sample([1, 1, 4, 4], 1)],
  ],
  ['gather and concat', (x) => ops.square(ops.concat([ops.gather(x, [1, 0, 1]), x])), [sample([2, 3], 1)]],
  [
    'an MLP critic: tanh(x·W1 + b1)·W2',
    (x, w1, b1, w2) => ops.matmul(ops.tanh(ops.add(ops.matmul(x, w1), b1)), w2),
    [sample([3, 2], 1), sample([2, 4], 2), sample([4], 3), sample([4, 1], 4)],
  ],
];

describe('second derivatives equal finite differences of the first (createGraph)', () => {
  for (const [label, f, inputs] of cases) test(label, () => checkSecondDerivatives(label, f, inputs));
});
