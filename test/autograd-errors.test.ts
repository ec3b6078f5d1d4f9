/**
 * Bad input: each mistake gets its own error, and the message says what, where, and expected
 * versus got. Assertions match the specific content, not just "it threw".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { maskMul, pairDiffOwned } from '../src/autograd/ops.js';
import {
  add, broadcastTo, concat, crossEntropy, div, dropout, gather, log, matmul, max, mseLoss, pairDiff, pairwiseRankingLoss, permute, pow, reshape,
  Rng, Tensor, setDebug, slice, sqrt, sub, sum, tensor, transpose, valueAndGrad, vjp, where, zeros, type VjpRule,
} from '../src/autograd/index.js';

const f64 = (data: number[], shape?: number[], requiresGrad = false): Tensor =>
  tensor(data, shape ?? [data.length], { dtype: 'float64', requiresGrad });
const z = (...shape: number[]): Tensor => zeros(shape, { dtype: 'float64' });

describe('shape mismatches name both shapes', () => {
  it('binary ops', () => {
    expect(() => add(z(2, 3), z(4))).toThrow('add: shapes [2,3] and [4] cannot be broadcast (dim 1: 3 vs 4)');
    expect(() => sub(z(5, 1, 2), z(3, 3))).toThrow('sub: shapes [5,1,2] and [3,3] cannot be broadcast (dim 2: 2 vs 3)');
  });

  it('where, across mask and both branches', () => {
    expect(() => where(z(2), z(3), z(3))).toThrow('where: shapes [2] and [3] cannot be broadcast');
    expect(() => where(z(3), z(3), z(2, 2))).toThrow('where: shapes [3] and [2,2] cannot be broadcast');
  });

  it('broadcastTo a smaller or incompatible shape', () => {
    expect(() => broadcastTo(z(3), [2, 4])).toThrow('broadcastTo: shapes [3] and [2,4] cannot be broadcast');
    expect(() => broadcastTo(z(2, 3), [3])).toThrow('broadcastTo: [2,3] cannot be broadcast to [3]');
    expect(() => broadcastTo(z(1), [-2])).toThrow('broadcastTo: invalid shape [-2]');
  });

  it('matmul inner and batch dims, and ranks', () => {
    expect(() => matmul(z(2, 3), z(4, 5))).toThrow('matmul: inner dimensions differ: [2,3] · [4,5] (3 vs 4)');
    expect(() => matmul(z(3, 2), z(4, 5), { transA: true, transB: true })).toThrow('matmul: inner dimensions differ: [3,2]ᵀ · [4,5]ᵀ (3 vs 5)');
    expect(() => matmul(z(2, 2, 3), z(3, 3, 1))).toThrow('matmul batch dims: shapes [2] and [3] cannot be broadcast');
    expect(() => matmul(z(3), z(3, 1))).toThrow('matmul: both operands need rank >= 2 (reshape vectors to [1,n] or [n,1]); got [3] and [3,1]');
  });

  it('concat outside the axis', () => {
    expect(() => concat([z(2, 3), z(2, 4), z(3, 3)], 1)).toThrow('concat: shapes [2,3], [2,4], [3,3] differ outside axis 1');
    expect(() => concat([z(2, 3), z(6)])).toThrow('concat: shapes [2,3], [6] differ outside axis 0');
    expect(() => concat([])).toThrow('concat: needs at least one tensor');
  });

  it('losses', () => {
    expect(() => mseLoss(z(2, 3), z(5))).toThrow('mseLoss: pred [2,3] and target [5] differ in size');
    expect(() => crossEntropy(z(4), [0])).toThrow('crossEntropy: logits must be [N, C], got [4]');
    expect(() => crossEntropy(z(2, 3), [0])).toThrow('crossEntropy: 2 rows of logits but 1 labels');
    expect(() => crossEntropy(z(2, 3), [0, 3])).toThrow('crossEntropy: label 3 at row 1 is not a class in [0, 3)');
    expect(() => pairwiseRankingLoss(z(3), [1, 2])).toThrow('pairwiseRankingLoss: 3 scores but 2 targets');
    expect(() => pairwiseRankingLoss(z(3), [1, 1, 1])).toThrow('pairwiseRankingLoss: no ordered pairs');
    expect(() => pairwiseRankingLoss(z(3), [1, 2, 3], { maxPairs: 1 })).toThrow('pairwiseRankingLoss: maxPairs needs an rng');
  });
});

describe('dtype mixing is refused, not silently cast', () => {
  const a = zeros([2]), b = z(2);
  it.each([
    ['add', () => add(a, b)],
    ['div', () => div(b, a)],
    ['where', () => where(a, a, b)],
  ])('%s', (op, fn) => {
    expect(fn).toThrow(`${op}: dtype mismatch, Tensor(`);
    expect(fn).toThrow(/float32.*float64|float64.*float32/);
  });

  it('matmul and concat', () => {
    expect(() => matmul(zeros([2, 2]), z(2, 2))).toThrow('matmul: dtype mismatch, Tensor(float32, [2,2]) vs Tensor(float64, [2,2])');
    expect(() => concat([z(2), zeros([2])])).toThrow('concat: dtype mismatch, Tensor(float64, [2]) vs Tensor(float32, [2])');
  });

  it('unknown dtypes at creation', () => {
    expect(() => tensor([1], [1], { dtype: 'int32' as 'float32' })).toThrow("dtype must be 'float32' or 'float64', got 'int32'");
  });
});

describe('indices and bounds', () => {
  it('gather: out of range, negative and fractional indices, bad axis', () => {
    expect(() => gather(z(3, 2), [0, 3])).toThrow('gather: index 3 at position 1 is out of range [0, 3) for axis 0 of [3,2]');
    expect(() => gather(z(3, 2), [-1])).toThrow('gather: index -1 at position 0 is out of range [0, 3)');
    expect(() => gather(z(3, 2), [0.5], 1)).toThrow('gather: index 0.5 at position 0 is out of range [0, 2) for axis 1');
    expect(() => gather(z(3, 2), [0], 2)).toThrow('gather: axis 2 is out of range for a rank-2 tensor');
    // Int32Array indices: integers already, so only their range is checked; the op keeps a copy.
    expect(() => gather(z(3, 2), Int32Array.of(0, 3))).toThrow('gather: index 3 at position 1 is out of range [0, 3) for axis 0 of [3,2]');
    expect(() => gather(z(3, 2), Int32Array.of(-2))).toThrow('gather: index -2 at position 0 is out of range [0, 3)');
    const x = f64([1, 2, 3], [3], true), idx = Int32Array.of(2, 2, 0);
    const y = gather(x, idx);
    idx.fill(1); // the caller refills its array before backward
    y.backward(f64([1, 10, 100]));
    expect(y.toArray()).toEqual([3, 3, 1]);
    expect(x.grad!.toArray()).toEqual([100, 0, 11]);
  });

  it('pairDiff: a non-vector, unequal index lists, out-of-range and fractional indices; its own copies', () => {
    expect(() => pairDiff(z(3, 2), [0], [1])).toThrow('pairDiff: x must be a vector, got Tensor(float64, [3,2])');
    expect(() => pairDiff(z(3), [0, 1], [1])).toThrow('pairDiff: i has 2 indices but j has 1');
    expect(() => pairDiff(z(3), [0, 1], [1, 3])).toThrow('pairDiff: j[1] = 3 is out of range [0, 3) for Tensor(float64, [3])');
    expect(() => pairDiff(z(3), Int32Array.of(-1), [0])).toThrow('pairDiff: i[0] = -1 is out of range [0, 3)');
    expect(() => pairDiff(z(3), [0.5], [0])).toThrow('pairDiff: i[0] = 0.5 is out of range [0, 3)');
    // The engine's own variant (in-range indices by construction) still checks shapes.
    expect(() => pairDiffOwned(z(3, 1), Int32Array.of(0), Int32Array.of(1))).toThrow('pairDiff: x must be a vector, got Tensor(float64, [3,1])');
    expect(() => pairDiffOwned(z(3), Int32Array.of(0, 1), Int32Array.of(1))).toThrow('pairDiff: i has 2 indices but j has 1');
    const x = f64([1, 2, 4], [3], true), i = Int32Array.of(2, 1, 2), j = Int32Array.of(0, 0, 2);
    const y = pairDiff(x, i, j);
    i.fill(0); // the caller refills its arrays before backward, as the ranking loss does
    j.fill(1);
    y.backward(f64([1, 10, 100]));
    expect(y.toArray()).toEqual([3, 1, 0]);
    expect(x.grad!.toArray()).toEqual([-11, 10, 1]);
  });

  it('slice: bounds past the end, reversed, fractional, and mismatched lengths', () => {
    expect(() => slice(z(3, 4), [0, 1], [3, 5])).toThrow('slice: bounds [1, 5) out of range for axis 1 of size 4 in [3,4]');
    expect(() => slice(z(3, 4), [2], [1])).toThrow('slice: bounds [2, 1) out of range for axis 0 of size 3');
    expect(() => slice(z(3, 4), [-4], [2])).toThrow('slice: bounds [-4, 2) out of range for axis 0 of size 3');
    expect(() => slice(z(3), [0.5], [2])).toThrow('slice: bounds [0.5, 2) out of range');
    expect(() => slice(z(3, 4), [0, 0], [1])).toThrow('slice: begin [0,0] and end [1] must have equal length <= rank 2');
  });

  it('reshape: wrong size, two -1s, uninferable -1', () => {
    expect(() => reshape(z(2, 3), [4])).toThrow('reshape: cannot reshape [2,3] (6 elements) into [4]');
    expect(() => reshape(z(2, 3), [-1, -1])).toThrow('reshape: at most one -1 allowed in [-1,-1]');
    expect(() => reshape(z(2, 3), [-1, 4])).toThrow('reshape: cannot infer -1 to reshape [2,3] into [-1,4]');
    expect(() => reshape(z(2, 3), [3, -2])).toThrow('reshape: invalid shape [3,-2]');
  });

  it('axes: permutations, repeated and out-of-range reduction axes, empty max', () => {
    expect(() => permute(z(2, 3), [0, 0])).toThrow('permute: [0,0] is not a permutation of the 2 axes of [2,3]');
    expect(() => permute(z(2, 3), [0])).toThrow('permute: [0] is not a permutation');
    expect(() => sum(z(2, 3), [1, -1])).toThrow('sum: repeated axis in [1,-1]');
    expect(() => sum(z(2, 3), 2)).toThrow('sum: axis 2 is out of range for a rank-2 tensor');
    expect(() => max(z(2, 0), 1)).toThrow('max: cannot reduce over empty axis 1 of [2,0]');
  });
});

describe('creation', () => {
  it('ragged nested arrays name the offending path', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow('tensor: ragged nested array at data[1]: expected length 2, got 1');
    expect(() => tensor([[1, 2], 3] as number[][])).toThrow('tensor: ragged nested array at data[1]: expected length 2, got number');
    expect(() => tensor([1, [2]] as number[])).toThrow('tensor: ragged nested array: expected a number at data[1]');
    expect(() => tensor([[[1], [2]], [[3], [4, 5]]])).toThrow('tensor: ragged nested array at data[1][1]: expected length 1, got 2');
    expect(() => tensor(['a'] as unknown as number[])).toThrow('tensor: expected a number or an array at data[0], got string');
  });

  it('data that cannot fill the shape', () => {
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow('tensor: 3 values cannot fill shape [2,2] (4 needed)');
    expect(() => tensor(new Float64Array(5), [2, 3])).toThrow('tensor: 5 values cannot fill shape [2,3] (6 needed)');
  });

  it('Tensor construction and item()', () => {
    expect(() => new Tensor(new Float64Array(5), [2, 3])).toThrow('Tensor: data has 5 elements but shape [2,3] needs 6');
    expect(() => z(2, 1).item()).toThrow('item(): tensor of shape [2,1] has 2 elements, expected 1');
    expect(() => transpose(z(3))).toThrow('transpose: needs rank >= 2, got [3]');
  });

  it('op arguments', () => {
    expect(() => pow(z(2), NaN)).toThrow('pow: exponent must be a finite number, got NaN');
    expect(() => dropout(z(2), 1, new Rng(0))).toThrow('dropout: p must be in [0, 1), got 1');
    expect(() => maskMul(z(2, 3), new Float64Array(5))).toThrow('maskMul: mask must be a Float64Array of 6 elements (x Tensor(float64, [2,3])), got Float64Array(5)');
    expect(() => maskMul(z(2), new Float32Array(2))).toThrow('maskMul: mask must be a Float64Array of 2 elements');
    expect(() => add(1 as unknown as Tensor, 2)).toThrow('add: at least one operand must be a Tensor');
    expect(() => log([1, 2] as unknown as Tensor)).toThrow('log: expected a Tensor, got object');
  });
});

describe('backward and valueAndGrad misuse', () => {
  it('a non-scalar root without a seed, and a seed of the wrong shape or dtype', () => {
    const x = f64([1, 2, 3], undefined, true);
    expect(() => x.mul(2).backward()).toThrow('backward: root has shape [3]; a non-scalar root needs an explicit seed gradient of that shape');
    expect(() => x.mul(2).backward(f64([1, 1]))).toThrow('backward: seed Tensor(float64, [2]) must match root Tensor(float64, [3], requiresGrad) in shape and dtype');
    expect(() => x.mul(2).backward(zeros([3]))).toThrow('backward: seed Tensor(float32, [3]) must match root');
  });

  it('backward from something that does not require grad', () => {
    expect(() => f64([1]).backward()).toThrow('backward: Tensor(float64, [1]) does not require grad');
  });

  it('valueAndGrad: non-scalar f, argnum out of range', () => {
    expect(() => valueAndGrad((x) => x!.mul(2))(f64([1, 2]))).toThrow('valueAndGrad: f must return a scalar, got shape [2]');
    expect(() => valueAndGrad((x) => x!.sum(), 1)(f64([1, 2]))).toThrow('valueAndGrad: argnum 1 is out of range for 1 argument(s)');
    expect(() => valueAndGrad(() => 3 as unknown as Tensor)(f64([1]))).toThrow('valueAndGrad: f must return a Tensor, got number');
  });
});

describe('the backward walk checks every rule it runs', () => {
  /** Run fn with the backward rule of exp replaced (or removed), restoring it afterwards. */
  function withExpRule(rule: VjpRule<'exp'> | undefined, fn: () => void): void {
    const table = vjp as Record<string, unknown>;
    const saved = table.exp;
    if (rule === undefined) delete table.exp;
    else table.exp = rule;
    try {
      fn();
    } finally {
      table.exp = saved;
    }
  }
  const run = () => f64([1, 2, 3], undefined, true).exp().sum().backward();

  it('a gradient of the wrong shape or dtype names the op and the shapes', () => {
    withExpRule(() => [f64([1])], () =>
      expect(run).toThrow("backward: rule for 'exp' produced gradient Tensor(float64, [1]) for input 0 of Tensor(float64, [3], requiresGrad) (inputs: [3]; output [3])"));
    withExpRule((g) => [g.clone('float32')], () => expect(run).toThrow("backward: rule for 'exp' produced gradient Tensor(float32, [3]) for input 0"));
  });

  it('a missing gradient or a missing rule is named', () => {
    withExpRule(() => [null], () => expect(run).toThrow("backward: rule for 'exp' returned no gradient for input 0 Tensor(float64, [3], requiresGrad)"));
    withExpRule(undefined, () => expect(run).toThrow("backward: no backward rule for op 'exp'"));
  });

  it('the table is intact again afterwards', () => {
    expect(() => run()).not.toThrow();
  });
});

describe('opt-in NaN check', () => {
  afterEach(() => setDebug({ checkNaN: false }));

  it('names the op that turned NaN-free inputs into NaN, with the input shapes', () => {
    setDebug({ checkNaN: true });
    expect(() => log(f64([1, -1]))).toThrow("NaN check: op 'log' produced NaN from NaN-free inputs of shapes [2]");
    expect(() => sqrt(f64([-4], [1, 1]))).toThrow("NaN check: op 'sqrt' produced NaN from NaN-free inputs of shapes [1,1]");
    expect(() => div(z(2), z(1))).toThrow("NaN check: op 'div' produced NaN from NaN-free inputs of shapes [2], [1]");
    expect(() => sub(f64([Infinity]), f64([Infinity]))).toThrow("NaN check: op 'sub' produced NaN");
  });

  it('lets NaN that came in pass through, and catches NaN born in a backward rule', () => {
    setDebug({ checkNaN: true });
    expect(log(f64([NaN, 1])).toArray()[0]).toBeNaN();
    // 0·sqrt(x) at x = 0 is a clean forward; sqrt's VJP then computes (0·½)/sqrt(0) = 0/0. The
    // check fires in the primitive the rule uses (div), inside backward.
    const x = f64([0], undefined, true);
    const loss = x.sqrt().mul(0).sum();
    expect(loss.item()).toBe(0);
    expect(() => loss.backward()).toThrow("NaN check: op 'div' produced NaN from NaN-free inputs of shapes [1], [1]");
  });

  it('is off by default, and off again after reset', () => {
    expect(log(f64([-1])).toArray()[0]).toBeNaN();
    setDebug({ checkNaN: true });
    setDebug({ checkNaN: false });
    expect(sqrt(f64([-1])).toArray()[0]).toBeNaN();
  });
});
