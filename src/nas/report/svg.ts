/**
 * A tiny SVG writer: elements as data, serialised with every attribute and text node escaped, so
 * that labels taken from user data (space names, architecture strings) can never inject markup.
 * Core code: returns strings; writing files is the caller's business.
 */

export type Attrs = Readonly<Record<string, string | number | undefined>>;

export interface SvgNode {
  readonly tag: string;
  readonly attrs: Attrs;
  readonly children: readonly (SvgNode | string)[];
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape text for use inside an element or a double-quoted attribute. */
export function escapeXml(s: string): string {
  // Control characters other than tab/newline are not allowed in XML 1.0 at all: drop them.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Numbers are written with at most 2 decimals: plenty for pixels, and keeps files small. */
function fmtAttr(v: string | number): string {
  if (typeof v === 'string') return escapeXml(v);
  if (!Number.isFinite(v)) throw new Error(`svg: non-finite attribute value ${v}`);
  return String(Math.round(v * 100) / 100);
}

const TAG_RE = /^[a-zA-Z][a-zA-Z0-9-]*$/;
const ATTR_RE = /^[a-zA-Z][a-zA-Z0-9:-]*$/;

export function el(tag: string, attrs: Attrs = {}, ...children: (SvgNode | string | null | undefined | false)[]): SvgNode {
  if (!TAG_RE.test(tag)) throw new Error(`svg: invalid tag name '${tag}'`);
  for (const k of Object.keys(attrs)) if (!ATTR_RE.test(k)) throw new Error(`svg: invalid attribute name '${k}' on <${tag}>`);
  return { tag, attrs, children: children.filter((c): c is SvgNode | string => c !== null && c !== undefined && c !== false) };
}

export function serialise(node: SvgNode | string, indent = ''): string {
  if (typeof node === 'string') return indent + escapeXml(node);
  const attrs = Object.entries(node.attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${fmtAttr(v)}"`)
    .join('');
  if (node.children.length === 0) return `${indent}<${node.tag}${attrs}/>`;
  // Text-only elements stay on one line so whitespace does not leak into the rendered label.
  if (node.children.every((c) => typeof c === 'string')) {
    return `${indent}<${node.tag}${attrs}>${node.children.map((c) => escapeXml(c as string)).join('')}</${node.tag}>`;
  }
  const inner = node.children.map((c) => serialise(c, indent + ' ')).join('\n');
  return `${indent}<${node.tag}${attrs}>\n${inner}\n${indent}</${node.tag}>`;
}

/** A complete, self-contained SVG document (opens in any browser). */
export function svgDocument(width: number, height: number, title: string, children: readonly SvgNode[]): string {
  const root = el(
    'svg',
    { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': 'system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif', 'font-size': 12 },
    el('title', {}, title),
    el('rect', { x: 0, y: 0, width, height, fill: 'white' }),
    ...children,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n${serialise(root)}\n`;
}

/** Polyline/polygon points attribute. */
export function points(xs: readonly number[], ys: readonly number[]): string {
  return xs.map((x, i) => `${fmtAttr(x)},${fmtAttr(ys[i]!)}`).join(' ');
}
