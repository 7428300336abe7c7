// Self-contained SVG scatter plots (small multiples), viewable in any browser or image viewer.

export interface Panel {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly { x: number; y: number; group: string }[];
}

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** A grid of scatter panels with a shared colour legend of groups. */
export function scatterGrid(panels: readonly Panel[], opts: { columns?: number; title?: string } = {}): string {
  const cols = opts.columns ?? 3;
  const pw = 320;
  const ph = 260;
  const margin = { l: 56, r: 12, t: 28, b: 40 };
  const rows = Math.ceil(panels.length / cols);
  const groups = [...new Set(panels.flatMap((p) => p.points.map((q) => q.group)))].sort();
  const colour = (g: string): string => PALETTE[groups.indexOf(g) % PALETTE.length] ?? '#000';
  const top = 40;
  const legend = 24;
  const width = cols * pw;
  const height = top + rows * ph + legend;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${esc(opts.title ?? '')}</text>`,
  ];
  panels.forEach((panel, k) => {
    const ox = (k % cols) * pw;
    const oy = top + Math.floor(k / cols) * ph;
    // Positive values spanning over two decades (MACs, parameters) read better on a log axis.
    const raw = panel.points.map((p) => p.x);
    const log = raw.length > 0 && Math.min(...raw) > 0 && Math.max(...raw) / Math.min(...raw) > 100;
    const tx = (v: number): number => (log ? Math.log10(v) : v);
    const xs = raw.map(tx);
    const ys = panel.points.map((p) => p.y);
    const [x0, x1] = xs.length ? [Math.min(...xs), Math.max(...xs)] : [0, 1];
    const [y0, y1] = ys.length ? [Math.min(...ys), Math.max(...ys)] : [0, 1];
    const iw = pw - margin.l - margin.r;
    const ih = ph - margin.t - margin.b;
    const sx = (v: number): number => ox + margin.l + (x1 === x0 ? iw / 2 : ((v - x0) / (x1 - x0)) * iw);
    const sy = (v: number): number => oy + margin.t + ih - (y1 === y0 ? ih / 2 : ((v - y0) / (y1 - y0)) * ih);
    parts.push(`<text x="${ox + pw / 2}" y="${oy + 16}" text-anchor="middle" font-size="12">${esc(panel.title)}</text>`);
    parts.push(`<rect x="${ox + margin.l}" y="${oy + margin.t}" width="${iw}" height="${ih}" fill="none" stroke="#999"/>`);
    const unlog = (v: number): number => (log ? 10 ** v : v);
    parts.push(`<text x="${ox + margin.l}" y="${oy + ph - 22}" fill="#555">${fmt(unlog(x0))}</text>`);
    parts.push(`<text x="${ox + pw - margin.r}" y="${oy + ph - 22}" text-anchor="end" fill="#555">${fmt(unlog(x1))}</text>`);
    parts.push(`<text x="${ox + margin.l + iw / 2}" y="${oy + ph - 8}" text-anchor="middle">${esc(panel.xLabel)}${log ? ' (log scale)' : ''}</text>`);
    parts.push(`<text x="${ox + margin.l - 4}" y="${oy + margin.t + ih}" text-anchor="end" fill="#555">${fmt(y0)}</text>`);
    parts.push(`<text x="${ox + margin.l - 4}" y="${oy + margin.t + 8}" text-anchor="end" fill="#555">${fmt(y1)}</text>`);
    parts.push(`<text transform="translate(${ox + 14} ${oy + margin.t + ih / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
    for (const p of panel.points)
      parts.push(`<circle cx="${sx(tx(p.x)).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.2" fill="${colour(p.group)}" fill-opacity="0.6"/>`);
  });
  groups.forEach((g, i) => {
    const x = 20 + i * 90;
    const y = height - 8;
    parts.push(`<circle cx="${x}" cy="${y - 4}" r="4" fill="${colour(g)}"/><text x="${x + 8}" y="${y}">${esc(g)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
