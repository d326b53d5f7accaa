// The lab's experiments, in report order. Adding an experiment is one import and one entry here.
import type { Experiment } from '../experiment.js';

export const experiments: readonly Experiment[] = [];
