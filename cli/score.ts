// zcnas score: zero-cost proxies of one or more candidates.
import { parseArgs } from 'node:util';
import { defaultMemoryLimit, parseProxyList, resolveBatchInput, PROXIES, PROXY_NAMES, scoreCandidate, type CandidateScores, type ProxyResult, type ScoringStep } from '../proxies/index.js';
import { checkClasses, genomeId, parseGenomeArg } from '../space/index.js';
import { UsageError } from './errors.js';
import { memoryLimitFlag, parseIntFlag } from './flags.js';
import { si, table } from './format.js';

export const SCORE_HELP = `Usage: zcnas score <name-or-genome>... [options]

Computes zero-cost proxies of each candidate (its initial weights are seeded).

Options:
  --proxies a,b,c    proxies to compute, or all (default: all)
  --batch N          batch size of the forward pass (default 16)
  --seed S           seed of weights and batch (default 0)
  --images DIR       draw the batch from a folder of .jpg/.png images (default: Gaussian noise)
  --labels DIR       a YOLO-format dataset (DIR/images, DIR/labels/*.txt, lines 'class cx cy w h'):
                     labelled batches; the gradient proxies use the detection loss
  --surrogate        with --labels: a dataset without labels uses its images and the label-free
                     surrogate loss instead of being refused
  --classes N        classes of the detect head (default 80)
  --memory-limit G   GiB a pass may need (default ${(defaultMemoryLimit() / 2 ** 30).toFixed(1)}, three quarters of this machine's
                     memory); a proxy whose pass is estimated to need more is reported as
                     memory-limit, with the batch that would fit, and the others still run
  --json             one JSON object per candidate, one per line
  -h, --help         show this help

Proxies:
${PROXIES.map((p) => `  ${p.name.padEnd(12)} ${p.description} (${p.higherIsBetter ? 'higher' : 'lower'} is better)`).join('\n')}`;

export function formatResult(r: ProxyResult | undefined): string {
  if (!r) return '-';
  if (!r.ok) return `failed: ${r.failure}`;
  // Beyond tera (synflow reaches 1e150 on deep models), scientific notation reads better than SI.
  if (Math.abs(r.value) >= 1e15) return r.value.toExponential(3);
  return Math.abs(r.value) >= 1e5 ? si(r.value) : r.value.toPrecision(6);
}

export async function runScore(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      proxies: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      images: { type: 'string' },
      labels: { type: 'string' },
      surrogate: { type: 'boolean' },
      classes: { type: 'string' },
      'memory-limit': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(SCORE_HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('score needs at least one name or genome. Example: zcnas score yolo8n_320 yolo5n_320 --proxies nwot,zen');
  const genomes = positionals.map(parseGenomeArg);
  const proxies = values.proxies === undefined ? [...PROXY_NAMES] : parseProxyList(values.proxies);
  const batchSize = parseIntFlag('--batch', values.batch, 16, 2, 1024);
  const seed = parseIntFlag('--seed', values.seed, 0, 0, 2 ** 32 - 1);
  const classes = checkClasses(parseIntFlag('--classes', values.classes, 80, 1));
  const memoryLimitBytes = memoryLimitFlag(values['memory-limit']);
  const input = resolveBatchInput({ images: values.images, labels: values.labels, surrogate: values.surrogate });
  const results: CandidateScores[] = [];
  for (const [i, genome] of genomes.entries()) {
    const head = `scoring ${i + 1}/${genomes.length} ${genomeId(genome)}`;
    const tty = !values.json && process.stderr.isTTY;
    if (tty) process.stderr.write(`\r\x1b[K${head}`);
    const onStep = tty ? (s: ScoringStep): void => void process.stderr.write(`\r\x1b[K${head}, step ${s.index} of ${s.total}: ${s.name}`) : undefined;
    const r = await scoreCandidate(genome, { proxies, batchSize, seed, ...input, classes, onStep, ...(memoryLimitBytes === undefined ? {} : { memoryLimitBytes }) });
    results.push(r);
    if (values.json) out(JSON.stringify(r));
  }
  if (!values.json && process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  if (values.json) return 0;
  out(
    table(
      ['candidate', ...proxies],
      results.map((r) => [r.id, ...proxies.map((p) => formatResult(r.scores[p]))]),
      ['left', ...proxies.map(() => 'right' as const)],
    ),
  );
  const inputs = new Set(results.flatMap((r) => Object.values(r.scores).map((s) => s.input)));
  out(`\ninputs: ${[...inputs].join('; ')}`);
  for (const r of results)
    for (const [p, s] of Object.entries(r.scores)) if (!s.ok) out(`${r.id} ${p}: ${s.failure}: ${s.message}`);
  return 0;
}
