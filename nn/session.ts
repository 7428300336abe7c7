// onnxruntime sessions for exported graphs, with quiet logs and an explicit thread count.
import * as ort from 'onnxruntime-node';

export interface SessionOptions {
  /** Intra-op threads; default: onnxruntime's choice (all cores). */
  readonly threads?: number;
}

export async function createSession(model: Uint8Array, opts: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(model, {
    ...(opts.threads === undefined ? {} : { intraOpNumThreads: opts.threads, interOpNumThreads: 1 }),
    // Warnings such as unused BatchNorm statistics in a pruned graph are expected, not news.
    logSeverityLevel: 3,
  });
}

export type { InferenceSession } from 'onnxruntime-node';
