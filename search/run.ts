// The search loop. Each generation: the strategy proposes; a step record lists the proposals;
// new candidates are evaluated (in parallel) and journaled in proposal order; the strategy
// observes. Resuming replays the journal through the same code, evaluating only what is missing,
// so an interrupted run ends exactly as an uninterrupted one would.
import { genomeId, type Genome } from '../space/index.js';
import { spaceOf, type SearchConfig } from './config.js';
import { localEvaluator, type Evaluator } from './evaluator.js';
import { BackendError, redactUrl } from './redis/connection.js';
import { redisEvaluator } from './redis/coordinator.js';
import { runIdOf, type WorkerStatus } from './redis/protocol.js';
import { openHardwareModel, type HardwareModel } from './hardware.js';
import { Journal, RUN_FILES, RunDirError, type EvalRecord, type JournalState } from './journal.js';
import type { Member } from './nsga2.js';
import { nonDominatedSort } from './pareto.js';
import { createStrategy } from './strategies.js';

/** Objectives (minimised) and constraint violation of an evaluated candidate. */
export function assess(r: EvalRecord, config: SearchConfig): Member<Genome> {
  let failed = r.failure !== undefined;
  const objectives = config.objectives.map((o) => {
    if ('minimize' in o) {
      const v = r[o.minimize];
      if (v === undefined) failed = true;
      return v ?? Infinity;
    }
    const s = r.scores[o.maximize];
    if (!s?.ok) {
      failed = true;
      return Infinity;
    }
    return -s.value;
  });
  let violation = 0;
  for (const c of config.constraints) {
    const v = r[c.cost];
    if (v === undefined) failed = true;
    else violation += Math.max(0, v / c.max - 1);
  }
  // A candidate that could not be scored is never on the front.
  if (failed) violation += 1e9;
  return { x: r.genome, objectives, violation };
}

export interface FrontEntry {
  readonly id: string;
  readonly objectives: Readonly<Record<string, number>>;
  readonly params: number;
  readonly macs: number;
  readonly memory: number;
  readonly latency?: number;
  readonly ram?: number;
  readonly flash?: number;
}

/** The feasible non-dominated candidates among all evaluated so far. */
export function currentFront(records: readonly EvalRecord[], config: SearchConfig): FrontEntry[] {
  const members = records.map((r) => assess(r, config));
  const first = nonDominatedSort(members)[0] ?? [];
  return first
    .filter((i) => members[i]?.violation === 0)
    .map((i) => records[i] as EvalRecord)
    .sort((a, b) => a.macs - b.macs || a.id.localeCompare(b.id))
    .map((r) => ({
      id: r.id,
      objectives: Object.fromEntries(
        config.objectives.map((o) => ('minimize' in o ? [`min ${o.minimize}`, r[o.minimize] ?? NaN] : [`max ${o.maximize}`, (r.scores[o.maximize] as { value: number }).value])),
      ),
      params: r.params,
      macs: r.macs,
      memory: r.memory,
      ...(r.latency === undefined ? {} : { latency: r.latency }),
      ...(r.ram === undefined ? {} : { ram: r.ram }),
      ...(r.flash === undefined ? {} : { flash: r.flash }),
    }));
}

/** What a run reports as it goes (for the terminal UI and JSON lines); none of it changes the run. */
export type SearchEvent =
  | {
      readonly type: 'started';
      readonly config: SearchConfig;
      /** The budget: population x generations candidates. */
      readonly total: number;
      /** Worker slots: candidates evaluated at the same time (workers, or 1 in this thread). */
      readonly slots: number;
      /** Candidates evaluated before this session (a resumed run), in journal order. */
      readonly previous: readonly EvalRecord[];
    }
  | { readonly type: 'candidate-started'; readonly generation: number; readonly index: number; readonly id: string; readonly inFlight: number }
  /** A candidate's evaluation ended (it is journaled later, in proposal order, as 'candidate-evaluated'). */
  | { readonly type: 'candidate-finished'; readonly generation: number; readonly index: number; readonly id: string; readonly inFlight: number }
  | { readonly type: 'candidate-evaluated'; readonly record: EvalRecord; readonly evaluated: number; readonly inFlight: number }
  | { readonly type: 'failure'; readonly generation: number; readonly id: string; readonly reason: string }
  | { readonly type: 'generation-done'; readonly generation: number; readonly evaluated: number; readonly front: readonly FrontEntry[]; readonly rate: number }
  | { readonly type: 'paused'; readonly inFlight: number }
  | { readonly type: 'resumed' }
  | { readonly type: 'stopping'; readonly inFlight: number }
  | { readonly type: 'finished'; readonly completed: boolean; readonly evaluated: number; readonly front: readonly FrontEntry[] }
  /** Remote workers of the redis backend, whenever their set or counts change. */
  | { readonly type: 'workers'; readonly workers: readonly WorkerStatus[] };

export interface RunHooks {
  /** One progress line. */
  log(line: string): void;
  /** Polled between candidates: true stops the run cleanly (it stays resumable). */
  stopRequested(): boolean;
  /** Polled where new candidates would start: while true none start (those in flight finish). */
  pauseRequested?(): boolean;
  /** Every event of the run, in order. */
  onEvent?(event: SearchEvent): void;
}

/** Why a record is a failure: the candidate's own failure or its first failed proxy; undefined if none. */
export function failureReason(r: EvalRecord): string | undefined {
  if (r.failure !== undefined) return r.failure;
  for (const [name, s] of Object.entries(r.scores)) if (!s.ok) return `${name}: ${s.failure}: ${s.message}`;
  return undefined;
}

export interface RunOutcome {
  readonly completed: boolean;
  readonly evaluated: number;
  readonly front: readonly FrontEntry[];
}

function summaryText(config: SearchConfig, records: readonly EvalRecord[], front: readonly FrontEntry[], generation: number): string {
  const failed = records.filter((r) => r.failure !== undefined || Object.values(r.scores).some((s) => !s.ok)).length;
  return [
    `zcnas search: ${config.strategy}, seed ${config.seed}, population ${config.population}, generation ${generation + 1} of ${config.generations}`,
    `objectives: ${config.objectives.map((o) => ('minimize' in o ? `minimise ${o.minimize}` : `maximise ${o.maximize}`)).join(', ')}`,
    `constraints: ${config.constraints.length ? config.constraints.map((c) => `${c.cost} <= ${c.max}`).join(', ') : 'none'}`,
    `evaluated: ${records.length} candidates (${failed} failed)`,
    '',
    `front (${front.length}):`,
    ...front.map((f) => `  ${f.id.padEnd(36)} ${Object.entries(f.objectives).map(([k, v]) => `${k} ${Number(v.toPrecision(6))}`).join('  ')}`),
    '',
  ].join('\n');
}

/** Runs (or resumes) the search in `journal`'s directory until done or asked to stop. */
export interface RunOptions {
  /** Where candidates are evaluated; default: the config's backend. It is closed when the run ends. */
  readonly evaluator?: (hardware: HardwareModel | undefined) => Evaluator;
}

/** The environment variable that carries the Redis URL (kept out of config and journal: it may hold a password). */
export const REDIS_URL_ENV = 'ZCNAS_REDIS_URL';

async function configuredEvaluator(journal: Journal, config: SearchConfig, hardware: HardwareModel | undefined, hooks: RunHooks, emit: (e: SearchEvent) => void): Promise<Evaluator> {
  if (config.backend === 'local') return localEvaluator(config, hardware);
  const url = process.env[REDIS_URL_ENV];
  if (!url) throw new BackendError(`this run evaluates on the redis backend: give --redis URL (or set ${REDIS_URL_ENV})`);
  hooks.log(`evaluating on redis ${redactUrl(url)}`);
  const header = journal.headerLine();
  // Workers check the tool version the run was started with, so every result is comparable.
  const version = (JSON.parse(header) as { version: string }).version;
  return redisEvaluator({ url, runId: runIdOf(journal.dir, header), version, config, slots: config.population, log: hooks.log, onWorkers: (workers) => emit({ type: 'workers', workers }) });
}

export async function runSearch(journal: Journal, config: SearchConfig, state: JournalState | undefined, hooks: RunHooks, options: RunOptions = {}): Promise<RunOutcome> {
  const evals = new Map(state?.evals ?? []);
  const order: EvalRecord[] = [...(state?.order ?? [])];
  const strategy = createStrategy(config.strategy, { space: spaceOf(config), seed: config.seed, population: config.population, sampleSize: config.sampleSize });
  const hardware: HardwareModel | undefined = await openHardwareModel(config);
  const emit = (e: SearchEvent): void => hooks.onEvent?.(e);
  const evaluator = options.evaluator ? options.evaluator(hardware) : await configuredEvaluator(journal, config, hardware, hooks, emit);
  const t0 = performance.now();
  let fresh = 0;
  let lastFlush = performance.now();
  const slots = evaluator.slots;
  let paused = false;
  let stopping = false;
  // Evaluations that need no worker (cost-only objectives) finish synchronously; give timers, keys
  // and signals a turn every few milliseconds. This only delays the run; it changes none of it.
  let lastYield = performance.now();
  const yieldNow = async (): Promise<void> => {
    if (performance.now() - lastYield < 20) return;
    await new Promise<void>((r) => setImmediate(r));
    lastYield = performance.now();
  };
  const stopNow = (inFlight: number): boolean => {
    if (!hooks.stopRequested()) return false;
    if (!stopping) emit({ type: 'stopping', inFlight });
    stopping = true;
    return true;
  };
  const pauseNow = (inFlight: number): boolean => {
    const p = hooks.pauseRequested?.() === true;
    if (p !== paused) emit(p ? { type: 'paused', inFlight } : { type: 'resumed' });
    paused = p;
    return p;
  };
  emit({ type: 'started', config, total: config.population * config.generations, slots, previous: order.slice() });
  try {
    for (let g = 0; g < config.generations; g++) {
      const proposals = strategy.propose(g);
      const ids = proposals.map(genomeId);
      const logged = state?.steps.get(g);
      if (logged && logged.proposals.join() !== ids.join())
        throw new RunDirError(`the journal's generation ${g} proposed other candidates than this replay: the run directory does not belong to this config or tool`);
      if (!logged) {
        // Written with the generation's first records (or at the end): it precedes them in the file either
        // way, and a step lost in a crash is proposed again, identically, on resume.
        journal.append([{ type: 'step', generation: g, proposals: ids }]);
      }
      // Evaluate new candidates, at most `workers` at a time (so a stop takes effect promptly), and
      // journal them in proposal order, whatever order they finish in.
      const todo = proposals.map((genome, index) => ({ genome, index, id: ids[index] as string })).filter((t, i) => !evals.has(t.id) && ids.indexOf(t.id) === i);
      // A slot is freed when its candidate finishes, not when the candidates before it in proposal
      // order have: a slow candidate must not hold the other workers idle behind it. When the
      // candidate that finishes is the next to be journaled, it is journaled before the next one
      // starts, so stop and pause requests see the journal as it is.
      const started = new Map<string, Promise<EvalRecord>>();
      let next = 0;
      let inFlight = 0;
      let journaled = 0;
      const startMore = (): void => {
        while (next < todo.length && inFlight < slots && !stopNow(inFlight) && !pauseNow(inFlight)) {
          const t = todo[next++] as (typeof todo)[number];
          const p = evaluator.evaluate(t.genome, { generation: g, index: t.index });
          inFlight++;
          started.set(t.id, p);
          emit({ type: 'candidate-started', generation: g, index: t.index, id: t.id, inFlight });
          void p.then(
            () => {
              inFlight--;
              emit({ type: 'candidate-finished', generation: g, index: t.index, id: t.id, inFlight });
              if (t.id !== todo[journaled]?.id) startMore();
            },
            () => undefined,
          );
        }
      };
      startMore();
      for (const t of todo) {
        let p = started.get(t.id);
        // Paused with nothing in flight: wait for continue (or stop).
        while (!p && paused && !stopNow(0)) {
          await new Promise<void>((r) => setTimeout(r, 50));
          startMore();
          p = started.get(t.id);
        }
        if (!p) break;
        const record = await p;
        evals.set(t.id, record);
        order.push(record);
        journal.append([record]);
        journaled++;
        fresh++;
        emit({ type: 'candidate-evaluated', record, evaluated: order.length, inFlight });
        const reason = failureReason(record);
        if (reason !== undefined) emit({ type: 'failure', generation: g, id: record.id, reason });
        // fsync at most every 250 ms (each record when candidates are slow, a batch when they are fast):
        // a crash loses at most that much work, which resume re-evaluates.
        if (journal.buffered >= 256 || performance.now() - lastFlush > 250) {
          journal.flush();
          lastFlush = performance.now();
        }
        hooks.log(`gen ${g + 1}/${config.generations}  ${order.length} evaluated  ${record.id}${record.failure ? `  FAILED: ${record.failure}` : ''}`);
        startMore();
        await yieldNow();
      }
      // Generations of fast candidates end many times a second; fsync on the same 250 ms rhythm (the
      // journal is flushed in full when the run ends or stops).
      if (performance.now() - lastFlush > 250) {
        journal.flush();
        lastFlush = performance.now();
      }
      if (ids.some((id) => !evals.has(id))) {
        const front = currentFront(order, config);
        emit({ type: 'finished', completed: false, evaluated: order.length, front });
        return { completed: false, evaluated: order.length, front };
      }
      strategy.observe(g, ids.map((id) => assess(evals.get(id) as EvalRecord, config)));
      const front = currentFront(order, config);
      journal.writeWhole(RUN_FILES.front, JSON.stringify(front, null, 2) + '\n');
      journal.writeWhole(RUN_FILES.summary, summaryText(config, order, front, g));
      const rate = fresh / Math.max(1e-9, (performance.now() - t0) / 1000);
      hooks.log(`generation ${g + 1}/${config.generations} done: ${order.length} evaluated, front ${front.length}, ${rate.toFixed(2)} candidates/s`);
      emit({ type: 'generation-done', generation: g, evaluated: order.length, front, rate });
      if (stopNow(0)) {
        emit({ type: 'finished', completed: g + 1 === config.generations, evaluated: order.length, front });
        return { completed: g + 1 === config.generations, evaluated: order.length, front };
      }
    }
    const front = currentFront(order, config);
    emit({ type: 'finished', completed: true, evaluated: order.length, front });
    return { completed: true, evaluated: order.length, front };
  } finally {
    journal.close();
    await evaluator.close();
    await hardware?.close();
  }
}
