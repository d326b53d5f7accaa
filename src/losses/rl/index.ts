// The rl losses: explicit re-exports, and the family's registry entries in catalogue order.
import { policyGradientLoss } from './policyGradient.js';
import { ppoClipLoss } from './ppoClip.js';
import { valueLossLoss } from './valueLoss.js';

export { policyGradient, policyGradientLoss } from './policyGradient.js';
export { valueLoss, valueLossLoss } from './valueLoss.js';
export { ppoClip, ppoClipLoss } from './ppoClip.js';
// Rollout helpers (not registry losses).
export {
  type AdvantagesAndReturns,
  type DiscountedReturnsOptions,
  type GaeOptions,
  type TdTargetsOptions,
  discountedReturns,
  gae,
  tdTargets,
} from './returns.js';
export { type PpoStats, type PpoStatsOptions, ppoStats } from './ppoStats.js';

export const rlLosses = {
  policyGradient: policyGradientLoss,
  valueLoss: valueLossLoss,
  ppoClip: ppoClipLoss,
} as const;
