// The gan losses: explicit re-exports, and the family's registry entries in catalogue order.
import { ganDiscriminatorLoss } from './ganDiscriminator.js';
import { ganGeneratorLoss } from './ganGenerator.js';
import { hingeGanDiscriminatorLoss } from './hingeGanDiscriminator.js';
import { hingeGanGeneratorLoss } from './hingeGanGenerator.js';
import { lsganDiscriminatorLoss } from './lsganDiscriminator.js';
import { lsganGeneratorLoss } from './lsganGenerator.js';
import { wganCriticLoss } from './wganCritic.js';
import { wganGeneratorLoss } from './wganGenerator.js';

export { ganDiscriminator, ganDiscriminatorLoss } from './ganDiscriminator.js';
export { ganGenerator, ganGeneratorLoss } from './ganGenerator.js';
export { hingeGanDiscriminator, hingeGanDiscriminatorLoss } from './hingeGanDiscriminator.js';
export { hingeGanGenerator, hingeGanGeneratorLoss } from './hingeGanGenerator.js';
export { lsganDiscriminator, lsganDiscriminatorLoss } from './lsganDiscriminator.js';
export { lsganGenerator, lsganGeneratorLoss } from './lsganGenerator.js';
export { wganCritic, wganCriticLoss } from './wganCritic.js';
export { wganGenerator, wganGeneratorLoss } from './wganGenerator.js';

export const ganLosses = {
  ganDiscriminator: ganDiscriminatorLoss,
  ganGenerator: ganGeneratorLoss,
  lsganDiscriminator: lsganDiscriminatorLoss,
  lsganGenerator: lsganGeneratorLoss,
  wganCritic: wganCriticLoss,
  wganGenerator: wganGeneratorLoss,
  hingeGanDiscriminator: hingeGanDiscriminatorLoss,
  hingeGanGenerator: hingeGanGeneratorLoss,
} as const;
