// Figure: the proxy-quality table with every proxy of parts 1 and 2 (forward and gradient), on a
// seeded subset of YOLOBench's 968 from-scratch VOC models: the gradient proxies take seconds per
// model (about 17 s for all of them on yolo8n_320 at batch 8 on 2 cores), so all 968 would take many
// hours here. MAC count and the forward proxies are reported on the same subset, so the rows
// compare. Runs the real CLI; scores share bench/results/proxy-cache with the full forward run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = process.env.ZCNAS_TRUTH ?? '../shared/data/yolobench/voc_scratch_100ep.csv';
const subset = process.env.ZCNAS_BENCH_SUBSET ?? '64';
const args = [
  `${root}dist/cli/main.js`,
  'bench-proxies',
  '--truth', truth,
  '--subset', subset,
  '--batch', '8',
  '--proxies', 'all',
  '--seed', '0',
  '--cache', 'bench/results/proxy-cache',
  '--out', 'bench/results/proxy-quality-all',
  ...process.argv.slice(2),
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exitCode = r.status ?? 1;
