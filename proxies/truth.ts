// Ground-truth tables (such as YOLOBench's CSV): model names and a measured metric per row.
import { readFileSync } from 'node:fs';
import { parseName, type Genome } from '../space/index.js';

export class TruthTableError extends Error {
  override readonly name = 'TruthTableError';
}

export interface TruthRow {
  readonly name: string;
  readonly genome: Genome;
  readonly value: number;
}

/** Reads `file`, checks the metric column and that every model name parses; one clear error otherwise. */
export function readTruthTable(file: string, metric: string): TruthRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TruthTableError(`cannot read truth table ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim()) ?? [];
  const nameCol = header.indexOf('model_name') >= 0 ? header.indexOf('model_name') : 0;
  const metricCol = header.indexOf(metric);
  if (metricCol < 0) throw new TruthTableError(`truth table ${file} has no column '${metric}'; its columns are ${header.join(', ')}`);
  if (lines.length < 2) throw new TruthTableError(`truth table ${file} has a header but no rows`);
  const rows: TruthRow[] = [];
  const bad: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = (lines[i] as string).split(',');
    const name = (cells[nameCol] ?? '').trim();
    const value = Number(cells[metricCol]);
    try {
      const genome = parseName(name);
      if (!Number.isFinite(value)) bad.push(`line ${i + 1}: ${metric} '${cells[metricCol] ?? ''}' is not a number`);
      else rows.push({ name, genome, value });
    } catch (e) {
      bad.push(`line ${i + 1}: ${(e as Error).message}`);
    }
  }
  if (bad.length > 0)
    throw new TruthTableError(`truth table ${file} has ${bad.length} row(s) the tool cannot use, e.g. ${bad.slice(0, 3).join('; ')}`);
  return rows;
}
