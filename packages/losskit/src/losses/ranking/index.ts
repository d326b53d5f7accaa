// The ranking losses: explicit re-exports, and the family's registry entries in catalogue order.
import { contrastiveLoss } from './contrastive.js';
import { pairwiseHingeLoss } from './pairwiseHinge.js';
import { tripletLoss } from './triplet.js';

export { contrastive, contrastiveLoss } from './contrastive.js';
export { pairwiseHinge, pairwiseHingeLoss } from './pairwiseHinge.js';
export { triplet, tripletLoss } from './triplet.js';
export {
  type TripletBatchHardOptions,
  type TripletBatchHardResult,
  tripletBatchHard,
} from './tripletBatchHard.js';

export const rankingLosses = {
  contrastive: contrastiveLoss,
  triplet: tripletLoss,
  pairwiseHinge: pairwiseHingeLoss,
} as const;
