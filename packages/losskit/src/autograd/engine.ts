import {
  type AutogradHooks,
  type DType,
  type FloatArray,
  type GradNode,
  LossInputError,
  RELEASED,
  Tensor,
  allocate,
  autogradHooks,
  formatShape,
  installAutogradHooks,
  isReleased,
  keepTensor,
  sameShape,
} from '../tensor/index.js';
import { residentSource } from '../kernels/wasm/resident.js';
import { setResidentSource } from '../tensor/float-array.js';
import { trackedLoss } from './loss-op.js';

/**
 * The backward rule of a primitive: given the gradient `upstream` of the op's output, the
 * gradients of its inputs (null where `needs[i]` is false or the input gets none). Rules are
 * written with the differentiable ops themselves, so a backward pass run with `createGraph`
 * is recorded and can be differentiated again.
 */
export type BackwardRule = (upstream: Tensor, needs: readonly boolean[]) => readonly (Tensor | null)[];

/** What the engine attaches to a tensor it computed from tracked inputs (`tensor.gradNode`). */
export interface OpNode extends GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardRule;
}

let gradEnabled = true;

/** Whether ops currently record the graph (false inside `noGrad`). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` with graph recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` without recording (evaluation, optimizer updates): PyTorch's `torch.no_grad()`. */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Whether `t` takes part in differentiation: a leaf that requires grad, or computed from one. */
export function isTracked(t: Tensor): boolean {
  return t.requiresGrad || t.gradNode !== null;
}

/**
 * Attaches the op's node to `out` when recording is on and some input is tracked; returns `out`.
 * Every primitive ends with this call, its backward rule written beside its forward.
 */
export function record(op: string, out: Tensor, inputs: readonly Tensor[], backward: BackwardRule): Tensor {
  ensureEngine();
  if (!gradEnabled) return out;
  for (const t of inputs) {
    if (isTracked(t)) {
      const node: OpNode = { op, inputs, backward };
      out.gradNode = node;
      break;
    }
  }
  return out;
}

/** `a + b` for same-shape tensors: the engine's own accumulation primitive. */
function accumulate(a: Tensor, b: Tensor): Tensor {
  const dtype: DType = a.dtype === b.dtype ? a.dtype : 'float64';
  const out = allocate(dtype, a.size);
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < out.length; i++) out[i] = x[i] + y[i];
  return record('add', new Tensor(out, a.shape), [a, b], (g) => [g, g]);
}

/** `a` converted to `dtype` (itself when it already is); the gradient is converted back. */
export function cast(a: Tensor, dtype: DType): Tensor {
  if (a.dtype === dtype) return a;
  const out = allocate(dtype, a.size);
  out.set(a.data);
  return record('cast', new Tensor(out, a.shape), [a], (g) => [cast(g, a.dtype)]);
}

/** Tracked tensors reachable from `root`, every tensor after the inputs it was computed from. */
function graphOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  const stack: Tensor[] = [root];
  const next: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const node = stack[top].gradNode as OpNode | null;
    if (node !== null && next[top] < node.inputs.length) {
      const child = node.inputs[next[top]++];
      if (!visited.has(child) && isTracked(child)) {
        visited.add(child);
        stack.push(child);
        next.push(0);
      }
    } else {
      order.push(stack.pop() as Tensor);
      next.pop();
    }
  }
  return order;
}

/**
 * Reverse-mode sweep from `root`. With `targets`, returns the gradient reaching each of them;
 * without, the gradient reaching every leaf that requires grad. Only tensors on a path to a
 * target are visited, and only needed input gradients are computed.
 */
function sweep(
  root: Tensor,
  upstream: Tensor | null,
  createGraph: boolean,
  targets: ReadonlySet<Tensor> | null,
  owned: Set<Tensor> | null = null,
): Map<Tensor, Tensor> {
  const order = graphOrder(root);
  const relevant = new Set<Tensor>();
  for (const t of order) {
    const node = t.gradNode as OpNode | null;
    if (isReleased(t) || node?.inputs.some(isReleased))
      throw new LossInputError('backward', 'this', `the graph holds a tensor that ${RELEASED}`);
    const wanted = targets !== null ? targets.has(t) : node === null && t.requiresGrad;
    if (wanted || node?.inputs.some((i) => relevant.has(i))) relevant.add(t);
  }
  const grads = new Map<Tensor, Tensor>();
  if (!relevant.has(root)) return grads;
  if (upstream !== null && !sameShape(upstream.shape, root.shape)) {
    throw new LossInputError(
      'backward',
      'upstream',
      `shape ${formatShape(upstream.shape)} does not match the output's shape ${formatShape(root.shape)}`,
    );
  }
  grads.set(root, upstream === null ? Tensor.full(root.shape, 1, root.dtype) : cast(upstream, root.dtype));
  // For `owned`: how often each buffer was handed out as a gradient, and which op gave each
  // tensor its (last) gradient.
  const handed = owned === null ? null : new Map<FloatArray, number>([[(grads.get(root) as Tensor).data, 1]]);
  const producer = owned === null ? null : new Map<Tensor, string>();
  withGradMode(createGraph, () => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const node = t.gradNode as OpNode | null;
      const g = grads.get(t);
      if (node === null || g === undefined || !relevant.has(t)) continue;
      if (targets === null || !targets.has(t)) grads.delete(t);
      const needs = node.inputs.map((i) => relevant.has(i));
      const inputGrads = node.backward(g, needs);
      for (let i = 0; i < node.inputs.length; i++) {
        const gi = inputGrads[i];
        if (!needs[i] || gi === null || gi === undefined) continue;
        const input = node.inputs[i];
        if (!sameShape(gi.shape, input.shape)) {
          throw new Error(
            `autograd: the backward rule of '${node.op}' returned shape ${formatShape(gi.shape)} for an input of shape ${formatShape(input.shape)}`,
          );
        }
        const typed = cast(gi, input.dtype);
        const previous = grads.get(input);
        const total = previous === undefined ? typed : accumulate(previous, typed);
        grads.set(input, total);
        if (handed !== null && producer !== null) {
          handed.set(typed.data, (handed.get(typed.data) ?? 0) + 1);
          if (total !== typed) handed.set(total.data, (handed.get(total.data) ?? 0) + 1);
          producer.set(input, previous === undefined ? node.op : 'accumulate');
        }
      }
    }
  });
  if (owned !== null && handed !== null && producer !== null) {
    // A gradient may be handed over without a copy when its buffer is certainly fresh: made by
    // one of the ops below (whose rules return new arrays or their upstream), handed out once,
    // and not the storage of any tensor of the graph (inputs and constants included) or of
    // the caller's upstream.
    const taken = new Set<FloatArray>();
    if (upstream !== null) taken.add(upstream.data);
    for (const t of order) {
      taken.add(t.data);
      const node = t.gradNode as OpNode | null;
      if (node !== null) for (const i of node.inputs) taken.add(i.data);
    }
    for (const [t, g] of grads) {
      const op = producer.get(t);
      if (op !== undefined && FRESH_GRADIENT_OPS.has(op) && handed.get(g.data) === 1 && !taken.has(g.data))
        owned.add(t);
    }
  }
  return grads;
}

/**
 * Ops whose backward rules return arrays they allocate, or their upstream gradient (or a view
 * of it), never storage kept elsewhere; 'accumulate' is the engine's own sum. A leaf's gradient
 * from one of them, handed out once, can become its `.grad` without a copy.
 */
const FRESH_GRADIENT_OPS: ReadonlySet<string> = new Set([
  'matmul',
  'matmulBias',
  'add',
  'sub',
  'mul',
  'div',
  'accumulate',
]);

/** `Tensor.backward()`: adds the gradient to `.grad` of every leaf that requires grad. */
function backwardIntoLeaves(root: Tensor, upstream: Tensor | null, createGraph: boolean): void {
  const owned = createGraph ? null : new Set<Tensor>();
  const grads = sweep(root, upstream, createGraph, null, owned);
  for (const [leaf, g] of grads) {
    if (leaf.gradNode !== null || !leaf.requiresGrad) continue;
    const previous = leaf.grad;
    if (createGraph) {
      leaf.grad = previous === null ? g : accumulate(previous, g);
    } else if (previous === null && owned?.has(leaf) && g.dtype === leaf.dtype && g.gradNode === null) {
      // A fresh buffer nobody else holds: it becomes the gradient as it is.
      leaf.grad = g;
    } else if (previous === null || isTracked(previous) || previous.dtype !== leaf.dtype) {
      const owned =
        previous === null
          ? cast(g, leaf.dtype).clone()
          : noGrad(() => cast(accumulate(previous, g), leaf.dtype)).clone();
      leaf.grad = owned;
    } else {
      const acc = previous.data;
      const add = g.data;
      for (let i = 0; i < acc.length; i++) acc[i] += add[i];
    }
    // A gradient outlives the arena run it was computed in (tensor/arena.ts).
    if (leaf.grad !== null) keepTensor(leaf.grad);
  }
}

/** Options of `gradients`. */
export interface GradientsOptions {
  /** The cotangent: gradients are those of `sum(upstream · output)`. Default: ones. */
  readonly upstream?: Tensor | null;
  /** Record the backward pass so that the returned gradients can be differentiated again. */
  readonly createGraph?: boolean;
}

/**
 * The gradient of `sum(upstream · output)` with respect to each of `inputs`, without touching
 * any `.grad` (PyTorch's `torch.autograd.grad`). An input the output does not depend on gets
 * zeros. With `createGraph`, the results are themselves differentiable (WGAN-GP).
 *
 * @example
 * const x = variable([1, 2, 3]);
 * gradients(ops.sum(ops.square(x)), [x])[0].toArray() // [2, 4, 6]
 */
export function gradients(
  output: Tensor,
  inputs: readonly Tensor[],
  options: GradientsOptions = {},
): Tensor[] {
  ensureEngine();
  const grads = sweep(output, options.upstream ?? null, options.createGraph ?? false, new Set(inputs));
  return inputs.map((x) => grads.get(x) ?? Tensor.zeros(x.shape, x.dtype));
}

const hooks: AutogradHooks = {
  backward: (root, upstream, options) => backwardIntoLeaves(root, upstream, options.createGraph),
  trackedLoss: (call) => trackedLoss(call),
};

/**
 * Installs the engine behind `Tensor.backward()` and the loss bridge, and registers the resident
 * memory that an Arena's float32 arrays come from (`setResidentSource`). Runs when this module is
 * evaluated and again from every op, since the package is marked free of side effects.
 */
export function ensureEngine(): void {
  if (autogradHooks() !== hooks) {
    installAutogradHooks(hooks);
    setResidentSource(residentSource);
  }
}

ensureEngine();
