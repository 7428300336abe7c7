// A scatter plot drawn with characters: every candidate a dim dot, the Pareto front bright.
// Positive values spanning over two decades (MACs, parameters, bytes) go on a log axis.

export interface PlotPoint {
  readonly x: number;
  readonly y: number;
}

export interface PlotSegment {
  readonly text: string;
  /** 0 frame and labels, 1 candidates, 2 front. */
  readonly level: 0 | 1 | 2;
}

export interface PlotOptions {
  readonly width: number;
  readonly height: number;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly format: (v: number, axis: 'x' | 'y') => string;
}

// ASCII where there are many (the terminal renderer measures every non-ASCII character slowly).
const GLYPH = [' ', '.', '●'] as const;

function scale(a: readonly number[], b: readonly number[]): { t: (v: number) => number; inv: (v: number) => number; lo: number; hi: number; log: boolean } {
  let min = Infinity;
  let max = -Infinity;
  for (const xs of [a, b])
    for (const v of xs)
      if (Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
  if (min > max) {
    min = 0;
    max = 1;
  }
  const log = min > 0 && max / min > 100;
  const t = (v: number): number => (log ? Math.log10(v) : v);
  const inv = (v: number): number => (log ? 10 ** v : v);
  return { t, inv, lo: t(min), hi: t(max), log };
}

/** Candidates as two parallel arrays (cheap to keep and to scan), plus the few front points. */
export interface PlotData {
  readonly xs: readonly number[];
  readonly ys: readonly number[];
  readonly front: readonly PlotPoint[];
}

/** Rows of coloured segments; `width` x `height` characters in all, axes and labels included. */
export function scatterRows(data: PlotData, o: PlotOptions): PlotSegment[][] {
  const fx = data.front.map((p) => p.x);
  const fy = data.front.map((p) => p.y);
  const sx = scale(data.xs, fx);
  const sy = scale(data.ys, fy);
  const yLabels = [o.format(sy.inv(sy.hi), 'y'), o.format(sy.inv(sy.lo), 'y')];
  const gutter = Math.max(...yLabels.map((l) => l.length)) + 1;
  const w = Math.max(4, o.width - gutter - 1);
  const h = Math.max(2, o.height - 3);
  const grid: (0 | 1 | 2)[][] = Array.from({ length: h }, () => new Array<0 | 1 | 2>(w).fill(0));
  const put = (x: number, y: number, level: 1 | 2): void => {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    const cx = sx.hi === sx.lo ? Math.floor(w / 2) : Math.round(((sx.t(x) - sx.lo) / (sx.hi - sx.lo)) * (w - 1));
    const cy = sy.hi === sy.lo ? Math.floor(h / 2) : Math.round(((sy.t(y) - sy.lo) / (sy.hi - sy.lo)) * (h - 1));
    const row = grid[h - 1 - cy];
    if (row && (row[cx] ?? 0) < level) row[cx] = level;
  };
  for (let i = 0; i < data.xs.length; i++) put(data.xs[i] as number, data.ys[i] as number, 1);
  for (const p of data.front) put(p.x, p.y, 2);
  const rows: PlotSegment[][] = [];
  rows.push([{ text: `${o.yLabel}${sy.log ? ' (log)' : ''}`.slice(0, o.width), level: 0 }]);
  grid.forEach((cells, i) => {
    const label = i === 0 ? (yLabels[0] ?? '') : i === h - 1 ? (yLabels[1] ?? '') : '';
    const segs: PlotSegment[] = [{ text: `${label.padStart(gutter - 1)} |`, level: 0 }];
    let cur: 0 | 1 | 2 = cells[0] ?? 0;
    let text = '';
    for (const c of cells) {
      if (c !== cur) {
        segs.push({ text, level: cur });
        cur = c;
        text = '';
      }
      text += GLYPH[c];
    }
    segs.push({ text, level: cur });
    rows.push(segs);
  });
  rows.push([{ text: `${' '.repeat(gutter)}+${'-'.repeat(w)}`, level: 0 }]);
  const left = o.format(sx.inv(sx.lo), 'x');
  const right = o.format(sx.inv(sx.hi), 'x');
  const mid = `${o.xLabel}${sx.log ? ' (log)' : ''}`;
  const span = w + 1;
  const gap = Math.max(1, span - left.length - right.length - mid.length);
  const l1 = Math.floor(gap / 2);
  rows.push([{ text: `${' '.repeat(gutter)}${left}${' '.repeat(l1)}${mid}${' '.repeat(Math.max(1, gap - l1))}${right}`.slice(0, o.width), level: 0 }]);
  return rows;
}
