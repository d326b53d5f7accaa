import { type Tensor, tensor } from '../../packages/losskit/src/index.js';
import { random } from './random.js';

/** A float32 tensor of n uniform values in [−1, 1) from the seeded stream `random(seed)`. */
export function uniformTensor(n: number, seed: number, shape: number[] = [n]): Tensor {
  const next = random(seed);
  return tensor(
    Array.from({ length: n }, () => 2 * next() - 1),
    shape,
    'float32',
  );
}
