// Public API of src/autograd: explicit re-exports. The ops themselves live in the `ops`
// namespace (see ops.ts); the names below are the engine's own.
export * as ops from './ops.js';
export {
  type BackwardRule,
  type GradientsOptions,
  type OpNode,
  gradients,
  isGradEnabled,
  isTracked,
  noGrad,
  record,
  withGradMode,
} from './engine.js';
export {
  type GradOptions,
  type ValueAndGrads,
  grad,
  grads,
  valueAndGrad,
  valueAndGrads,
  variable,
} from './functional.js';
export { lossOp } from './loss-op.js';
