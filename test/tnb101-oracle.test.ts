/**
 * TransNAS-Bench-101 macro table parser and per-task oracles on a table generated here (no real
 * data needed), plus the real table when present (skipped locally without it; fails under CI).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../src/io/data-dir.js';
import { loadBenchmark } from '../src/io/benchmarks.js';
import { loadTnb101Table, TNB101_DIR, TNB101_FILE } from '../src/io/load-tnb101.js';
import { parseTnb101Table, tnb101MacroOracle, TNB101_TASKS, TNB101_TASK_NAMES } from '../src/nas/benchmarks/tnb101.js';
import { runExperiment } from '../src/nas/experiment/runner.js';
import { tnb101MacroSpace, tnb101Cost, type Tnb101MacroArch } from '../src/nas/spaces/tnb101-macro.js';

const HEADER = 'arch,macro_code,naslib_idx,n_modules,n_downsample,n_channel_double,out_channels,class_scene_valid_top1,class_object_valid_top1,jigsaw_valid_top1,room_layout_valid_neg_loss,segmentsemantic_valid_acc,normal_valid_ssim,autoencoder_valid_ssim,encoder_params,encoder_macs_224';
const space = tnb101MacroSpace();
const ALL = [...space.enumerate()];

/** Synthetic metrics: accuracies in 40..60 %, a negative loss, SSIMs in 0.3..0.7 — a function of the row. */
function metrics(i: number): number[] {
  const u = ((i * 7919) % 3256) / 3256;
  return [40 + 20 * u, 41 + 19 * u, 70 + 25 * u, -(0.6 + u), 93 + u, 0.3 + 0.4 * u, 0.7 - 0.4 * u];
}

const LINES = [HEADER, ...ALL.map((a, i) => {
  const code = a.join('');
  const d = a.filter((c) => c % 2 === 0).length, s = a.filter((c) => c >= 3).length;
  const cost = tnb101Cost(a);
  return [`64-${code}-basic`, code, (i * 13) % 3256, a.length, s, d, 64 * 2 ** d, ...metrics(i).map((v) => v.toFixed(6)), cost.params, cost.flops].join(',');
})];
const SRC = 'gen/tnb101_macro.csv';
const col = (name: string) => HEADER.split(',').indexOf(name);
function edited(line: number, edit: (f: string[]) => void): string {
  const out = [...LINES];
  const f = out[line - 1]!.split(',');
  edit(f);
  out[line - 1] = f.join(',');
  return out.join('\n');
}

describe('tnb101-macro table parser', () => {
  it('accepts the generated table', () => {
    const t = parseTnb101Table(LINES.join('\n'), SRC);
    expect(t.archs.length).toBe(3256);
  });

  it.each([
    ['a missing row', () => LINES.slice(0, -1).join('\n'), /gen\/tnb101_macro\.csv: has 3255 data rows, expected 3256/],
    ['an invalid code', () => edited(2, (f) => { f[col('macro_code')] = '1111'; f[col('arch')] = '64-1111-basic'; }), /line 2, column 'macro_code': '1111' is not a network of the space: 0 downsampling/],
    ['arch disagreeing with macro_code', () => edited(3, (f) => (f[col('arch')] = '64-2222-basic')), /line 3, column 'arch': '64-2222-basic' disagrees with macro_code/],
    ['a wrong count column', () => edited(4, (f) => (f[col('n_downsample')] = '0')), /line 4, column 'n_downsample': 0 but macro_code '\d+' implies \d/],
    ['a positive negative-loss', () => edited(5, (f) => (f[col('room_layout_valid_neg_loss')] = '0.5')), /line 5, column 'room_layout_valid_neg_loss': value 0.5 is outside the plausible range/],
    ['a non-numeric SSIM', () => edited(6, (f) => (f[col('normal_valid_ssim')] = 'nan')), /line 6, column 'normal_valid_ssim': expected a number, got 'nan'/],
    ['a repeated naslib_idx', () => edited(7, (f) => (f[col('naslib_idx')] = LINES[1]!.split(',')[col('naslib_idx')]!)), /line 7, column 'naslib_idx': 0 already appeared on line 2/],
  ])('rejects %s', (_, text, msg) => {
    expect(() => parseTnb101Table(text(), SRC)).toThrow(msg);
  });

  it('rejects a repeated network', () => {
    const out = [...LINES];
    out[5] = out[4]!;
    expect(() => parseTnb101Table(out.join('\n'), SRC)).toThrow(/line 6: network \d+ already appeared on line 5/);
  });
});

describe('tnb101-macro oracles (one per task)', () => {
  const t = parseTnb101Table(LINES.join('\n'), SRC);

  it('each oracle answers its own task only, with the stored metric as val and no test', () => {
    TNB101_TASK_NAMES.forEach((task, k) => {
      const o = tnb101MacroOracle(t, task);
      expect(o.datasets).toEqual([task]);
      expect(o.semantics).toBe('single');
      expect(TNB101_TASKS[task].direction).toBe('max');
      const r = o.query(ALL[10]!, { dataset: task });
      expect(r.val).toBeCloseTo(metrics(10)[k]!, 6);
      expect(r.test).toBeNull();
      expect(r.cost).toEqual(tnb101Cost(ALL[10]!));
      expect(o.queryCount).toBe(1);
      expect(o.optimum(task, 'A')).toEqual(o.optimum(task, 'B'));
    });
    const o = tnb101MacroOracle(t, 'ROOM_LAYOUT');
    expect(o.task).toBe('room_layout');
    expect(o.dataset('room_layout_valid_neg_loss')).toBe('room_layout');
    expect(() => o.dataset('jigsaw')).toThrow(/answers task 'room_layout', not 'jigsaw'/);
    expect(() => tnb101MacroOracle(t, 'depth')).toThrow(/unknown task 'depth'; tasks: class_scene, class_object/);
  });

  it('the optimum is the best val, also within a MACs budget', () => {
    const o = tnb101MacroOracle(t, 'autoencoder');
    const vals = ALL.map((a) => o.peek(a, { dataset: 'autoencoder' }).val);
    expect(o.optimum('autoencoder', 'A').value).toBe(Math.max(...vals));
    const within = (a: Tnb101MacroArch) => tnb101Cost(a).flops <= 1e9;
    const c = o.optimum('autoencoder', 'A', within);
    expect(c.value).toBe(Math.max(...ALL.filter(within).map((a) => o.peek(a, { dataset: 'autoencoder' }).val)));
  });
});

const present = existsSync(join(resolveDataDir(), TNB101_DIR, TNB101_FILE));

describe.skipIf(!present && !process.env['CI'])('tnb101-macro against the real table', () => {
  it('encoder params and MACs equal the table for all 3,256 networks', () => {
    const t = loadTnb101Table();
    t.archs.forEach((a, i) => {
      const c = space.cost(a);
      if (c.params !== t.params[i] || c.flops !== t.flops[i]) expect({ arch: a.join(''), ...c }).toEqual({ arch: a.join(''), params: t.params[i], flops: t.flops[i] });
    });
  });

  it('optima per task and under MACs budgets agree with the data README', () => {
    const t = loadTnb101Table();
    const doc: Record<string, [number, string, number]> = {
      class_scene: [57.41, '64-224131-basic', 2], class_object: [47.42, '64-22231-basic', 2], jigsaw: [97.02, '64-2243-basic', 2],
      room_layout: [-0.582, '64-214313-basic', 3], segmentsemantic: [94.86, '64-222133-basic', 2], normal: [0.644, '64-224111-basic', 3],
      autoencoder: [0.749, '64-221113-basic', 3],
    };
    for (const task of TNB101_TASK_NAMES) {
      const o = tnb101MacroOracle(t, task);
      const opt = o.optimum(task, 'A');
      expect(opt.value).toBeCloseTo(doc[task]![0], doc[task]![2]);
      expect(space.toString(opt.arch)).toBe(doc[task]![1]);
    }
    const o = tnb101MacroOracle(t, 'class_object');
    for (const [budget, value, arch] of [[1e9, 44.77, '64-133121-basic'], [2e9, 46.10, '64-1441-basic'], [5e9, 46.44, '64-11124-basic']] as const) {
      const opt = o.optimum('class_object', 'A', (a) => space.cost(a).flops! <= budget);
      expect(opt.value).toBeCloseTo(value, 2);
      expect(space.toString(opt.arch)).toBe(arch);
    }
  });

  it('a tiny search per task through loadBenchmark: distinct networks, the stored metric reported', () => {
    for (const task of ['jigsaw', 'room_layout']) {
      const b = loadBenchmark({ space: 'tnb101-macro', dataset: task, dataDir: resolveDataDir() });
      const res = runExperiment({ oracle: b.oracle, space: b.space, dataset: b.dataset, algorithms: ['prednas', 'rea', 'random'], budget: 20, seeds: [0], checkpoints: [10, 20] });
      expect(res.dataset).toBe(task);
      for (const run of res.runs) {
        expect(run.trajectory.length).toBe(20);
        expect(new Set(run.trajectory.map((p) => p.arch)).size).toBe(20);
        expect(run.trajectory.every((p) => p.test === null)).toBe(true);
      }
      expect(res.summary['prednas']!['20']!.mean).toBeLessThanOrEqual(res.optimum.value);
    }
    expect(() => loadBenchmark({ space: 'tnb101-macro', dataDir: resolveDataDir() })).toThrow(/--dataset: tnb101-macro needs a task: class_scene/);
  });
});
