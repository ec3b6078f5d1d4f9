/**
 * The three report plots, as complete SVG documents: line plots with confidence bands (best-so-far
 * vs queries), distributions (box + points per group), and predicted-vs-true scatter plots.
 * Deterministic: the same data gives byte-identical files (point jitter is derived from indices).
 */
import { el, points, svgDocument, type SvgNode } from './svg.js';
import { linearScale, logDomain, logScale, logTickLabel, niceDomain, tickLabel, type LinearScale } from './scale.js';
import { quantile } from '../experiment/stats.js';

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. */
export const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

const W = 720, H = 440;
const M = { left: 64, right: 170, top: 40, bottom: 52 };

interface Frame {
  readonly x: LinearScale;
  readonly y: LinearScale;
  readonly nodes: SvgNode[];
}

function step(ticks: readonly number[]): number {
  return ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
}

/** Axes, grid, tick labels, axis titles and the plot title. `xCats` replaces numeric x ticks; `logY` makes the y axis logarithmic. */
function frame(title: string, xLabel: string, yLabel: string, xVals: number[], yVals: number[], xCats?: readonly string[], logY = false): Frame {
  const xd = xCats ? { domain: [-0.5, xCats.length - 0.5] as [number, number], ticks: xCats.map((_, i) => i) } : niceDomain(xVals, 6);
  const yd = logY ? logDomain(yVals) : niceDomain(yVals, 6);
  const x = linearScale(xd.domain, [M.left, W - M.right], xd.ticks);
  const y = (logY ? logScale : linearScale)(yd.domain, [H - M.bottom, M.top], yd.ticks);
  const nodes: SvgNode[] = [];
  const grid = el('g', { stroke: '#e5e5e5', 'stroke-width': 1 },
    ...yd.ticks.map((t) => el('line', { x1: M.left, x2: W - M.right, y1: y(t), y2: y(t) })));
  const xs = xd.ticks.map((t, i) => el('text', { x: x(t), y: H - M.bottom + 16, 'text-anchor': 'middle' }, xCats ? xCats[i]! : tickLabel(t, step(xd.ticks))));
  const ys = yd.ticks.map((t) => el('text', { x: M.left - 6, y: y(t) + 4, 'text-anchor': 'end' }, logY ? logTickLabel(t) : tickLabel(t, step(yd.ticks))));
  nodes.push(
    grid,
    el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, fill: 'none', stroke: '#888' }),
    el('g', { fill: '#333' }, ...xs, ...ys),
    el('text', { x: (M.left + W - M.right) / 2, y: H - 12, 'text-anchor': 'middle', fill: '#333' }, xLabel),
    el('text', { x: 16, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', fill: '#333', transform: `rotate(-90 16 ${(M.top + H - M.bottom) / 2})` }, yLabel),
    el('text', { x: M.left, y: 24, 'font-size': 14, 'font-weight': 'bold', fill: '#111' }, title),
  );
  return { x, y, nodes };
}

/** Legend entries: a colour swatch, or a line sample in the series' colour and dash pattern. */
function legend(entries: readonly { name: string; colour: string; dash?: string | undefined }[]): SvgNode {
  return el('g', { class: 'legend' }, ...entries.map((e, i) => el('g', {},
    e.dash === undefined
      ? el('rect', { x: W - M.right + 14, y: M.top + i * 20, width: 14, height: 10, fill: e.colour })
      : el('line', { x1: W - M.right + 10, x2: W - M.right + 30, y1: M.top + i * 20 + 5, y2: M.top + i * 20 + 5, stroke: e.colour, 'stroke-width': 2, 'stroke-dasharray': e.dash }),
    el('text', { x: W - M.right + 34, y: M.top + i * 20 + 9, fill: '#222' }, e.name))));
}

/**
 * Document width that leaves the legend room for its longest label (about 6.6 px per character at
 * 12 px): the plot area keeps its size and the document grows to the right.
 */
function widthFor(names: readonly string[]): number {
  const need = 34 + 6.6 * Math.max(0, ...names.map((n) => n.length)) + 8;
  return W + Math.max(0, Math.ceil(need - M.right));
}

export interface BandSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Lower and upper edge of the band, same length as x. */
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  /** Colour index into PALETTE (default: the series' position). */
  readonly colour?: number;
  /** SVG stroke-dasharray of the line (e.g. '6 3'), to tell apart series that share a colour. */
  readonly dash?: string;
}

export interface LinePlot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly BandSeries[];
  /** Optional horizontal reference line (e.g. the table's optimum). */
  readonly reference?: { readonly value: number; readonly label: string };
  readonly note?: string;
  /**
   * 'log': logarithmic y axis over the positive values (regret plots; what is ≤ 0 or below the
   * axis is drawn on its bottom edge). Default linear.
   */
  readonly yScale?: 'linear' | 'log';
  /**
   * Fit the y axis to the points with x ≥ this (the curves after the first queries); earlier points
   * are drawn but clipped at the plot's edge. Default: every point.
   */
  readonly yFitFromX?: number;
}

export function linePlotSvg(p: LinePlot): string {
  for (const s of p.series) {
    if (s.y.length !== s.x.length || s.lo.length !== s.x.length || s.hi.length !== s.x.length) {
      throw new Error(`linePlot: series '${s.name}' has x/y/lo/hi of lengths ${s.x.length}/${s.y.length}/${s.lo.length}/${s.hi.length}`);
    }
  }
  const log = p.yScale === 'log';
  const from = p.yFitFromX ?? -Infinity;
  // A log axis is fitted to the means (a band's lower edge can reach 0); a linear one to the bands.
  const yVals = p.series.flatMap((s) => s.x.flatMap((x, i) => (x < from ? [] : log ? [s.y[i]!, s.hi[i]!] : [s.lo[i]!, s.hi[i]!, s.y[i]!])));
  if (p.reference) yVals.push(p.reference.value);
  const f = frame(p.title, p.xLabel, p.yLabel, p.series.flatMap((s) => [...s.x]), yVals, undefined, log);
  const clip = el('clipPath', { id: 'plot-area' }, el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom }));
  const body = p.series.map((s, i) => {
    const c = PALETTE[(s.colour ?? i) % PALETTE.length]!;
    const px = s.x.map(f.x);
    const band = points([...px, ...[...px].reverse()], [...s.hi.map(f.y), ...s.lo.map(f.y).reverse()]);
    return el('g', { class: 'series', 'data-name': s.name, 'clip-path': 'url(#plot-area)' },
      s.x.length > 0 ? el('polygon', { points: band, fill: c, 'fill-opacity': 0.18, stroke: 'none' }) : null,
      s.x.length > 0 ? el('polyline', { points: points(px, s.y.map(f.y)), fill: 'none', stroke: c, 'stroke-width': 2, 'stroke-dasharray': s.dash }) : null);
  });
  const ref = p.reference
    ? el('g', {}, el('line', { x1: M.left, x2: W - M.right, y1: f.y(p.reference.value), y2: f.y(p.reference.value), stroke: '#444', 'stroke-dasharray': '5 4' }),
      el('text', { x: W - M.right - 4, y: f.y(p.reference.value) - 4, 'text-anchor': 'end', fill: '#444' }, p.reference.label))
    : null;
  // The note sits under the legend, one clause ('; '-separated) per line, so it fits the margin.
  const noteLines = p.note ? p.note.split('; ') : [];
  const note = noteLines.length > 0
    ? el('g', { fill: '#555', 'font-size': 10 }, ...noteLines.map((t, i) => el('text', { x: W - M.right + 14, y: H - M.bottom - (noteLines.length - 1 - i) * 13 }, t)))
    : null;
  const legendNode = legend(p.series.map((s, i) => ({ name: s.name, colour: PALETTE[(s.colour ?? i) % PALETTE.length]!, dash: s.dash })));
  return svgDocument(widthFor(p.series.map((s) => s.name)), H, p.title, [clip, ...f.nodes, ...body, ...(ref ? [ref] : []), legendNode, ...(note ? [note] : [])]);
}

export interface DistributionPlot {
  readonly title: string;
  readonly yLabel: string;
  readonly groups: readonly { readonly name: string; readonly values: readonly number[] }[];
}

/** Box (quartiles, whiskers to min/max) with every value drawn as a point beside it. */
export function distributionSvg(p: DistributionPlot): string {
  const f = frame(p.title, '', p.yLabel, [], p.groups.flatMap((g) => [...g.values]), p.groups.map((g) => g.name));
  const bw = Math.min(60, ((W - M.left - M.right) / Math.max(1, p.groups.length)) * 0.35);
  const body = p.groups.map((g, i) => {
    const c = PALETTE[i % PALETTE.length]!;
    const cx = f.x(i);
    const vs = g.values.filter(Number.isFinite);
    if (vs.length === 0) return el('g', { class: 'group', 'data-name': g.name });
    const [lo, q1, med, q3, hi] = [0, 0.25, 0.5, 0.75, 1].map((q) => f.y(quantile(vs, q))) as [number, number, number, number, number];
    const box = el('g', { stroke: c, 'stroke-width': 1.5, fill: 'none' },
      el('line', { x1: cx - bw / 2, x2: cx - bw / 2, y1: lo, y2: hi }),
      el('rect', { x: cx - bw, y: q3, width: bw, height: Math.max(0.5, q1 - q3), fill: c, 'fill-opacity': 0.15 }),
      el('line', { x1: cx - bw, x2: cx, y1: med, y2: med, 'stroke-width': 2.5 }));
    // Points beside the box, spread by a fixed low-discrepancy sequence (golden ratio), not randomness.
    const dots = el('g', { fill: c, 'fill-opacity': 0.6 }, ...vs.map((v, k) => el('circle', { cx: cx + 6 + ((k * 0.618034) % 1) * bw * 0.8, cy: f.y(v), r: 2.2 })));
    return el('g', { class: 'group', 'data-name': g.name }, box, dots);
  });
  return svgDocument(W, H, p.title, [...f.nodes, ...body]);
}

export interface ScatterPlot {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  /** Lines of text shown at the top left inside the plot (e.g. Kendall τ). */
  readonly annotations?: readonly string[];
}

export function scatterSvg(p: ScatterPlot): string {
  if (p.x.length !== p.y.length) throw new Error(`scatter: ${p.x.length} x values but ${p.y.length} y values`);
  const f = frame(p.title, p.xLabel, p.yLabel, [...p.x], [...p.y]);
  const dots = el('g', { fill: PALETTE[0]!, 'fill-opacity': 0.45 }, ...p.x.map((x, i) => el('circle', { cx: f.x(x), cy: f.y(p.y[i]!), r: 2.5 })));
  const notes = (p.annotations ?? []).map((t, i) => el('text', { x: M.left + 8, y: M.top + 16 + i * 16, fill: '#111' }, t));
  return svgDocument(W, H, p.title, [...f.nodes, dots, ...notes]);
}
