// The `local` target: onnxruntime-node on this machine, batch 1 at the candidate's resolution, with
// warm-up and repeats timed one by one, and the machine described beside the numbers.
import os from 'node:os';
import * as ort from 'onnxruntime-node';
import { createSession, fillNormal, toOnnx } from '../nn/index.js';
import { spreadOf } from './spread.js';
import type { Candidate, Environment, Measurement, Target } from './types.js';

export interface LocalOptions {
  /** Untimed runs first, so caches, allocators and thread pools settle. Default 20. */
  readonly warmup?: number;
  /** Timed runs. Default 30. */
  readonly repeats?: number;
  /** onnxruntime intra-op threads. Default: every core of this machine. */
  readonly threads?: number;
  /** Seed of the weights and of the input image. Default 0. */
  readonly seed?: number;
}

// 20 untimed runs: with 5, the first timed runs on this 2-core VM still varied by a third (IQR/median
// 37% for yolo8n_320), with 30 by 3%.
export const LOCAL_DEFAULTS = { warmup: 20, repeats: 30, seed: 0 } as const;

/** The facts that make a local latency comparable: cpu, cores, runtime versions, threads. */
export function describeMachine(threads: number): Environment {
  const cpus = os.cpus();
  return {
    host: os.hostname(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    arch: process.arch,
    os: `${os.type()} ${os.release()}`,
    runtime: 'onnxruntime-node',
    runtimeVersion: ort.env.versions.common ?? 'unknown',
    node: process.version,
    threads,
  };
}

export function localTarget(options: LocalOptions = {}): Target {
  const warmup = options.warmup ?? LOCAL_DEFAULTS.warmup;
  const repeats = options.repeats ?? LOCAL_DEFAULTS.repeats;
  const threads = options.threads ?? os.availableParallelism();
  const seed = options.seed ?? LOCAL_DEFAULTS.seed;
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`local target: repeats must be a positive integer, got ${repeats}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`local target: warmup must be a non-negative integer, got ${warmup}`);
  return {
    name: 'local',
    kind: 'local',
    async measure(candidate: Candidate, progress?: (message: string) => void): Promise<Measurement> {
      const { graph } = candidate;
      const session = await createSession(toOnnx(graph, { batch: 1, seed }), { threads });
      try {
        const shape = [1, ...graph.input.shape];
        const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
        fillNormal(data, seed, 'latency-input');
        const feeds = { [graph.input.name]: new ort.Tensor('float32', data, shape) };
        for (let i = 0; i < warmup; i++) await session.run(feeds);
        const samples: number[] = [];
        for (let i = 0; i < repeats; i++) {
          const t0 = process.hrtime.bigint();
          await session.run(feeds);
          samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (progress && (i + 1) % 10 === 0) progress(`${candidate.id}: ${i + 1}/${repeats} runs`);
        }
        return {
          target: 'local',
          id: candidate.id,
          source: 'measured',
          latencyMs: spreadOf(samples),
          environment: { ...describeMachine(threads), warmup },
        };
      } finally {
        await session.release();
      }
    },
    async close() {},
  };
}
