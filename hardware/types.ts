// What every hardware target returns: a measurement with its spread, and whether it was measured on
// the device or predicted by a model. Targets take a built candidate and decide what they need of it
// (an ONNX file at batch 1, or the graph alone for the analytic microcontroller model).
import type { Graph } from '../nn/index.js';
import type { Genome } from '../space/index.js';

/** Robust summary of repeated timings (or a single predicted value, with repeats 0 and iqr 0). */
export interface Spread {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly iqr: number;
  readonly min: number;
  readonly max: number;
  readonly repeats: number;
}

export type Provenance = 'measured' | 'predicted';

/** Where the number came from, as key/value facts printed and stored beside it. */
export type Environment = Readonly<Record<string, string | number | boolean>>;

export interface Measurement {
  /** Canonical target string, e.g. `local`, `ssh:pi@rpi4.lan:22`, `mcu:nucleo-h743zi`. */
  readonly target: string;
  /** Genome id of the candidate. */
  readonly id: string;
  readonly source: Provenance;
  /** Batch-1 latency at the candidate's resolution, in milliseconds. */
  readonly latencyMs: Spread;
  /** Peak RAM the deployed model needs (activation arena + scratch + bookkeeping), when known. */
  readonly ramBytes?: number;
  /** Flash the deployed model needs (weights + biases + scales + runtime code), when known. */
  readonly flashBytes?: number;
  /** For boards with hard memory limits: whether it fits, and the reasons when it does not. */
  readonly fit?: Fit;
  readonly environment: Environment;
}

export interface Fit {
  readonly fits: boolean;
  /** One sentence per limit that is exceeded (or met only with external memory). */
  readonly reasons: readonly string[];
}

/** A built candidate, as targets receive it. */
export interface Candidate {
  readonly id: string;
  readonly genome: Genome;
  readonly graph: Graph;
}

export interface Target {
  /** Canonical target string. */
  readonly name: string;
  readonly kind: 'local' | 'ssh' | 'mcu';
  measure(candidate: Candidate, progress?: (message: string) => void): Promise<Measurement>;
  /** Releases connections; idempotent. */
  close(): Promise<void>;
}

/** A hardware problem the user can fix: unreachable host, refused key, unknown board, no runtime. */
export class HardwareError extends Error {
  override readonly name = 'HardwareError';
}
