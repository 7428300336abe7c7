// The proxy interface: what a proxy needs, which way is better, and how it is computed.
import type { Costs, Graph } from '../nn/index.js';
import type { Genome } from '../space/index.js';
import type { TargetBox } from './labels.js';
import type { MemoryNeed } from './memory.js';
import type { ProbeBuilder } from './probes.js';

/** What a proxy must be able to compute: the graph alone, its initial weights, or a forward pass on a batch. */
export type ProxyNeeds = 'graph' | 'weights' | 'batch';

/**
 * 'too-large': the value is past the range of its arithmetic (synflow past float64). 'memory-limit':
 * the pass would need more memory than the scorer may use (proxies/memory.ts): a verdict on the
 * machine and its limit, not on the candidate, so it is never cached.
 */
export type ProxyFailureKind = 'singular' | 'not-finite' | 'too-large' | 'memory-limit' | 'error';

/** A typed failure: the proxy cannot be computed for this candidate (never a silent NaN). */
export class ProxyFailure extends Error {
  override readonly name = 'ProxyFailure';
  constructor(
    readonly kind: ProxyFailureKind,
    message: string,
  ) {
    super(message);
  }
}

export type ProxyResult =
  | {
      readonly ok: true;
      readonly value: number;
      readonly input: string;
      /** Named parts of a composite score (e.g. AZ-NAS's components), for aggregation over candidates. */
      readonly components?: Readonly<Record<string, number>>;
    }
  | { readonly ok: false; readonly failure: ProxyFailureKind; readonly message: string; readonly input: string };

export interface CandidateContext {
  readonly genome: Genome;
  readonly graph: Graph;
  readonly costs: Costs;
  readonly seed: number;
  readonly batchSize: number;
  /**
   * Every proxy the caller will compute on this candidate, when it says: proxies that can share
   * one pass (the gradient proxies at the seeded weights) then compute it once for all of them.
   */
  readonly requested?: readonly string[];
}

/** Reads the proxy's statistics from the session outputs; returns the score. */
export type ProbeFinish = (outputs: Readonly<Record<string, { readonly data: ArrayLike<number>; readonly dims: readonly number[] }>>) => number;

interface ProxyMeta {
  readonly name: string;
  /** Bumped whenever the definition changes, so cached scores of the old one are not reused. */
  readonly version: number;
  /** One line for tables and the launcher. */
  readonly description: string;
  readonly needs: ProxyNeeds;
  readonly higherIsBetter: boolean;
  /** The loss a gradient-based proxy differentiates (e.g. the label-free surrogate); reported with each result. */
  readonly loss?: string;
  /** The loss used instead when the batch carries labels (proxies that can take a labelled loss). */
  readonly labelledLoss?: string;
}

/** Labels of a batch: boxes in the letterboxed frame, per sample (proxies/labels.ts). */
export interface BatchLabels {
  readonly boxes: readonly TargetBox[];
}

/** Computed from the graph or its seeded initial weights, without running it. */
export interface StaticProxy extends ProxyMeta {
  readonly kind: 'static';
  compute(ctx: CandidateContext): number;
}

/** Attaches in-graph reductions to one shared forward pass of the candidate on the batch. */
export interface ForwardProxy extends ProxyMeta {
  readonly kind: 'forward';
  probe(ctx: CandidateContext, pb: ProbeBuilder): ProbeFinish;
}

/** Runs its own model variant (e.g. Zen's re-initialised, batch-statistics network). */
export interface CustomProxy extends ProxyMeta {
  readonly kind: 'custom';
  /** The memory its pass needs (checked against the limit before it runs). */
  memory(ctx: CandidateContext): MemoryNeed;
  run(ctx: CandidateContext, batch: Float32Array, threads: number, labels?: BatchLabels): Promise<number>;
  /** Like `run`, with the named components of the score (reported as the result's `components`). */
  runDetailed?(ctx: CandidateContext, batch: Float32Array, threads: number): Promise<{ value: number; components: Readonly<Record<string, number>> }>;
}

export type Proxy = StaticProxy | ForwardProxy | CustomProxy;
