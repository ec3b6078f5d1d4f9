/** Shape arithmetic shared by all ops: sizes, strides, axis normalisation, NumPy broadcasting. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

export function fmtShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(shape: Shape, where: string): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`${where}: invalid shape ${fmtShape(shape)} (dims must be non-negative integers)`);
  }
}

/** Normalise a possibly negative axis for a tensor of the given rank. */
export function normAxis(axis: number, rank: number, where: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new Error(`${where}: axis ${axis} is out of range for a rank-${rank} tensor`);
  }
  return a;
}

/** Sorted, de-duplicated, normalised axes; undefined means all axes. */
export function normAxes(axes: number | readonly number[] | undefined, rank: number, where: string): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const out = [...new Set(list.map((a) => normAxis(a, rank, where)))].sort((x, y) => x - y);
  if (out.length !== list.length) throw new Error(`${where}: repeated axis in [${list.join(',')}]`);
  return out;
}

/** NumPy broadcasting of two shapes; throws naming both shapes when incompatible. */
export function broadcastShapes(a: Shape, b: Shape, where: string): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${where}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast (dim ${i}: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides for reading a tensor of shape `from` as if broadcast to `to` (0 on broadcast dims).
 * Caller guarantees `from` broadcasts to `to`.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const st = stridesOf(from);
  const out = new Array<number>(to.length).fill(0);
  const off = to.length - from.length;
  for (let i = 0; i < from.length; i++) out[off + i] = from[i] === 1 ? 0 : st[i]!;
  return out;
}

/** Axes of `to` along which `from` was broadcast (for reducing gradients back to `from`). */
export function broadcastAxes(from: Shape, to: Shape): number[] {
  const off = to.length - from.length;
  const axes: number[] = [];
  for (let i = 0; i < to.length; i++) {
    if (i < off || (from[i - off] === 1 && to[i] !== 1)) axes.push(i);
  }
  return axes;
}
