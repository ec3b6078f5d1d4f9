/**
 * `prednas info --task T`: what a live task searches and what a query costs — its variables, the
 * number of distinct networks, the training settings every candidate gets, and the range of each
 * cost (the units of --constraint). Counted over the whole space where it is small enough to walk
 * (an odometer over the grid, duplicates and invalid points dropped), otherwise over a seeded
 * sample, and the output says which.
 */
import { Rng } from '../../autograd/random.js';
import { liveEpochs, loadMnistMlpTask, loadMnistRegNetTask } from '../../io/mnist-task.js';
import type { ChoiceArch, ChoiceSpace } from '../../nas/spaces/choices.js';
import { cardinality, describeValues, valueAt } from '../../nas/spaces/choices-vars.js';
import type { ArchCost } from '../../nas/space.js';
import { str, type Ctx } from '../context.js';

/** Grids up to this many points are walked in full; larger ones are sampled. */
const WALK_LIMIT = 2_000_000;
const SAMPLES = 20_000;

interface TaskView {
  readonly base: ChoiceSpace;
  hash(a: ChoiceArch): string;
  cost(a: ChoiceArch): ArchCost;
  sample(rng: Rng): ChoiceArch;
  isValid(a: ChoiceArch): boolean;
}

type Range = Record<string, { min: number; max: number }>;

function widen(r: Range, c: ArchCost): void {
  for (const [k, x] of Object.entries(c)) {
    if (typeof x !== 'number') continue;
    const e = (r[k] ??= { min: Infinity, max: -Infinity });
    e.min = Math.min(e.min, x);
    e.max = Math.max(e.max, x);
  }
}

/** Distinct valid networks and cost ranges: exact by walking the grid, or from a seeded sample. */
function survey(t: TaskView): { exact: boolean; networks: number | null; costs: Range; grid: number } {
  const vars = t.base.variables;
  const card = vars.map(cardinality);
  const grid = card.reduce((p, c) => p * c, 1);
  const costs: Range = {};
  if (grid <= WALK_LIMIT) {
    const seen = new Set<string>();
    const idx = card.map(() => 0);
    for (;;) {
      const a: Record<string, string | number> = {};
      vars.forEach((v, i) => (a[v.name] = valueAt(v, idx[i]!)));
      if (t.isValid(a)) {
        const h = t.hash(a);
        if (!seen.has(h)) {
          seen.add(h);
          widen(costs, t.cost(a));
        }
      }
      let i = idx.length - 1;
      while (i >= 0 && ++idx[i]! === card[i]!) idx[i--] = 0;
      if (i < 0) break;
    }
    return { exact: true, networks: seen.size, costs, grid };
  }
  const rng = new Rng(0);
  for (let s = 0; s < SAMPLES; s++) widen(costs, t.cost(t.sample(rng)));
  return { exact: false, networks: null, costs, grid };
}

export function taskInfo(ctx: Ctx, task: string): void {
  const epochs = liveEpochs(str(ctx.v, 'fidelity'), task);
  const loaded = task === 'mnist-regnet' ? loadMnistRegNetTask(epochs) : loadMnistMlpTask(epochs);
  const sp = loaded.space;
  const base: ChoiceSpace = 'base' in sp ? (sp.base as ChoiceSpace) : (sp as unknown as ChoiceSpace);
  const view: TaskView = {
    base,
    hash: (a) => sp.hash(a),
    cost: (a) => sp.cost!(a),
    sample: (rng) => sp.sample(rng),
    isValid: (a) => base.invalidReason(a) === null,
  };
  const s = survey(view);
  const settings = loaded.settings;
  const variables = base.variables.map((v) => ({ name: v.name, type: v.decl.type, values: describeValues(v) }));
  const rec = {
    task, dataset: loaded.dataset, encoding: sp.flatDim, grid: s.grid, networks: s.networks, costsOver: s.exact ? 'every network' : `${SAMPLES} networks sampled with seed 0`,
    costs: s.costs, variables, training: settings,
    query: 'val = validation accuracy (%) after training the candidate with the settings above, seeded by the network; test accuracy is recorded for protocol A/B reporting',
  };
  if (ctx.json) return ctx.out(JSON.stringify(rec));
  const size = s.networks !== null ? `${s.networks.toLocaleString('en-US')} distinct networks (grid of ${s.grid.toLocaleString('en-US')} points)` : `grid of ${s.grid.toLocaleString('en-US')} points (too many to walk; costs from ${SAMPLES.toLocaleString('en-US')} sampled networks, seed 0)`;
  const split = settings.split;
  ctx.out([
    `${task} (dataset ${loaded.dataset}): ${size}, encoding ${sp.flatDim}-d`,
    ...variables.map((x) => `  ${x.name} (${x.type}): ${x.values}`),
    `training per candidate: ${settings.epochs} epochs, batch ${settings.batchSize}${'lr' in settings ? `, lr ${String(settings.lr)}` : ''}, images ${split.train} train / ${split.val} val / ${split.test} test (split seed ${settings.splitSeed}), ${settings.downsample}×${settings.downsample} average pooling of the 28×28 digits`,
    `costs (${s.exact ? 'over every network' : 'over the sample'}; the units of --constraint): ${Object.entries(s.costs).map(([k, r]) => `${k} ${r.min.toLocaleString('en-US')} … ${r.max.toLocaleString('en-US')}`).join(', ')}`,
    `query: ${rec.query}`,
  ].join('\n'));
}
