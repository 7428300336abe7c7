// The run directory: config.json (the search as launched), journal.jsonl (append-only: a header,
// then one record per strategy step and per evaluation, fsync'ed in small batches), front.json and
// summary.txt (rewritten after every generation). A torn last line is dropped with a message.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { genomeFromJson, type Genome } from '../space/index.js';
import { parseSearchConfig, type SearchConfig } from './config.js';

export const JOURNAL_FORMAT = 1;

/** The run directory cannot be used as asked; nothing in it was changed. */
export class RunDirError extends Error {
  override readonly name = 'RunDirError';
}

const result = z.union([
  z.object({ ok: z.literal(true), value: z.number(), input: z.string(), components: z.record(z.string(), z.number()).optional() }),
  z.object({ ok: z.literal(false), failure: z.enum(['singular', 'not-finite', 'too-large', 'memory-limit', 'error']), message: z.string(), input: z.string() }),
]);

const headerSchema = z.object({
  type: z.literal('header'),
  format: z.literal(JOURNAL_FORMAT),
  tool: z.literal('zcnas'),
  version: z.string(),
  seed: z.number(),
  config: z.unknown(),
});

const stepSchema = z.object({ type: z.literal('step'), generation: z.number().int(), proposals: z.array(z.string()) });

const evalSchema = z.object({
  type: z.literal('eval'),
  generation: z.number().int(),
  index: z.number().int(),
  id: z.string(),
  genome: z.unknown(),
  params: z.number(),
  macs: z.number(),
  memory: z.number(),
  /** Predicted hardware costs, present when the config has a hardware model: ms, bytes, bytes. */
  latency: z.number().optional(),
  ram: z.number().optional(),
  flash: z.number().optional(),
  scores: z.record(z.string(), result),
  /** Why the candidate could not be evaluated (crash, timeout); absent when it was. */
  failure: z.string().optional(),
});

export type StepRecord = z.infer<typeof stepSchema>;
export type EvalRecord = Omit<z.infer<typeof evalSchema>, 'genome'> & { readonly genome: Genome };
export type Header = z.infer<typeof headerSchema>;

export interface JournalState {
  readonly header: Header;
  readonly config: SearchConfig;
  readonly steps: ReadonlyMap<number, StepRecord>;
  readonly evals: ReadonlyMap<string, EvalRecord>;
  /** Evaluation records in journal order. */
  readonly order: readonly EvalRecord[];
  /** Set when a torn last line was dropped. */
  readonly tornLine: boolean;
}

const FILES = { config: 'config.json', journal: 'journal.jsonl', front: 'front.json', summary: 'summary.txt' } as const;
export const RUN_FILES = FILES;

export class Journal {
  private fd: number | undefined;
  private buffer: string[] = [];
  /** fsync after each flush (off only to measure what durability costs). */
  durable = true;
  private constructor(readonly dir: string) {}

  /**
   * Creates a new run directory; refuses one that exists and is not empty. The directory appears
   * complete (config and journal header) or not at all: it is assembled beside and renamed.
   */
  static create(dir: string, config: SearchConfig, version: string): Journal {
    const full = resolve(dir);
    if (existsSync(full) && (!statSync(full).isDirectory() || readdirSync(full).length > 0))
      throw new RunDirError(`${dir} already exists and is not an empty folder: resume it with zcnas resume ${dir}, or choose another --out`);
    mkdirSync(dirname(full), { recursive: true });
    const staging = `${full}.creating-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging);
    const j = new Journal(staging);
    j.writeWhole(FILES.config, JSON.stringify(config, null, 2) + '\n');
    const header: Header = { type: 'header', format: JOURNAL_FORMAT, tool: 'zcnas', version, seed: config.seed, config };
    j.append([header]);
    j.close();
    if (existsSync(full)) rmdirSync(full);
    renameSync(staging, full);
    return new Journal(full);
  }

  /** Opens an existing run for resuming: checks it is a run, of this version, and consistent. */
  static open(dir: string, version: string, mode: 'resume' | 'read' = 'resume'): { journal: Journal; state: JournalState } {
    const full = resolve(dir);
    const file = join(full, FILES.journal);
    if (!existsSync(full) || !statSync(full).isDirectory()) throw new RunDirError(`${dir} is not a folder; give the run directory a search wrote (it holds ${FILES.journal})`);
    if (!existsSync(file)) throw new RunDirError(`${dir} is not a zcnas run directory: it has no ${FILES.journal}`);
    const text = readFileSync(file, 'utf8');
    const end = text.lastIndexOf('\n') + 1;
    let tornLine = end < text.length;
    const lines = text.slice(0, end).split('\n').filter((l) => l !== '');
    const parsed: unknown[] = [];
    lines.forEach((line, i) => {
      try {
        parsed.push(JSON.parse(line));
      } catch {
        if (i === lines.length - 1) tornLine = true;
        else throw new RunDirError(`${file} is corrupt at line ${i + 1}: it is not JSON (only a torn last line can be repaired)`);
      }
    });
    const head = headerSchema.safeParse(parsed[0]);
    if (!head.success) throw new RunDirError(`${file} does not start with a zcnas journal header`);
    if (mode === 'resume' && head.data.version !== version)
      throw new RunDirError(`${dir} was written by zcnas ${head.data.version}; this is zcnas ${version}. Resume it with version ${head.data.version} so that the results stay comparable`);
    const config = parseSearchConfig(head.data.config, `${file} header`);
    const steps = new Map<number, StepRecord>();
    const evals = new Map<string, EvalRecord>();
    const order: EvalRecord[] = [];
    parsed.slice(1).forEach((rec, i) => {
      const kind = (rec as { type?: unknown }).type;
      if (kind === 'step') {
        const s = stepSchema.parse(rec);
        steps.set(s.generation, s);
      } else if (kind === 'eval') {
        const e = evalSchema.parse(rec);
        const record = { ...e, genome: genomeFromJson(e.genome) };
        if (evals.has(e.id)) throw new RunDirError(`${file} line ${i + 2}: ${e.id} is evaluated twice`);
        evals.set(e.id, record);
        order.push(record);
      } else throw new RunDirError(`${file} line ${i + 2}: unknown record type ${String(kind)}`);
    });
    if (tornLine && mode === 'resume') truncateSync(file, Buffer.byteLength(lines.slice(0, parsed.length).join('\n') + '\n'));
    const j = new Journal(full);
    return { journal: j, state: { header: head.data, config, steps, evals, order, tornLine } };
  }

  append(records: readonly object[]): void {
    for (const r of records) this.buffer.push(JSON.stringify(r));
  }

  /** Writes the buffered records and fsyncs. */
  flush(): void {
    if (this.buffer.length === 0) return;
    this.fd ??= openSync(join(this.dir, FILES.journal), 'a');
    writeSync(this.fd, this.buffer.join('\n') + '\n');
    if (this.durable) fsyncSync(this.fd);
    this.buffer = [];
  }

  /** The header line as written; with the folder, it identifies the run (see runIdOf). */
  headerLine(): string {
    const text = readFileSync(join(this.dir, FILES.journal), 'utf8');
    return text.slice(0, text.indexOf('\n'));
  }

  get buffered(): number {
    return this.buffer.length;
  }

  /** Replaces a whole file atomically (temporary file, fsync, rename). */
  writeWhole(name: string, text: string): void {
    const path = join(this.dir, name);
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    writeSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    // rename is atomic on POSIX filesystems: readers see the old file or the new one.
    renameSync(tmp, path);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
