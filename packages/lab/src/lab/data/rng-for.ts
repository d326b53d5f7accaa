import { Rng } from 'losskit';

/**
 * A generator for one purpose of one run, so that data, weights and shuffling draw independent
 * streams: the seed mixed with an FNV-1a hash of `purpose`.
 *
 * @example
 * const dataRng = rngFor(seed, 'regression-outliers/data');
 */
export function rngFor(seed: number, purpose: string): Rng {
  let h = 2166136261;
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 16777619) >>> 0;
  return new Rng(seed * 1000003 + h);
}
