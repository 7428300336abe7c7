// Figure: the proxy-quality table on YOLOBench's 968 from-scratch VOC models, the forward-only
// proxies with MAC count beside them. Runs the real CLI; scores are cached in
// bench/results/proxy-cache, so the (long) run resumes where it stopped.
import { benchProxiesCli } from './common.js';

// The forward-only proxies of part 1, named so that proxies registered later (the gradient ones of
// part 2) do not silently join a run whose cache holds only these.
const proxies = process.env.ZCNAS_BENCH_PROXIES ?? 'params,macs,l2_norm,nwot,nwot_preact,zen,meco,swap';
process.exitCode = benchProxiesCli(['--batch', process.env.ZCNAS_BENCH_BATCH ?? '8', '--proxies', proxies, '--out', 'bench/results/proxy-quality']);
