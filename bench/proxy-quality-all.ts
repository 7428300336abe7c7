// Figure: the proxy-quality table with every proxy of parts 1 and 2 (forward and gradient), on a
// seeded subset of YOLOBench's 968 from-scratch VOC models: the gradient proxies take seconds per
// model (about 18 s for all of them on a yolo-n at batch 8 on 2 cores), so all 968 would take many
// hours here. MAC count and the forward proxies are reported on the same subset, so the rows
// compare. Scores share bench/results/proxy-cache with the full forward run; the run resumes.
import { benchProxiesCli } from './common.js';

const subset = process.env.ZCNAS_BENCH_SUBSET ?? '64';
process.exitCode = benchProxiesCli(['--subset', subset, '--batch', '8', '--proxies', 'all', '--out', 'bench/results/proxy-quality-all']);
