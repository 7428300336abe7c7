// Figure: the proxy-quality table on YOLOBench's 968 from-scratch VOC models, every proxy of
// proxies/ with MAC count beside it. Runs the real CLI; scores are cached in
// bench/results/proxy-cache, so the (long) run resumes where it stopped.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = process.env.ZCNAS_TRUTH ?? fileURLToPath(new URL('../../../shared/data/yolobench/voc_scratch_100ep.csv', import.meta.url));
const batch = process.env.ZCNAS_BENCH_BATCH ?? '8';
const args = [
  `${root}dist/cli/main.js`,
  'bench-proxies',
  '--truth', truth,
  '--batch', batch,
  '--seed', '0',
  '--cache', `${root}bench/results/proxy-cache`,
  '--out', `${root}bench/results/proxy-quality`,
  ...process.argv.slice(2),
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exitCode = r.status ?? 1;
