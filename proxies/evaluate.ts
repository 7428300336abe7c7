// Scores one candidate with a set of proxies: static ones from the graph, forward ones from one
// shared onnxruntime run with every requested in-graph reduction attached, custom ones alone.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { costs, createSession, toOnnx } from '../nn/index.js';
import { buildGraph, genomeId, type Genome } from '../space/index.js';
import { makeBatch, type Batch, type BatchSource } from './batch.js';
import { ProbeBuilder } from './probes.js';
import { PROXIES as FORWARD_PROXIES } from './defs.js';
import { GRADIENT_PROXIES } from './gradient.js';
import { synflow } from './synflow.js';
import { azNas } from './azn.js';
import { makeLabelledBatch, type LabelledSource } from './labels.js';
import { defaultMemoryLimit, forwardNeed, needBytes, overLimitMessage, type MemoryNeed } from './memory.js';
import { ProxyFailure, type BatchLabels, type CandidateContext, type CustomProxy, type ForwardProxy, type Proxy, type ProxyResult } from './types.js';

/** An unknown proxy name: lists the known ones. */
export class UnknownProxyError extends Error {
  override readonly name = 'UnknownProxyError';
}

/** Every registered proxy: the forward-only set, then the gradient-based ones. */
export const PROXIES: readonly Proxy[] = [...FORWARD_PROXIES, synflow, ...GRADIENT_PROXIES, azNas];

export const PROXY_NAMES: readonly string[] = PROXIES.map((p) => p.name);

export function getProxy(name: string): Proxy {
  const p = PROXIES.find((x) => x.name === name);
  if (!p) throw new UnknownProxyError(`unknown proxy '${name}': known proxies are ${PROXY_NAMES.join(', ')}`);
  return p;
}

/** Parses `a,b,c` (or `all`) into proxy names, checking each. */
export function parseProxyList(text: string): string[] {
  if (text.trim() === 'all') return [...PROXY_NAMES];
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) throw new UnknownProxyError(`no proxies given: use a comma-separated list of ${PROXY_NAMES.join(', ')}, or all`);
  for (const n of names) getProxy(n);
  return [...new Set(names)];
}

export interface ScoreOptions {
  readonly proxies: readonly string[];
  readonly batchSize: number;
  readonly seed: number;
  readonly source: BatchSource;
  readonly classes: number;
  /** onnxruntime intra-op threads; default: all cores. */
  readonly threads?: number;
  /**
   * Passes estimated to need more memory than this are refused ('memory-limit' failures); default
   * a share of the machine's memory (proxies/memory.ts defaultMemoryLimit).
   */
  readonly memoryLimitBytes?: number;
  /** A YOLO-format dataset: batches come from it (instead of `source`) with their labels, and the gradient proxies use the detection loss. */
  readonly labelled?: LabelledSource;
  /** Told before each step: the shared forward run, then each proxy that runs alone (a large candidate's steps take minutes). */
  readonly onStep?: (step: ScoringStep) => void;
}

/** One step of scoring a candidate: `index` of `total`, counted from 1. */
export interface ScoringStep {
  /** 'forward (nwot, meco)' for the shared forward run, else the proxy's name. */
  readonly name: string;
  readonly index: number;
  readonly total: number;
}

export interface CandidateScores {
  readonly id: string;
  readonly params: number;
  readonly macs: number;
  /** Peak activation memory in bytes at int8 (`costs().peak.bytesInt8`), as a search records it. */
  readonly memory: number;
  readonly scores: Readonly<Record<string, ProxyResult>>;
  readonly seconds: number;
}

function failure(e: unknown, input: string): ProxyResult {
  if (e instanceof ProxyFailure) return { ok: false, failure: e.kind, message: e.message, input };
  return { ok: false, failure: 'error', message: e instanceof Error ? e.message : String(e), input };
}

function checked(value: number, input: string, name: string): ProxyResult {
  if (!Number.isFinite(value)) return { ok: false, failure: 'not-finite', message: `${name} came out as ${value}`, input };
  return { ok: true, value, input };
}

export async function scoreCandidate(genome: Genome, opts: ScoreOptions): Promise<CandidateScores> {
  const t0 = performance.now();
  const graph = buildGraph(genome, { classes: opts.classes });
  const c = costs(graph);
  const ctx: CandidateContext = { genome, graph, costs: c, seed: opts.seed, batchSize: opts.batchSize };
  const needsBatch = opts.proxies.some((p) => getProxy(p).kind !== 'static');
  const batch = !needsBatch
    ? undefined
    : opts.labelled
      ? makeLabelledBatch(opts.labelled, opts.batchSize, genome.resolution, opts.seed, opts.classes)
      : makeBatch(opts.source, opts.batchSize, genome.resolution, opts.seed);
  const scores = await computeProxies(ctx, opts.proxies, batch, { threads: opts.threads, memoryLimitBytes: opts.memoryLimitBytes, onStep: opts.onStep });
  return { id: genomeId(genome), params: c.params, macs: c.macs, memory: c.peak.bytesInt8, scores, seconds: (performance.now() - t0) / 1000 };
}

/**
 * Computes `names` on one candidate graph; `batch` is needed by every proxy that runs the network.
 * A batch with `boxes` (a LabelledBatch) gives its labels to the proxies that take a labelled loss.
 */
export async function computeProxies(
  candidate: CandidateContext,
  names: readonly string[],
  batch: (Batch & { readonly boxes?: BatchLabels['boxes'] }) | undefined,
  opts: { threads?: number; memoryLimitBytes?: number; onStep?: (step: ScoringStep) => void } = {},
): Promise<Record<string, ProxyResult>> {
  const threads = opts.threads ?? availableParallelism();
  const proxies = names.map(getProxy);
  // Tells the proxies their company, so those that can share a pass compute it once.
  const ctx: CandidateContext = { ...candidate, requested: names };
  const scores: Record<string, ProxyResult> = {};
  for (const p of proxies) {
    if (p.kind !== 'static') continue;
    const input = p.needs === 'graph' ? 'graph' : `weights(seed=${ctx.seed})`;
    try {
      scores[p.name] = checked(p.compute(ctx), input, p.name);
    } catch (e) {
      scores[p.name] = failure(e, input);
    }
  }
  const needsBatch = proxies.filter((p) => p.kind !== 'static');
  if (needsBatch.length === 0) return scores;
  if (!batch || batch.size !== ctx.batchSize) throw new RangeError(`proxies ${needsBatch.map((p) => p.name).join(', ')} need a batch of ${ctx.batchSize}`);
  // Each pass is checked against the limit before it runs: one over it is refused alone, and the
  // passes that fit still run.
  const limit = opts.memoryLimitBytes ?? defaultMemoryLimit();
  const fits = (p: Proxy, need: MemoryNeed): boolean => {
    if (needBytes(need) <= limit) return true;
    scores[p.name] = { ok: false, failure: 'memory-limit', message: overLimitMessage(need, limit), input: batch.description };
    return false;
  };
  const forwardPass = forwardNeed(ctx); // one pass shared by every forward proxy
  const forward = proxies.filter((p): p is ForwardProxy => p.kind === 'forward' && fits(p, forwardPass));
  const custom = proxies.filter((p): p is CustomProxy => p.kind === 'custom' && fits(p, p.memory(ctx)));
  const steps = [...(forward.length > 0 ? [`forward (${forward.map((p) => p.name).join(', ')})`] : []), ...custom.map((p) => p.name)];
  const step = (name: string): void => opts.onStep?.({ name, index: steps.indexOf(name) + 1, total: steps.length });
  if (forward.length > 0) {
    step(steps[0] as string);
    await runForward(ctx, forward, batch.data, batch.description, threads, scores);
  }
  for (const p of custom) {
    step(p.name);
    const labels = batch.boxes !== undefined && p.labelledLoss !== undefined ? { boxes: batch.boxes } : undefined;
    const loss = labels ? p.labelledLoss : p.loss;
    const input = loss === undefined ? batch.description : `${batch.description}; loss: ${loss}`;
    try {
      if (p.runDetailed) {
        const { value, components } = await p.runDetailed(ctx, batch.data, threads);
        const r = checked(value, input, p.name);
        scores[p.name] = r.ok ? { ...r, components } : r;
      } else scores[p.name] = checked(await (labels ? p.run(ctx, batch.data, threads, labels) : p.run(ctx, batch.data, threads)), input, p.name);
    } catch (e) {
      scores[p.name] = failure(e, input);
    }
  }
  return scores;
}

/** One forward run of the candidate with every forward proxy's probes attached. */
async function runForward(ctx: CandidateContext, forward: readonly ForwardProxy[], batch: Float32Array, input: string, threads: number, scores: Record<string, ProxyResult>): Promise<void> {
  const pb = new ProbeBuilder('probe');
  const finishers = new Map<string, ReturnType<(typeof forward)[number]['probe']>>();
  for (const p of forward) {
    try {
      finishers.set(p.name, p.probe(ctx, pb));
    } catch (e) {
      scores[p.name] = failure(e, input);
    }
  }
  if (finishers.size === 0) return;
  const { graph, batchSize: B } = ctx;
  try {
    const model = toOnnx(graph, { batch: B, seed: ctx.seed, outputs: [], extension: pb.extension() });
    const session = await createSession(model, { threads });
    try {
      const outs = await session.run({ [graph.input.name]: new ort.Tensor('float32', batch, [B, ...graph.input.shape]) });
      for (const [name, finish] of finishers) {
        try {
          scores[name] = checked(finish(outs as Parameters<typeof finish>[0]), input, name);
        } catch (e) {
          scores[name] = failure(e, input);
        }
      }
    } finally {
      await session.release();
    }
  } catch (e) {
    for (const name of finishers.keys()) scores[name] = failure(e, input);
  }
}
