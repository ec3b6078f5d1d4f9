import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { el, escapeXml, serialise } from '../src/nas/report/svg.js';
import { niceDomain } from '../src/nas/report/scale.js';
import { distributionSvg, linePlotSvg, scatterSvg } from '../src/nas/report/plots.js';
import { bestSoFarSeries, bestSoFarSvg, finalDistributionSvg } from '../src/nas/report/experiment-plots.js';
import { runExperiment } from '../src/nas/experiment/runner.js';
import { FunctionOracle } from '../src/nas/benchmarks/synthetic.js';
import { spaceFromSpec } from '../src/nas/spaces/spec.js';
import { syntheticObjective } from '../src/io/run-space.js';

/** Well-formedness: every tag closes in order, attributes are quoted, no raw '<' or '&' in text. */
function checkWellFormed(svg: string): void {
  const body = svg.replace(/^<\?xml[^>]*\?>\n/, '');
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  while ((m = re.exec(body)) !== null) {
    pos = re.lastIndex;
    if (m[5] !== undefined) {
      expect(m[5]).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
      continue;
    }
    if (m[1] === '/') expect(stack.pop()).toBe(m[2]);
    else if (m[4] !== '/') stack.push(m[2]!);
  }
  expect(pos, `unparsed at ${pos}: ${body.slice(pos, pos + 60)}`).toBe(body.length);
  expect(stack).toEqual([]);
}

describe('svg writer', () => {
  it('escapes text and attributes so user data cannot inject markup', () => {
    const evil = `</text><script>alert("x")</script>&'`;
    const s = serialise(el('text', { 'data-name': evil }, evil));
    expect(s).not.toContain('<script');
    expect(s).toBe(`<text data-name="&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;">&lt;/text&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;</text>`);
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (t) => {
      checkWellFormed(serialise(el('g', {}, el('text', { 'data-x': t }, t))));
      expect(escapeXml(t)).not.toMatch(/[<>"']/);
    }), { seed: 42, numRuns: 200 });
    expect(() => el('g', { 'on click': 1 })).toThrow(/invalid attribute name/);
    expect(() => serialise(el('rect', { x: NaN }))).toThrow(/non-finite attribute/);
  });

  it('picks nice ticks that cover the data', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
      const { domain, ticks } = niceDomain(xs);
      expect(domain[0]).toBeLessThanOrEqual(Math.min(...xs));
      expect(domain[1]).toBeGreaterThanOrEqual(Math.max(...xs));
      expect(domain[1]).toBeGreaterThan(domain[0]);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(16);
    }), { seed: 42, numRuns: 200 });
    expect(niceDomain([93.2, 94.37]).ticks).toEqual([93.2, 93.4, 93.6, 93.8, 94, 94.2, 94.4]);
  });
});

describe('plots', () => {
  it('draw one band and one line per series, a box per group, a dot per scatter point', () => {
    const line = linePlotSvg({ title: 'T <1>', xLabel: 'queries', yLabel: 'acc', series: [
      { name: 'a', x: [1, 2, 3], y: [1, 2, 3], lo: [0, 1, 2], hi: [2, 3, 4] },
      { name: 'b&c', x: [1, 2], y: [2, 2], lo: [2, 2], hi: [2, 2] },
    ], reference: { value: 4, label: 'optimum' } });
    checkWellFormed(line);
    expect(line.match(/<polygon/g)).toHaveLength(2);
    expect(line.match(/<polyline/g)).toHaveLength(2);
    expect(line).toContain('T &lt;1&gt;');
    expect(() => linePlotSvg({ title: '', xLabel: '', yLabel: '', series: [{ name: 'x', x: [1], y: [], lo: [], hi: [] }] })).toThrow(/series 'x' has x\/y\/lo\/hi of lengths 1\/0\/0\/0/);
    const dist = distributionSvg({ title: 'd', yLabel: 'v', groups: [{ name: 'g1', values: [1, 2, 3, 4] }, { name: 'g2', values: [5] }] });
    checkWellFormed(dist);
    expect(dist.match(/<circle/g)).toHaveLength(5);
    const sc = scatterSvg({ title: 's', xLabel: 'true', yLabel: 'pred', x: [1, 2, 3], y: [3, 2, 1], annotations: ['Kendall τ = -1.000'] });
    checkWellFormed(sc);
    expect(sc.match(/<circle/g)).toHaveLength(3);
    expect(sc).toContain('Kendall τ = -1.000');
  });

  it('best-so-far series are the per-query means of the reported metric, and plots are deterministic', () => {
    const space = spaceFromSpec({ name: 'p', variables: [{ name: 'a', type: 'int', min: 0, max: 7 }, { name: 'b', type: 'categorical', options: ['x', 'y', 'z'] }] });
    const oracle = new FunctionOracle('syn', space, space.enumerate!(), syntheticObjective(space, 1));
    const res = runExperiment({ oracle, dataset: 'synthetic', algorithms: ['random', 'rea'], budget: 12, seeds: [0, 1, 2] });
    const series = bestSoFarSeries(res);
    expect(series.map((s) => s.name)).toEqual(['random', 'rea']);
    const r = series[0]!;
    expect(r.x).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(r.y[9]).toBeCloseTo(res.summary['random']!['10']!.mean, 9);
    const at10 = res.runs.filter((x) => x.algo === 'random').map((x) => x.trajectory.slice(0, 10).reduce((a, p) => (p.val > a.val ? p : a)).test!);
    expect(r.y[9]).toBeCloseTo(at10.reduce((a, b) => a + b) / at10.length, 9);
    expect(r.lo[9]).toBeLessThanOrEqual(r.y[9]!);
    expect(r.hi[9]).toBeGreaterThanOrEqual(r.y[9]!);
    const svg = bestSoFarSvg(res);
    checkWellFormed(svg);
    expect(bestSoFarSvg(res)).toBe(svg);
    checkWellFormed(finalDistributionSvg(res));
    expect(finalDistributionSvg(res).match(/<circle/g)).toHaveLength(6);
  });
});
