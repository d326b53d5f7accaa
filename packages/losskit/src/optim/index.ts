// Public API of src/optim: explicit re-exports.
export { clipGradNorm, globalGradNorm } from './clip.js';
export {
  Optimizer,
  type OptimizerOptions,
  type OptimizerState,
  optimizerOptions,
  type ParameterState,
  resolveOptimizerOptions,
} from './optimizer.js';
export {
  Adam,
  type AdamOptions,
  AdamW,
  RMSprop,
  type RmspropOptions,
  SGD,
  type SgdOptions,
} from './optimizers.js';
export {
  type Schedule,
  composeSchedules,
  cosineDecay,
  exponentialDecay,
  linearWarmup,
  sequenceSchedules,
  stepDecay,
} from './schedules.js';
