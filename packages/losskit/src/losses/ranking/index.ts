// The ranking losses: explicit re-exports, and the family's registry entries in catalogue order.
import { contrastiveLoss } from './contrastive.js';
import { cosineEmbeddingLoss } from './cosineEmbedding.js';
import { hingeEmbeddingLoss } from './hingeEmbedding.js';
import { marginRankingLoss } from './marginRanking.js';
import { pairwiseHingeLoss } from './pairwiseHinge.js';
import { tripletLoss } from './triplet.js';
import { ntXentLoss } from './ntXent.js';
import { supervisedContrastiveLoss } from './supervisedContrastive.js';
import { clipContrastiveLoss } from './clipContrastive.js';
import { sigmoidContrastiveLoss } from './sigmoidContrastive.js';
import { rankingSoftmaxLoss } from './rankingSoftmax.js';
import { pairwiseLogisticLoss } from './pairwiseLogistic.js';

export { contrastive, contrastiveLoss } from './contrastive.js';
export { cosineEmbedding, cosineEmbeddingLoss } from './cosineEmbedding.js';
export { hingeEmbedding, hingeEmbeddingLoss } from './hingeEmbedding.js';
export { marginRanking, marginRankingLoss } from './marginRanking.js';
export { pairwiseHinge, pairwiseHingeLoss } from './pairwiseHinge.js';
export { triplet, tripletLoss } from './triplet.js';
export { ntXent, ntXentLoss } from './ntXent.js';
export { supervisedContrastive, supervisedContrastiveLoss } from './supervisedContrastive.js';
export { clipContrastive, clipContrastiveLoss } from './clipContrastive.js';
export { sigmoidContrastive, sigmoidContrastiveLoss } from './sigmoidContrastive.js';
export { rankingSoftmax, rankingSoftmaxLoss } from './rankingSoftmax.js';
export { pairwiseLogistic, pairwiseLogisticLoss } from './pairwiseLogistic.js';
export {
  type TripletBatchHardOptions,
  type TripletBatchHardResult,
  tripletBatchHard,
} from './tripletBatchHard.js';

export const rankingLosses = {
  contrastive: contrastiveLoss,
  triplet: tripletLoss,
  pairwiseHinge: pairwiseHingeLoss,
  marginRanking: marginRankingLoss,
  hingeEmbedding: hingeEmbeddingLoss,
  cosineEmbedding: cosineEmbeddingLoss,
  ntXent: ntXentLoss,
  supervisedContrastive: supervisedContrastiveLoss,
  clipContrastive: clipContrastiveLoss,
  sigmoidContrastive: sigmoidContrastiveLoss,
  rankingSoftmax: rankingSoftmaxLoss,
  pairwiseLogistic: pairwiseLogisticLoss,
} as const;
