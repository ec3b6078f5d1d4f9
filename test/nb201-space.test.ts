import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGrads, concat, mul, sum, tensor, valueAndGrad } from '../src/autograd/index.js';
import { Rng } from '../src/autograd/random.js';
import {
  NB201_EDGES, NB201_GRAPH_ADJ, NB201_OPS, nb201Code, nb201FromCode, nb201IsoKey, nb201Parse, nb201Space, nb201ToString,
  type Nb201Arch,
} from '../src/nas/spaces/nb201.js';
import { nb201CostCounts, nb201CostModel, nb201Dataset } from '../src/nas/spaces/nb201-cost.js';

const space = nb201Space();
const archArb = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 });
const RESNET = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|';

describe('nb201 arch strings', () => {
  it('parses the ResNet-like cell edge by edge', () => {
    expect(nb201Parse(RESNET)).toEqual([3, 0, 3, 1, 0, 1]);
    expect(nb201ToString([3, 0, 3, 1, 0, 1])).toBe(RESNET);
  });

  it('parse ∘ print = id and print ∘ parse = id', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const s = space.toString(a);
        expect(space.parse(s)).toEqual(a);
        expect(space.toString(space.parse(s))).toBe(s);
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it.each([
    ['', /3/],
    ['|none~0|+|none~0|none~1|', /2 '\+'-separated group/],
    ['|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+|none~0|', /4 '\+'-separated group/],
    ['none~0|+|none~0|none~1|+|none~0|none~1|none~2|', /group 1 'none~0\|' must start and end/],
    ['|none~0|+|none~0|+|none~0|none~1|none~2|', /group 2 '\|none~0\|' has 1 edge/],
    ['|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|', /unknown op 'conv' in token 'conv~0'/],
    ['|none~0|+|none~0|none~2|+|none~0|none~1|none~2|', /token 'none~2' in group 2 has source '2', expected 1/],
    ['|none0|+|none~0|none~1|+|none~0|none~1|none~2|', /token 'none0' in group 1 lacks '~source'/],
    ['|NONE~0|+|none~0|none~1|+|none~0|none~1|none~2|', /unknown op 'NONE'/],
  ])('rejects malformed %j naming the offending part', (s, msg) => {
    expect(() => nb201Parse(s)).toThrow(msg);
  });

  it('toString rejects non-architectures', () => {
    expect(() => nb201ToString([0, 1, 2])).toThrow(/expected 6 op indices/);
    expect(() => nb201ToString([0, 1, 2, 3, 4, 5])).toThrow(/expected 6 op indices/);
    expect(space.isValid([0, 1, 2, 3, 4, 1.5])).toBe(false);
    expect(space.isValid([0, 1, 2, 3, 4, 4])).toBe(true);
  });
});

describe('nb201 encodings', () => {
  it('flat one-hot has one 1 per edge at 5·edge + op', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const { flat } = space.encode(a);
        expect(flat.length).toBe(30);
        expect(flat.reduce((s, v) => s + v, 0)).toBe(6);
        a.forEach((op, e) => expect(flat[5 * e + op]).toBe(1));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('graph view: fixed op-as-node DAG and one-hot node features', () => {
    const { graph } = space.encode([4, 3, 2, 1, 0, 3]);
    const n = 8, f = 7;
    expect(space.graphDims).toEqual({ n, f });
    const edges: string[] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (graph!.adj[i * n + j] === 1) edges.push(`${i}>${j}`);
    // input → e0,e1,e3; e0 (0→1) → e2,e4; e1, e2 (→2) → e5; e3, e4, e5 (→3) → output.
    expect(edges.sort()).toEqual(['0>1', '0>2', '0>4', '1>3', '1>5', '2>6', '3>6', '4>7', '5>7', '6>7'].sort());
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(graph!.adj[i * n + j]).toBe(0); // topological order
    const rowOf = (i: number) => Array.from(graph!.nodes.slice(i * f, (i + 1) * f));
    expect(rowOf(0)).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(rowOf(7)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(rowOf(1)).toEqual([0, 0, 0, 0, 0, 1, 0]); // edge 0 = avg_pool_3x3 (op 4 → feature 5)
    expect(rowOf(5)).toEqual([0, 1, 0, 0, 0, 0, 0]); // edge 4 = none
    expect(NB201_EDGES.length).toBe(6);
  });

  it('project(logits(a)) = a for every sampled a, and projections are valid', () => {
    fc.assert(
      fc.property(archArb, fc.double({ min: 0.1, max: 10, noNaN: true }), (a, c) => {
        const p = space.project(space.logits(a, c));
        expect(p).toEqual({ ok: true, arch: a });
      }),
      { seed: 42, numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 30, maxLength: 30 }), (z) => {
        const p = space.project(z);
        expect(p.ok && space.isValid(p.arch)).toBe(true);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('project reports wrong lengths and non-finite logits instead of guessing', () => {
    expect(space.project(new Float64Array(29))).toMatchObject({ ok: false, reason: expect.stringMatching(/expected 30 logits, got 29/) });
    const z = new Float64Array(30);
    z[7] = NaN;
    expect(space.project(z)).toMatchObject({ ok: false, reason: expect.stringMatching(/logit 7 \(edge 1, op nor_conv_1x1\) is NaN/) });
  });

  it('relax: per-edge rows sum to 1, graph view carries the same probabilities, round-trips through project', () => {
    const rng = new Rng(3);
    const archs = [space.sample(rng), space.sample(rng), space.sample(rng)];
    const z = tensor(archs.flatMap((a) => Array.from(space.logits(a))), [3, 30], { dtype: 'float64' });
    const r = space.relax(z, { tau: 0.5 });
    expect(r.flat.shape).toEqual([3, 30]);
    expect(r.nodes!.shape).toEqual([3, 8, 7]);
    expect(r.adj!.shape).toEqual([3, 8, 8]);
    const flat = r.flat.toArray(), nodes = r.nodes!.toArray(), adj = r.adj!.toArray();
    for (let b = 0; b < 3; b++) {
      for (let e = 0; e < 6; e++) {
        const row = flat.slice(b * 30 + e * 5, b * 30 + e * 5 + 5);
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
        const node = nodes.slice(b * 56 + (e + 1) * 7, b * 56 + (e + 2) * 7);
        expect(node).toEqual([0, ...row, 0]);
      }
      expect(nodes.slice(b * 56, b * 56 + 7)).toEqual([1, 0, 0, 0, 0, 0, 0]);
      expect(nodes.slice(b * 56 + 49, b * 56 + 56)).toEqual([0, 0, 0, 0, 0, 0, 1]);
      expect(adj.slice(b * 64, (b + 1) * 64)).toEqual(Array.from(NB201_GRAPH_ADJ));
      expect(space.project(flat.slice(b * 30, (b + 1) * 30))).toEqual({ ok: true, arch: archs[b] });
    }
  });

  it('relax: gradients flow from both views back to the logits (finite differences)', () => {
    const rng = new Rng(11);
    const z = tensor(Array.from({ length: 60 }, () => rng.normal()), [2, 30], { dtype: 'float64' });
    const w = tensor(Array.from({ length: 2 * 56 }, () => rng.normal()), [2, 8, 7], { dtype: 'float64' });
    const v = tensor(Array.from({ length: 60 }, () => rng.normal()), [2, 30], { dtype: 'float64' });
    const f = (x: typeof z) => {
      const r = space.relax(x, { tau: 0.7 });
      return sum(concat([sum(mul(r.nodes!, w)).reshape([1]), sum(mul(r.flat, v)).reshape([1])], 0));
    };
    const report = checkGrads(f, [z], { seed: 5 });
    expect(report.mismatches).toEqual([]);
    expect(report.ok).toBe(true);
    const { grads } = valueAndGrad(f)(z);
    expect(grads[0]!.toArray().some((g) => Math.abs(g) > 1e-6)).toBe(true);
  });

  it('relax rejects bad shapes and temperatures', () => {
    expect(() => space.relax(tensor(new Float64Array(29), [1, 29]))).toThrow(/\[B, 30\], got \[1, 29\]/);
    expect(() => space.relax(tensor(new Float64Array(30), [1, 30]), { tau: 0 })).toThrow(/tau must be > 0/);
  });
});

describe('nb201 neighbourhood and enumeration', () => {
  it('mutate changes exactly one edge and is deterministic given the seed', () => {
    fc.assert(
      fc.property(archArb, fc.integer(), (a, seed) => {
        const m = space.mutate(a, new Rng(seed));
        expect(space.isValid(m)).toBe(true);
        expect(m.filter((o, e) => o !== a[e]).length).toBe(1);
        expect(space.mutate(a, new Rng(seed))).toEqual(m);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('neighbours are the 24 distinct valid one-edge changes', () => {
    fc.assert(
      fc.property(archArb, (a) => {
        const ns = space.neighbours(a);
        expect(ns.length).toBe(24);
        expect(new Set(ns.map((n) => space.hash(n))).size).toBe(24);
        for (const n of ns) {
          expect(space.isValid(n)).toBe(true);
          expect(n.filter((o, e) => o !== a[e]).length).toBe(1);
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('enumerates 15,625 distinct cells; codes are a bijection', () => {
    const all = [...space.enumerate()];
    expect(all.length).toBe(15625);
    expect(new Set(all.map((a) => space.hash(a))).size).toBe(15625);
    all.forEach((a, i) => expect(nb201Code(a)).toBe(i));
    expect(nb201FromCode(nb201Code([4, 0, 1, 2, 3, 4]))).toEqual([4, 0, 1, 2, 3, 4]);
    expect(() => nb201FromCode(15625)).toThrow(/outside/);
  });

  it('samples are valid, seeded and cover every op on every edge', () => {
    const rng = new Rng(7);
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const a = space.sample(rng);
      expect(space.isValid(a)).toBe(true);
      a.forEach((o, e) => seen.add(`${e}:${o}`));
    }
    expect(seen.size).toBe(30);
    expect(space.sample(new Rng(9))).toEqual(space.sample(new Rng(9)));
  });

  it('iso key merges cells that compute the same function and separates ones that do not', () => {
    // Output cut off from the input: every such cell is the zero function.
    expect(nb201IsoKey([3, 3, 2, 0, 0, 0])).toBe(nb201IsoKey([1, 4, 4, 0, 0, 0]));
    // Node 2 = conv3x3(x) + conv1x1(x) either way round: the key sorts a node's terms.
    const a: Nb201Arch = [1, 3, 2, 0, 0, 1];
    const b: Nb201Arch = [1, 2, 3, 0, 0, 1];
    expect(nb201IsoKey(a)).toBe(nb201IsoKey(b));
    // NATS-Bench's key is not a complete canonical form: a none edge leaves a '#' term inside a
    // node's description, so these two isomorphic cells (parallel paths swapped) get different keys.
    expect(nb201IsoKey([3, 2, 0, 0, 1, 1])).not.toBe(nb201IsoKey([2, 3, 0, 0, 1, 1]));
    expect(nb201IsoKey([3, 0, 0, 1, 0, 0])).toBe(nb201IsoKey([2, 0, 0, 1, 0, 0])); // the conv on 0→1 leads nowhere
    expect(nb201IsoKey([0, 0, 0, 3, 0, 0])).not.toBe(nb201IsoKey([0, 0, 0, 2, 0, 0]));
    expect(space.hash(a)).not.toBe(space.hash(b));
    expect(NB201_OPS[3]).toBe('nor_conv_3x3');
  });
});

describe('nb201 analytic cost', () => {
  it('is base + per-edge terms, from the macro skeleton', () => {
    const { base, perOp } = nb201CostCounts({ channels: 16, cellsPerStage: 5, inputChannels: 3, inputSize: 32, classes: 10 });
    // Hand count: stem 3·16·9 + BN 32 = 464; reductions 14,464 and 57,600; head BN 128 + linear 650.
    expect(base.params).toBe(464 + 14464 + 57600 + 128 + 650);
    // A 3x3 conv edge: 5 cells × Σ_stages (C²·9 + 2C) params.
    expect(perOp[3]!.params).toBe(5 * (16 * 16 * 9 + 32 + 32 * 32 * 9 + 64 + 64 * 64 * 9 + 128));
    expect(perOp[3]!.macs).toBe(5 * 3 * 16 * 16 * 9 * 32 * 32);
    expect([perOp[0]!.params, perOp[1]!.params, perOp[4]!.params, perOp[4]!.macs]).toEqual([0, 0, 0, 0]);
  });

  it('datasets differ only in classifier and resolution; names are case-insensitive with an alias', () => {
    expect(nb201Dataset('IMAGENET16')).toBe('ImageNet16-120');
    expect(nb201Dataset('imagenet16-120')).toBe('ImageNet16-120');
    expect(nb201Dataset('CIFAR100')).toBe('cifar100');
    expect(() => nb201Dataset('mnist')).toThrow(/unknown dataset 'mnist'; valid names: cifar10, cifar100, ImageNet16-120/);
    const c10 = nb201CostModel('cifar10'), c100 = nb201CostModel('cifar100'), im = nb201CostModel('ImageNet16-120');
    expect(c100.base.params - c10.base.params).toBeCloseTo((64 * 90 + 90) / 1e6, 12);
    expect(Array.from(im.perOp.flops)).toEqual(Array.from(c10.perOp.flops, (f) => f / 4));
  });

  it('relaxedCost equals the exact cost at sharp logits and the mean over ops at uniform logits', () => {
    const s100 = nb201Space({ dataset: 'cifar100' });
    const rng = new Rng(1);
    const archs = [space.sample(rng), space.sample(rng)];
    const z = tensor(archs.flatMap((a) => Array.from(s100.logits(a, 60))), [2, 30], { dtype: 'float64' });
    const rc = s100.relaxedCost(z);
    archs.forEach((a, i) => {
      expect(rc.params.toArray()[i]).toBeCloseTo(s100.cost(a).params!, 9);
      expect(rc.flops.toArray()[i]).toBeCloseTo(s100.cost(a).flops!, 9);
    });
    const u = s100.relaxedCost(tensor(new Float64Array(30), [1, 30]).clone('float64'));
    let mean = 0;
    for (const a of s100.enumerate()) mean += s100.cost(a).flops! / 15625;
    expect(u.flops.item()).toBeCloseTo(mean, 6);
  });

  it('relaxedCost is differentiable (finite differences) and pushes toward cheaper ops', () => {
    const rng = new Rng(2);
    const z = tensor(Array.from({ length: 30 }, () => rng.normal()), [1, 30], { dtype: 'float64' });
    const report = checkGrads((x) => sum(space.relaxedCost(x, { tau: 0.5 }).flops), [z], { seed: 3 });
    expect(report.ok).toBe(true);
    const { grads } = valueAndGrad((x) => sum(space.relaxedCost(x).flops))(z);
    const g = grads[0]!.toArray();
    for (let e = 0; e < 6; e++) expect(g[5 * e + 3]!).toBeGreaterThan(g[5 * e + 2]!); // conv3x3 costs more than conv1x1
  });
});
