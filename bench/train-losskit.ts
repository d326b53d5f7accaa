// losskit's side of the training-step benchmark: its autograd (ops, backward), nn (mlp) and
// optim (Adam) layers, with the same initial weights as the TF.js model.
import type { Tensor } from '../packages/losskit/src/index.js';
import { generate } from './data.js';
import type { LosskitModule } from './peers-losskit.js';
import type { TrainJob } from './peers-external.js';
import { type StepRunner, layerWeights } from './train-step.js';

/** A runner for losskit's MLP step, or the reason it cannot run (layers not present). */
export function losskitTrainStep(lk: LosskitModule, job: TrainJob): StepRunner | string {
  const needed = ['mlp', 'Adam', 'sparseCategoricalCrossEntropy', 'Tensor'] as const;
  const missing = needed.filter(
    (name) => typeof (lk as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0) return `losskit does not export ${missing.join(', ')} yet`;
  const { sizes, batch } = job;
  const model = lk.mlp(sizes, { activation: 'relu', dtype: 'float32' });
  // Linear weights are [in, out] like TF.js's; copy the shared initial values in.
  const weights = model.parameters().filter((p: Tensor) => p.rank === 2);
  weights.forEach((w: Tensor, layer: number) => {
    w.data.set(layerWeights(sizes, layer));
  });
  const optimizer = new lk.Adam(model.parameters(), { lr: job.learningRate });
  const x = new lk.Tensor(generate(batch * sizes[0], job.inputFill), [batch, sizes[0]]);
  const labels = new lk.Tensor(generate(batch, job.labelFill), [batch]);
  return {
    step: () => {
      model.zeroGrad();
      const loss = lk.sparseCategoricalCrossEntropy(model.forward(x), labels);
      const value = loss.item();
      loss.backward();
      optimizer.step();
      return value;
    },
    dispose: () => {},
  };
}
