// onnxruntime sessions for exported graphs, with quiet logs and an explicit thread count.
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Intra-op threads; default: onnxruntime's choice (all cores). */
  readonly threads?: number;
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
    // Warnings such as unused BatchNorm statistics in a pruned graph are expected, not news.
    logSeverityLevel: 3,
    enableCpuMemArena: ARENA,
  });
}

export type { InferenceSession } from 'onnxruntime-node';
