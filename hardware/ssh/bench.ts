// Runs one model's latency benchmark on the board over an open connection: a private temp folder,
// the model and the benchmark script uploaded, the runtime found, warm-up and timed repeats run,
// the single JSON result line parsed, and the folder removed whatever happened.
import { z } from 'zod';
import { HardwareError } from '../types.js';
import { FACTS_COMMAND, parseFacts, type BoardFacts } from './board.js';
import type { ExecResult, SshConnection } from './connection.js';
import type { SshRuntime } from './options.js';
import { shellCommand, shellQuote } from './quote.js';
import { NODE_BENCH, NODE_BENCH_FILE, PYTHON_BENCH, PYTHON_BENCH_FILE, type BenchConfig } from './scripts.js';
import { setupCommand } from './setup.js';

export interface RuntimeInfo {
  readonly runtime: 'node' | 'python';
  /** `onnxruntime-node` or `onnxruntime (python)`. */
  readonly name: string;
  readonly version: string;
  /** Interpreter version, e.g. `node v20.11.1` or `python 3.11.2`. */
  readonly interpreter: string;
  /** Where the runtime was loaded from on the board. */
  readonly path: string;
}

export interface BenchOptions {
  readonly runtime: SshRuntime;
  readonly warmup: number;
  readonly repeats: number;
  /** Default: the board's online cores. */
  readonly threads?: number | undefined;
  readonly seed: number;
  /** Folder on the board for the temp folder; default $TMPDIR or /tmp. */
  readonly remoteTmpDir?: string | undefined;
  readonly benchTimeoutMs: number;
  readonly progress?: ((message: string) => void) | undefined;
}

export interface BenchResult {
  readonly samples: readonly number[];
  readonly threads: number;
  readonly runtime: RuntimeInfo;
  readonly board: BoardFacts;
}

const ProbeLine = z.object({
  zcnas: z.literal(1),
  runtime: z.enum(['node', 'python']).optional(),
  ok: z.boolean(),
  reason: z.string().optional(),
  version: z.string().optional(),
  node: z.string().optional(),
  python: z.string().optional(),
  runtimePath: z.string().optional(),
  from: z.string().optional(),
  tried: z.array(z.string()).optional(),
  error: z.string().optional(),
});
type Probe = z.infer<typeof ProbeLine>;

const ResultLine = z.object({
  zcnas: z.literal(1),
  samples: z.array(z.number().finite().nonnegative()),
  threads: z.number().int().positive(),
  warmup: z.number().int().nonnegative(),
});

/** The last stdout line that is a `"zcnas": 1` JSON object matching the schema, if any. */
export function parseResultLine<T>(stdout: string, schema: z.ZodType<T>): T | undefined {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const parsed = schema.safeParse(JSON.parse(lines[i] ?? ''));
      if (parsed.success) return parsed.data;
    } catch {
      // not JSON; keep looking
    }
  }
  return undefined;
}

function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '  (nothing)' : lines.slice(-n).map((l) => `  ${l}`).join('\n');
}

function describeExit(r: ExecResult): string {
  if (r.signal !== null) return `signal SIG${r.signal.replace(/^SIG/, '')}`;
  if (r.code === 137) return 'exit code 137 (killed with SIGKILL: out of memory?)';
  return `exit code ${r.code}`;
}

// Per connection: the board's facts and the runtime found, so each is asked once.
const factsCache = new WeakMap<SshConnection, Promise<BoardFacts>>();
const runtimeCache = new WeakMap<SshConnection, Map<SshRuntime, RuntimeInfo>>();

export function boardFacts(conn: SshConnection): Promise<BoardFacts> {
  let p = factsCache.get(conn);
  if (!p) {
    p = conn.exec(FACTS_COMMAND, { timeoutMs: 60_000 }).then((r) => parseFacts(r.stdout));
    p.catch(() => factsCache.delete(conn));
    factsCache.set(conn, p);
  }
  return p;
}

/** Makes a private (0700) temp folder on the board and returns its path. */
export async function makeRemoteTempDir(conn: SshConnection, parent?: string): Promise<string> {
  const template = parent === undefined ? '"${TMPDIR:-/tmp}/zcnas.XXXXXXXX"' : shellQuote(`${parent.replace(/\/+$/, '') || '/'}/zcnas.XXXXXXXX`);
  const r = await conn.exec(`umask 077 && d=$(mktemp -d ${template}) && chmod 700 "$d" && printf '%s\\n' "$d"`, { timeoutMs: 60_000 });
  const dir = r.stdout.replace(/\n$/, '');
  if (r.code !== 0 || dir === '') throw new HardwareError(`cannot make a temp folder on ${conn.target} (${describeExit(r)}):\n${lastLines(r.stderr, 5)}`);
  return dir;
}

/** Removes a remote folder and everything in it. */
export async function removeRemoteDir(conn: SshConnection, dir: string): Promise<void> {
  const r = await conn.exec(shellCommand(['rm', '-rf', '--', dir]), { timeoutMs: 60_000 });
  if (r.code !== 0) throw new HardwareError(`cannot remove the temp folder ${dir} on ${conn.target}:\n${lastLines(r.stderr, 5)}`);
}

async function probe(conn: SshConnection, kind: 'node' | 'python', script: string): Promise<Probe> {
  const interpreter = kind === 'node' ? 'node' : 'python3';
  const missing = JSON.stringify({ zcnas: 1, runtime: kind, ok: false, reason: 'no-interpreter' });
  const cmd = `if command -v ${interpreter} >/dev/null 2>&1; then ${shellCommand([interpreter, script, 'probe'])}; else echo ${shellQuote(missing)}; fi`;
  const r = await conn.exec(cmd, { timeoutMs: 120_000 });
  const line = parseResultLine(r.stdout, ProbeLine);
  if (line) return line;
  return { zcnas: 1, runtime: kind, ok: false, reason: 'broken', error: `the probe failed (${describeExit(r)}): ${lastLines(r.stderr, 3).trim()}` };
}

function whyNot(kind: 'node' | 'python', p: Probe): string {
  if (kind === 'node') {
    if (p.reason === 'no-interpreter') return 'node is not installed';
    if (p.reason === 'missing') return `onnxruntime-node was not found (looked in ${(p.tried ?? []).join(', ')})`;
    return `onnxruntime-node${p.runtimePath ? ` at ${p.runtimePath}` : ''} does not load: ${p.error ?? 'unknown error'}`;
  }
  if (p.reason === 'no-interpreter') return 'python3 is not installed';
  if (p.reason === 'missing') return `python3${p.python ? ` ${p.python}` : ''} has no onnxruntime (${p.error ?? 'import failed'})`;
  return `Python's onnxruntime does not load: ${p.error ?? 'unknown error'}`;
}

/** The runtime message: what is missing and the one-line setup command. */
export function missingRuntimeMessage(target: string, wanted: SshRuntime, reasons: readonly string[]): string {
  const setup =
    wanted === 'auto'
      ? `${setupCommand('node')}   (or, for Python: ${setupCommand('python')})`
      : setupCommand(wanted);
  return `no usable onnxruntime on ${target}: ${reasons.join('; ')}. Set it up on the board with:\n  ${setup}`;
}

async function detectRuntime(conn: SshConnection, dir: string, wanted: SshRuntime): Promise<RuntimeInfo> {
  const cached = runtimeCache.get(conn)?.get(wanted);
  if (cached) return cached;
  const kinds: ('node' | 'python')[] = wanted === 'auto' ? ['node', 'python'] : [wanted];
  const reasons: string[] = [];
  for (const kind of kinds) {
    const p = await probe(conn, kind, `${dir}/${kind === 'node' ? NODE_BENCH_FILE : PYTHON_BENCH_FILE}`);
    if (p.ok) {
      const info: RuntimeInfo = {
        runtime: kind,
        name: kind === 'node' ? 'onnxruntime-node' : 'onnxruntime (python)',
        version: p.version ?? 'unknown',
        interpreter: kind === 'node' ? `node ${p.node ?? 'unknown'}` : `python ${p.python ?? 'unknown'}`,
        path: p.runtimePath ?? '',
      };
      const map = runtimeCache.get(conn) ?? new Map<SshRuntime, RuntimeInfo>();
      map.set(wanted, info);
      runtimeCache.set(conn, map);
      return info;
    }
    reasons.push(whyNot(kind, p));
  }
  throw new HardwareError(missingRuntimeMessage(conn.target, wanted, reasons));
}

/**
 * Benchmarks ONNX bytes on the board: batch-1 input of `shape` (e.g. [1, 3, 320, 320]), warm-up,
 * then `repeats` runs each timed on its own. The temp folder is removed also when anything fails.
 */
export async function benchmarkOnnx(conn: SshConnection, model: Uint8Array, shape: readonly number[], opts: BenchOptions): Promise<BenchResult> {
  const say = opts.progress ?? (() => {});
  const board = await boardFacts(conn);
  const threads = opts.threads ?? board.cores;
  const dir = await makeRemoteTempDir(conn, opts.remoteTmpDir);
  say(`${conn.target}: temp folder ${dir}`);
  let failure: unknown;
  try {
    if (opts.runtime !== 'python') await conn.upload(`${dir}/${NODE_BENCH_FILE}`, Buffer.from(NODE_BENCH, 'utf8'));
    if (opts.runtime !== 'node') await conn.upload(`${dir}/${PYTHON_BENCH_FILE}`, Buffer.from(PYTHON_BENCH, 'utf8'));
    const runtime = await detectRuntime(conn, dir, opts.runtime);
    say(`${conn.target}: ${runtime.name} ${runtime.version} (${runtime.interpreter})`);
    const modelPath = `${dir}/model.onnx`;
    const configPath = `${dir}/config.json`;
    say(`${conn.target}: uploading the model (${(model.byteLength / 1024).toFixed(0)} KiB)`);
    await conn.upload(modelPath, model);
    const config: BenchConfig = {
      model: modelPath,
      shape,
      warmup: opts.warmup,
      repeats: opts.repeats,
      threads,
      seed: opts.seed,
      ...(runtime.runtime === 'node' ? { ortPath: runtime.path } : {}),
    };
    await conn.upload(configPath, Buffer.from(JSON.stringify(config), 'utf8'));
    say(`${conn.target}: ${opts.warmup} warm-up and ${opts.repeats} timed runs on ${threads} thread(s)`);
    const script = `${dir}/${runtime.runtime === 'node' ? NODE_BENCH_FILE : PYTHON_BENCH_FILE}`;
    const run = shellCommand([runtime.runtime === 'node' ? 'node' : 'python3', script, 'bench', configPath]);
    // The board enforces the time limit itself (coreutils/busybox timeout) where it can, so a
    // stuck benchmark does not outlive its connection; the local timer is the backstop.
    const secs = shellQuote(String(Math.max(1, Math.ceil(opts.benchTimeoutMs / 1000))));
    const cmd = `if command -v timeout >/dev/null 2>&1; then timeout -k 5 ${secs} ${run}; else ${run}; fi`;
    const r = await conn.exec(cmd, { timeoutMs: opts.benchTimeoutMs + 15_000 });
    if (r.code === 124)
      throw new HardwareError(`the benchmark on ${conn.target} ran longer than its time limit of ${opts.benchTimeoutMs} ms and was stopped (raise benchTimeoutMs, or lower repeats)`);
    if (r.code !== 0 || r.signal !== null)
      throw new HardwareError(`the benchmark on ${conn.target} died (${describeExit(r)}); last lines of its stderr:\n${lastLines(r.stderr, 12)}`);
    const result = parseResultLine(r.stdout, ResultLine);
    if (!result) throw new HardwareError(`the benchmark on ${conn.target} printed no result line; its output ended with:\n${lastLines(r.stdout + r.stderr, 8)}`);
    if (result.samples.length !== opts.repeats)
      throw new HardwareError(`the benchmark on ${conn.target} returned ${result.samples.length} timings, expected ${opts.repeats}`);
    return { samples: result.samples, threads: result.threads, runtime, board };
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    try {
      if (!conn.closed) await removeRemoteDir(conn, dir);
      else say(`${conn.target}: connection lost; the temp folder ${dir} is left on the board`);
    } catch (cleanupErr) {
      // Never hide the benchmark's own failure behind a cleanup failure.
      if (failure === undefined) say(`warning: ${(cleanupErr as Error).message}`);
    }
  }
}
