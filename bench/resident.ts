// Peak resident memory a pass adds, measured in a fresh process that runs the compiled build with
// the worker processes' malloc settings, as `zcnas score` and the search's workers run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKER_PROCESS_ENV } from '../search/index.js';

/** The project root: this file runs as bench/resident.ts (vitest) or dist/bench/resident.js. */
function projectRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.includes('/dist/') ? fileURLToPath(new URL('../..', import.meta.url)) : fileURLToPath(new URL('..', import.meta.url));
}

/** Bytes by which the peak resident memory of a process grows while it scores `proxy` on `name` at `batch`. */
export function residentGrowth(name: string, batch: number, proxy: string): number {
  const script = `
import { gaussianSource, scoreCandidate } from './dist/proxies/index.js';
import { parseName } from './dist/space/index.js';
const genome = parseName(${JSON.stringify(name)});
const before = process.resourceUsage().maxRSS;
const r = await scoreCandidate(genome, { proxies: [${JSON.stringify(proxy)}], batchSize: ${batch}, seed: 0, source: gaussianSource(), classes: 80, memoryLimitBytes: Infinity });
if (!r.scores[${JSON.stringify(proxy)}]?.ok) throw new Error(JSON.stringify(r.scores));
console.log(JSON.stringify({ grown: (process.resourceUsage().maxRSS - before) * 1024 }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: projectRoot(), encoding: 'utf8', env: { ...WORKER_PROCESS_ENV, ...process.env } });
  if (r.status !== 0) throw new Error(`the process scoring ${proxy} on ${name} at batch ${batch} failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { grown: number }).grown;
}
