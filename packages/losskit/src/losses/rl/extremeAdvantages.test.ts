// Advantages at the edge of float32's range (issue #12): a gradient −r·A that float32 cannot
// hold is an error, even where the float64 sum of the terms (the value) is finite.
import { test } from 'node:test';
import { assertLossInputError } from '../../../../../test/helpers/loss-errors.js';
import { type LossEntry, losses } from '../../index.js';

const ppoClip = losses.ppoClip as unknown as LossEntry;

test('ppoClip: float32 advantages of ±3e38 with a ratio above 1 overflow the gradient: an error naming advantages and the index', () => {
  const f32 = (...v: number[]) => ({ shape: [v.length], data: Float32Array.from(v) });
  // r = e^0.1 ≈ 1.105 inside [0.8, 1.2]: the gradient is −r·A = ∓3.3e38·… beyond 3.4e38 for
  // A = ±3.2e38, while the terms cancel in the 'sum'.
  const inputs = { logProbs: f32(0.1, 0.1), oldLogProbs: f32(0, 0), advantages: f32(3.2e38, -3.2e38) };
  assertLossInputError(() => ppoClip.valueAndGrad(inputs as never, { reduction: 'sum' } as never), {
    loss: 'ppoClip',
    argument: 'advantages',
    message:
      /the gradient −r·A is -?Infinity at index \[0\] in float32 for these finite arguments \(an overflow\)/,
  });
});
