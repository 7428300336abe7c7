// zcnas validate: measure a run's front on a target, next to what the search predicted.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openTarget } from '../hardware/index.js';
import { Journal, validateFront, validationFile, VALIDATION_TOLERANCE, type Validation } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { bytes, table } from './format.js';
import { TARGET_FLAGS, TARGET_HELP, targetOptions } from './target-options.js';
import { toolVersion } from './version.js';

export const VALIDATE_HELP = `Usage: zcnas validate DIR --target T [options]

Measures every candidate on the run's Pareto front on target T and stores the measurements next to
the search's predictions in DIR/validation-<target>.json. The table shows predicted and measured
latency (median and IQR over the repeats), the error, and notes where the prediction was wrong by
more than ${100 * VALIDATION_TOLERANCE}%, where the front's latency order changes, and where a constraint breaks when measured.

Options:
  --seed S               seed of the weights and the input (default: the run's seed)
  --json                 print the validation as JSON
  -h, --help             show this help

${TARGET_HELP}`;

const ms = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(2));

export function renderValidation(v: Validation, file: string): string {
  const rows = v.entries.map((e) => [
    e.id,
    ms(e.predicted.latency),
    ms(e.measured.latencyMs.median),
    e.measured.latencyMs.repeats > 0 ? ms(e.measured.latencyMs.iqr) : '-',
    e.latencyError === undefined ? '-' : `${e.latencyError >= 0 ? '+' : ''}${(100 * e.latencyError).toFixed(1)}%`,
    e.measured.ramBytes === undefined ? '-' : bytes(e.measured.ramBytes),
    e.measured.flashBytes === undefined ? '-' : bytes(e.measured.flashBytes),
    e.notes.join('; ') || 'ok',
  ]);
  const lines = [
    `front of ${v.entries.length} ${v.source} on ${v.target}:`,
    table(['candidate', 'predicted ms', `${v.source} ms`, 'IQR', 'error', 'RAM', 'flash', 'notes'], rows, ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left']),
  ];
  if (v.predictedFor !== undefined && v.predictedFor !== v.target)
    lines.push('', `note: the run predicted latency for ${v.predictedFor}, not ${v.target}; errors include the difference between the two machines`);
  if (v.latencyMape !== undefined) lines.push('', `latency MAPE over the front ${v.latencyMape.toFixed(1)}%${v.latencySpearman === undefined ? '' : `, Spearman ${v.latencySpearman.toFixed(3)}`}`);
  else lines.push('', 'this run predicted no latency (it had no hardware model), so there is nothing to compare; the measurements are stored');
  lines.push(`environment: ${Object.entries(v.environment).map(([k, val]) => `${k}=${String(val)}`).join(', ')}`);
  lines.push(`written ${file}`);
  return lines.join('\n');
}

export async function runValidate(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { ...TARGET_FLAGS, seed: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    out(VALIDATE_HELP);
    return 0;
  }
  const dir = positionals[0];
  if (dir === undefined || positionals.length !== 1) throw new UsageError('validate takes one run directory, e.g. zcnas validate runs/nsga2-seed0 --target local');
  if (values.target === undefined) throw new UsageError('validate needs --target T: local, ssh:user@host[:port] or mcu:<board>');
  if (!existsSync(dir)) throw new UsageError(`run directory ${dir} does not exist`);
  const { journal, state } = Journal.open(dir, toolVersion(), 'read');
  const seed = parseIntFlag('--seed', values.seed, state.config.seed, 0, 2 ** 32 - 1);
  const target = await openTarget(values.target, targetOptions(values, seed));
  let v: Validation;
  try {
    v = await validateFront(state, target, (done, total, line) => process.stderr.write(`[${done}/${total}] ${line}\n`));
  } finally {
    await target.close();
  }
  if (v.entries.length === 0) throw new UsageError(`nothing to validate: the run has no feasible candidate on its front yet (${state.order.length} evaluated)`);
  const file = validationFile(v.target);
  journal.writeWhole(file, JSON.stringify({ tool: `zcnas ${toolVersion()}`, ...v }, null, 2) + '\n');
  out(values.json ? JSON.stringify(v, null, 2) : renderValidation(v, `${dir}/${file}`));
  return 0;
}
