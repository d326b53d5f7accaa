import type { DType } from '../tensor/index.js';
import type { InitScheme } from './init.js';
import type { Rng } from './random.js';

/** Options shared by layers with weights. */
export interface WeightOptions {
  /** Add a bias (initialised to zero). Default true. */
  readonly bias?: boolean;
  /** Weight initialisation. Default 'heUniform'. */
  readonly init?: InitScheme;
  /** Generator for the initial weights. Default: `defaultRng()`. */
  readonly rng?: Rng;
  /** Parameter dtype; inputs are cast to it. Default 'float32'. */
  readonly dtype?: DType;
}
