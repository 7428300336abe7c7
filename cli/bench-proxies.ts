// zcnas bench-proxies: scores the architectures of a ground-truth table and reports how well each
// proxy ranks the truth. Results are cached on disk, so an interrupted run resumes where it stopped.
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { costs, createRng } from '../nn/index.js';
import {
  describeBatchInput,
  getProxy,
  parseProxyList,
  PROXY_NAMES,
  proxyQuality,
  readTruthTable,
  scoreCandidate,
  resolveBatchInput,
  ScoreCache,
  type BatchInputSpec,
  type CacheKey,
  type CandidateScores,
  type ProxyQuality,
  type ProxyResult,
  type ScoredRow,
  type TruthRow,
} from '../proxies/index.js';
import { buildGraph, checkClasses } from '../space/index.js';
import { createScorePool } from '../search/index.js';
import { UsageError } from './errors.js';
import { writeFileAtomic } from './files.js';
import { memoryLimitFlag, parseIntFlag } from './flags.js';
import { progressLine } from './work-progress.js';
import { scatterGrid } from './svg.js';
import { table } from './format.js';

export const BENCH_PROXIES_HELP = `Usage: zcnas bench-proxies --truth FILE.csv [options]

Scores every architecture named in a ground-truth table (a CSV with a model_name column, e.g.
YOLOBench's voc_scratch_100ep.csv) and reports per proxy: Kendall tau, Spearman rho, overlap of
its top 10% with the true top 10%, and the share of the true Pareto front (metric against MACs)
its own front recovers; overall and per family. MAC count is always reported as the baseline.

Options:
  --truth FILE       the ground-truth CSV (required)
  --metric NAME      the column to rank (default mAP_0.5:0.95)
  --subset N         a seeded random subset of N rows (default: all)
  --proxies a,b,c    proxies, or all (default: all)
  --batch N          batch size (default 16)
  --seed S           seed of weights, batches and the subset (default 0)
  --images DIR       batches from a folder of images (default: Gaussian noise)
  --labels DIR       a YOLO-format dataset (DIR/images, DIR/labels/*.txt): labelled batches; the
                     gradient proxies use the detection loss
  --surrogate        with --labels: a dataset without labels uses its images and the surrogate loss
  --classes N        classes of the detect head (default 80)
  --workers N        worker processes (default: cores; 0 scores in this thread)
  --timeout S        seconds before a candidate counts as failed, in workers (default 1800)
  --memory-limit G   GiB a pass may need (default: three quarters of this machine's memory);
                     passes estimated over it are reported as memory-limit and not cached
  --cache DIR        where scores are cached (default .zcnas-cache)
  --out DIR          where report.json, report.md and scatter.svg go (default proxy-bench)
  --report-only      compute nothing: report on the models whose scores are all in the cache
  -h, --help         show this help

Interrupt with Ctrl-C: scores done so far stay cached; the same command resumes.`;

interface Options {
  readonly truth: string;
  readonly metric: string;
  readonly subset: number | undefined;
  readonly proxies: string[];
  readonly batchSize: number;
  readonly seed: number;
  readonly input: BatchInputSpec;
  readonly classes: number;
  readonly workers: number;
  readonly timeoutSeconds: number;
  readonly memoryLimitBytes: number | undefined;
  readonly cache: string;
  readonly out: string;
  readonly reportOnly: boolean;
}

function parseOptions(argv: readonly string[]): Options | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      truth: { type: 'string' },
      metric: { type: 'string' },
      subset: { type: 'string' },
      proxies: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      images: { type: 'string' },
      labels: { type: 'string' },
      surrogate: { type: 'boolean' },
      classes: { type: 'string' },
      workers: { type: 'string' },
      timeout: { type: 'string' },
      'memory-limit': { type: 'string' },
      cache: { type: 'string' },
      out: { type: 'string' },
      'report-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`bench-proxies takes no positional arguments (got ${positionals.join(' ')}); give the table with --truth FILE.csv`);
  if (values.truth === undefined) throw new UsageError('bench-proxies needs --truth FILE.csv, e.g. --truth ../shared/data/yolobench/voc_scratch_100ep.csv');
  const proxies = values.proxies === undefined ? [...PROXY_NAMES] : parseProxyList(values.proxies);
  if (!proxies.includes('macs')) proxies.push('macs');
  return {
    truth: values.truth,
    metric: values.metric ?? 'mAP_0.5:0.95',
    subset: values.subset === undefined ? undefined : parseIntFlag('--subset', values.subset, 0, 2),
    proxies,
    batchSize: parseIntFlag('--batch', values.batch, 16, 2, 1024),
    seed: parseIntFlag('--seed', values.seed, 0, 0, 2 ** 32 - 1),
    input: {
      images: values.images === undefined ? undefined : resolve(values.images),
      labels: values.labels === undefined ? undefined : resolve(values.labels),
      surrogate: values.surrogate,
    },
    classes: checkClasses(parseIntFlag('--classes', values.classes, 80, 1)),
    workers: parseIntFlag('--workers', values.workers, availableParallelism(), 0, 64),
    timeoutSeconds: parseIntFlag('--timeout', values.timeout, 1800, 1),
    memoryLimitBytes: memoryLimitFlag(values['memory-limit']),
    cache: values.cache ?? '.zcnas-cache',
    out: values.out ?? 'proxy-bench',
    reportOnly: values['report-only'] ?? false,
  };
}

/** A seeded subset of the rows, kept in table order. */
function pickSubset(rows: readonly TruthRow[], n: number | undefined, seed: number): TruthRow[] {
  if (n === undefined || n >= rows.length) return [...rows];
  const rng = createRng(seed, 'subset');
  const idx = rows.map((_, i) => i);
  for (let i = idx.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [idx[i], idx[j]] = [idx[j] as number, idx[i] as number];
  }
  return idx.slice(0, n).sort((a, b) => a - b).map((i) => rows[i] as TruthRow);
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(3) : 'n/a';
}

export function renderQuality(q: readonly ProxyQuality[]): string {
  const macsTau = q.find((x) => x.proxy === 'macs')?.overall.kendallTau ?? NaN;
  const main = table(
    ['proxy', 'scored', 'failed', 'Kendall tau', 'vs MACs', 'Spearman rho', 'top-10% overlap', 'Pareto recovery'],
    q.map((x) => [
      x.proxy,
      String(x.scored),
      String(Object.values(x.failures).reduce((a, b) => a + b, 0)),
      fmt(x.overall.kendallTau),
      x.proxy === 'macs' ? '' : Number.isFinite(x.overall.kendallTau - macsTau) ? `${x.overall.kendallTau - macsTau >= 0 ? '+' : ''}${(x.overall.kendallTau - macsTau).toFixed(3)}` : 'n/a',
      fmt(x.overall.spearmanRho),
      fmt(x.overall.top10Overlap),
      fmt(x.overall.paretoRecovery),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
  );
  const families = [...new Set(q.flatMap((x) => Object.keys(x.perFamily)))].sort();
  const perFamily = table(
    ['Kendall tau', ...families],
    q.map((x) => [x.proxy, ...families.map((f) => fmt(x.perFamily[f]?.kendallTau ?? NaN))]),
    ['left', ...families.map(() => 'right' as const)],
  );
  return `${main}\n\nper family:\n${perFamily}`;
}

export async function runBenchProxies(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const opts = parseOptions(argv);
  if (opts === 'help') {
    out(BENCH_PROXIES_HELP);
    return 0;
  }
  const table_ = pickSubset(readTruthTable(opts.truth, opts.metric), opts.subset, opts.seed);
  const input = resolveBatchInput(opts.input);
  const sourceId = describeBatchInput(input);
  mkdirSync(resolve(opts.out), { recursive: true });
  const cache = new ScoreCache(opts.cache);
  if (cache.skipped > 0) process.stderr.write(`cache: dropped ${cache.skipped} torn line(s) of ${cache.file}\n`);
  const key = (id: string, proxy: string): CacheKey => ({ id, proxy: `${proxy}@${getProxy(proxy).version}`, batch: opts.batchSize, seed: opts.seed, source: sourceId, classes: opts.classes });

  const complete = (name: string): boolean => opts.proxies.every((p) => cache.get(key(name, p)) !== undefined);
  const rows = opts.reportOnly ? table_.filter((r) => complete(r.name)) : table_;
  if (opts.reportOnly) {
    if (rows.length < 2) throw new UsageError(`the cache ${cache.file} holds complete scores for ${rows.length} of ${table_.length} models: nothing to report yet`);
    out(`partial report: ${rows.length} of ${table_.length} models have every proxy cached`);
  }
  const todo = rows.map((r) => ({ row: r, missing: opts.proxies.filter((p) => cache.get(key(r.name, p)) === undefined) })).filter((t) => t.missing.length > 0);
  const total = rows.length;
  const doneBefore = total - todo.length;
  let doneNow = 0;
  // The time left is estimated from MAC counts: the models differ up to 600x in size.
  const macsOf = new Map(todo.map((t) => [t.row.name, costs(buildGraph(t.row.genome, { classes: opts.classes })).macs]));
  let macsLeft = [...macsOf.values()].reduce((a, b) => a + b, 0);
  let macsDone = 0;
  const started = performance.now();
  let lastLine = 0;
  const report = (final = false): void => {
    const line = progressLine({ doneBefore, doneNow, total, workDone: macsDone, workLeft: macsLeft, elapsedSeconds: (performance.now() - started) / 1000 }, 'MACs');
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}${final ? '\n' : ''}`);
    else if (final || performance.now() - lastLine > 30_000) {
      process.stderr.write(`${line}\n`);
      lastLine = performance.now();
    }
  };
  const finished = (id: string): void => {
    const macs = macsOf.get(id) ?? 0;
    macsDone += macs;
    macsLeft -= macs;
    doneNow++;
  };

  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\ninterrupt: finishing the candidates in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  const pool = opts.workers > 0 && todo.length > 0 ? createScorePool(opts.workers) : undefined;
  // Results of this run the cache does not keep (a pass over the memory limit) still go into its report.
  const thisRun = new Map<string, ProxyResult>();
  try {
    const record = (r: CandidateScores): void => {
      cache.putAll(Object.entries(r.scores).map(([proxy, result]) => ({ key: key(r.id, proxy), result })));
      for (const [proxy, result] of Object.entries(r.scores)) thisRun.set(`${r.id}|${proxy}`, result);
      finished(r.id);
      report();
    };
    const queue = [...todo];
    const runOne = async (): Promise<void> => {
      for (let next = queue.shift(); next && !interrupted; next = queue.shift()) {
        const memory = opts.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: opts.memoryLimitBytes };
        const task = { id: next.row.name, proxies: next.missing, batchSize: opts.batchSize, seed: opts.seed, input: opts.input, classes: opts.classes, ...memory };
        try {
          const result = pool
            ? await pool.score(task, opts.timeoutSeconds * 1000)
            : await scoreCandidate(next.row.genome, { proxies: task.proxies, batchSize: task.batchSize, seed: task.seed, ...input, classes: task.classes, ...memory });
          record(result);
        } catch (e) {
          // A crashed or timed-out worker: not cached, so the next run retries the candidate.
          process.stderr.write(`\n${task.id}: ${(e as Error).message}\n`);
          finished(task.id);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, pool?.workers ?? 1) }, runOne));
  } finally {
    process.off('SIGINT', onSigint);
    await pool?.close();
    cache.close();
  }
  if (todo.length > 0) report(true);
  if (interrupted) {
    process.stderr.write(`interrupted with ${doneBefore + doneNow} of ${total} candidates scored; run the same command again to resume\n`);
    return 130;
  }

  const scored: ScoredRow[] = rows.map((r) => {
    const results: Record<string, ProxyResult> = {};
    for (const p of opts.proxies) {
      const c = cache.get(key(r.name, p)) ?? thisRun.get(`${r.name}|${p}`);
      results[p] = c ?? { ok: false, failure: 'error', message: 'not computed (a transient error; run again to retry)', input: sourceId };
    }
    const macs = results.macs;
    return { name: r.name, family: r.genome.backbone, truth: r.value, macs: macs?.ok ? macs.value : NaN, results };
  });
  const quality = proxyQuality(scored, opts.proxies.map((p) => ({ name: p, higherIsBetter: getProxy(p).higherIsBetter })));
  const text = renderQuality(quality);
  out(text);

  const meta = { truth: opts.truth, metric: opts.metric, candidates: rows.length, ofTable: table_.length, batch: opts.batchSize, seed: opts.seed, input: sourceId, classes: opts.classes };
  writeFileAtomic(join(opts.out, 'report.json'), JSON.stringify({ ...meta, quality, candidates: scored.map((s) => ({ name: s.name, truth: s.truth, results: s.results })) }, null, 1) + '\n');
  writeFileAtomic(join(opts.out, 'report.md'), `# Proxy quality\n\n${JSON.stringify(meta)}\n\n\`\`\`\n${text}\n\`\`\`\n`);
  const panels = quality.map((q) => ({
    title: `${q.proxy}  (tau ${fmt(q.overall.kendallTau)})`,
    xLabel: q.proxy,
    yLabel: opts.metric,
    points: scored.flatMap((s) => {
      const r = s.results[q.proxy];
      return r?.ok ? [{ x: r.value, y: s.truth, group: s.family }] : [];
    }),
  }));
  writeFileAtomic(join(opts.out, 'scatter.svg'), scatterGrid(panels, { title: `proxy against ${opts.metric} (${rows.length} models)` }));
  out(`\nwritten: ${join(opts.out, 'report.json')}, report.md, scatter.svg`);
  return 0;
}
