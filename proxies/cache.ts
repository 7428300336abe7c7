// On-disk cache of proxy results, keyed by (genome id, proxy, batch size, seed, batch source,
// classes). Append-only JSON lines, flushed and fsync'ed per batch of results, so a run that is
// interrupted and started again computes nothing twice; a torn last line is skipped.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ProxyResult } from './types.js';

export interface CacheKey {
  readonly id: string;
  readonly proxy: string;
  readonly batch: number;
  readonly seed: number;
  readonly source: string;
  readonly classes: number;
}

const resultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.number(), input: z.string(), components: z.record(z.string(), z.number()).optional() }),
  z.object({ ok: z.literal(false), failure: z.enum(['singular', 'not-finite', 'too-large', 'memory-limit', 'error']), message: z.string(), input: z.string() }),
]);

const lineSchema = z.object({
  id: z.string(),
  proxy: z.string(),
  batch: z.number(),
  seed: z.number(),
  source: z.string(),
  classes: z.number(),
  result: resultSchema,
});

export function cacheKey(k: CacheKey): string {
  return `${k.id}|${k.proxy}|b${k.batch}|s${k.seed}|${k.source}|c${k.classes}`;
}

export class ScoreCache {
  private readonly entries = new Map<string, ProxyResult>();
  private fd: number | undefined;
  readonly file: string;
  /** Lines that did not parse (a torn write at the end of an interrupted run). */
  readonly skipped: number;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'scores.jsonl');
    let skipped = 0;
    if (existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      // A write cut short leaves a last line without its newline: drop it before appending.
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        truncateSync(this.file, Buffer.byteLength(text.slice(0, end)));
        skipped++;
      }
      for (const line of text.slice(0, end).split('\n')) {
        if (line.trim() === '') continue;
        try {
          const e = lineSchema.parse(JSON.parse(line));
          this.entries.set(cacheKey(e), e.result);
        } catch {
          skipped++;
        }
      }
    }
    this.skipped = skipped;
  }

  get(k: CacheKey): ProxyResult | undefined {
    return this.entries.get(cacheKey(k));
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Records results durably. Failures of kind 'error' and 'memory-limit' are not cached: they may
   * come from the machine (its memory, a killed worker) rather than the candidate.
   */
  putAll(items: readonly { key: CacheKey; result: ProxyResult }[]): void {
    const lines: string[] = [];
    for (const { key, result } of items) {
      if (!result.ok && (result.failure === 'error' || result.failure === 'memory-limit')) continue;
      this.entries.set(cacheKey(key), result);
      lines.push(JSON.stringify({ ...key, result }));
    }
    if (lines.length === 0) return;
    this.fd ??= openSync(this.file, 'a');
    writeSync(this.fd, lines.join('\n') + '\n');
    fsyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
