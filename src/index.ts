// The public API of losskit.
export {
  type DType,
  type FloatArray,
  LossInputError,
  type NestedNumbers,
  Tensor,
  type TensorLike,
  tensor,
} from './tensor/index.js';
export type { LossEntry, LossFunction, ValueAndGrad, GradBuffers } from './losses/define.js';
export type { LossFamily, LossInfo, Task } from './losses/info.js';
export type { Reduction } from './losses/reduce.js';
export { losses, lossList, type LossName } from './losses/registry.js';
export * from './losses/regression/index.js';
export * from './losses/classification/index.js';
export * from './losses/ranking/index.js';
export * from './losses/sequence/index.js';
export * from './losses/segmentation/index.js';
export * from './losses/gan/index.js';
export * from './losses/rl/index.js';
export * from './losses/autoencoder/index.js';
export * from './autograd/index.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './train/index.js';
export * from './guide/index.js';
export * from './lab/index.js';
