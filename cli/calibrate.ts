// zcnas calibrate: fit a latency predictor from measurements on a target or from a table.
import { parseArgs } from 'node:util';
import { calibrateFromTruth, calibrateOnTarget, FEATURE_DOC, FEATURES, openTarget, spreadSample, targetKind, writePredictor, type Calibration } from '../hardware/index.js';
import { parseSearchConfig, spaceOf } from '../search/index.js';
import { UsageError } from './errors.js';
import { parseIntFlag } from './flags.js';
import { table } from './format.js';
import { TARGET_FLAGS, TARGET_HELP, targetOptions } from './target-options.js';
import { toolVersion } from './version.js';

export const CALIBRATE_HELP = `Usage: zcnas calibrate --target T --out FILE [options]
       zcnas calibrate --truth FILE.csv --column C --out FILE [--target NAME] [--classes N]

Fits a latency predictor for a target: latency as a non-negative combination of graph features
(MACs per kind of convolution, element-wise and data-movement elements, weight bytes, operator
count), so a prediction never goes negative. The first form measures a sample of candidates spread
over the MAC range on the target; the second reads measured latencies from a table (such as
YOLOBench's pi4_ort_latency_ms). Either way the fit is cross-validated with whole families held out
(each YOLO version predicted by a fit on the others) and the error is reported per family.

Options:
  --out FILE             where the predictor is written (JSON); required
  --samples N            candidates to measure (default 24)
  --families LIST        backbone families of the sample, e.g. v5,v8 (default all)
  --resolutions LIST     resolutions of the sample (default 160..320)
  --seed S               seed of the sample and of the weights (default 0)
  --classes N            classes of the detect head (default 80)
  --truth FILE.csv       fit from this table of measured latencies instead of measuring
  --column C             the table's latency column, in milliseconds (with --truth)
  --json                 print the predictor as JSON
  -h, --help             show this help

${TARGET_HELP}`;

function pct(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(1)}%` : 'n/a';
}

export function renderCalibration(c: Calibration, file: string): string {
  const p = c.predictor;
  const lines = [`latency predictor for ${p.target}, fitted on ${p.fittedOn?.candidates ?? c.samples.length} candidates (${p.fittedOn?.kind} ${p.fittedOn?.source})`, ''];
  const cv = p.crossValidation;
  if (cv) {
    lines.push('cross-validated with each family held out (predicted by a fit on the other families):');
    lines.push(
      table(
        ['family', 'n', 'MAPE', 'Spearman', 'within 10%'],
        [...cv.perFamily, { family: 'all', ...cv.overall }].map((f) => [f.family, String(f.n), pct(f.mape), f.spearman.toFixed(4), pct(100 * f.within10)]),
        ['left', 'right', 'right', 'right', 'right'],
      ),
    );
  } else lines.push('not cross-validated: the sample holds one family; give --families with two or more to hold one out');
  lines.push('', 'coefficients (per unit of feature; features at zero do not help this target):');
  lines.push(
    table(
      ['feature', 'coefficient', 'meaning'],
      FEATURES.map((f) => [f, p.coefficients[f].toExponential(3), FEATURE_DOC[f]]),
      ['left', 'right', 'left'],
    ),
  );
  lines.push('', `written ${file}`);
  return lines.join('\n');
}

export async function runCalibrate(argv: readonly string[], out: (s: string) => void): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      ...TARGET_FLAGS,
      out: { type: 'string' },
      samples: { type: 'string' },
      families: { type: 'string' },
      resolutions: { type: 'string' },
      seed: { type: 'string' },
      classes: { type: 'string' },
      truth: { type: 'string' },
      column: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(CALIBRATE_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`calibrate takes options only (got ${positionals.join(' ')}); see zcnas calibrate --help`);
  if (values.out === undefined) throw new UsageError('calibrate needs --out FILE, where the predictor is written (e.g. --out pi4.json)');
  const seed = parseIntFlag('--seed', values.seed, 0, 0, 2 ** 32 - 1);
  const classes = parseIntFlag('--classes', values.classes, 80, 1);
  const tool = `zcnas ${toolVersion()}`;
  let calibration: Calibration;
  if (values.truth !== undefined || values.column !== undefined) {
    if (values.truth === undefined || values.column === undefined)
      throw new UsageError('fitting from a table needs both --truth FILE.csv and --column C, e.g. --truth voc_scratch_100ep.csv --column pi4_ort_latency_ms');
    calibration = calibrateFromTruth(values.truth, values.column, classes, values.target ?? `truth:${values.column}`, tool);
  } else {
    if (values.target === undefined) throw new UsageError('calibrate needs --target T (local or ssh:user@host[:port]) to measure on, or --truth FILE.csv --column C');
    if (targetKind(values.target) === 'mcu')
      throw new UsageError(`${values.target} is already an analytic model (no measurement to fit); calibrate targets that measure: local or ssh:user@host[:port]`);
    const samples = parseIntFlag('--samples', values.samples, 24, 2, 10_000);
    const space: Record<string, unknown> = {};
    if (values.families !== undefined) space.backbones = values.families.split(',').map((s) => s.trim());
    if (values.resolutions !== undefined) space.resolutions = values.resolutions.split(',').map((s) => parseIntFlag('--resolutions', s.trim(), 0, 1));
    const config = parseSearchConfig({ space, classes }, 'flags');
    const genomes = spreadSample(spaceOf(config), samples, seed, classes);
    const target = await openTarget(values.target, targetOptions(values, seed));
    try {
      process.stderr.write(`measuring ${genomes.length} candidates on ${target.name}\n`);
      calibration = await calibrateOnTarget(target, genomes, classes, tool, (done, total, line) => process.stderr.write(`[${done}/${total}] ${line}\n`));
    } finally {
      await target.close();
    }
  }
  writePredictor(values.out, calibration.predictor);
  out(values.json ? JSON.stringify(calibration.predictor, null, 2) : renderCalibration(calibration, values.out));
  return 0;
}
