// The rl losses: explicit re-exports, and the family's registry entries in catalogue order.
import { clippedValueLossLoss } from './clippedValueLoss.js';
import { entropyBonusLoss } from './entropyBonus.js';
import { grpoLoss } from './grpo.js';
import { policyGradientLoss } from './policyGradient.js';
import { ppoClipLoss } from './ppoClip.js';
import { valueLossLoss } from './valueLoss.js';

export { clippedValueLoss, clippedValueLossLoss } from './clippedValueLoss.js';
export { entropyBonus, entropyBonusLoss } from './entropyBonus.js';
export { type GroupAdvantagesOptions, groupAdvantages } from './groupAdvantages.js';
export { grpo, grpoLoss } from './grpo.js';
export { policyGradient, policyGradientLoss } from './policyGradient.js';
export { ppoClip, ppoClipLoss } from './ppoClip.js';
export { type PpoStats, type PpoStatsOptions, ppoStats } from './ppoStats.js';
// Rollout helpers (not registry losses).
export {
  type AdvantagesAndReturns,
  type DiscountedReturnsOptions,
  discountedReturns,
  type GaeOptions,
  gae,
  type TdTargetsOptions,
  tdTargets,
} from './returns.js';
export { valueLoss, valueLossLoss } from './valueLoss.js';

export const rlLosses = {
  policyGradient: policyGradientLoss,
  valueLoss: valueLossLoss,
  ppoClip: ppoClipLoss,
  entropyBonus: entropyBonusLoss,
  clippedValueLoss: clippedValueLossLoss,
  grpo: grpoLoss,
} as const;
