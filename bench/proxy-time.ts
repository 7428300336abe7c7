// Figure: time per candidate of each proxy alone (seconds), in this process with onnxruntime on
// every core, on three YOLO-n/s candidates at batch 8 (the proxy-quality setting), and of all
// proxies together (the forward ones share one pass; grad_norm, snip, plain, grasp and fisher share
// one backward pass). Each figure is the median over the candidates of one scoring each, after one
// warm-up; every scoring builds the graph, exports it and creates fresh onnxruntime sessions, as a
// search does. Like `zcnas score`, the script runs with the worker processes' malloc settings
// (starting itself again when they are missing).
import { gaussianSource, PROXY_NAMES, scoreCandidate } from '../proxies/index.js';
import { parseName } from '../space/index.js';
import { relaunch, relaunchEnv } from '../cli/relaunch.js';
import { median, progress, progressDone, writeResult } from './common.js';

const CANDIDATES = ['yolo8n_160', 'yolo5s_224', 'yolo8n_320'];
const BATCH = 8;

export async function benchProxyTime(): Promise<object> {
  const score = async (id: string, proxies: readonly string[]): Promise<number> =>
    (await scoreCandidate(parseName(id), { proxies, batchSize: BATCH, seed: 0, source: gaussianSource(), classes: 80 })).seconds;
  await score('yolo8n_96', ['nwot', 'grad_norm']);
  const seconds: Record<string, number> = {};
  const perCandidate: Record<string, Record<string, number>> = {};
  for (const proxy of [...PROXY_NAMES, 'all']) {
    const times: number[] = [];
    for (const id of CANDIDATES) {
      progress(`proxy time: ${proxy} on ${id}`);
      const t = await score(id, proxy === 'all' ? PROXY_NAMES : [proxy]);
      times.push(t);
      (perCandidate[proxy] ??= {})[id] = t;
    }
    seconds[proxy] = median(times);
  }
  progressDone();
  const result = { figure: 'seconds per candidate of each proxy alone, and of all together', memory: 'worker processes\' malloc settings', batch: BATCH, candidates: CANDIDATES, medianSeconds: seconds, seconds: perCandidate };
  for (const [p, s] of Object.entries(seconds)) console.log(`${p.padEnd(10)} ${s.toFixed(2)} s per candidate (median of ${CANDIDATES.length})`);
  console.log(`written to ${writeResult('proxy-time', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = relaunchEnv(process.env);
  if (env) process.exitCode = await relaunch(env);
  else await benchProxyTime();
}
