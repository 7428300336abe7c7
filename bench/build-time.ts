// Figure: time to build the graph, serialise ONNX and create the onnxruntime session, per
// candidate, over the 88 YOLOBench architectures at 320 (target: under 150 ms for yolo8n_320).
import * as ort from 'onnxruntime-node';
import { toOnnx } from '../nn/index.js';
import { buildGraph, parseName, yolobenchArchitectures } from '../space/index.js';
import { median, progress, progressDone, quantile, writeResult } from './common.js';


const ARCHS = yolobenchArchitectures();

interface Timing {
  build: number;
  serialise: number;
  session: number;
  total: number;
}

async function timeOne(name: string): Promise<Timing> {
  const t0 = performance.now();
  const graph = buildGraph(parseName(name));
  const t1 = performance.now();
  const bytes = toOnnx(graph, { seed: 0 });
  const t2 = performance.now();
  const session = await ort.InferenceSession.create(bytes);
  const t3 = performance.now();
  await session.release();
  return { build: t1 - t0, serialise: t2 - t1, session: t3 - t2, total: t3 - t0 };
}

export async function benchBuildTime(repeats = 15): Promise<object> {
  await timeOne('yolo8n_320'); // warm up the JIT and onnxruntime
  const perArch: Record<string, Timing> = {};
  for (const [i, arch] of ARCHS.entries()) {
    progress(`build-time ${i + 1}/${ARCHS.length} ${arch}_320`);
    perArch[`${arch}_320`] = await timeOne(`${arch}_320`);
  }
  const v8n: Timing[] = [];
  for (let i = 0; i < repeats; i++) {
    progress(`build-time yolo8n_320 repeat ${i + 1}/${repeats}`);
    v8n.push(await timeOne('yolo8n_320'));
  }
  progressDone();
  const all = Object.values(perArch);
  const med = (k: keyof Timing, xs: Timing[]): number => median(xs.map((t) => t[k]));
  const result = {
    figure: 'build + ONNX serialise + onnxruntime session creation per candidate (ms)',
    yolo8n_320: {
      repeats,
      medianMs: { build: med('build', v8n), serialise: med('serialise', v8n), session: med('session', v8n), total: med('total', v8n) },
      iqrMs: [quantile(v8n.map((t) => t.total), 0.25), quantile(v8n.map((t) => t.total), 0.75)],
      targetMs: 150,
    },
    yolobench88At320: {
      medianMs: { build: med('build', all), serialise: med('serialise', all), session: med('session', all), total: med('total', all) },
      maxMs: Math.max(...all.map((t) => t.total)),
      slowest: Object.entries(perArch).sort((a, b) => b[1].total - a[1].total)[0]?.[0],
    },
    perArchitectureMs: Object.fromEntries(Object.entries(perArch).map(([k, t]) => [k, Math.round(t.total)])),
  };
  const r = result.yolo8n_320.medianMs;
  console.log(
    `yolo8n_320: ${r.total.toFixed(0)} ms median (build ${r.build.toFixed(1)}, serialise ${r.serialise.toFixed(1)}, session ${r.session.toFixed(1)}), target < 150 ms`,
  );
  console.log(`88 architectures at 320: median ${result.yolobench88At320.medianMs.total.toFixed(0)} ms, slowest ${result.yolobench88At320.slowest} ${result.yolobench88At320.maxMs.toFixed(0)} ms`);
  console.log(`written to ${writeResult('build-time', result)}`);
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) await benchBuildTime();
