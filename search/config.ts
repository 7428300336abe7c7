// The search as launched: every setting, validated with zod; unknown keys and out-of-range values
// are refused with a message naming the key.
import { z } from 'zod';
import { predictorSchema } from '../hardware/index.js';
import { PROXY_NAMES } from '../proxies/index.js';
import { ACTIVATIONS, DEFAULT_SPACE, FAMILIES, HEADS, LIMITS, validateSpace, type SearchSpace } from '../space/index.js';

export const COSTS = ['macs', 'params', 'memory', 'latency', 'ram', 'flash'] as const;
export type CostName = (typeof COSTS)[number];
/** Costs that need a hardware model in the config: a latency predictor or an mcu target. */
export const HARDWARE_COSTS: readonly CostName[] = ['latency', 'ram', 'flash'];

const objective = z.union([
  z.strictObject({ maximize: z.enum(PROXY_NAMES as [string, ...string[]]) }),
  z.strictObject({ minimize: z.enum(COSTS) }),
]);

const constraint = z.strictObject({
  cost: z.enum(COSTS),
  /** Upper bound: MACs, parameters, bytes (memory = peak int8 activations; ram, flash) or milliseconds (latency). */
  max: z.number().positive(),
});

/**
 * Hardware costs predicted during the search (measured later by zcnas validate): `target` an mcu board
 * whose int8 model gives latency, RAM and flash; `predictor` a latency predictor from zcnas calibrate,
 * as a file name (inlined into the run's config.json at launch, so the run is self-contained) or inline.
 * With both, latency comes from the predictor.
 */
const hardware = z.strictObject({
  target: z.string().regex(/^mcu:[\w.-]+$/, { message: 'must be an mcu target such as mcu:nucleo-h743zi (local and ssh targets measure; use them with zcnas calibrate and zcnas validate)' }).optional(),
  predictor: z.union([z.string().min(1), predictorSchema]).optional(),
});

const multiple = z.number().min(LIMITS.multiple.min).max(LIMITS.multiple.max);
const stage = z.number().min(LIMITS.stage.min).max(LIMITS.stage.max);
const resolution = z
  .number()
  .int()
  .min(LIMITS.resolution.min)
  .max(LIMITS.resolution.max)
  .refine((r) => r % LIMITS.resolution.step === 0, { message: `must be a multiple of ${LIMITS.resolution.step}` });

const space = z.strictObject({
  backbones: z.array(z.enum(FAMILIES)).min(1).default([...DEFAULT_SPACE.backbones]),
  necks: z.array(z.enum(FAMILIES)).min(1).default([...DEFAULT_SPACE.necks]),
  mixNecks: z.boolean().default(DEFAULT_SPACE.mixNecks),
  heads: z.array(z.enum(HEADS)).min(1).default([...DEFAULT_SPACE.heads]),
  depths: z.array(multiple).min(1).default([...DEFAULT_SPACE.depths]),
  // Defaults sized for small hardware and a search of minutes on a laptop.
  widths: z.array(multiple).min(1).default([0.25, 0.33, 0.5]),
  stageMultipliers: z.array(stage).min(1).default([...DEFAULT_SPACE.stageMultipliers]),
  resolutions: z.array(resolution).min(1).default([160, 192, 224, 256, 288, 320]),
  activations: z.array(z.enum(ACTIVATIONS)).min(1).default([...DEFAULT_SPACE.activations]),
});

export const searchConfigSchema = z.strictObject({
  strategy: z.enum(['random', 'evolution', 'nsga2']).default('nsga2'),
  seed: z.number().int().min(0).max(2 ** 32 - 1).default(0),
  /** Candidates evaluated per generation (the population of evolution and NSGA-II). */
  population: z.number().int().min(2).max(10_000).default(16),
  /** Generations to run; the budget is population x generations candidates. */
  generations: z.number().int().min(1).max(100_000).default(8),
  /** Aging evolution's tournament size. */
  sampleSize: z.number().int().min(2).max(1000).default(4),
  objectives: z.array(objective).min(1).max(4).default([{ maximize: 'nwot' }, { minimize: 'macs' }]),
  constraints: z.array(constraint).default([]),
  space: space.default(space.parse({})),
  batch: z.number().int().min(2).max(1024).default(8),
  classes: z.number().int().min(1).max(10_000).default(80),
  /** A folder of images for the proxies' batches (default: Gaussian noise). */
  images: z.string().optional(),
  /** A YOLO-format dataset (images/ and labels/): labelled batches; gradient proxies use the detection loss. */
  labels: z.string().optional(),
  /** With labels: a dataset without labels falls back to its images and the label-free surrogate loss. */
  surrogate: z.boolean().optional(),
  /** Worker threads; 0 evaluates in the main thread. */
  workers: z.number().int().min(0).max(64).optional(),
  /** Workers as separate processes (default; faster where page faults are slow) or as threads of this one. */
  pool: z.enum(['processes', 'threads']).optional(),
  /** onnxruntime threads per worker; default cores / workers (e.g. 1 on a machine shared with other jobs). */
  threadsPerWorker: z.number().int().min(1).max(256).optional(),
  /** A candidate taking longer than this is recorded as failed. */
  timeoutSeconds: z.number().positive().max(86_400).default(600),
  /** GiB one proxy's pass may need; a pass estimated over it is recorded as a memory-limit failure (default: three quarters of the scoring machine's memory). */
  memoryLimitGiB: z.number().positive().max(2 ** 20).optional(),
  hardware: hardware.optional(),
  /**
   * Where candidates are evaluated: `local` worker threads, or `redis` (jobs for zcnas worker
   * processes on any number of machines). The Redis URL is never stored: it may hold a password.
   */
  backend: z.enum(['local', 'redis']).default('local'),
});

export type SearchConfig = z.infer<typeof searchConfigSchema>;

/** A bad config: says which key and what is allowed. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Validates raw JSON (from a file or flags) into a complete config with defaults filled in. */
export function parseSearchConfig(raw: unknown, where = 'config'): SearchConfig {
  const r = searchConfigSchema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue?.path.join('.') || '(top level)';
    const detail =
      issue?.code === 'unrecognized_keys'
        ? `unknown key(s) ${issue.keys.join(', ')}; the keys are ${Object.keys(searchConfigSchema.shape).join(', ')}`
        : issue?.path[0] === 'objectives' && issue.path.length === 2
          ? `an objective is { "maximize": <proxy> } with a proxy of ${PROXY_NAMES.join(', ')}, or { "minimize": <cost> } with a cost of ${COSTS.join(', ')}`
          : (issue?.message ?? 'invalid');
    throw new ConfigError(`${where}: ${path}: ${detail}`);
  }
  const used = new Set<CostName>([...r.data.objectives.flatMap((o) => ('minimize' in o ? [o.minimize] : [])), ...r.data.constraints.map((c) => c.cost)]);
  const hw = r.data.hardware;
  if (used.has('latency') && hw?.predictor === undefined && hw?.target === undefined)
    throw new ConfigError(`${where}: latency needs a hardware model: a predictor from zcnas calibrate (hardware.predictor, --predictor FILE) or an mcu board (hardware.target, --target mcu:<board>)`);
  for (const cost of ['ram', 'flash'] as const)
    if (used.has(cost) && hw?.target === undefined)
      throw new ConfigError(`${where}: ${cost} needs an mcu board to model it: hardware.target (or --target) such as mcu:nucleo-h743zi`);
  if (r.data.images !== undefined && r.data.labels !== undefined)
    throw new ConfigError(`${where}: images and labels: give one of them; a labelled dataset (labels) brings its own images`);
  if (r.data.surrogate && r.data.labels === undefined)
    throw new ConfigError(`${where}: surrogate goes with labels (a YOLO-format dataset); without labels the gradient proxies use the surrogate loss already`);
  if (r.data.strategy === 'evolution' && r.data.objectives.length !== 1)
    throw new ConfigError(`${where}: strategy evolution optimises one score; give one objective, or use nsga2 for several`);
  return r.data;
}

export function spaceOf(config: SearchConfig): SearchSpace {
  return validateSpace(config.space);
}
