/** The matmul shapes of the predictor workload (GCN layers, their backward products, MLP head). */
export interface Shape {
  /** Name; products that the peer harness measured use its naming, so quoted figures line up. */
  name: string;
  what: string;
  batch: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
}

const s = (name: string, what: string, batch: number, m: number, k: number, n: number, transA = false, transB = false): Shape =>
  ({ name, what, batch, m, k, n, transA, transB });

export const SHAPES: Shape[] = [
  s('1024x8@8x128', 'GCN layer 1 H·W (batch 128 × 8 nodes)', 1, 1024, 8, 128),
  s('2048x8@8x128', 'layer 1, batch 256', 1, 2048, 8, 128),
  s('1024x128@128x128', 'GCN layer 2/3 H·W', 1, 1024, 128, 128),
  s('2048x128@128x128', 'layer 2/3, batch 256', 1, 2048, 128, 128),
  s('(1024x128)T@1024x128', 'dW = Hᵀ·dZ (backward)', 1, 128, 1024, 128, true, false),
  s('1024x128@(128x128)T', 'dH = dZ·Wᵀ (backward)', 1, 1024, 128, 128, false, true),
  s('bmm128x(8x8@8x128)', 'Â·HW (batched graph product)', 128, 8, 8, 128),
  s('bmm128x((8x8)T@8x128)', 'Âᵀ·dZ (backward)', 128, 8, 8, 128, true, false),
  s('bmm128x(8x128@(8x128)T)', 'dÂ = dZ·HWᵀ (input ascent)', 128, 8, 128, 8, false, true),
  s('128x128@128x128', 'MLP head layer (pooled batch)', 1, 128, 128, 128),
  s('256x128@128x1', 'MLP output layer', 1, 256, 128, 1),
  s('sq256', 'square reference', 1, 256, 256, 256),
];

export const flops = (x: Shape): number => 2 * x.batch * x.m * x.n * x.k;
