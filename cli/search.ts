// zcnas search and zcnas resume.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openTarget } from '../hardware/index.js';
import { resolveBatchInput } from '../proxies/index.js';
import { checkRedis, REDIS_URL_ENV } from '../search/index.js';
import { batchInputOf, configBaseDir, inlinePredictor, Journal, proxiesOf, parseSearchConfig, RUN_FILES, runSearch, type RunOutcome, type SearchConfig } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag, parseNumberFlag } from './flags.js';
import { table } from './format.js';
import { toolVersion } from './version.js';
import { loadDrawing } from './ui/load.js';

export const SEARCH_HELP = `Usage: zcnas search [options]

Searches the YOLO space for candidates on the Pareto front of the objectives, scoring each with
zero-cost proxies and costs. The run directory holds config.json, an fsync'ed journal.jsonl,
front.json and summary.txt; zcnas resume DIR continues it exactly where it stopped.

Options (flags override the config file):
  --config FILE          a JSON config (keys: strategy, seed, population, generations, sampleSize,
                         objectives, constraints, space, batch, classes, images, labels, surrogate,
                         workers, pool, threadsPerWorker, timeoutSeconds, memoryLimitGiB, hardware, backend)
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
  --images DIR           draw the proxies' batches from a folder of .jpg/.png (default: Gaussian)
  --labels DIR           a YOLO-format dataset (DIR/images, DIR/labels/*.txt): labelled batches,
                         and the gradient proxies use the detection loss
  --surrogate            with --labels: a dataset without labels uses its images and the
                         label-free surrogate loss instead of being refused
  --workers N            workers (default: cores; 0 = score in this thread)
  --pool P               processes (default: each worker its own process, faster where page
                         faults are slow) or threads (worker threads of this process)
  --timeout S            seconds before a candidate is recorded as failed (default 600)
  --memory-limit G       GiB one proxy's pass may need (default: three quarters of the scoring
                         machine's memory); a pass estimated over it is recorded as memory-limit
  --backend B            local (default: workers on this machine) or redis (zcnas worker processes
                         on any machines take the candidates from a queue)
  --redis URL            the queue for --backend redis: redis://[:password@]host[:port][/db] or
                         rediss:// (TLS); default $ZCNAS_REDIS_URL; never written to the run
  --minutes M            stop cleanly after M minutes (the run stays resumable)
  -i, --interactive      open the launcher (the flags fill it in): choose the space, proxies,
                         objectives, constraints, strategy and budget, see the command line and the
                         config, save the config, start; zcnas with no arguments in a terminal does
                         the same
  --json                 print the run's events as JSON lines on stdout (one event per line)
  --plain                plain progress lines on stderr even in a terminal
  -h, --help             show this help

In a terminal the search shows its live view (progress, workers, failures, the front as a scatter
plot, the best candidates, the last events; keys: p pause/continue, q stop, e export the front,
? help). Outside a terminal it prints plain progress lines on stderr (or JSON lines with --json).
NO_COLOR turns colour off. q or Ctrl-C stops after the candidates in flight; the journal is
flushed and the resume command printed.`;

export const RESUME_HELP = `Usage: zcnas resume DIR [--json | --plain] [--minutes M] [--redis URL]

Continues the search of run directory DIR from its journal, with the config it was launched with.
Candidates already evaluated are never evaluated again; the result is the same as a run that was
never interrupted. In a terminal it shows the live view (as zcnas search does); --json prints the
events as JSON lines, --plain plain progress lines; --minutes M stops cleanly after M minutes.
A run on the redis backend needs --redis URL (or $ZCNAS_REDIS_URL) again: it re-attaches to the
jobs already queued, running or done.`;

export function parseObjectives(text: string): unknown[] {
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

/**
 * The redis backend's URL, from --redis or the environment, checked by connecting once; then handed
 * to the run through the environment so it is never written to config.json or the journal.
 */
async function useRedis(flag: string | undefined): Promise<void> {
  const url = flag ?? process.env[REDIS_URL_ENV];
  if (!url) throw new UsageError(`the redis backend needs --redis URL (or ${REDIS_URL_ENV}), e.g. --redis redis://queue.lan:6379`);
  await checkRedis(url);
  process.env[REDIS_URL_ENV] = url;
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

function report(outcome: RunOutcome, dir: string, out: (s: string) => void, brief = false): number {
  if (!outcome.completed) {
    process.stderr.write(`stopped with ${outcome.evaluated} candidates evaluated; continue with: zcnas resume ${dir}\n`);
    return 130;
  }
  // The live view's last frame, just above, already shows the best candidates.
  if (brief) {
    out(`front of ${outcome.front.length} (${outcome.evaluated} evaluated), in ${dir}/${RUN_FILES.front}; zcnas report ${dir} shows the run, zcnas export ${dir} writes the front`);
    return 0;
  }
  out(`\nfront of ${outcome.front.length} (${outcome.evaluated} evaluated), in ${dir}/${RUN_FILES.front}:`);
  const keys = Object.keys(outcome.front[0]?.objectives ?? {});
  out(table(['candidate', ...keys], outcome.front.map((f) => [f.id, ...keys.map((k) => String(Number((f.objectives[k] ?? NaN).toPrecision(6))))]), ['left', ...keys.map(() => 'right' as const)]));
  return 0;
}

/** How progress is shown: the live view (a terminal), plain lines on stderr, or JSON lines on stdout. */
export type ProgressMode = 'live' | 'plain' | 'json';

export function progressMode(values: { json?: boolean | undefined; plain?: boolean | undefined }): ProgressMode {
  if (values.json) return 'json';
  if (values.plain) return 'plain';
  return process.stdout.isTTY && process.stdin.isTTY ? 'live' : 'plain';
}

interface ExecuteOptions {
  readonly mode: ProgressMode;
  /** Stop cleanly after this many minutes. */
  readonly minutes?: number | undefined;
}

async function execute(journal: Journal, config: SearchConfig, state: Parameters<typeof runSearch>[2], dir: string, out: (s: string) => void, opts: ExecuteOptions): Promise<number> {
  const deadline = opts.minutes === undefined ? undefined : Date.now() + opts.minutes * 60_000;
  const timeUp = (): boolean => deadline !== undefined && Date.now() >= deadline;
  if (opts.mode === 'live') {
    const { runLive } = await loadDrawing(() => import('./ui/live.js'));
    const { colorWanted } = await import('./ui/events.js');
    const outcome = await runLive({ journal, config, state, dir, color: colorWanted(), ...(deadline === undefined ? {} : { deadline }) });
    return report(outcome, dir, out, true);
  }
  const stop = installStop();
  try {
    if (opts.mode === 'json') {
      const { eventLine } = await import('./ui/events.js');
      const t0 = performance.now();
      // A reader that goes away (| head) stops the run cleanly, as if asked to; it stays resumable.
      let gone = false;
      const onError = (e: NodeJS.ErrnoException): void => {
        if (e.code === 'EPIPE') gone = true;
        else throw e;
      };
      process.stdout.on('error', onError);
      const outcome = await runSearch(journal, config, state, {
        log: () => undefined,
        stopRequested: () => stop.stop() || timeUp() || gone,
        onEvent: (e) => {
          if (!gone) process.stdout.write(`${eventLine(e, (performance.now() - t0) / 1000)}\n`);
        },
      }).finally(() => process.stdout.off('error', onError));
      if (!outcome.completed) process.stderr.write(`stopped with ${outcome.evaluated} candidates evaluated; continue with: zcnas resume ${dir}\n`);
      return outcome.completed ? 0 : 130;
    }
    const outcome = await runSearch(journal, config, state, { log: (line) => process.stderr.write(`${line}\n`), stopRequested: () => stop.stop() || timeUp() });
    return report(outcome, dir, out);
  } finally {
    stop.dispose();
  }
}

/** The config with its image and dataset folders absolute, so a resume from elsewhere finds them. */
function absoluteInputs(config: SearchConfig, baseDir: string): SearchConfig {
  return {
    ...config,
    ...(config.images === undefined ? {} : { images: resolve(baseDir, config.images) }),
    ...(config.labels === undefined ? {} : { labels: resolve(baseDir, config.labels) }),
  };
}

function parseMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new UsageError(`--minutes ${text} is not valid: give a positive number of minutes, e.g. 10 or 0.5`);
  return v;
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
      images: { type: 'string' },
      labels: { type: 'string' },
      surrogate: { type: 'boolean' },
      workers: { type: 'string' },
      pool: { type: 'string' },
      timeout: { type: 'string' },
      'memory-limit': { type: 'string' },
      predictor: { type: 'string' },
      target: { type: 'string' },
      backend: { type: 'string' },
      redis: { type: 'string' },
      minutes: { type: 'string' },
      interactive: { type: 'boolean', short: 'i' },
      json: { type: 'boolean' },
      plain: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(SEARCH_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`search takes options only (got ${positionals.join(' ')}); see zcnas search --help`);
  if (values.json && values.plain) throw new UsageError('give one of --json and --plain');
  let minutes = parseMinutes(values.minutes);
  let raw: Record<string, unknown> = values.config === undefined ? {} : readConfigFile(values.config);
  if (values.strategy !== undefined) raw.strategy = values.strategy;
  if (values.seed !== undefined) raw.seed = parseIntFlag('--seed', values.seed, 0, 0, 2 ** 32 - 1);
  if (values.population !== undefined) raw.population = parseIntFlag('--population', values.population, 16, 2);
  if (values.generations !== undefined) raw.generations = parseIntFlag('--generations', values.generations, 8, 1);
  if (values.objectives !== undefined) raw.objectives = parseObjectives(values.objectives);
  if (values.constraints !== undefined) raw.constraints = parseConstraints(values.constraints);
  if (values.batch !== undefined) raw.batch = parseIntFlag('--batch', values.batch, 8, 2);
  // A folder named on the command line is relative to the working folder, one in a config file to that file.
  if (values.images !== undefined) raw.images = resolve(values.images);
  if (values.labels !== undefined) raw.labels = resolve(values.labels);
  if (values.surrogate) raw.surrogate = true;
  if (values.workers !== undefined) raw.workers = parseIntFlag('--workers', values.workers, 0, 0, 64);
  if (values.pool !== undefined) raw.pool = values.pool;
  if (values.timeout !== undefined) raw.timeoutSeconds = parseIntFlag('--timeout', values.timeout, 600, 1);
  if (values['memory-limit'] !== undefined) raw.memoryLimitGiB = parseNumberFlag('--memory-limit', values['memory-limit'], 0.01, 2 ** 20);
  const space = { ...((raw.space as Record<string, unknown> | undefined) ?? {}) };
  if (values.families !== undefined) space.backbones = values.families.split(',').map((s) => s.trim());
  if (values.resolutions !== undefined) space.resolutions = values.resolutions.split(',').map((s) => parseIntFlag('--resolutions', s.trim(), 0, 1));
  if (Object.keys(space).length > 0) raw.space = space;
  const hardware = { ...((raw.hardware as Record<string, unknown> | undefined) ?? {}) };
  // A predictor named on the command line is relative to the working folder, one in a config file to that file.
  if (values.predictor !== undefined) hardware.predictor = resolve(values.predictor);
  if (values.target !== undefined) hardware.target = values.target;
  if (Object.keys(hardware).length > 0) raw.hardware = hardware;
  if (values.backend !== undefined) raw.backend = values.backend;
  let dir = values.out;
  let base = values.config;
  if (values.interactive) {
    if (!process.stdin.isTTY || !process.stdout.isTTY) throw new UsageError('the launcher (--interactive) needs a terminal; outside one give the settings as flags or --config FILE');
    if (values.json) throw new UsageError('--interactive and --json do not go together: the launcher is for a terminal');
    const { runLauncher } = await loadDrawing(() => import('./ui/launcher.js'));
    const { colorWanted } = await import('./ui/events.js');
    const choice = await runLauncher({ raw, out: dir, minutes, configFile: values.config, color: colorWanted() });
    if (!choice) {
      out('nothing started');
      return 0;
    }
    ({ raw, out: dir, minutes } = choice);
    base = undefined;
  }
  const config = absoluteInputs(inlinePredictor(parseSearchConfig(raw, base ?? 'flags'), configBaseDir(base)), configBaseDir(base));
  dir ??= `runs/${config.strategy}-seed${config.seed}`;
  // A missing folder or a malformed label is refused before the run directory exists.
  if (proxiesOf(config).length > 0) resolveBatchInput(batchInputOf(config));
  // An unknown board, or a Redis that cannot be reached or refuses the password, is refused before
  // the run directory exists.
  if (config.hardware?.target !== undefined) await (await openTarget(config.hardware.target)).close();
  if (config.backend === 'redis') await useRedis(values.redis);
  const journal = Journal.create(dir, config, toolVersion());
  const mode = progressMode(values);
  (mode === 'json' ? (s: string) => process.stderr.write(`${s}\n`) : out)(`run directory ${dir}: ${config.strategy}, ${config.population} x ${config.generations} candidates, seed ${config.seed}`);
  return execute(journal, config, undefined, dir, out, { mode, minutes });
}

export async function runResumeCommand(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { json: { type: 'boolean' }, plain: { type: 'boolean' }, minutes: { type: 'string' }, redis: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(RESUME_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length !== 1) throw new UsageError('resume takes one run directory, e.g. zcnas resume runs/nsga2-seed0');
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  if (values.json && values.plain) throw new UsageError('give one of --json and --plain');
  const minutes = parseMinutes(values.minutes);
  const { journal, state } = Journal.open(dir, toolVersion());
  if (state.config.backend === 'redis') await useRedis(values.redis);
  if (state.tornLine) process.stderr.write(`journal: dropped a torn last line (a write cut short by the interruption)\n`);
  const mode = progressMode(values);
  (mode === 'json' ? (s: string) => process.stderr.write(`${s}\n`) : out)(`resuming ${dir}: ${state.order.length} candidates already evaluated`);
  return execute(journal, state.config, state, dir, out, { mode, minutes });
}
