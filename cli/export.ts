// zcnas export: writes a run's winners as ONNX models, JSON and Ultralytics YAML.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXPORT_FORMATS, exportRecords, Journal, selectRecords, type ExportFormat, type Selection } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { toolVersion } from './version.js';

export const EXPORT_HELP = `Usage: zcnas export DIR [--front | --top K | --id ID] [--format onnx,json,ultralytics] [--out DIR2]

Writes winners of the run in DIR: each as an ONNX model (opset 17, dynamic batch, the run's seeded
initial weights), a JSON with its genome, scores, costs and objectives, and, where Ultralytics can
express the network (YOLOv5/YOLOv8 backbones and necks with the v8 head), a model YAML that trains
with yolo train model=<id>.yaml. Other families say why instead of writing a wrong file.

Options:
  --front          the current Pareto front (default)
  --top K          the K best feasible candidates by the first objective
  --id ID          one candidate
  --format LIST    any of onnx, json, ultralytics (default all)
  --out DIR2       where to write (default DIR/export)
  -h, --help       show this help`;

export async function runExportCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { front: { type: 'boolean' }, top: { type: 'string' }, id: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(EXPORT_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length !== 1) throw new UsageError('export takes one run directory, e.g. zcnas export runs/nsga2-seed0 --front');
  if ([values.front, values.top, values.id].filter((v) => v !== undefined).length > 1) throw new UsageError('give one of --front, --top K or --id ID');
  const sel: Selection = values.id !== undefined ? { kind: 'id', id: values.id } : values.top !== undefined ? { kind: 'top', k: parseIntFlag('--top', values.top, 1, 1) } : { kind: 'front' };
  const formats = (values.format ?? EXPORT_FORMATS.join(',')).split(',').map((f) => f.trim());
  for (const f of formats) if (!(EXPORT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format '${f}': use any of ${EXPORT_FORMATS.join(', ')}`);
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const { state } = Journal.open(dir, toolVersion(), 'read');
  const records = selectRecords(state.order, state.config, sel);
  if (records.length === 0) throw new UsageError(`nothing to export: the run has no feasible candidate yet (${state.order.length} evaluated)`);
  const target = values.out ?? join(dir, 'export');
  for (const e of exportRecords(records, state.config, formats as ExportFormat[], target)) {
    out(`${e.id}: ${e.files.join(', ')}`);
    for (const n of e.notes) out(`  ${n}`);
  }
  out(`written to ${target}`);
  return 0;
}
