/**
 * Analytic parameter and FLOP counts of the NAS-Bench-201 macro network (Dong & Yang, ICLR 2020),
 * derived from its architecture definition rather than looked up, so that the cost is available
 * without the table and has an exact differentiable relaxation.
 *
 * The skeleton (C = 16, N = 5):
 *   stem    conv3x3(3 → C, no bias) + BN(C)
 *   stage 1 N cells at C channels, full resolution
 *   reduce  ResNet basic block C → 2C, stride 2: ReLU-conv3x3-BN (stride 2), ReLU-conv3x3-BN,
 *           shortcut avgpool2x2 + conv1x1 (no bias)
 *   stage 2 N cells at 2C, half resolution
 *   reduce  basic block 2C → 4C, stride 2
 *   stage 3 N cells at 4C, quarter resolution
 *   head    BN(4C) + ReLU, global average pool, linear(4C → classes, with bias)
 * Inside a cell every edge keeps channels and resolution; nor_conv_kxk is ReLU-conv(k, no
 * bias)-BN(affine), skip_connect is the identity, avg_pool_3x3 and none have no parameters.
 *
 * Conventions (those of the NAS-Bench-201 API, which the shared table follows):
 * - params: every learnable tensor element incl. BN affine weights, in millions;
 * - FLOPs: multiply-accumulates of Conv2d and Linear layers (bias adds included, pooling, BN and
 *   ReLU excluded), in millions.
 * Since every op on every edge is instantiated whatever the others are, the cost of a cell is a
 * sum of independent per-edge terms: cost(arch) = base + Σ_edges perOp[op]. That makes the
 * expected cost under independent per-edge softmaxes exact, which `relaxedCost` exploits.
 */
import { matmul, reshape, add, softmax, sum, tensor, type Tensor } from '../../autograd/index.js';

/** Canonical dataset names, as the field writes them. */
export const NB201_DATASETS = ['cifar10', 'cifar100', 'ImageNet16-120'] as const;
export type Nb201Dataset = (typeof NB201_DATASETS)[number];

/** Input geometry of each dataset variant of the network. */
export const NB201_DATASET_SHAPES: Readonly<Record<Nb201Dataset, { readonly classes: number; readonly inputSize: number }>> = {
  cifar10: { classes: 10, inputSize: 32 },
  cifar100: { classes: 100, inputSize: 32 },
  'ImageNet16-120': { classes: 120, inputSize: 16 },
};

const ALIASES: Readonly<Record<string, Nb201Dataset>> = {
  cifar10: 'cifar10',
  cifar100: 'cifar100',
  'imagenet16-120': 'ImageNet16-120',
  imagenet16: 'ImageNet16-120',
};

/** Canonical name for a user-supplied dataset name (case-insensitive, 'imagenet16' accepted). */
export function nb201Dataset(name: string): Nb201Dataset {
  const d = ALIASES[name.trim().toLowerCase()];
  if (d === undefined) {
    throw new Error(`nb201: unknown dataset '${name}'; valid names: ${NB201_DATASETS.join(', ')} (alias: imagenet16)`);
  }
  return d;
}

export interface Nb201Skeleton {
  /** Channels of the first stage (16 in NAS-Bench-201). */
  readonly channels: number;
  /** Cells per stage (5 in NAS-Bench-201). */
  readonly cellsPerStage: number;
  readonly inputChannels: number;
  readonly inputSize: number;
  readonly classes: number;
}

/** A cost table: a constant plus one term per (edge, op); identical for all six edges. */
export interface Nb201CostModel {
  readonly dataset: string;
  /** Stem, reduction blocks, head; in millions. */
  readonly base: { readonly params: number; readonly flops: number };
  /** Cost added by one edge carrying op o (summed over all 3N cells); in millions. */
  readonly perOp: { readonly params: Float64Array; readonly flops: Float64Array };
}

/** Kernel size of each op in the order none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3; 0 = no conv. */
const OP_KERNEL = [0, 0, 1, 3, 0] as const;

interface Count {
  params: number;
  macs: number;
}

function conv(cin: number, cout: number, k: number, outSize: number, bias = false): Count {
  const weights = cin * cout * k * k + (bias ? cout : 0);
  return { params: weights, macs: weights * outSize * outSize };
}

function bn(c: number): Count {
  return { params: 2 * c, macs: 0 };
}

function total(...xs: Count[]): Count {
  return xs.reduce((a, b) => ({ params: a.params + b.params, macs: a.macs + b.macs }), { params: 0, macs: 0 });
}

/** ResNet basic block with stride 2 used between stages (its shortcut pooling costs no MACs). */
function reduction(cin: number, cout: number, outSize: number): Count {
  return total(conv(cin, cout, 3, outSize), bn(cout), conv(cout, cout, 3, outSize), bn(cout), conv(cin, cout, 1, outSize));
}

/** Exact integer counts (not millions) for a skeleton. */
export function nb201CostCounts(s: Nb201Skeleton): { base: Count; perOp: Count[] } {
  const c = s.channels;
  const sizes = [s.inputSize, s.inputSize / 2, s.inputSize / 4];
  const widths = [c, 2 * c, 4 * c];
  if (!sizes.every((x) => Number.isInteger(x))) {
    throw new Error(`nb201: input size ${s.inputSize} is not divisible by 4 (two stride-2 reductions)`);
  }
  const base = total(
    conv(s.inputChannels, c, 3, s.inputSize),
    bn(c),
    reduction(c, 2 * c, sizes[1]!),
    reduction(2 * c, 4 * c, sizes[2]!),
    bn(4 * c),
    conv(4 * c, s.classes, 1, 1, true), // the linear classifier after global pooling
  );
  const perOp = OP_KERNEL.map((k) => {
    if (k === 0) return { params: 0, macs: 0 };
    const perStage = widths.map((w, i) => total(conv(w, w, k, sizes[i]!), bn(w)));
    const one = total(...perStage);
    return { params: one.params * s.cellsPerStage, macs: one.macs * s.cellsPerStage };
  });
  return { base, perOp };
}

/** Cost model of the standard NAS-Bench-201 network (C = 16, N = 5) for one dataset. */
export function nb201CostModel(dataset: string): Nb201CostModel {
  const ds = nb201Dataset(dataset);
  const shape = NB201_DATASET_SHAPES[ds];
  const { base, perOp } = nb201CostCounts({ channels: 16, cellsPerStage: 5, inputChannels: 3, ...shape });
  return {
    dataset: ds,
    base: { params: base.params / 1e6, flops: base.macs / 1e6 },
    perOp: {
      params: Float64Array.from(perOp, (p) => p.params / 1e6),
      flops: Float64Array.from(perOp, (p) => p.macs / 1e6),
    },
  };
}

/** Params and FLOPs (millions) of a cell given as six op indices. */
export function nb201Cost(model: Nb201CostModel, ops: readonly number[]): { params: number; flops: number } {
  let params = model.base.params;
  let flops = model.base.flops;
  for (const o of ops) {
    params += model.perOp.params[o]!;
    flops += model.perOp.flops[o]!;
  }
  return { params, flops };
}

/**
 * Expected params/FLOPs under per-edge softmax(z/τ), for logits z of shape [B, 30]; exact because
 * the cost is a sum of per-edge terms. Differentiable in z.
 */
export function nb201RelaxedCost(model: Nb201CostModel, z: Tensor, tau = 1): { params: Tensor; flops: Tensor } {
  if (z.rank !== 2 || z.shape[1] !== 30) throw new Error(`nb201 relaxedCost: logits must have shape [B, 30], got [${z.shape.join(', ')}]`);
  const probs = softmax(reshape(z, [-1, 6, 5]).div(tau), -1);
  const opMass = sum(probs, 1); // [B, 5]: expected number of edges carrying each op
  const expect = (perOp: Float64Array, base: number): Tensor =>
    add(reshape(matmul(opMass, tensor(perOp, [5, 1], { dtype: z.dtype })), [-1]), base);
  return { params: expect(model.perOp.params, model.base.params), flops: expect(model.perOp.flops, model.base.flops) };
}
