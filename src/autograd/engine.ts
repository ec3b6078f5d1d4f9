/**
 * Recording and the reverse sweep. `apply` runs a primitive's forward implementation and, when
 * gradients are wanted, records a Node on the result; `backward` walks those nodes in reverse
 * topological order, asking the backward table for each op's vector-Jacobian product.
 */
import { allocateUnset, endScratch, recycle, recycleDead, setRecycling, startRecycling, startScratch, stopRecycling, type FloatArray } from './dtype.js';
import { Bin, binary } from './loops.js';
import { forward } from './forward.js';
import type { Node } from './node.js';
import type { OpAttrs, OpName } from './op-types.js';
import { fmtShape, sameShape } from './shape.js';
import { Tensor } from './tensor.js';
import { vjp } from './vjp.js';

interface EngineState {
  gradEnabled: boolean;
  /** Depth of nested valueAndGrad evaluations; >0 while a gradient function is being traced. */
  traceDepth: number;
  checkNaN: boolean;
  /** Ticks on every in-place write made through the API (see bumpVersion). */
  clock: number;
  /** Nodes recorded so far (Node.seq). */
  nodes: number;
}

const state: EngineState = { gradEnabled: true, traceDepth: 0, checkNaN: false, clock: 0, nodes: 0 };

/**
 * Version of each buffer that has ever been written in place: the clock value of its last write.
 * Keyed by the typed array itself, so every view sharing the buffer (reshape, detach,
 * valueAndGrad's leaves) shares the version. The clock is global so that a node needs to record
 * one number, and the common case -- no write at all since the node was recorded -- costs
 * backward one comparison per node; buffers never written cost nothing (absent from the map).
 */
const versions = new WeakMap<FloatArray, number>();

/** Record an in-place write to `data`; every tensor viewing it gets a new version. */
export function bumpVersion(data: FloatArray): void {
  versions.set(data, ++state.clock);
}

/** The buffer's version: 0 until its first in-place write, then strictly increasing. */
export function versionOf(data: FloatArray): number {
  return versions.get(data) ?? 0;
}

export interface DebugOptions {
  /** Throw as soon as an op produces NaN from NaN-free inputs, naming the op and shapes. */
  readonly checkNaN?: boolean;
  /**
   * Reuse the buffers of dead gradients and released graphs (default true; dtype.ts). Off, every
   * allocation is a fresh array: a way to rule recycling out when a value looks wrong.
   */
  readonly recycle?: boolean;
}

export function setDebug(opts: DebugOptions): void {
  if (opts.checkNaN !== undefined) state.checkNaN = opts.checkNaN;
  if (opts.recycle !== undefined) setRecycling(opts.recycle);
}

/** Whether setDebug's NaN check is on (a compiled training step that bypasses apply() steps aside). */
export function isNaNCheckOn(): boolean {
  return state.checkNaN;
}

export function isGradEnabled(): boolean {
  return state.gradEnabled;
}

/** Run fn without recording the graph (inference, optimiser updates, backward rules). */
export function noGrad<T>(fn: () => T): T {
  const prev = state.gradEnabled;
  state.gradEnabled = false;
  try {
    return fn();
  } finally {
    state.gradEnabled = prev;
  }
}

/**
 * noGrad for a forward pass that keeps nothing it computes but its result (an ensemble's
 * predictions): once fn returns, every buffer allocated meanwhile, except the result's, goes to
 * the free lists for later allocations. Without a graph there is nothing for releaseGraph to walk;
 * this records the allocations instead. For the engine's own code, like releaseGraph: a tensor fn
 * computed and kept (in a cache, a closure) would later hold another tensor's values.
 */
export function noGradReleased(fn: () => Tensor): Tensor {
  const outer = startScratch();
  let out: Tensor | undefined;
  try {
    out = noGrad(fn);
    return out;
  } finally {
    endScratch(outer, out === undefined ? null : [out.data]);
  }
}

function hasNaN(t: Tensor): boolean {
  const d = t.data;
  for (let i = 0; i < d.length; i++) if (d[i] !== d[i]) return true;
  return false;
}

export function apply<K extends OpName>(op: K, inputs: readonly Tensor[], attrs: OpAttrs[K]): Tensor {
  const out = forward[op](inputs, attrs);
  if (state.checkNaN && hasNaN(out) && !inputs.some(hasNaN)) {
    throw new Error(`NaN check: op '${op}' produced NaN from NaN-free inputs of shapes ${inputs.map((t) => fmtShape(t.shape)).join(', ')}`);
  }
  if (state.gradEnabled && inputs.some((t) => t.requiresGrad)) {
    out.requiresGrad = true;
    out.node = { op, inputs, attrs, clock: state.clock, seq: ++state.nodes };
  }
  return out;
}

/** Tensors reachable from root through recorded nodes, inputs before the tensors they feed. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1] = i + 1;
      const c = inputs[i]!;
      if (c.requiresGrad && !seen.has(c)) {
        seen.add(c);
        stack.push([c, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * prev + g into a fresh tensor: loops.ts's add, which hands large Float32 sums to the backend (an
 * addition rounds alike everywhere). The GCN's node rows feed two products, so their gradients
 * add up once per layer and step.
 */
function addInto(prev: Tensor | undefined, g: Tensor): Tensor {
  if (prev === undefined) return g;
  const out = allocateUnset(prev.dtype, prev.size);
  binary(Bin.Add, prev.data, prev.shape, g.data, g.shape, out, prev.shape);
  return new Tensor(out, prev.shape);
}

/**
 * The reverse sweep. With `wrt`, gradients are returned for exactly those tensors and no leaf's
 * `.grad` is touched (functional mode, used by the ascent); without it, every leaf that requires
 * grad accumulates into `.grad`.
 */
export function backwardImpl(root: Tensor, seed: Tensor | undefined, wrt?: readonly Tensor[]): Map<Tensor, Tensor> {
  if (!root.requiresGrad) {
    throw new Error(`backward: ${root.toString()} does not require grad (computed under noGrad, detached, or from inputs without requiresGrad)`);
  }
  if (seed === undefined) {
    if (root.size !== 1) {
      throw new Error(`backward: root has shape ${fmtShape(root.shape)}; a non-scalar root needs an explicit seed gradient of that shape`);
    }
    seed = new Tensor(root.dtype === 'float64' ? new Float64Array([1]) : new Float32Array([1]), root.shape);
  } else if (!sameShape(seed.shape, root.shape) || seed.dtype !== root.dtype) {
    throw new Error(`backward: seed ${seed.toString()} must match root ${root.toString()} in shape and dtype`);
  }
  const order = topoOrder(root);
  // In functional mode, only walk into tensors that lead to a requested input.
  let relevant: Set<Tensor> | null = null;
  if (wrt !== undefined) {
    relevant = new Set(wrt);
    for (const t of order) if (t.node?.inputs.some((c) => relevant!.has(c))) relevant.add(t);
  }
  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  const result = new Map<Tensor, Tensor>();
  const wanted = wrt === undefined ? null : new Set(wrt);
  // How many entries of `grads` and `result` view each buffer (rules hand one gradient to several
  // inputs, and reshape's is a view of g's buffer). A consumed gradient whose buffer no entry views
  // and that this sweep allocated is dead: its buffer is recycled for the rules that run next
  // (dtype.ts). Leaves get clones, never the swept buffers.
  const refs = new Map<ArrayBufferLike, number>();
  const ref = (x: Tensor, d: number) => refs.set(x.data.buffer, (refs.get(x.data.buffer) ?? 0) + d);
  const release = (dead: readonly Tensor[]) => {
    for (const x of dead) if (refs.get(x.data.buffer) === 0) recycle(x.data);
  };
  ref(seed, 1);
  startRecycling();
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const g = grads.get(t);
      if (g === undefined) continue;
      grads.delete(t);
      ref(g, -1);
      if (wanted?.has(t)) {
        result.set(t, g);
        ref(g, 1); // returned to the caller: never released
      }
      const dead = [g];
      const node = t.node;
      if (node === null) {
        if (wanted === null) accumulateLeaf(t, g);
        release(dead);
        continue;
      }
      const needs = node.inputs.map((c) => c.requiresGrad && (relevant === null || relevant.has(c)));
      if (!needs.some(Boolean)) {
        release(dead);
        continue;
      }
      if (node.clock !== state.clock) checkSaved(node, t);
      const rule = vjp[node.op] as ((g: Tensor, ctx: unknown) => (Tensor | null)[]) | undefined;
      if (rule === undefined) throw new Error(`backward: no backward rule for op '${node.op}'`);
      const inGrads = noGrad(() => rule(g, { inputs: node.inputs, out: t, attrs: node.attrs, needs }));
      node.inputs.forEach((c, k) => {
        if (!needs[k]) return;
        const gc = inGrads[k];
        if (gc === null || gc === undefined) {
          throw new Error(`backward: rule for '${node.op}' returned no gradient for input ${k} ${c.toString()}`);
        }
        if (!sameShape(gc.shape, c.shape) || gc.dtype !== c.dtype) {
          throw new Error(
            `backward: rule for '${node.op}' produced gradient ${gc.toString()} for input ${k} of ${c.toString()} ` +
              `(inputs: ${node.inputs.map((x) => fmtShape(x.shape)).join(', ')}; output ${fmtShape(t.shape)})`,
          );
        }
        const prev = grads.get(c);
        const next = addInto(prev, gc);
        if (prev !== undefined) {
          ref(prev, -1);
          dead.push(prev, gc);
        }
        grads.set(c, next);
        ref(next, 1);
      });
      release(dead);
    }
  } finally {
    stopRecycling();
  }
  return result;
}

/** A mark for releaseGraph: the graph recorded after it is what a release may hand back. */
export function graphMark(): number {
  return state.nodes;
}

/**
 * The caller's promise that no tensor recorded in root's graph after `since` (a graphMark()) will
 * be read again: a training step whose loss has been read and whose gradients have been applied.
 * Their buffers, and the arrays their ops saved, go to the free lists for the next step's
 * allocations. Tensors recorded before the mark (computed outside the step and captured),
 * leaves, inputs and constants, and every buffer one of them shares, are kept. For the engine's
 * own training loops, not a public API: a released tensor that is read afterwards holds another
 * tensor's values.
 */
export function releaseGraph(root: Tensor, since: number): void {
  const keep = new Set<ArrayBufferLike>();
  const dead = new Map<ArrayBufferLike, FloatArray>();
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.node === null || t.node.seq <= since) {
      keep.add(t.data.buffer);
      continue;
    }
    dead.set(t.data.buffer, t.data);
    for (const v of Object.values(t.node.attrs as Record<string, unknown>)) {
      if (v instanceof Float32Array || v instanceof Float64Array) dead.set(v.buffer, v);
    }
    for (const c of t.node.inputs) {
      if (!seen.has(c)) {
        seen.add(c);
        stack.push(c);
      }
    }
  }
  for (const [buffer, a] of dead) if (!keep.has(buffer)) recycleDead(a);
}

/**
 * The caller's promise that the gradients of `params` will not be read again (its optimiser has
 * applied them, and nothing else holds them): their buffers go to the free lists, where the next
 * step's gradients find them, and `.grad` is cleared (as zeroGrad would). A leaf's gradient is its
 * own buffer (accumulateLeaf clones), so only the caller's own references are at stake. For the
 * engine's own training loops, like releaseGraph.
 */
export function releaseGrads(params: readonly Tensor[]): void {
  for (const p of params) {
    if (p.grad === null) continue;
    recycleDead(p.grad.data);
    p.grad = null;
    p.gradApplied = false;
  }
}

/**
 * Refuse to run a rule whose saved tensors (its inputs and output, which rules read at backward
 * time) were written in place after the node was recorded. Conservative: PyTorch checks only what
 * each op saves, here a write to any input or output is refused, even one its rule does not read
 * (add, reshape). In exchange a new op gets the check without declaring what it saves.
 */
function checkSaved(node: Node, out: Tensor): void {
  const saved: [string, Tensor][] = node.inputs.map((x, k) => [`input ${k}`, x]);
  saved.push(['the output', out]);
  for (const [role, x] of saved) {
    const v = versionOf(x.data);
    if (v > node.clock) {
      throw new Error(
        `backward: ${role} ${x.toString()} of op '${node.op}' was written in place after it was saved for backward ` +
          `(version ${v}, saved at ${node.clock}); its gradient would be wrong: clone() it before writing, or write after backward()`,
      );
    }
  }
}

function accumulateLeaf(t: Tensor, g: Tensor): void {
  if (t.gradApplied && t.grad !== null) {
    throw new Error(
      `backward: ${t.toString()} still holds the gradient that optimizer.step() already applied; ` +
        `call optimizer.zeroGrad() before the next backward (accumulating across steps is almost always a bug)`,
    );
  }
  t.gradApplied = false;
  // Always a private buffer: rules may hand the same tensor to several inputs.
  t.grad = t.grad === null ? g.clone() : addInto(t.grad, g);
}

export function backward(root: Tensor, seed?: Tensor): void {
  // Inside a traced f, backward() would hand f a constant .grad, and valueAndGrad would then
  // report a silent zero second derivative: refuse it like a nested valueAndGrad.
  if (state.traceDepth > 0) {
    throw new Error('backward: called inside a function traced by valueAndGrad; higher-order derivatives (grad of grad) are not supported by this engine');
  }
  backwardImpl(root, seed);
}

export interface ValueAndGrad {
  value: Tensor;
  grads: Tensor[];
}

export interface ValueAndGradOptions {
  /**
   * f keeps none of the tensors it computes (no closure, cache or log holds one): after each call
   * their buffers serve later allocations (releaseGraph; tensors f captures from outside are
   * kept). For loops the engine's own code runs, such as the ascent; a tensor that f did keep
   * would silently change.
   */
  readonly release?: boolean;
}

/**
 * Functional gradient: `valueAndGrad(f, argnums)(...args)` evaluates f on fresh leaves that share
 * the argument's data and returns d f / d args[argnums] without touching any `.grad` (parameters
 * used inside f are left alone). f must return a scalar. Nested use (grad of grad) is refused:
 * backward rules run without recording, so a nested derivative would silently be zero.
 */
export function valueAndGrad(f: (...args: Tensor[]) => Tensor, argnums?: number | readonly number[], opts: ValueAndGradOptions = {}): (...args: Tensor[]) => ValueAndGrad {
  return (...args) => {
    if (state.traceDepth > 0) {
      throw new Error('valueAndGrad: higher-order derivatives (grad of grad) are not supported by this engine');
    }
    const which = argnums === undefined ? args.map((_, i) => i) : typeof argnums === 'number' ? [argnums] : [...argnums];
    for (const i of which) {
      if (args[i] === undefined) throw new Error(`valueAndGrad: argnum ${i} is out of range for ${args.length} argument(s)`);
    }
    const leaves = args.map((a, i) => (which.includes(i) ? new Tensor(a.data, a.shape, true) : a));
    const mark = state.nodes;
    state.traceDepth++;
    let value: Tensor;
    let grads: Map<Tensor, Tensor>;
    const prev = state.gradEnabled;
    state.gradEnabled = true;
    try {
      value = f(...leaves);
      if (!(value instanceof Tensor)) throw new Error(`valueAndGrad: f must return a Tensor, got ${value === null ? 'null' : typeof value}`);
      if (value.size !== 1) throw new Error(`valueAndGrad: f must return a scalar, got shape ${fmtShape(value.shape)}`);
      const targets = which.map((i) => leaves[i]!);
      grads = value.requiresGrad ? backwardImpl(value, undefined, targets) : new Map();
    } finally {
      state.traceDepth--;
      state.gradEnabled = prev;
    }
    // Each gradient gets its own buffer: rules hand one tensor to several inputs (add gives g to
    // both), reshape shares g's buffer, and a repeated argnum maps to one leaf. A caller writing
    // into one gradient must never change another, an input, or the value.
    const out = which.map((i) => {
      const leaf = leaves[i]!;
      return grads.get(leaf)?.clone() ?? new Tensor(leaf.dtype === 'float64' ? new Float64Array(leaf.size) : new Float32Array(leaf.size), leaf.shape);
    });
    // clone, not detach: f may return (a view of) an argument, e.g. x => x.reshape([]).
    const kept = value.clone();
    if (opts.release === true) releaseGraph(value, mark);
    return { value: kept, grads: out };
  };
}

export function grad(f: (...args: Tensor[]) => Tensor, argnums?: number | readonly number[]): (...args: Tensor[]) => Tensor[] {
  const vg = valueAndGrad(f, argnums);
  return (...args) => vg(...args).grads;
}
