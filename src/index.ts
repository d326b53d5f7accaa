// The public API of losskit: a flat list of explicit re-exports.
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
export { huber, mse } from './losses/regression/index.js';
