import { GATHER_FIELDS, gemmInPlace, type PackPanels, runConvBlocks } from '../kernels/wasm/gemm.js';
import { zeroResidentArray } from '../kernels/wasm/resident.js';
import type { FloatArray } from '../tensor/index.js';
import {
  ADD_ROWS,
  type Geometry,
  PACKED_COLUMNS,
  PACKED_ROWS,
  outputsAsBlock,
  validRanges,
} from './conv-blocks.js';

// conv2d's float32 products for a whole batch in one call of the SIMD kernel (gemm.wat's
// `convBlocks`): the batch's images are copied into the kernel's memory once (or, resident
// arrays such as an Arena's, read and written where they are: `gemmInPlace`), and the threads of
// the pool each claim blocks of images and run, per block and in their own workspace, what
// conv-packed.ts runs from JavaScript per block (the im2col gather into packed B, the product,
// and the way out), then the results are copied out once. Blocks are the ones conv.ts uses
// (`imagesPerBlock`), with the same packed operands and the same products, so the results are the
// bits of conv-packed.ts's route block by block, for every thread count; the weight gradient's
// per-block products are added in block order by `addBlockProducts`, as conv.ts adds them. Each
// returns false (nothing written) where the kernel is unavailable or the batch does not fit its
// memory; conv.ts then goes block by block.

/** gemm.wat's `convBlocks` modes. */
const FORWARD = 0;
const INPUT_GRAD = 1;
const WEIGHT_GRAD = 2;

/** `convBlocks`' descriptor: 27 int32 values, in 128 bytes. */
const DESCRIPTOR_BYTES = 128;
/** `rowsOut`'s descriptor: 7 int32 values. */
const ROWS_OUT_BYTES = 32;

const pad4 = (n: number) => (n + 3) & ~3;
const pad8 = (n: number) => (n + 7) & ~7;

/** Byte regions handed out in order, each 16-aligned. */
class Regions {
  bytes = 0;
  take(bytes: number): number {
    const at = this.bytes;
    this.bytes = (at + bytes + 15) & ~15;
    return at;
  }
}

/** Bytes of a gather template of `g` (the same for `g` and its outputs: 1 × 1 has fewer ranges). */
const templateBytes = (g: Geometry) => 4 * (GATHER_FIELDS + 2 * (g.kh + g.kw));

/** `gather`'s descriptor for `g` at byte `at`, with x, dst and count left for `convBlocks`. */
function writeTemplate(ints: Int32Array, at: number, g: Geometry, layout: number, K: number): void {
  const fields = [0, 0, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.oh, g.ow, 0, layout, K];
  const i = at >> 2;
  ints.set(fields, i);
  ints.set(validRanges(g), i + GATHER_FIELDS);
}

/** Where a job's regions are: the descriptor, the templates, and the workspace's parts. */
interface Common {
  readonly regions: Regions;
  readonly desc: number;
  readonly template: number;
  readonly adjoint: number;
  readonly tplBytes: number;
}

function common(g: Geometry, adjoint: boolean): Common {
  const regions = new Regions();
  const desc = regions.take(DESCRIPTOR_BYTES);
  const tplBytes = templateBytes(g);
  const template = regions.take(tplBytes);
  return { regions, desc, template, adjoint: adjoint ? regions.take(tplBytes) : 0, tplBytes };
}

/**
 * A job's own descriptor values (the rest follow from the geometry and the regions), for its
 * layout at byte `base`: addresses are absolute (base + a region, or a resident array's own).
 */
interface JobFields {
  readonly mode: number;
  /** The gathered images (X, or G for the input gradient) and their bytes per image. */
  readonly src: number;
  readonly srcStride: number;
  /** Y, GX or the partial slots, and their bytes per image (per slot). */
  readonly dst: number;
  readonly dstStride: number;
  readonly packedA?: number;
  readonly ldc: number;
  readonly bias?: number;
  readonly zeroB?: boolean;
  /** The output gradients (weight gradient only). */
  readonly grads?: number;
  /** Copies the operands in and writes the gather templates. */
  prepare(view: Float32Array, ints: Int32Array, pack: PackPanels): void;
  read(view: Float32Array): void;
}

/** A workspace's parts (byte offsets within it) and its size. */
interface Workspace {
  readonly rowsOut: number;
  readonly packedB: number;
  readonly c: number;
  readonly rawA: number;
  readonly ownA: number;
  readonly bytes: number;
}

function workspace(tplBytes: number, bBytes: number, cBytes: number, aBytes: number): Workspace {
  const r = new Regions();
  r.take(tplBytes);
  const rowsOut = r.take(ROWS_OUT_BYTES);
  const packedB = r.take(bBytes);
  const c = r.take(cBytes);
  const rawA = r.take(aBytes);
  const ownA = r.take(aBytes);
  return { rowsOut, packedB, c, rawA, ownA, bytes: r.bytes };
}

/** Runs one whole-batch job on gemm.wat's `convBlocks` (`runConvBlocks`). */
function runBatch(
  g: Geometry,
  nb: number,
  at: Common,
  ws: Workspace,
  jobAt: (base: number) => JobFields,
): boolean {
  const fixedBytes = at.regions.bytes;
  const blocks = Math.ceil(g.n / nb);
  const taps = g.c * g.kh * g.kw;
  let job: JobFields | null = null;
  return runConvBlocks({
    fixedBytes,
    workspaceBytes: ws.bytes,
    blocks,
    work: g.n * g.o * taps * g.oh * g.ow,
    write: (view, ints, pack, base) => {
      job = jobAt(base);
      job.prepare(view, ints, pack);
      // In gemm.wat's order (see `convBlocks`).
      ints.set(
        [
          0,
          blocks,
          job.mode,
          nb,
          g.n,
          job.src,
          job.srcStride,
          job.dst,
          job.dstStride,
          g.o,
          taps,
          g.oh * g.ow,
          job.packedA ?? 0,
          job.ldc,
          job.bias ?? -1,
          job.zeroB === true ? 1 : 0,
          base + at.template,
          base + at.adjoint,
          at.tplBytes,
          job.grads ?? 0,
          base + fixedBytes,
          ws.bytes,
          ws.rowsOut,
          ws.packedB,
          ws.c,
          ws.rawA,
          ws.ownA,
        ],
        (base + at.desc) >> 2,
      );
      return base + at.desc;
    },
    read: (view) => job?.read(view),
  });
}

const padded = (g: Geometry) => g.ph > 0 || g.pw > 0;

/** y = W · col(x) (+ bias) for the whole batch, in blocks of `nb` images: y [N, O, OH, OW]. */
export function forwardBatch(
  g: Geometry,
  x: Float32Array,
  wt: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  nb: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  const ldc = pad8(nb * g.oh * g.ow);
  const at = common(g, false);
  const rawW = at.regions.take(4 * g.o * taps);
  const packedA = at.regions.take(4 * pad4(g.o) * taps);
  const biasAt = at.regions.take(4 * g.o);
  const xIn = gemmInPlace(x);
  const yIn = gemmInPlace(y);
  const images = xIn ? 0 : at.regions.take(4 * x.length);
  const outputs = yIn ? 0 : at.regions.take(4 * y.length);
  const ws = workspace(at.tplBytes, 4 * taps * ldc, 4 * pad4(g.o) * ldc, 0);
  return runBatch(g, nb, at, ws, (base) => ({
    mode: FORWARD,
    src: xIn ? x.byteOffset : base + images,
    srcStride: 4 * g.c * g.h * g.w,
    dst: yIn ? y.byteOffset : base + outputs,
    dstStride: 4 * g.o * g.oh * g.ow,
    packedA: base + packedA,
    ldc,
    bias: bias === null ? -1 : base + biasAt,
    zeroB: padded(g),
    prepare: (view, ints, pack) => {
      view.set(wt, (base + rawW) >> 2);
      pack(base + rawW, base + packedA, g.o, taps, 4, taps, 1);
      if (bias !== null) view.set(bias, (base + biasAt) >> 2);
      if (!xIn) view.set(x, (base + images) >> 2);
      writeTemplate(ints, base + at.template, g, PACKED_COLUMNS, taps);
    },
    read: (view) => {
      const from = (base + outputs) >> 2;
      if (!yIn) y.set(view.subarray(from, from + y.length));
    },
  }));
}

/** gx = col⁻¹(Wᵀ · G) for the whole batch (gx is overwritten): gx [N, C, H, W]. */
export function inputGradBatch(
  g: Geometry,
  gy: Float32Array,
  wt: Float32Array,
  gx: Float32Array,
  nb: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  const ldc = pad8(nb * g.oh * g.ow);
  const at = common(g, true);
  const rawW = at.regions.take(4 * g.o * taps);
  const packedA = at.regions.take(4 * pad4(taps) * g.o);
  const gyIn = gemmInPlace(gy);
  const gxIn = gemmInPlace(gx);
  const grads = gyIn ? 0 : at.regions.take(4 * gy.length);
  const inputs = gxIn ? 0 : at.regions.take(4 * gx.length);
  const ws = workspace(at.tplBytes, 4 * g.o * ldc, 4 * pad4(taps) * ldc, 0);
  return runBatch(g, nb, at, ws, (base) => ({
    mode: INPUT_GRAD,
    src: gyIn ? gy.byteOffset : base + grads,
    srcStride: 4 * g.o * g.oh * g.ow,
    dst: gxIn ? gx.byteOffset : base + inputs,
    dstStride: 4 * g.c * g.h * g.w,
    packedA: base + packedA,
    ldc,
    prepare: (view, ints, pack) => {
      view.set(wt, (base + rawW) >> 2);
      // op(A) = Wᵀ [taps, O]: tap i, channel k at k·taps + i.
      pack(base + rawW, base + packedA, taps, g.o, 4, 1, taps);
      if (!gyIn) view.set(gy, (base + grads) >> 2);
      // The blocks add onto the images: they start from zeros.
      if (gxIn) zeroResidentArray(gx);
      else view.fill(0, (base + inputs) >> 2, ((base + inputs) >> 2) + gx.length);
      writeTemplate(ints, base + at.template, outputsAsBlock(g), PACKED_COLUMNS, g.o);
      writeTemplate(ints, base + at.adjoint, g, ADD_ROWS, ldc);
    },
    read: (view) => {
      const from = (base + inputs) >> 2;
      if (!gxIn) gx.set(view.subarray(from, from + gx.length));
    },
  }));
}

/**
 * gw = Σ_blocks G · col(x)ᵀ for the whole batch (gw [O, C·KH·KW] is overwritten): each block's
 * product in its own slot, then `addBlockProducts` in block order.
 */
export function weightGradBatch(
  g: Geometry,
  x: Float32Array,
  gy: Float32Array,
  gw: Float32Array,
  nb: number,
): boolean {
  const taps = g.c * g.kh * g.kw;
  const ldc = pad8(taps);
  const blocks = Math.ceil(g.n / nb);
  const slotBytes = 4 * pad4(g.o) * ldc;
  const cols = nb * g.oh * g.ow;
  const at = common(g, false);
  const xIn = gemmInPlace(x);
  const gyIn = gemmInPlace(gy);
  const images = xIn ? 0 : at.regions.take(4 * x.length);
  const grads = gyIn ? 0 : at.regions.take(4 * gy.length);
  const products = at.regions.take(blocks * slotBytes);
  const ws = workspace(at.tplBytes, 4 * cols * ldc, 0, 4 * pad4(g.o) * cols);
  return runBatch(g, nb, at, ws, (base) => ({
    mode: WEIGHT_GRAD,
    src: xIn ? x.byteOffset : base + images,
    srcStride: 4 * g.c * g.h * g.w,
    dst: base + products,
    dstStride: slotBytes,
    ldc,
    zeroB: padded(g),
    grads: gyIn ? gy.byteOffset : base + grads,
    prepare: (view, ints) => {
      if (!xIn) view.set(x, (base + images) >> 2);
      if (!gyIn) view.set(gy, (base + grads) >> 2);
      writeTemplate(ints, base + at.template, g, PACKED_ROWS, 0);
    },
    read: (view) => {
      for (let b = 0; b < blocks; b++)
        addBlockProducts(gw, view, (base + products + b * slotBytes) >> 2, ldc, g.o, taps, b);
    },
  }));
}

/**
 * The weight gradient's sum over blocks, one block at a time in block order: gw = the product of
 * block 0 (`block` 0), then gw += each later block's (rounded to gw's dtype at each step). The
 * product's rows are `ld` values apart from `at` in `products`.
 */
export function addBlockProducts(
  gw: FloatArray,
  products: FloatArray,
  at: number,
  ld: number,
  rows: number,
  columns: number,
  block: number,
): void {
  for (let o = 0; o < rows; o++) {
    const from = at + o * ld;
    const to = o * columns;
    if (block === 0) for (let t = 0; t < columns; t++) gw[to + t] = products[from + t];
    else for (let t = 0; t < columns; t++) gw[to + t] += products[from + t];
  }
}
