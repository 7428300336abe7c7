// The live view's panels: status, progress with rate and ETA, workers, the Pareto front as a
// character scatter plot beside a table of the best candidates, failures with their reasons, the
// last events, the keys. Sized to the given width and height (the terminal's), so it never scrolls.
// Built as plain coloured lines (viewLines) and drawn as one ink <Text>.
import { Text } from 'ink';
import type { ReactNode } from 'react';
import { axesOf, entryValue, formatValue, plotAxes, type Axis, type RunModel, type RunStatus } from './model.js';
import { scatterRows, type PlotPoint } from './plot.js';
import { cells, fit, line, type Seg, type Style } from './text.js';

export interface LiveViewProps {
  readonly model: RunModel;
  readonly width: number;
  readonly height: number;
  /** False under NO_COLOR: no colour codes at all. */
  readonly color: boolean;
  readonly help?: boolean;
  /** The run directory, shown in the title. */
  readonly dir: string;
  /** Live (keys and timings shown) or a static report. */
  readonly live?: boolean;
  /** For timings (tests pass a fixed clock). */
  readonly now?: number;
}

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const STATUS: Record<RunStatus, { text: string; color: NonNullable<Style['color']> }> = {
  waiting: { text: 'STARTING', color: 'yellow' },
  running: { text: 'RUNNING', color: 'green' },
  paused: { text: 'PAUSED', color: 'yellow' },
  stopping: { text: 'STOPPING', color: 'magenta' },
  completed: { text: 'COMPLETED', color: 'cyan' },
  stopped: { text: 'STOPPED', color: 'magenta' },
};

export const HELP_LINES: readonly string[] = [
  'p        pause / continue (candidates in flight finish; none start while paused)',
  'q        stop cleanly: candidates in flight finish, the journal is flushed, the resume command is printed',
  'Ctrl-C   the same as q; a second Ctrl-C quits at once (resume re-evaluates what was not journaled)',
  'e        export the current front (ONNX, JSON, Ultralytics YAML) to <run directory>/export',
  '?        this help (any key closes it)',
  '',
  'The plot: every evaluated candidate is a dot (.), the Pareto front a bright ●.',
  'The table: the front, best first by the first objective.',
];

/** The view as lines of at most `width` cells, `height` lines at most. */
export function viewLines(props: LiveViewProps): string[] {
  const { model, width, color } = props;
  const height = Math.max(12, props.height);
  const L = (segs: readonly Seg[], pad = false): string => line(segs, width, color, pad);
  const config = model.config;
  const status = STATUS[model.status];
  const out: string[] = [];

  // Title and status.
  const badge = ` ${status.text} `;
  const title = config ? `zcnas ${config.strategy}, seed ${config.seed}: ${props.dir}` : `zcnas: ${props.dir}`;
  out.push(L([[fit(title, width - cells(badge) - 1).padEnd(width - cells(badge)), { bold: true }], [badge, { bold: true, inverse: color, color: status.color }]]));

  // Progress.
  const done = model.progress();
  const total = Math.max(1, model.total);
  const rate = model.rate();
  const eta = model.eta();
  const gens = config ? `gen ${Math.min(config.generations, model.generationsDone + (model.status === 'completed' ? 0 : 1))}/${config.generations}` : '';
  const speed = props.live || model.sessionEvaluated > 0 ? `  ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(2)}/s  ETA ${eta === undefined ? '--' : duration(eta)}` : '';
  const fresh = model.evaluated !== done ? ` (${model.evaluated} evaluated)` : '';
  const right = ` ${done}/${model.total} ${Math.floor((100 * done) / total)}%${fresh}${speed}`;
  const barWidth = Math.max(5, width - cells(right) - cells(gens) - 1);
  const filled = Math.min(barWidth, Math.round((barWidth * done) / total));
  // Coloured spaces (or # and -): ASCII keeps the redraw cheap.
  const bar: Seg[] = color
    ? [[' '.repeat(filled), { background: 'green' }], [' '.repeat(barWidth - filled), { background: 'gray' }]]
    : [['#'.repeat(filled)], ['-'.repeat(barWidth - filled)]];
  out.push(L([[`${gens} `], ...bar, [right]]));

  // Workers.
  const busy = model.inFlight.size;
  const slots = Math.max(model.slots, busy);
  const now = props.now ?? Date.now();
  const flying = [...model.inFlight.entries()].map(([id, t]) => (props.live ? `${id} ${duration((now - t) / 1000)}` : id)).join(', ');
  out.push(L([[`workers ${busy}/${slots} busy `], ['#'.repeat(Math.min(busy, 16)), { color: 'green' }], ['-'.repeat(Math.min(16, Math.max(0, slots - busy))), { color: 'gray' }], [` ${flying}`]]));
  if (model.remote.length > 0)
    out.push(L([[fit(`remote ${model.remote.map((w) => `${w.worker} busy ${w.busy}/${w.concurrency} done ${w.done} failed ${w.failed}`).join("; ")}`, width)]]));

  // Layout of the rest.
  const failureRows = model.failureCount > 0 ? Math.min(3, model.failures.length) + 1 : 0;
  const fixed = 3 + failureRows + (props.live ? 1 : 0) + (model.remote.length > 0 ? 1 : 0);
  const room = height - fixed;
  const eventRows = Math.max(2, Math.min(8, room - 13));
  const main = Math.max(6, room - eventRows - 1);
  const side = width >= 100;
  const plotW = side ? Math.floor(width * 0.5) : width;
  const plotH = side ? main : Math.max(6, Math.ceil(main * 0.6));
  const tableW = side ? width - plotW - 2 : width;
  const tableH = side ? main : main - plotH;

  if (props.help) {
    out.push(L([['keys', { bold: true, color: 'cyan' }]]));
    for (let i = 0; i < main - 1; i++) out.push(L([[`  ${HELP_LINES[i] ?? ''}`]]));
  } else {
    const plot = plotLines(model, plotW, plotH, color);
    const table = tableLines(model, tableW, tableH, color);
    if (side) {
      for (let i = 0; i < main; i++) out.push(`${plot[i] ?? ' '.repeat(plotW)}  ${table[i] ?? ''}`);
    } else {
      for (let i = 0; i < plotH; i++) out.push(plot[i] ?? '');
      for (let i = 0; i < tableH; i++) out.push(table[i] ?? '');
    }
  }

  if (failureRows > 0) {
    out.push(L([[`failures: ${model.failureCount}`, { bold: true, color: 'red' }]]));
    for (const f of model.failures.slice(-(failureRows - 1))) out.push(L([[`✗ ${f.id} (gen ${f.generation + 1}): ${f.reason.replace(/\s+/g, ' ')}`, { color: 'red' }]]));
  }

  out.push(L([['events', { bold: true }]]));
  const evs = model.events.slice(-eventRows);
  for (let i = 0; i < eventRows; i++) {
    const e = evs[i];
    if (!e) {
      out.push('');
      continue;
    }
    const when = props.live && model.startedAt !== undefined ? `+${duration((e.at - model.startedAt) / 1000)} ` : '';
    const c: Style['color'] = e.kind === 'failure' ? 'red' : e.kind === 'front' ? 'green' : e.kind === 'state' ? 'cyan' : 'gray';
    out.push(L([[when, { color: 'gray' }], [e.text, { color: c }]]));
  }

  if (props.live) {
    out.push(
      L([
        ['p', { color: 'cyan', bold: true }],
        [model.status === 'paused' ? ' continue  ' : ' pause  '],
        ['q', { color: 'cyan', bold: true }],
        [' stop  '],
        ['e', { color: 'cyan', bold: true }],
        [' export front  '],
        ['?', { color: 'cyan', bold: true }],
        [' help   '],
        [model.message, { color: 'yellow' }],
      ]),
    );
  }
  return out.slice(0, height);
}

export function LiveView(props: LiveViewProps): ReactNode {
  return <Text>{viewLines(props).join('\n')}</Text>;
}

function plotLines(model: RunModel, width: number, height: number, color: boolean): string[] {
  const config = model.config;
  if (!config) return [line([['waiting for the first candidates', { color: 'gray' }]], width, color, true)];
  const { x, y } = plotAxes(config);
  const front: PlotPoint[] = [];
  for (const f of model.front) {
    const vx = entryValue(f, x);
    const vy = entryValue(f, y);
    if (vx !== undefined && vy !== undefined) front.push({ x: vx, y: vy });
  }
  const rows = scatterRows({ xs: model.plotX, ys: model.plotY, front }, {
    width,
    height,
    xLabel: `${x.label} →`,
    yLabel: `${y.kind === 'score' ? '↑' : '↓'} ${y.label}   ● front (${model.front.length})  . candidates (${model.records.length})`,
    format: (v, a) => formatValue(v, a === 'x' ? x : y),
  });
  const styles: (Style | undefined)[] = [undefined, { color: 'gray' }, { color: 'green', bold: true }];
  return rows.map((segs) =>
    line(
      segs.map((s): Seg => [s.text, styles[s.level]]),
      width,
      color,
      true,
    ),
  );
}

function tableLines(model: RunModel, width: number, height: number, color: boolean): string[] {
  const config = model.config;
  if (!config) return [];
  const axes = axesOf(config);
  const extra: Axis[] = (['macs', 'params', 'memory', 'latency', 'ram', 'flash'] as const)
    .filter((k) => !axes.some((a) => a.name === k))
    .filter((k) => k === 'macs' || k === 'params' || model.front.some((f) => (f as unknown as Record<string, unknown>)[k] !== undefined))
    .map((k) => ({ label: k, kind: 'cost' as const, name: k }));
  const first = axes[0] as Axis;
  const sorted = [...model.front].sort((a, b) => {
    const va = entryValue(a, first) ?? NaN;
    const vb = entryValue(b, first) ?? NaN;
    return first.kind === 'score' ? vb - va : va - vb;
  });
  const cols = [...axes, ...extra];
  const header = ['#', 'candidate', ...cols.map((a, i) => (i < axes.length ? `${a.kind === 'score' ? '↑' : '↓'}${a.label}` : a.label))];
  const shown = sorted.slice(0, Math.max(0, height - 2));
  const rows = shown.map((f, i) => [String(i + 1), f.id, ...cols.map((a) => formatValue(entryValue(f, a), a))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Drop trailing columns that do not fit beside a readable id, then shorten the id column.
  let n = header.length;
  const others = (k: number): number => widths.slice(0, k).reduce((s, w, i) => (i === 1 ? s + 1 : s + w + 1), 0);
  while (n > 3 && others(n) + 16 > width) n--;
  const idW = Math.max(8, Math.min(widths[1] ?? 8, width - others(n)));
  const fmt = (r: readonly string[]): string =>
    r
      .slice(0, n)
      .map((cell, i) => (i === 1 ? fit(cell, idW).padEnd(idW) : cell.padStart(widths[i] ?? 0)))
      .join(' ');
  const out = [line([[`best candidates: the front (${model.front.length}), by ${first.label}`, { bold: true }]], width, color), line([[fmt(header), { color: 'cyan' }]], width, color)];
  for (const r of rows) out.push(line([[fmt(r)]], width, color));
  if (sorted.length === 0) out.push(line([['no feasible candidate yet', { color: 'gray' }]], width, color));
  return out;
}
