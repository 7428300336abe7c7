// How much memory scoring a candidate needs, estimated from its graph before anything runs, and
// the limit it is held to. A pass over the limit is refused with a 'memory-limit' failure naming
// both figures and the batch that would fit, instead of being ended by the kernel's out-of-memory
// killer together with every other proxy of the candidate.
//
// The estimates are linear in the batch, from the sum of all activation sizes (costs()): a gradient
// pass keeps every activation its backward pass reads, and the forward proxies probe every layer.
// They were calibrated on the peak resident memory of real passes (bench/memory-estimates.ts: its
// growth per sample from batch 4 to 12, yolo3-8).
import { totalmem } from 'node:os';
import type { Graph } from '../nn/index.js';
import type { CandidateContext } from './types.js';

/** Bytes per value: float32 models, and synflow's float64 one. */
const F32 = 4;
const F64 = 8;

/** The margin on the peak of live activations a forward pass never goes below (several temporaries live at once). */
const PEAK_MARGIN = 4;

/**
 * Bytes a gradient pass holds per byte of all activations: the forward tensors its backward pass
 * reads (each activation, its sigmoid, the BatchNorm inputs) and the gradients alive at its peak.
 * Measured growth per sample was up to 0.94 of an estimate with 1.8 (az_nas on yolo4n_224;
 * bench/memory-estimates.ts); 2.0 leaves a margin.
 */
export const GRADIENT_KEEP = 2.0;

/**
 * Bytes the shared forward pass and its probes hold per byte of all activations: growth per sample
 * was up to 0.83 of an estimate with 0.6 (nwot on yolo3n_224); 0.75 leaves a margin.
 */
export const FORWARD_KEEP = 0.75;

/** onnxruntime's session, the model's bytes and its weights beside the activations: measured up to 300 MB (synflow's float64 model). */
export const SESSION_OVERHEAD_BYTES = 320 * 2 ** 20;

/** The share of the machine's memory a scorer may use, by default. */
export const DEFAULT_MEMORY_SHARE = 0.75;

/** What one pass needs: `fixed` bytes plus `perSample` for each sample of the candidate's batch. */
export interface MemoryNeed {
  readonly pass: 'forward' | 'gradient' | 'float64 gradient';
  readonly batch: number;
  readonly perSample: number;
  readonly fixed: number;
}

export const needBytes = (n: MemoryNeed): number => n.fixed + n.perSample * n.batch;

/** The largest batch whose pass fits in `limit` (0: not even one sample; Infinity: the pass does not grow with the batch). */
export function largestBatch(n: MemoryNeed, limit: number): number {
  if (n.perSample === 0) return needBytes(n) <= limit ? Number.POSITIVE_INFINITY : 0;
  return Math.max(0, Math.floor((limit - n.fixed) / n.perSample));
}

function activationValues(ctx: CandidateContext): number {
  let total = 0;
  for (const elements of ctx.costs.activations.values()) total += elements;
  return total;
}

/** Elements of the largest im2col matrix a weight gradient builds (a k x k conv: k^2 input values per output position). */
function largestIm2col(graph: Graph): number {
  let largest = 0;
  for (const n of graph.nodes) {
    if (n.op.kind !== 'conv' || n.op.k === 1) continue;
    const [cin = 0] = graph.tensors.get(n.inputs[0] ?? '')?.shape ?? [];
    const [, ho = 0, wo = 0] = graph.tensors.get(n.outputs[0] ?? '')?.shape ?? [];
    largest = Math.max(largest, ho * wo * n.op.k * n.op.k * (cin / n.op.groups));
  }
  return largest;
}

/** The shared forward pass the forward proxies probe (and Zen's forward passes). */
export function forwardNeed(ctx: CandidateContext): MemoryNeed {
  return { pass: 'forward', batch: ctx.batchSize, perSample: F32 * Math.max(FORWARD_KEEP * activationValues(ctx), PEAK_MARGIN * ctx.costs.peak.elements), fixed: SESSION_OVERHEAD_BYTES };
}

/** A forward + backward pass over the candidate's batch in float32. */
export function gradientNeed(ctx: CandidateContext): MemoryNeed {
  return { pass: 'gradient', batch: ctx.batchSize, perSample: F32 * (GRADIENT_KEEP * activationValues(ctx) + largestIm2col(ctx.graph)), fixed: SESSION_OVERHEAD_BYTES };
}

/** A float64 forward + backward pass over one sample, whatever the batch (synflow). */
export function float64GradientNeedOneSample(ctx: CandidateContext): MemoryNeed {
  return { pass: 'float64 gradient', batch: ctx.batchSize, perSample: 0, fixed: SESSION_OVERHEAD_BYTES + F64 * (GRADIENT_KEEP * activationValues(ctx) + largestIm2col(ctx.graph)) };
}

/**
 * The memory one scorer may use: a share of the machine's memory, or of the container's limit
 * where Node reports a lower one. Each worker of a pool is held to it alone: candidates that run
 * out of memory beside others are run again alone (search/process-pool.ts), so this limit only
 * refuses what cannot fit even then.
 */
export function defaultMemoryLimit(): number {
  const constrained = process.constrainedMemory?.() ?? 0;
  const machine = constrained > 0 && constrained < totalmem() ? constrained : totalmem();
  return Math.floor(DEFAULT_MEMORY_SHARE * machine);
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Why a pass is refused: what it needs, the limit, and what would fit. */
export function overLimitMessage(need: MemoryNeed, limit: number): string {
  const fits = largestBatch(need, limit);
  const hint = need.perSample === 0 ? 'it runs one sample whatever the batch' : fits >= 1 ? `--batch ${fits} would fit` : 'not even --batch 1 fits';
  return `a ${need.pass} pass at batch ${need.batch} needs about ${gib(needBytes(need))}, over the ${gib(limit)} memory limit; ${hint}`;
}
