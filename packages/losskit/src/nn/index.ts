// Public API of src/nn: explicit re-exports.
export {
  type InitOptions,
  type InitScheme,
  heNormal,
  heUniform,
  initialize,
  xavierNormal,
  xavierUniform,
} from './init.js';
export type { WeightOptions } from './layer-options.js';
export {
  AvgPool2d,
  Dropout,
  Flatten,
  Lambda,
  LeakyReLU,
  MaxPool2d,
  ReLU,
  Sequential,
  Sigmoid,
  Softmax,
  Softplus,
  Tanh,
  Upsample2d,
} from './layers.js';
export { Conv2d, type Conv2dLayerOptions, Embedding, type EmbeddingOptions, Linear } from './linear.js';
export { type ActivationName, type MlpOptions, mlp } from './mlp.js';
export { Module, type ParameterGroup } from './module.js';
export { Rng, type RngState, defaultRng, manualSeed } from './random.js';
export {
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type StateDict,
  type StateDictEntry,
  exportStateDict,
  loadStateDict,
} from './state-dict.js';
