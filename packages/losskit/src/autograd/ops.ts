// Every differentiable op, exported from the package as the namespace `ops`
// (`import { ops } from 'losskit'; ops.matmul(x, w)`), so that short names such as `sum`, `log`
// or `max` never collide with the loss functions and other top-level names.
export {
  add,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  maximum,
  minimum,
  mul,
  neg,
  pow,
  square,
  sub,
  where,
} from './arithmetic.js';
export { type AxisOptions, broadcastTo, sum, sumTo } from './broadcast.js';
export {
  type Conv2dForwardOptions,
  type Conv2dOptions,
  conv2d,
  conv2dInputGrad,
  conv2dWeightGrad,
} from './conv.js';
export { cast } from './engine.js';
export {
  concat,
  gather,
  gatherFlat,
  oneHot,
  scatterAddFlat,
  slice,
  takeAlongAxis,
  transpose,
} from './indexing.js';
export { matmul, matmulTransposed } from './matmul.js';
export { type Operand, detach } from './operand.js';
export { type AvgPool2dOptions, type MaxPool2dOptions, avgPool2d, maxPool2d, upsample2d } from './pool.js';
export { argmax, logSoftmax, logSumExp, max, mean, min, softmax } from './reductions.js';
export { expandDims, flatten, reshape, squeeze } from './reshape.js';
export {
  abs,
  clamp,
  exp,
  leakyRelu,
  log,
  log1p,
  relu,
  sigmoid,
  sign,
  softplus,
  sqrt,
  tanh,
} from './unary.js';
