// Export of a run's winners: the ONNX model (seeded initial weights), a JSON with the genome, its
// scores, costs and objectives, and an Ultralytics YAML where Ultralytics can express the network.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costs, toOnnx } from '../nn/index.js';
import { buildGraph } from '../space/index.js';
import type { SearchConfig } from './config.js';
import type { EvalRecord } from './journal.js';
import { assess, currentFront } from './run.js';
import { ultralyticsYaml } from './ultralytics.js';

export const EXPORT_FORMATS = ['onnx', 'json', 'ultralytics'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type Selection = { readonly kind: 'front' } | { readonly kind: 'top'; readonly k: number } | { readonly kind: 'id'; readonly id: string };

export class ExportError extends Error {
  override readonly name = 'ExportError';
}

/** The records a selection names, in a stable order. */
export function selectRecords(records: readonly EvalRecord[], config: SearchConfig, sel: Selection): EvalRecord[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  if (sel.kind === 'id') {
    const r = byId.get(sel.id);
    if (!r) {
      const front = currentFront(records, config).map((f) => f.id);
      throw new ExportError(`no candidate ${sel.id} in this run (${records.length} evaluated); on the front: ${front.slice(0, 5).join(', ')}${front.length > 5 ? ', ...' : ''}`);
    }
    return [r];
  }
  if (sel.kind === 'front') return currentFront(records, config).map((f) => byId.get(f.id) as EvalRecord);
  // Top K: feasible candidates by the first objective.
  return records
    .map((r) => ({ r, m: assess(r, config) }))
    .filter((x) => x.m.violation === 0)
    .sort((a, b) => (a.m.objectives[0] ?? 0) - (b.m.objectives[0] ?? 0) || a.r.id.localeCompare(b.r.id))
    .slice(0, sel.k)
    .map((x) => x.r);
}

export interface Exported {
  readonly id: string;
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

export function exportRecords(records: readonly EvalRecord[], config: SearchConfig, formats: readonly ExportFormat[], outDir: string): Exported[] {
  mkdirSync(outDir, { recursive: true });
  return records.map((r) => {
    const files: string[] = [];
    const notes: string[] = [];
    const graph = buildGraph(r.genome, { classes: config.classes });
    const safe = r.id.replace(/[^A-Za-z0-9_.+-]/g, '_');
    const write = (name: string, data: Uint8Array | string): void => {
      writeAtomic(join(outDir, name), data);
      files.push(name);
    };
    const yaml = ultralyticsYaml(r.genome, config.classes, safe);
    if (formats.includes('onnx')) write(`${safe}.onnx`, toOnnx(graph, { seed: config.seed, batch: 'dynamic' }));
    if (formats.includes('ultralytics')) {
      if (yaml.ok) write(`${safe}.yaml`, yaml.yaml);
      else notes.push(`no Ultralytics YAML: ${yaml.reason}`);
    }
    if (formats.includes('json')) {
      const c = costs(graph);
      const m = assess(r, config);
      write(
        `${safe}.json`,
        JSON.stringify({ id: r.id, genome: r.genome, classes: config.classes, seed: config.seed, params: c.params, macs: c.macs, peakActivationBytes: { fp32: c.peak.bytesFp32, int8: c.peak.bytesInt8 }, scores: r.scores, objectives: m.objectives, ultralytics: yaml.ok ? `${safe}.yaml` : yaml.reason }, null, 2) + '\n',
      );
    }
    return { id: r.id, files, notes };
  });
}

function writeAtomic(path: string, data: Uint8Array | string): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}
