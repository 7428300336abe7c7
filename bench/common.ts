// Shared pieces of the benchmarks: machine description, timing, result files.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { toolVersion } from '../cli/version.js';
import { Journal, parseSearchConfig, runSearch } from '../search/index.js';

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly onnxruntime: string;
  readonly date: string;
}

export function machine(): Machine {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntime: ort.env.versions.node ?? 'unknown',
    date: new Date().toISOString(),
  };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return (s[lo] ?? NaN) + ((s[Math.ceil(pos)] ?? NaN) - (s[lo] ?? NaN)) * (pos - lo);
}

/**
 * The NASWOT search the throughput figures time: 16 x 8 proposals at yolo-n sizes. (Earlier
 * versions used a space of 8, then 144 genomes; the search converged within a few generations and
 * then proposed one or two new candidates per generation, so those figures timed the pool's start
 * and the wait at each generation's end more than the pool itself.)
 */
export const NASWOT_SEARCH = {
  objectives: [{ maximize: 'nwot' }, { minimize: 'macs' }],
  population: 16,
  generations: 8,
  batch: 8,
  // Depth 0.33 and width 0.25 over every family, neck, head, stage multiplier and activation:
  // thousands of genomes, so every generation brings a nearly full population of new candidates.
  space: { depths: [0.33], widths: [0.25], resolutions: [160, 192, 224, 256, 288, 320] },
} as const;

/** Writes bench/results/<name>.json (next to the sources, also when run from dist/). */
export function writeResult(name: string, result: object): string {
  const dir = fileURLToPath(new URL('../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}${name}.json`;
  writeFileSync(file, JSON.stringify({ machine: machine(), ...result }, null, 2) + '\n');
  return file;
}

/** One progress line, overwritten in a terminal. */
export function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

export function progressDone(): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
}

/**
 * Times one search from start to end in a throw-away run directory. The run carries the real tool
 * version, because remote workers refuse jobs of another version.
 */
export async function timedSearch(raw: object, durable = true): Promise<{ seconds: number; evaluated: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'zcnas-bench-search-'));
  try {
    const config = parseSearchConfig(raw);
    const journal = Journal.create(join(dir, 'run'), config, toolVersion());
    journal.durable = durable;
    const t = performance.now();
    const r = await runSearch(journal, config, undefined, { log: () => undefined, stopRequested: () => false });
    return { seconds: (performance.now() - t) / 1000, evaluated: r.evaluated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs the real `zcnas bench-proxies` on a YOLOBench table from the project root (so reports name
 * no machine paths), with the scores cached in bench/results/proxy-cache; returns its exit code.
 */
export function benchProxiesCli(args: readonly string[]): number {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const truth = process.env.ZCNAS_TRUTH ?? '../shared/data/yolobench/voc_scratch_100ep.csv';
  const cli = [`${root}dist/cli/main.js`, 'bench-proxies', '--truth', truth, '--seed', '0', '--cache', 'bench/results/proxy-cache', ...args, ...process.argv.slice(2)];
  return spawnSync(process.execPath, cli, { stdio: 'inherit', cwd: root }).status ?? 1;
}
