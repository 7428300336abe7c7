// onnxruntime sessions for exported graphs, with quiet logs and an explicit thread count.
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Intra-op threads; default: onnxruntime's choice (all cores). */
  readonly threads?: number;
  /**
   * onnxruntime's graph optimizations (default true). A session that runs once or twice is better
   * off without them when its graph is large: on a gradient model (thousands of nodes) they take
   * longer at creation than they save in the run (yolo8n_320 at batch 8: 511 + 604 ms with them,
   * 207 + 671 ms without; bench/session-optimizations). Results differ at float rounding only.
   * Kept for synflow's float64 model, which runs one sample: unoptimized, its convs are split
   * between threads and round differently with their number; the optimized (blocked-layout) convs
   * are not (the determinism test caught it).
   */
  readonly optimize?: boolean;
}

/**
 * ZCNAS_ORT_ARENA=0 turns onnxruntime's memory arena off. The process pool sets it in its worker
 * processes, together with glibc settings that keep freed memory, so that a fresh session reuses
 * pages an earlier one faulted in (search/process-pool.ts).
 */
const ARENA = process.env.ZCNAS_ORT_ARENA !== '0';

export async function createSession(model: Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    ...(opts.threads === undefined ? {} : { intraOpNumThreads: opts.threads, interOpNumThreads: 1 }),
    ...(opts.optimize === false ? { graphOptimizationLevel: 'disabled' as const } : {}),
    // Warnings such as unused BatchNorm statistics in a pruned graph are expected, not news.
    logSeverityLevel: 3,
    enableCpuMemArena: ARENA,
  });
}

export type { InferenceSession } from 'onnxruntime-node';
