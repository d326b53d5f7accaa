export {
  type AutogradHooks,
  type TrackedLossCall,
  installAutogradHooks,
  autogradHooks,
} from './autograd-hooks.js';
export { Arena, type ArenaOptions, RELEASED, isReleased, keepTensor } from './arena.js';
export {
  type DType,
  type FloatArray,
  allocate,
  allocateForOverwrite,
  arenaArrayForOverwrite,
  dtypeOf,
} from './float-array.js';
export { LossInputError } from './errors.js';
export { formatIndex, formatShape, sameShape, shapeSize } from './shape.js';
export { type GradNode, type NestedNumbers, Tensor } from './tensor.js';
export { type NumericTypedArray, type TensorLike, assertFinite, tensor, toTensor } from './tensor-like.js';
