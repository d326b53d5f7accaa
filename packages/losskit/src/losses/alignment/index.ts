// The alignment losses (preference optimisation of a policy's log-probabilities): explicit
// re-exports, and the family's registry entries in catalogue order.
import { dpoLoss } from './dpo.js';
import { orpoLoss } from './orpo.js';
import { simpoLoss } from './simpo.js';

export { dpo, dpoLoss } from './dpo.js';
export { orpo, orpoLoss } from './orpo.js';
export { simpo, simpoLoss } from './simpo.js';

export const alignmentLosses = {
  dpo: dpoLoss,
  simpo: simpoLoss,
  orpo: orpoLoss,
} as const;
