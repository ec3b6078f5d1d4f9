/**
 * Report plots a reader can use: regret on a log axis when the optimum is known, an axis zoomed
 * to the curves after the first queries when it is not (checked on the SVG's geometry here; the
 * rendered images were inspected by eye when this was written).
 */
import { describe, expect, it } from 'vitest';
import { logDomain, logScale } from '../src/nas/report/scale.js';
import { linePlotSvg } from '../src/nas/report/plots.js';
import { bestSoFarSeries, bestSoFarSvg, zoomFrom } from '../src/nas/report/experiment-plots.js';
import { runExperiment } from '../src/nas/experiment/runner.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { syntheticObjective } from '../src/io/run-space.js';
import { spaceFromSpec } from '../src/nas/spaces/spec.js';

/** y pixel of every vertex of each polyline, in document order. */
function polylineYs(svg: string): number[][] {
  return [...svg.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(' ').map((p) => Number(p.split(',')[1])));
}

describe('log axis', () => {
  it('covers whole decades, adds 2 and 5 on short spans, and maps zero to the bottom', () => {
    expect(logDomain([0.03, 0.7, 4])).toEqual({ domain: [0.01, 10], ticks: [0.01, 0.1, 1, 10] });
    expect(logDomain([0.15, 0.6, 0, -1])).toEqual({ domain: [0.1, 1], ticks: [0.1, 0.2, 0.5, 1] });
    const y = logScale([0.01, 10], [400, 40]);
    expect(y(0.01)).toBe(400);
    expect(y(10)).toBe(40);
    expect(y(0.1)).toBeCloseTo(280, 9); // one decade of three
    expect(y(0)).toBe(400);
    expect(y(-0.5)).toBe(400);
  });
});

describe('best-so-far plots', () => {
  const space = spaceFromSpec({ name: 'p', variables: [{ name: 'a', type: 'int', min: 0, max: 15 }, { name: 'b', type: 'categorical', options: ['x', 'y', 'z', 'w'] }] });
  const oracle = new FunctionOracle('syn', space, space.enumerate!(), syntheticObjective(space, 3));
  const res = runExperiment({ oracle, dataset: 'synthetic', algorithms: ['random', 'rea'], budget: 30, seeds: [0, 1, 2, 3] });

  it('regret is the optimum minus the reported metric, per query, with the same t band', () => {
    const metric = bestSoFarSeries(res, 'metric')[1]!, regret = bestSoFarSeries(res, 'regret')[1]!;
    regret.y.forEach((r, i) => expect(r).toBeCloseTo(res.optimum.value - metric.y[i]!, 9));
    regret.hi.forEach((h, i) => expect(h - regret.y[i]!).toBeCloseTo(metric.hi[i]! - metric.y[i]!, 9));
    // Best so far never gets worse, so the mean regret never rises.
    regret.y.slice(1).forEach((r, i) => expect(r).toBeLessThanOrEqual(regret.y[i]! + 1e-12));
  });

  it('a known optimum gives a log regret plot; an unknown one a metric plot fitted after the first queries', () => {
    const known = bestSoFarSvg(res);
    expect(known).toContain('Regret vs queries');
    expect(known).toMatch(/regret: optimum [0-9.]+ − reported \(log\)/);
    const live = bestSoFarSvg(res, { optimumKnown: false });
    expect(live).toContain('Best so far vs queries');
    expect(live).toContain(`axis fitted from n=${zoomFrom(30)}`);
    expect(live).toContain('clip-path="url(#plot-area)"');
  });

  it('a zoomed axis lets early points run off the bottom while later ones fill the plot', () => {
    const series = [{ name: 's', x: [1, 2, 3, 4, 5], y: [10, 90, 91, 92, 93], lo: [10, 90, 91, 92, 93], hi: [10, 90, 91, 92, 93] }];
    const full = polylineYs(linePlotSvg({ title: 't', xLabel: 'x', yLabel: 'y', series }))[0]!;
    const zoomed = polylineYs(linePlotSvg({ title: 't', xLabel: 'x', yLabel: 'y', series, yFitFromX: 2 }))[0]!;
    // Unzoomed, 90..93 is a sliver near the top; zoomed it spans most of the plot's 348 px height.
    expect(full[1]! - full[4]!).toBeLessThan(20);
    expect(zoomed[1]! - zoomed[4]!).toBeGreaterThan(200);
    expect(zoomed[0]!).toBeGreaterThan(440); // below the plot (clipped when drawn)
  });
});
