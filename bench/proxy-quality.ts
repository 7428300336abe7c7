// Figure: the proxy-quality table on YOLOBench's 968 from-scratch VOC models, the forward-only
// proxies with MAC count beside them. Runs the real CLI; scores are cached in
// bench/results/proxy-cache, so the (long) run resumes where it stopped.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Relative to the project root (the working folder of the run), so reports name no machine paths.
const truth = process.env.ZCNAS_TRUTH ?? '../shared/data/yolobench/voc_scratch_100ep.csv';
const batch = process.env.ZCNAS_BENCH_BATCH ?? '8';
// The forward-only proxies of part 1, named so that proxies registered later (the gradient ones of
// part 2) do not silently join a run whose cache holds only these.
const proxies = process.env.ZCNAS_BENCH_PROXIES ?? 'params,macs,l2_norm,nwot,nwot_preact,zen,meco,swap';
const args = [
  `${root}dist/cli/main.js`,
  'bench-proxies',
  '--truth', truth,
  '--batch', batch,
  '--proxies', proxies,
  '--seed', '0',
  '--cache', 'bench/results/proxy-cache',
  '--out', 'bench/results/proxy-quality',
  ...process.argv.slice(2),
];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exitCode = r.status ?? 1;
