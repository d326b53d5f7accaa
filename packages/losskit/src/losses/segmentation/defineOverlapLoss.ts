import type { Tensor } from '../../tensor/index.js';
import { defineLoss, type LossEntry, type LossFunction } from '../define.js';
import type { LossInfoText } from '../info.js';
import { type OptionSpec, withNote } from '../options.js';
import { scalarTensor } from '../reduce.js';
import {
  aggregateOption,
  alphaOption,
  bceMean,
  epsOption,
  fromLogitsOption,
  groupCount,
  type Overlap,
  overlapGradOverwrites,
  overlapGroupSums,
  overlapLoss,
  overlapLossFromSums,
  segmentationChecks,
  sumsCheckRanges,
  validateSegmentation,
} from './overlap.js';

type OverlapSchema = {
  eps: OptionSpec<number>;
  fromLogits: OptionSpec<boolean>;
  aggregate: OptionSpec<'batch' | 'sample'>;
};
type BceOverlapSchema = OverlapSchema & { alpha: OptionSpec<number> };

/**
 * The inputs checked to lie in [0, 1], which rejects NaN and infinities too: they need no
 * separate finite scan (`finiteCheckedBy`).
 */
function checkedInUnitInterval(options: { readonly fromLogits: boolean }): readonly ('input' | 'target')[] {
  return options.fromLogits ? ['target'] : ['input', 'target'];
}

/**
 * Where the [0, 1] checks of a segmentation loss run (declared as `segmentationChecks`). Large
 * float32 inputs (`sumsCheckRanges`): fused with the first pass over the data (the SIMD sums of
 * every group, which flag an offender; the checks then throw exactly as at the boundary), still
 * before any gradient is written; this saves the two separate probes, 0.7 ns per element. A
 * consequence: there, an `upstream` or `out` buffer of the wrong shape is reported before a
 * value outside [0, 1], and a reused `out` buffer is zero-filled (by the boundary) when a range
 * error is thrown. Otherwise the boundary runs them right after `validate`, as for the scores.
 */
function sumsFuseChecks(
  t: { readonly input: Tensor; readonly target: Tensor },
  options: { readonly aggregate: 'batch' | 'sample' },
): boolean {
  return sumsCheckRanges(t.input.data, t.target.data, groupCount(t.input, options.aggregate));
}

/** A registry loss over `input` (probabilities or logits) and a binary `target` mask. */
export interface SegmentationLoss<S extends OverlapSchema> {
  entry: LossEntry<'input' | 'target', 'input', S>;
  fn: LossFunction<readonly ['input', 'target'], S>;
}

/**
 * The registry definition shared by `dice` and `iou`: 1 − the soft overlap score of `kind`,
 * one score over everything (`aggregate: 'batch'`) or the mean over the first axis ('sample').
 */
export function defineOverlapLoss(
  name: string,
  kind: Overlap,
  info: LossInfoText,
): SegmentationLoss<OverlapSchema> {
  return defineLoss({
    kind: 'custom',
    name,
    family: 'segmentation',
    inputs: ['input', 'target'] as const,
    differentiable: ['input'],
    options: { eps: epsOption(), fromLogits: fromLogitsOption(), aggregate: aggregateOption() },
    validate(t, options) {
      validateSegmentation(name, t.input, t.target, options, 'input', 'declared');
    },
    checks: segmentationChecks(),
    fusesChecks: sumsFuseChecks,
    finiteCheckedBy: (_t, options) => checkedInUnitInterval(options),
    valueShape: () => [],
    overwritesGrads: (t, options) =>
      overlapGradOverwrites(t.input, t.target, groupCount(t.input, options.aggregate), options.fromLogits),
    compute({ t, options, upstream, grads, dtype, checks }) {
      const u = upstream === null ? 1 : upstream[0];
      const groups = groupCount(t.input, options.aggregate);
      const loss = overlapLoss(
        kind,
        t.input.data,
        t.target.data,
        groups,
        options.eps,
        options.fromLogits,
        u,
        grads?.input ?? null,
        // compute's grads are zero-filled, or unfilled where overwritesGrads says the float32
        // kernels write every element (define.ts): the kernels write instead of add
        true,
        checks,
      );
      return scalarTensor(loss, dtype);
    },
    info,
  });
}

/**
 * The registry definition shared by `bceDice` and `bceIou`: α·BCE (mean over every element) +
 * (1 − α)·(overlap loss of `kind`), both gradients accumulated into one buffer.
 */
export function defineBceOverlapLoss(
  name: string,
  kind: Overlap,
  info: LossInfoText,
): SegmentationLoss<BceOverlapSchema> {
  return defineLoss({
    kind: 'custom',
    name,
    family: 'segmentation',
    inputs: ['input', 'target'] as const,
    differentiable: ['input'],
    options: {
      alpha: withNote(
        alphaOption(),
        '0.5',
        `Weight of BCE; 1 − alpha weighs ${kind === 'dice' ? 'Dice' : 'IoU'}.`,
      ),
      eps: epsOption(),
      fromLogits: fromLogitsOption(),
      aggregate: aggregateOption(),
    },
    validate(t, options) {
      validateSegmentation(name, t.input, t.target, options, 'input', 'declared');
    },
    checks: segmentationChecks(),
    fusesChecks: sumsFuseChecks,
    finiteCheckedBy: (_t, options) => checkedInUnitInterval(options),
    valueShape: () => [],
    compute({ t, options, upstream, grads, dtype, checks }) {
      const { alpha, eps, fromLogits, aggregate } = options;
      const u = upstream === null ? 1 : upstream[0];
      const x = t.input.data;
      const y = t.target.data;
      const g = grads?.input ?? null;
      const groups = groupCount(t.input, aggregate);
      // The overlap sums (and their range checks) first: BCE writes its gradient next.
      const sums = overlapGroupSums(x, y, groups, fromLogits, checks);
      const bce = bceMean(x, y, fromLogits, u * alpha, g);
      const overlap = overlapLossFromSums(kind, sums, x, y, groups, eps, fromLogits, u * (1 - alpha), g);
      return scalarTensor(alpha * bce + (1 - alpha) * overlap, dtype);
    },
    info,
  });
}
