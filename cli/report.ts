// zcnas report DIR [--html FILE]: a run's progress, front, best candidates, failures and last
// evaluations in the terminal, or as a self-contained HTML file.
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { currentFront, Journal } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { htmlReport } from './report-html.js';
import { colorWanted } from './ui/events.js';
import { renderReport } from './ui/report-view.js';
import { toolVersion } from './version.js';

export const REPORT_HELP = `Usage: zcnas report DIR [--html FILE] [--width N] [--height N]

Shows the run in DIR as the live view shows it, drawn once: progress, the Pareto front as a scatter
plot, the best candidates, failures with their reasons, the last evaluations. Works on a finished,
stopped or running search (it only reads).

Options:
  --html FILE      write a self-contained HTML report instead (the front as an interactive scatter
                   plot, the table of candidates, the config); it needs no network
  --width N        columns (default: the terminal's, or 100)
  --height N       lines (default 40)
  -h, --help       show this help`;

export async function runReport(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { html: { type: 'string' }, width: { type: 'string' }, height: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(REPORT_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length !== 1) throw new UsageError('report takes one run directory, e.g. zcnas report runs/nsga2-seed0');
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const { state } = Journal.open(dir, toolVersion(), 'read');
  if (values.html !== undefined) {
    const html = htmlReport(state, dir, currentFront(state.order, state.config), `zcnas ${toolVersion()}`);
    writeFileSync(`${values.html}.tmp`, html);
    renameSync(`${values.html}.tmp`, values.html);
    out(`wrote ${values.html}: ${state.order.length} candidates, open it in a browser`);
    return 0;
  }
  const width = parseIntFlag('--width', values.width, process.stdout.columns || 100, 40, 1000);
  const height = parseIntFlag('--height', values.height, 40, 16, 1000);
  out(renderReport(state, dir, { width, height, color: colorWanted() }));
  return 0;
}
