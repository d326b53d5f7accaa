// The autoencoder losses: explicit re-exports, and the family's registry entries in catalogue order.
import { reconstructionLoss } from './reconstruction.js';
import { vaeKlLoss } from './vaeKl.js';
import { vaeLossLoss } from './vaeLoss.js';
import { vqCommitmentLoss } from './vqCommitment.js';

export { reconstruction, reconstructionLoss } from './reconstruction.js';
export type { ReconstructionKind } from './terms.js';
export { vaeKl, vaeKlLoss } from './vaeKl.js';
export { vaeLoss, vaeLossLoss } from './vaeLoss.js';
export { vqCommitment, vqCommitmentLoss } from './vqCommitment.js';

export const autoencoderLosses = {
  reconstruction: reconstructionLoss,
  vaeKl: vaeKlLoss,
  vaeLoss: vaeLossLoss,
  vqCommitment: vqCommitmentLoss,
} as const;
