// zcnas report DIR --html FILE: one self-contained HTML file (no network): the run's summary, the
// front as an interactive scatter plot (inline SVG and a little inline script: hover shows the
// candidate, click marks its row), the table of candidates (sortable), failures and the config.
import { failureReason, type EvalRecord, type FrontEntry, type JournalState } from '../search/index.js';
import { axesOf, formatValue, plotAxes, recordValue, type Axis } from './ui/model.js';

/** The colour of front points (the test looks for it in a screenshot). */
export const FRONT_COLOUR = '#d62728';
const OTHER_COLOUR = '#9aa5b1';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function fmtTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-2)) return v.toExponential(2);
  return Number(v.toPrecision(4)).toString();
}

interface Pt {
  readonly r: EvalRecord;
  readonly x: number;
  readonly y: number;
  readonly front: boolean;
}

function plotSvg(points: readonly Pt[], x: Axis, y: Axis): string {
  const W = 760;
  const H = 440;
  const m = { l: 80, r: 20, t: 20, b: 50 };
  const axis = (vals: number[]): { t: (v: number) => number; lo: number; hi: number; log: boolean } => {
    const lo0 = vals.length ? Math.min(...vals) : 0;
    const hi0 = vals.length ? Math.max(...vals) : 1;
    // Costs spanning more than a decade and a half (MACs, parameters, bytes) read better on a log axis.
    const log = lo0 > 0 && hi0 / lo0 > 30;
    const t = (v: number): number => (log ? Math.log10(v) : v);
    let lo = t(lo0);
    let hi = t(hi0);
    if (hi === lo) {
      lo -= Math.abs(lo) * 0.1 || 1;
      hi += Math.abs(hi) * 0.1 || 1;
    }
    const pad = (hi - lo) * 0.04;
    // A linear axis of non-negative values does not go below zero.
    return { t, lo: !log && lo0 >= 0 ? Math.max(0, lo - pad) : lo - pad, hi: hi + pad, log };
  };
  const ax = axis(points.map((p) => p.x));
  const ay = axis(points.map((p) => p.y));
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const sx = (v: number): number => m.l + ((ax.t(v) - ax.lo) / (ax.hi - ax.lo)) * iw;
  const sy = (v: number): number => m.t + ih - ((ay.t(v) - ay.lo) / (ay.hi - ay.lo)) * ih;
  const parts: string[] = [
    `<svg id="plot" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect x="${m.l}" y="${m.t}" width="${iw}" height="${ih}" fill="#fff" stroke="#999"/>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const fx = ax.lo + ((ax.hi - ax.lo) * k) / 4;
    const fy = ay.lo + ((ay.hi - ay.lo) * k) / 4;
    const vx = ax.log ? 10 ** fx : fx;
    const vy = ay.log ? 10 ** fy : fy;
    const px = m.l + (iw * k) / 4;
    const py = m.t + ih - (ih * k) / 4;
    parts.push(`<line x1="${px}" y1="${m.t}" x2="${px}" y2="${m.t + ih}" stroke="#eee"/><text x="${px}" y="${m.t + ih + 16}" text-anchor="middle" fill="#555">${esc(formatValue(vx, x) === '-' ? fmtTick(vx) : formatValue(vx, x))}</text>`);
    parts.push(`<line x1="${m.l}" y1="${py}" x2="${m.l + iw}" y2="${py}" stroke="#eee"/><text x="${m.l - 6}" y="${py + 4}" text-anchor="end" fill="#555">${esc(y.kind === 'score' ? fmtTick(vy) : formatValue(vy, y))}</text>`);
  }
  parts.push(`<text x="${m.l + iw / 2}" y="${H - 10}" text-anchor="middle">${esc(x.label)} (${x.kind === 'cost' ? 'lower is better' : 'higher is better'})${ax.log ? ', log scale' : ''}</text>`);
  parts.push(`<text transform="translate(16 ${m.t + ih / 2}) rotate(-90)" text-anchor="middle">${esc(y.label)} (${y.kind === 'cost' ? 'lower is better' : 'higher is better'})${ay.log ? ', log scale' : ''}</text>`);
  const front = points.filter((p) => p.front).sort((a, b) => a.x - b.x);
  if (front.length > 1) parts.push(`<polyline fill="none" stroke="${FRONT_COLOUR}" stroke-opacity="0.35" stroke-width="1.5" points="${front.map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join(' ')}"/>`);
  const circle = (p: Pt): string =>
    `<circle class="pt${p.front ? ' front' : ''}" data-id="${esc(p.r.id)}" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="${p.front ? 6 : 3.5}" fill="${p.front ? FRONT_COLOUR : OTHER_COLOUR}" fill-opacity="${p.front ? 1 : 0.7}"><title>${esc(p.r.id)}: ${esc(x.label)} ${esc(formatValue(p.x, x))}, ${esc(y.label)} ${esc(formatValue(p.y, y))}</title></circle>`;
  for (const p of points) if (!p.front) parts.push(circle(p));
  for (const p of front) parts.push(circle(p));
  parts.push('</svg>');
  return parts.join('\n');
}

const SCRIPT = `
(function () {
  var tip = document.getElementById('tip');
  var data = JSON.parse(document.getElementById('data').textContent);
  document.querySelectorAll('#plot .pt').forEach(function (c) {
    c.addEventListener('mouseenter', function (ev) {
      var d = data[c.getAttribute('data-id')] || {};
      tip.innerHTML = '<b>' + c.getAttribute('data-id') + '</b>' + (c.classList.contains('front') ? ' (front)' : '') + '<br>' + Object.keys(d).map(function (k) { return k + ': ' + d[k]; }).join('<br>');
      tip.style.display = 'block';
    });
    c.addEventListener('mousemove', function (ev) { tip.style.left = (ev.pageX + 14) + 'px'; tip.style.top = (ev.pageY + 10) + 'px'; });
    c.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    c.addEventListener('click', function () {
      document.querySelectorAll('tr.marked').forEach(function (r) { r.classList.remove('marked'); });
      var row = document.getElementById('row-' + c.getAttribute('data-id'));
      if (row) { row.classList.add('marked'); row.scrollIntoView({ block: 'center' }); }
    });
  });
  document.querySelectorAll('table.sortable th').forEach(function (th, i) {
    th.addEventListener('click', function () {
      var body = th.closest('table').tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
      th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
      rows.sort(function (a, b) {
        var x = a.cells[i].getAttribute('data-v') || a.cells[i].textContent, y = b.cells[i].getAttribute('data-v') || b.cells[i].textContent;
        var nx = parseFloat(x), ny = parseFloat(y);
        return dir * (isNaN(nx) || isNaN(ny) ? String(x).localeCompare(String(y)) : nx - ny);
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
`;

/** At most this many rows in the table of all candidates (the front always comes first). */
const MAX_ROWS = 5000;

export function htmlReport(state: JournalState, dir: string, front: readonly FrontEntry[], tool: string): string {
  const config = state.config;
  const { x, y } = plotAxes(config);
  const frontIds = new Set(front.map((f) => f.id));
  const points: Pt[] = [];
  for (const r of state.order) {
    const vx = recordValue(r, x);
    const vy = recordValue(r, y);
    if (vx !== undefined && vy !== undefined && Number.isFinite(vx) && Number.isFinite(vy)) points.push({ r, x: vx, y: vy, front: frontIds.has(r.id) });
  }
  const axes = axesOf(config);
  const costCols: Axis[] = (['macs', 'params', 'memory', 'latency', 'ram', 'flash'] as const)
    .filter((k) => !axes.some((a) => a.name === k))
    .filter((k) => k === 'macs' || k === 'params' || k === 'memory' || state.order.some((r) => r[k] !== undefined))
    .map((k) => ({ label: k, kind: 'cost' as const, name: k }));
  const cols = [...axes, ...costCols];
  const first = axes[0] as Axis;
  const rank = (r: EvalRecord): number => {
    const v = recordValue(r, first);
    if (v === undefined) return Infinity;
    return first.kind === 'score' ? -v : v;
  };
  const rows = [...state.order].sort((a, b) => Number(frontIds.has(b.id)) - Number(frontIds.has(a.id)) || rank(a) - rank(b) || a.id.localeCompare(b.id)).slice(0, MAX_ROWS);
  const data: Record<string, Record<string, string>> = {};
  for (const p of points) data[p.r.id] = Object.fromEntries(cols.map((a) => [a.label, formatValue(recordValue(p.r, a), a)]));
  const failures = state.order.map((r) => ({ r, reason: failureReason(r) })).filter((f) => f.reason !== undefined);
  const completed = [...state.steps.values()].filter((s) => s.proposals.every((id) => state.evals.has(id))).length;
  const total = config.population * config.generations;
  const th = (a: Axis, i: number): string => `<th title="click to sort">${esc(i < axes.length ? `${a.kind === 'score' ? 'max' : 'min'} ${a.label}` : a.label)}</th>`;
  const td = (r: EvalRecord, a: Axis): string => {
    const v = recordValue(r, a);
    return `<td data-v="${v ?? ''}">${esc(formatValue(v, a))}</td>`;
  };
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zcnas report: ${esc(dir)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 22px 0 6px; }
.summary { color: #444; margin-bottom: 10px; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #eee; white-space: nowrap; }
th { background: #f4f4f4; cursor: pointer; position: sticky; top: 0; }
td.id, th.id { text-align: left; font-family: ui-monospace, monospace; }
tr.onfront td.id::before { content: '\\2605  '; color: #a00; }
tr.marked { background: #fff3b0; }
pre { background: #f7f7f7; padding: 8px; font-size: 12px; overflow-x: auto; }
#tip { position: absolute; display: none; background: #fff; border: 1px solid #888; padding: 4px 8px; font-size: 12px; pointer-events: none; box-shadow: 1px 1px 4px rgba(0,0,0,.2); }
.failure { color: #a00; font-size: 13px; }
.legend span { margin-right: 18px; } .dot { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 5px; vertical-align: middle; }
</style></head><body>
<h1>zcnas search report: ${esc(dir)}</h1>
<div class="summary">${esc(config.strategy)}, seed ${config.seed}, ${state.order.length} of ${total} candidates evaluated (${completed} of ${config.generations} generations${completed >= config.generations ? ', completed' : ', stopped: zcnas resume ' + esc(dir) + ' continues it'}), front ${front.length}, ${failures.length} failed. Objectives: ${esc(axes.map((a) => `${a.kind === 'score' ? 'maximise' : 'minimise'} ${a.label}`).join(', '))}; constraints: ${esc(config.constraints.length ? config.constraints.map((c) => `${c.cost} <= ${c.max}`).join(', ') : 'none')}. zcnas ${esc(state.header.version)} (report by ${esc(tool)}).</div>
<div class="legend"><span><i class="dot" style="background:${FRONT_COLOUR}"></i>Pareto front (${front.length})</span><span><i class="dot" style="background:${OTHER_COLOUR}"></i>other candidates (${points.length - points.filter((p) => p.front).length})</span><span>hover a point for its values, click it to find its row</span></div>
${plotSvg(points, x, y)}
<div id="tip"></div>
<h2>Candidates (${rows.length}${rows.length < state.order.length ? ` of ${state.order.length}` : ''}; the front first, then by ${esc(first.label)}; click a header to sort)</h2>
<table class="sortable"><thead><tr><th>#</th><th class="id">candidate</th>${cols.map(th).join('')}<th>generation</th></tr></thead><tbody>
${rows.map((r, i) => `<tr id="row-${esc(r.id)}"${frontIds.has(r.id) ? ' class="onfront"' : ''}><td>${i + 1}</td><td class="id">${esc(r.id)}</td>${cols.map((a) => td(r, a)).join('')}<td>${r.generation + 1}</td></tr>`).join('\n')}
</tbody></table>
${failures.length ? `<h2>Failures (${failures.length})</h2>\n${failures.slice(0, 200).map((f) => `<div class="failure">${esc(f.r.id)} (generation ${f.r.generation + 1}): ${esc(f.reason ?? '')}</div>`).join('\n')}` : ''}
<h2>Config</h2>
<pre>${JSON.stringify(config, null, 2).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</pre>
<script type="application/json" id="data">${json}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
