// losskit's side of the training-step benchmarks: its autograd (ops, backward), nn (mlp, or
// Conv2d / ReLU / MaxPool2d / Flatten / Linear in a Sequential) and optim (Adam) layers, with the
// same initial weights as the TF.js and PyTorch models. Each step runs in an Arena, as `fit`'s do
// (the forward and backward pass reuse the memory of the step before; TF.js's `minimize` runs in
// its own `tidy`).
import type { Module, Tensor } from '../packages/losskit/src/index.js';
import { generate } from './data.js';
import type { LosskitModule } from './peers-losskit.js';
import type { TrainJob } from './peers-external.js';
import { type StepRunner, convWeights, layerWeights } from './train-step.js';

/** A runner for losskit's MLP or CNN step, or the reason it cannot run (layers not present). */
export function losskitTrainStep(lk: LosskitModule, job: TrainJob): StepRunner | string {
  const stack = job.conv;
  const needed = [
    'mlp',
    'Adam',
    'sparseCategoricalCrossEntropy',
    'Tensor',
    'Arena',
    ...(stack === undefined ? [] : ['Sequential', 'Conv2d', 'ReLU', 'MaxPool2d', 'Flatten', 'Linear']),
  ];
  const missing = needed.filter(
    (name) => typeof (lk as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0) return `losskit does not export ${missing.join(', ')} yet`;
  const { sizes, batch } = job;
  let model: Module;
  let x: Tensor;
  if (stack === undefined) {
    model = lk.mlp(sizes, { activation: 'relu', dtype: 'float32' });
    x = new lk.Tensor(generate(batch * sizes[0], job.inputFill), [batch, sizes[0]]);
  } else {
    const layers: Module[] = [];
    let c = stack.image[0];
    for (const o of stack.channels) {
      layers.push(new lk.Conv2d(c, o, stack.kernel, { dtype: 'float32' }), new lk.ReLU());
      layers.push(new lk.MaxPool2d(stack.pool));
      c = o;
    }
    layers.push(new lk.Flatten());
    for (let l = 0; l + 1 < sizes.length; l++) {
      layers.push(new lk.Linear(sizes[l], sizes[l + 1], { dtype: 'float32' }));
      if (l + 2 < sizes.length) layers.push(new lk.ReLU());
    }
    model = new lk.Sequential(...layers);
    // Conv kernels [O, C, k, k] like PyTorch's; copy the shared initial values in.
    const kernels = model.parameters().filter((p: Tensor) => p.rank === 4);
    kernels.forEach((w: Tensor, layer: number) => {
      w.data.set(convWeights(stack, layer));
    });
    x = new lk.Tensor(generate(batch * stack.image[0] * stack.image[1] * stack.image[2], job.inputFill), [
      batch,
      ...stack.image,
    ]);
  }
  // Linear weights are [in, out] like TF.js's; copy the shared initial values in.
  const weights = model.parameters().filter((p: Tensor) => p.rank === 2);
  weights.forEach((w: Tensor, layer: number) => {
    w.data.set(layerWeights(sizes, layer));
  });
  const optimizer = new lk.Adam(model.parameters(), { lr: job.learningRate });
  const labels = new lk.Tensor(generate(batch, job.labelFill), [batch]);
  const arena = new lk.Arena();
  const forwardBackward = () => {
    model.zeroGrad();
    const loss = lk.sparseCategoricalCrossEntropy(model.forward(x), labels);
    const value = loss.item();
    loss.backward();
    return value;
  };
  return {
    step: () => {
      const value = arena.run(forwardBackward);
      optimizer.step();
      return value;
    },
    dispose: () => {},
  };
}
