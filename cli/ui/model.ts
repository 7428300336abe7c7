// What the live view shows, folded from the run's events: progress, rate and ETA, workers,
// failures, the Pareto front (kept up to date candidate by candidate), the last events.
import { assess, type CostName, type EvalRecord, type FrontEntry, type JournalState, type SearchConfig, type SearchEvent, type WorkerStatus } from '../../search/index.js';
import { currentFront, failureReason } from '../../search/index.js';
import { si } from '../format.js';

/** One axis of the plot and column of the table: a cost to minimise or a proxy score to maximise. */
export interface Axis {
  readonly label: string;
  readonly kind: 'cost' | 'score';
  readonly name: string;
}

/** The objectives as axes, in config order. */
export function axesOf(config: SearchConfig): Axis[] {
  return config.objectives.map((o) => ('minimize' in o ? { label: `${o.minimize}`, kind: 'cost', name: o.minimize } : { label: `${o.maximize}`, kind: 'score', name: o.maximize }));
}

/** The plot's axes: x the first cost objective (MACs if none), y the first score (else the next cost). */
export function plotAxes(config: SearchConfig): { x: Axis; y: Axis } {
  const axes = axesOf(config);
  const x = axes.find((a) => a.kind === 'cost') ?? { label: 'macs', kind: 'cost', name: 'macs' };
  const y = axes.find((a) => a.kind === 'score') ?? axes.find((a) => a !== x) ?? { label: x.name === 'params' ? 'macs' : 'params', kind: 'cost', name: x.name === 'params' ? 'macs' : 'params' };
  return { x, y };
}

export function recordValue(r: EvalRecord, a: Axis): number | undefined {
  if (a.kind === 'cost') return r[a.name as CostName];
  const s = r.scores[a.name];
  return s?.ok ? s.value : undefined;
}

export function entryValue(f: FrontEntry, a: Axis): number | undefined {
  if (a.kind === 'cost') return (f as unknown as Record<string, number | undefined>)[a.name];
  return f.objectives[`max ${a.name}`];
}

export function formatValue(v: number | undefined, a: Axis): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  if (a.kind === 'score') return Math.abs(v) >= 1e5 ? si(v) : Number(v.toPrecision(5)).toString();
  if (a.name === 'latency') return `${v.toFixed(2)}ms`;
  if (a.name === 'memory' || a.name === 'ram' || a.name === 'flash') return v >= 1024 * 1024 ? `${(v / 1024 / 1024).toFixed(2)}M` : `${(v / 1024).toFixed(0)}K`;
  return si(v);
}

export interface LoggedEvent {
  readonly at: number;
  readonly text: string;
  readonly kind: 'info' | 'ok' | 'front' | 'failure' | 'state';
}

export interface Failure {
  readonly id: string;
  readonly generation: number;
  readonly reason: string;
}

export type RunStatus = 'waiting' | 'running' | 'paused' | 'stopping' | 'completed' | 'stopped';

const KEEP_EVENTS = 60;
const KEEP_FAILURES = 30;

/** Mutable and cheap to update: the view reads it when it redraws (about 10 times a second). */
export class RunModel {
  config: SearchConfig | undefined;
  total = 0;
  slots = 1;
  /** Evaluated before this session (a resumed run). */
  previous = 0;
  readonly records: EvalRecord[] = [];
  /** The plot's coordinates of every evaluated candidate that has both (kept as they come). */
  readonly plotX: number[] = [];
  readonly plotY: number[] = [];
  private axes: { x: Axis; y: Axis } | undefined;
  /** The feasible non-dominated candidates so far (updated with every evaluation). */
  front: FrontEntry[] = [];
  private frontRecords: { r: EvalRecord; obj: readonly number[] }[] = [];
  readonly inFlight = new Map<string, number>();
  /** The redis backend's remote workers, as last reported. */
  remote: readonly WorkerStatus[] = [];
  readonly failures: Failure[] = [];
  failureCount = 0;
  readonly events: LoggedEvent[] = [];
  generationsDone = 0;
  status: RunStatus = 'waiting';
  /** Evaluation time of this session, pauses left out (for the rate and the ETA). */
  private activeMs = 0;
  private since: number | undefined;
  sessionEvaluated = 0;
  startedAt: number | undefined;
  /** Bumped on every change, so a view redraws only when something changed. */
  version = 0;
  /** A note of the UI itself (export done, help), shown in the status line. */
  message = '';

  constructor(private readonly now: () => number = Date.now) {}

  /** A model of a finished or stopped run from its journal (zcnas report). */
  static fromJournal(state: JournalState): RunModel {
    const m = new RunModel(() => 0);
    m.apply({ type: 'started', config: state.config, total: state.config.population * state.config.generations, slots: Math.max(1, state.config.workers ?? 1), previous: state.order });
    m.generationsDone = [...state.steps.values()].filter((s) => s.proposals.every((id) => state.evals.has(id))).length;
    m.front = currentFront(state.order, state.config);
    m.status = m.generationsDone >= state.config.generations ? 'completed' : 'stopped';
    for (const r of state.order.slice(-KEEP_EVENTS)) m.log(0, evaluatedText(r), failureReason(r) === undefined ? 'ok' : 'failure');
    return m;
  }

  get evaluated(): number {
    return this.records.length;
  }

  private perGeneration = new Map<number, number>();

  /**
   * Progress through the budget (population x generations proposals): a proposal already evaluated
   * in an earlier generation is not evaluated again, so a run can end with fewer evaluations.
   */
  progress(): number {
    const config = this.config;
    if (!config) return 0;
    if (this.status === 'completed') return this.total;
    return Math.min(this.total, this.generationsDone * config.population + (this.perGeneration.get(this.generationsDone) ?? 0));
  }

  /** Candidates per second in this session, pauses left out. */
  rate(): number {
    const ms = this.activeMs + (this.since === undefined ? 0 : this.now() - this.since);
    return ms > 0 ? (this.sessionEvaluated * 1000) / ms : 0;
  }

  /** Seconds to the end of the budget at the current rate; undefined before any rate. */
  eta(): number | undefined {
    const r = this.rate();
    if (r <= 0 || this.sessionEvaluated === 0) return undefined;
    return Math.max(0, this.total - this.progress()) / r;
  }

  log(at: number, text: string, kind: LoggedEvent['kind']): void {
    this.events.push({ at, text, kind });
    if (this.events.length > KEEP_EVENTS) this.events.splice(0, this.events.length - KEEP_EVENTS);
  }

  note(text: string): void {
    this.message = text;
    this.log(this.now(), text, 'info');
    this.version++;
  }

  private clock(running: boolean): void {
    const t = this.now();
    if (this.since !== undefined) this.activeMs += t - this.since;
    this.since = running ? t : undefined;
  }

  private addToFront(r: EvalRecord): boolean {
    const config = this.config;
    if (!config) return false;
    const m = assess(r, config);
    if (m.violation !== 0) return false;
    const obj = m.objectives;
    const dominates = (a: readonly number[], b: readonly number[]): boolean => a.every((v, i) => v <= (b[i] ?? Infinity)) && a.some((v, i) => v < (b[i] ?? Infinity));
    if (this.frontRecords.some((f) => dominates(f.obj, obj))) return false;
    this.frontRecords = this.frontRecords.filter((f) => !dominates(obj, f.obj));
    this.frontRecords.push({ r, obj });
    this.front = currentFront(
      this.frontRecords.map((f) => f.r),
      config,
    );
    return true;
  }

  apply(e: SearchEvent): void {
    const t = this.now();
    this.version++;
    switch (e.type) {
      case 'started':
        this.config = e.config;
        this.axes = plotAxes(e.config);
        this.total = e.total;
        this.slots = e.slots;
        this.previous = e.previous.length;
        this.startedAt = t;
        for (const r of e.previous) this.record(r);
        this.status = 'running';
        this.clock(true);
        this.log(t, e.previous.length > 0 ? `resumed with ${e.previous.length} of ${e.total} candidates evaluated` : `started: ${e.config.strategy}, ${e.config.population} x ${e.config.generations} candidates`, 'state');
        return;
      case 'candidate-started':
        this.inFlight.set(e.id, t);
        return;
      case 'candidate-finished':
        this.inFlight.delete(e.id);
        return;
      case 'candidate-evaluated': {
        this.inFlight.delete(e.record.id);
        this.sessionEvaluated++;
        const onFront = this.record(e.record);
        const failed = failureReason(e.record) !== undefined;
        this.log(t, `${evaluatedText(e.record)}${onFront ? '  (on the front)' : ''}`, failed ? 'failure' : onFront ? 'front' : 'ok');
        return;
      }
      case 'failure':
        // Recorded with the evaluation (record()); the event carries the same reason.
        return;
      case 'generation-done':
        this.generationsDone = e.generation + 1;
        this.front = [...e.front];
        this.log(t, `generation ${e.generation + 1} done: front ${e.front.length}, ${e.evaluated} evaluated`, 'state');
        return;
      case 'paused':
        this.status = 'paused';
        this.clock(false);
        this.log(t, `paused (${e.inFlight} in flight finish first)`, 'state');
        return;
      case 'resumed':
        this.status = 'running';
        this.clock(true);
        this.log(t, 'continued', 'state');
        return;
      case 'stopping':
        this.status = 'stopping';
        this.log(t, `stopping: ${e.inFlight} in flight finish, then the journal is flushed`, 'state');
        return;
      case 'workers':
        if (e.workers.length !== this.remote.length) this.log(t, `${e.workers.length} remote worker(s) connected`, 'state');
        this.remote = e.workers;
        return;
      case 'finished':
        this.clock(false);
        this.inFlight.clear();
        this.front = [...e.front];
        this.status = e.completed ? 'completed' : 'stopped';
        this.log(t, e.completed ? `completed: ${e.evaluated} evaluated, front ${e.front.length}` : `stopped with ${e.evaluated} evaluated`, 'state');
        return;
    }
  }

  /** Adds an evaluation; true when it entered the front. */
  private record(r: EvalRecord): boolean {
    this.records.push(r);
    this.perGeneration.set(r.generation, (this.perGeneration.get(r.generation) ?? 0) + 1);
    if (this.axes) {
      const x = recordValue(r, this.axes.x);
      const y = recordValue(r, this.axes.y);
      if (x !== undefined && y !== undefined && Number.isFinite(x) && Number.isFinite(y)) {
        this.plotX.push(x);
        this.plotY.push(y);
      }
    }
    const reason = failureReason(r);
    if (reason !== undefined) {
      this.failureCount++;
      this.failures.push({ id: r.id, generation: r.generation, reason });
      if (this.failures.length > KEEP_FAILURES) this.failures.splice(0, this.failures.length - KEEP_FAILURES);
    }
    return this.addToFront(r);
  }
}

function evaluatedText(r: EvalRecord): string {
  const reason = failureReason(r);
  if (reason !== undefined) return `${r.id} FAILED: ${reason}`;
  const scores = Object.entries(r.scores).map(([k, s]) => (s.ok ? `${k} ${Number(s.value.toPrecision(4))}` : `${k} -`));
  return [r.id, `macs ${si(r.macs)}`, `params ${si(r.params)}`, ...scores].join('  ');
}

