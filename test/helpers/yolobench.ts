// The architecture names of the YOLOBench ground-truth table (read, never fed into the tool).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TRUTH_CSV = fileURLToPath(new URL('../../../shared/data/yolobench/voc_scratch_100ep.csv', import.meta.url));

export function yolobenchModelNames(): string[] {
  return readFileSync(TRUTH_CSV, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0] ?? '');
}

export function yolobenchArchitectures(): string[] {
  return [...new Set(yolobenchModelNames().map((n) => n.replace(/_\d+$/, '')))];
}
