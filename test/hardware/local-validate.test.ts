// The local target, a search on predicted latency, and zcnas validate measuring its front, all with
// the real onnxruntime and the real binary.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localTarget, readPredictor } from '../../hardware/index.js';
import { buildGraph, genomeId, parseName } from '../../space/index.js';
import { zcnas } from '../helpers/cli.js';
import { TRUTH_CSV } from '../helpers/yolobench.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local target', () => {
  it('times batch-1 runs and returns their spread with the machine described', async () => {
    const genome = parseName('yolo8n_160');
    const target = localTarget({ repeats: 7, warmup: 1, threads: 1 });
    const m = await target.measure({ id: genomeId(genome), genome, graph: buildGraph(genome, { classes: 80 }) });
    expect(m.source).toBe('measured');
    expect(m.latencyMs.repeats).toBe(7);
    expect(m.latencyMs.min).toBeGreaterThan(0);
    expect(m.latencyMs.q1).toBeLessThanOrEqual(m.latencyMs.median);
    expect(m.latencyMs.median).toBeLessThanOrEqual(m.latencyMs.q3);
    expect(m.environment.threads).toBe(1);
    expect(String(m.environment.cpu).length).toBeGreaterThan(0);
    expect(() => localTarget({ repeats: 0 })).toThrow(/repeats must be a positive integer/);
  });
});

describe('search on predicted latency, then validate on this machine', () => {
  const predictor = join(dir, 'pi4.json');
  const run = join(dir, 'run');
  beforeAll(() => {
    const c = zcnas(['calibrate', '--truth', TRUTH_CSV, '--column', 'pi4_ort_latency_ms', '--classes', '20', '--target', 'rpi4', '--out', predictor]);
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toMatch(/v7 +44 /);
    const s = zcnas(['search', '--objectives', 'min:latency,min:params', '--constraints', 'latency<=120ms', '--predictor', predictor, '--population', '6', '--generations', '2', '--workers', '0', '--resolutions', '160,192', '--out', run]);
    expect(s.code, s.stderr).toBe(0);
  });

  it('journals predicted latency, keeps the front within the constraint, and inlines the predictor', () => {
    const evals = readFileSync(join(run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; latency?: number });
    const records = evals.filter((e) => e.type === 'eval');
    expect(records.length).toBeGreaterThan(0);
    for (const r of records) expect(r.latency).toBeGreaterThan(0);
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { latency: number }[];
    expect(front.length).toBeGreaterThan(0);
    for (const f of front) expect(f.latency).toBeLessThanOrEqual(120);
    const config = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')) as { hardware: { predictor: { coefficients: Record<string, number> } } };
    expect(config.hardware.predictor.coefficients).toEqual(readPredictor(predictor).coefficients);
  });

  it('validate measures every front member, stores measured beside predicted, and leaves the journal alone', () => {
    const journalBefore = readFileSync(join(run, 'journal.jsonl'));
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { id: string; latency: number }[];
    const v = zcnas(['validate', run, '--target', 'local', '--repeats', '3', '--warmup', '1', '--threads', '1']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout).toContain('the run predicted latency for rpi4, not local');
    const stored = JSON.parse(readFileSync(join(run, 'validation-local.json'), 'utf8')) as {
      entries: { id: string; predicted: { latency: number }; measured: { latencyMs: { median: number; repeats: number } }; latencyError: number }[];
    };
    expect(stored.entries.map((e) => e.id)).toEqual(front.map((f) => f.id));
    for (const [i, e] of stored.entries.entries()) {
      expect(e.predicted.latency).toBe(front[i]!.latency);
      expect(e.measured.latencyMs.repeats).toBe(3);
      expect(e.latencyError).toBeCloseTo((e.predicted.latency - e.measured.latencyMs.median) / e.measured.latencyMs.median, 12);
    }
    expect(readFileSync(join(run, 'journal.jsonl')).equals(journalBefore)).toBe(true);
  });
});

describe('bad input to the hardware commands', () => {
  const cases: [string, string[], RegExp][] = [
    ['calibrate without --out', ['calibrate', '--target', 'local'], /needs --out FILE/],
    ['calibrate on an analytic target', ['calibrate', '--target', 'mcu:nucleo-h743zi', '--out', join(dir, 'x.json')], /analytic model/],
    ['calibrate with --truth but no --column', ['calibrate', '--truth', TRUTH_CSV, '--out', join(dir, 'x.json')], /both --truth FILE.csv and --column C/],
    ['calibrate on a missing column', ['calibrate', '--truth', TRUTH_CSV, '--column', 'pi5_ms', '--out', join(dir, 'x.json')], /has no column 'pi5_ms'/],
    ['a target that does not parse', ['calibrate', '--target', 'raspberry', '--out', join(dir, 'x.json')], /target 'raspberry' does not parse: use local, ssh:user@host\[:port\] or mcu:<board>/],
    ['validate without a target', ['validate', dir], /needs --target T/],
    ['validate a folder that is not a run', ['validate', dir, '--target', 'local'], /not a zcnas run directory/],
    ['search on latency without a model', ['search', '--objectives', 'min:latency', '--out', join(dir, 'r2')], /latency needs a hardware model/],
    ['search with a missing predictor', ['search', '--objectives', 'min:latency', '--predictor', join(dir, 'nope.json'), '--out', join(dir, 'r2')], /cannot read latency predictor .*no such file/],
    ['a constraint with a wrong unit', ['search', '--constraints', 'ram<=5ms', '--out', join(dir, 'r2')], /'ram<=5ms' is not valid/],
  ];
  for (const [what, args, message] of cases)
    it(what, () => {
      const r = zcnas(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  it('wrote nothing for the refused commands', () => {
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
    expect(existsSync(join(dir, 'r2'))).toBe(false);
  });
});
