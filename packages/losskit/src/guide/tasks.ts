import type { Task } from '../losses/info.js';

const taskSet: Record<Task, true> = {
  regression: true,
  binary: true,
  multiclass: true,
  multilabel: true,
  ranking: true,
  'metric-learning': true,
  sequence: true,
  distillation: true,
  segmentation: true,
  detection: true,
  alignment: true,
  gan: true,
  rl: true,
  autoencoder: true,
};

/** Every task the selection guide knows, in catalogue order. */
export const tasks: readonly Task[] = Object.keys(taskSet) as Task[];

/** Whether a string names a task. */
export function isTask(value: string): value is Task {
  return Object.hasOwn(taskSet, value);
}
