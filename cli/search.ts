// zcnas search and zcnas resume.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openTarget } from '../hardware/index.js';
import { configBaseDir, inlinePredictor, Journal, parseSearchConfig, RUN_FILES, runSearch, type RunOutcome, type SearchConfig } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { table } from './format.js';
import { toolVersion } from './version.js';

export const SEARCH_HELP = `Usage: zcnas search [options]

Searches the YOLO space for candidates on the Pareto front of the objectives, scoring each with
zero-cost proxies and costs. The run directory holds config.json, an fsync'ed journal.jsonl,
front.json and summary.txt; zcnas resume DIR continues it exactly where it stopped.

Options (flags override the config file):
  --config FILE          a JSON config (keys: strategy, seed, population, generations, sampleSize,
                         objectives, constraints, space, batch, classes, images, workers, timeoutSeconds,
                         hardware)
  --out DIR              the run directory (default runs/<strategy>-seed<seed>); must not exist yet
  --strategy S           random, evolution or nsga2 (default nsga2)
  --seed N               seed of everything random (default 0)
  --population N         candidates per generation (default 16)
  --generations N        generations (default 8)
  --objectives LIST      e.g. max:nwot,min:macs (default); min: macs, params, memory (peak int8
                         activation bytes), latency (ms), ram or flash (bytes); the last three
                         need --predictor or --target
  --constraints LIST     upper bounds, e.g. macs<=2e9, memory<=512KB, latency<=50ms, ram<=512KB,
                         flash<=2MB (KB and MB are 1024 and 1024^2 bytes)
  --predictor FILE       latency predictor from zcnas calibrate (copied into the run's config)
  --target mcu:BOARD     model latency, RAM and flash of the int8 deployment on this board
                         (boards: zcnas inspect --help)
  --families LIST        backbone families, e.g. v5,v8 (default all)
  --resolutions LIST     e.g. 160,224,320 (default 160..320)
  --batch N              proxy batch size (default 8)
  --workers N            worker threads (default: cores; 0 = this thread)
  --timeout S            seconds before a candidate is recorded as failed (default 600)
  -h, --help             show this help

Ctrl-C stops after the candidates in flight; the journal is flushed and the resume command printed.`;

export const RESUME_HELP = `Usage: zcnas resume DIR

Continues the search of run directory DIR from its journal, with the config it was launched with.
Candidates already evaluated are never evaluated again; the result is the same as a run that was
never interrupted.`;

function parseObjectives(text: string): unknown[] {
  return text.split(',').map((part) => {
    const [dir, what] = part.trim().split(':');
    if (dir === 'max' && what) return { maximize: what };
    if (dir === 'min' && what) return { minimize: what };
    throw new UsageError(`--objectives: '${part}' is not valid: use max:<proxy> or min:<macs|params|memory|latency|ram|flash>, e.g. max:nwot,min:macs`);
  });
}

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1024, kib: 1024, k: 1024, mb: 1024 ** 2, mib: 1024 ** 2, m: 1024 ** 2, ms: 1 };

/** `ram<=512KB` -> { cost: 'ram', max: 524288 }; byte units are binary, as boards are specified. */
export function parseConstraints(text: string): unknown[] {
  return text.split(',').map((part) => {
    const m = /^\s*(\w+)\s*<=\s*([0-9.]+(?:[eE][+-]?\d+)?)\s*([a-zA-Z]*)\s*$/.exec(part);
    const unit = UNITS[(m?.[3] ?? '').toLowerCase()];
    if (!m || unit === undefined || (m[3]?.toLowerCase() === 'ms') !== (m[1] === 'latency' && m[3] !== ''))
      throw new UsageError(`--constraints: '${part}' is not valid: use <cost><=<number>[unit], e.g. macs<=2e9, memory<=512KB, ram<=320KB, flash<=1MB or latency<=50ms`);
    return { cost: m[1], max: Number(m[2]) * unit };
  });
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read config file ${file}`);
  }
  try {
    const raw: unknown = JSON.parse(text);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error('not an object');
    return raw as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`config file ${file} is not a JSON object: ${(e as Error).message}`);
  }
}

function installStop(): { stop: () => boolean; dispose: () => void } {
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping after the candidates in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stop: () => stopping,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

function report(outcome: RunOutcome, dir: string, out: (s: string) => void): number {
  if (!outcome.completed) {
    process.stderr.write(`stopped with ${outcome.evaluated} candidates evaluated; continue with: zcnas resume ${dir}\n`);
    return 130;
  }
  out(`\nfront of ${outcome.front.length} (${outcome.evaluated} evaluated), in ${dir}/${RUN_FILES.front}:`);
  const keys = Object.keys(outcome.front[0]?.objectives ?? {});
  out(table(['candidate', ...keys], outcome.front.map((f) => [f.id, ...keys.map((k) => String(Number((f.objectives[k] ?? NaN).toPrecision(6))))]), ['left', ...keys.map(() => 'right' as const)]));
  return 0;
}

async function execute(journal: Journal, config: SearchConfig, state: Parameters<typeof runSearch>[2], dir: string, out: (s: string) => void): Promise<number> {
  const stop = installStop();
  try {
    const outcome = await runSearch(journal, config, state, { log: (line) => process.stderr.write(`${line}\n`), stopRequested: stop.stop });
    return report(outcome, dir, out);
  } finally {
    stop.dispose();
  }
}

export async function runSearchCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      out: { type: 'string' },
      strategy: { type: 'string' },
      seed: { type: 'string' },
      population: { type: 'string' },
      generations: { type: 'string' },
      objectives: { type: 'string' },
      constraints: { type: 'string' },
      families: { type: 'string' },
      resolutions: { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      timeout: { type: 'string' },
      predictor: { type: 'string' },
      target: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(SEARCH_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`search takes options only (got ${positionals.join(' ')}); see zcnas search --help`);
  const raw: Record<string, unknown> = values.config === undefined ? {} : readConfigFile(values.config);
  if (values.strategy !== undefined) raw.strategy = values.strategy;
  if (values.seed !== undefined) raw.seed = parseIntFlag('--seed', values.seed, 0, 0, 2 ** 32 - 1);
  if (values.population !== undefined) raw.population = parseIntFlag('--population', values.population, 16, 2);
  if (values.generations !== undefined) raw.generations = parseIntFlag('--generations', values.generations, 8, 1);
  if (values.objectives !== undefined) raw.objectives = parseObjectives(values.objectives);
  if (values.constraints !== undefined) raw.constraints = parseConstraints(values.constraints);
  if (values.batch !== undefined) raw.batch = parseIntFlag('--batch', values.batch, 8, 2);
  if (values.workers !== undefined) raw.workers = parseIntFlag('--workers', values.workers, 0, 0, 64);
  if (values.timeout !== undefined) raw.timeoutSeconds = parseIntFlag('--timeout', values.timeout, 600, 1);
  const space = { ...((raw.space as Record<string, unknown> | undefined) ?? {}) };
  if (values.families !== undefined) space.backbones = values.families.split(',').map((s) => s.trim());
  if (values.resolutions !== undefined) space.resolutions = values.resolutions.split(',').map((s) => parseIntFlag('--resolutions', s.trim(), 0, 1));
  if (Object.keys(space).length > 0) raw.space = space;
  const hardware = { ...((raw.hardware as Record<string, unknown> | undefined) ?? {}) };
  // A predictor named on the command line is relative to the working folder, one in a config file to that file.
  if (values.predictor !== undefined) hardware.predictor = resolve(values.predictor);
  if (values.target !== undefined) hardware.target = values.target;
  if (Object.keys(hardware).length > 0) raw.hardware = hardware;
  const config = inlinePredictor(parseSearchConfig(raw, values.config ?? 'flags'), configBaseDir(values.config));
  const dir = values.out ?? `runs/${config.strategy}-seed${config.seed}`;
  // An unknown board is refused before the run directory exists.
  if (config.hardware?.target !== undefined) await (await openTarget(config.hardware.target)).close();
  const journal = Journal.create(dir, config, toolVersion());
  out(`run directory ${dir}: ${config.strategy}, ${config.population} x ${config.generations} candidates, seed ${config.seed}`);
  return execute(journal, config, undefined, dir, out);
}

export async function runResumeCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    out(RESUME_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length !== 1) throw new UsageError('resume takes one run directory, e.g. zcnas resume runs/nsga2-seed0');
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const { journal, state } = Journal.open(dir, toolVersion());
  if (state.tornLine) process.stderr.write(`journal: dropped a torn last line (a write cut short by the interruption)\n`);
  out(`resuming ${dir}: ${state.order.length} candidates already evaluated`);
  return execute(journal, state.config, state, dir, out);
}
