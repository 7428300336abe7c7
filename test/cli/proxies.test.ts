import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { zcnas } from '../helpers/cli.js';
import { TRUTH_CSV } from '../helpers/yolobench.js';
import { costs } from '../../nn/index.js';
import { forwardNeed, gradientNeed, needBytes } from '../../proxies/index.js';
import { buildGraph, parseName } from '../../space/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-cli-proxies-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zcnas score', () => {
  it('prints a table of proxies per candidate and says which input each used', () => {
    const r = zcnas(['score', 'yolo8n_96', 'yolo5n_96', '--proxies', 'params,nwot,zen', '--batch', '4']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/yolo8n_96\s+3\.16M\s+\d+\.\d+\s+-?\d+\.\d+/);
    expect(r.stdout).toMatch(/inputs: .*graph.*gaussian\(seed=0\)/s);
  });

  it('--json gives one object per line with typed results', () => {
    const r = zcnas(['score', 'yolo7n_96', '--proxies', 'nwot,l2_norm', '--batch', '4', '--seed', '3', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.stdout.trim()) as { id: string; scores: Record<string, { ok: boolean; value: number; input: string }> };
    expect(o.id).toBe('yolo7n_96');
    expect(o.scores.nwot?.ok).toBe(true);
    expect(o.scores.nwot?.input).toBe('gaussian(seed=3)');
    expect(o.scores.l2_norm?.input).toBe('weights(seed=3)');
  });

  const bad: [string[], RegExp][] = [
    [['score', 'yolo8n_96', '--proxies', 'nwot,magic'], /unknown proxy 'magic': known proxies are params, macs/],
    [['score', 'yolo8n_96', '--images', join(dir, 'missing')], /cannot read image folder .*missing: it does not exist/],
    [['score', 'yolo8n_96', '--batch', '1'], /--batch 1 is not valid: give a whole number from 2 to 1024/],
    [['score'], /score needs at least one name or genome/],
    [['score', 'yolo8n_95'], /resolution 95 is not valid/],
    [['score', 'yolo8n_96', '--memory-limit', '0'], /--memory-limit 0 is not valid: give a number from 0.01 to/],
    [['score', 'yolo8n_96', '--memory-limit', 'lots'], /--memory-limit lots is not valid: give a number/],
  ];
  for (const [args, message] of bad)
    it(`bad input: ${args.slice(1).join(' ')}`, () => {
      const r = zcnas(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

  it('--memory-limit: a gradient pass over it is refused with the batch that fits, the forward proxies still run', () => {
    const graph = buildGraph(parseName('yolo8n_320'));
    const ctx = { genome: parseName('yolo8n_320'), graph, costs: costs(graph), seed: 0, batchSize: 2 };
    const gib = (needBytes(forwardNeed(ctx)) + needBytes(gradientNeed(ctx))) / 2 / 2 ** 30;
    const r = zcnas(['score', 'yolo8n_320', '--proxies', 'nwot,grad_norm', '--batch', '2', '--memory-limit', gib.toFixed(4)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/yolo8n_320\s+-?\d+\.\d+\s+failed: memory-limit/);
    expect(r.stdout).toMatch(/yolo8n_320 grad_norm: memory-limit: a gradient pass at batch 2 needs about [\d.]+ GiB, over the [\d.]+ GiB memory limit; --batch 1 would fit$/m);
  });

  it('bad input: an image folder without images', () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const r = zcnas(['score', 'yolo8n_96', '--images', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds no .jpg, .jpeg or .png files/);
  });
});

describe('zcnas bench-proxies', () => {
  // A small truth table from the real YOLOBench file: the six 160-pixel models of two families.
  const lines = readFileSync(TRUTH_CSV, 'utf8').trim().split('\n');
  const small = join(dir, 'small.csv');
  writeFileSync(small, [lines[0], ...lines.filter((l) => /^yolo(5|8)(n|s|d1w25)_160,/.test(l))].join('\n') + '\n');

  it('--memory-limit: passes over it are reported as memory-limit in this run, in workers too, and not cached', () => {
    const needs = lines
      .slice(1)
      .filter((l) => /^yolo(5|8)(n|s|d1w25)_160,/.test(l))
      .map((l) => {
        const genome = parseName(l.split(',')[0] ?? '');
        const graph = buildGraph(genome);
        const ctx = { genome, graph, costs: costs(graph), seed: 0, batchSize: 4 };
        return { forward: needBytes(forwardNeed(ctx)), gradient: needBytes(gradientNeed(ctx)) };
      });
    const [forward, gradient] = [Math.max(...needs.map((n) => n.forward)), Math.min(...needs.map((n) => n.gradient))];
    expect(forward).toBeLessThan(gradient);
    const cache = join(dir, 'cache-limit');
    const out = join(dir, 'out-limit');
    const r = zcnas(['bench-proxies', '--truth', small, '--proxies', 'nwot,grad_norm', '--batch', '4', '--workers', '2', '--cache', cache, '--out', out, '--memory-limit', ((forward + gradient) / 2 / 2 ** 30).toFixed(4)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nnwot\s+6\s+0/);
    expect(r.stdout).toMatch(/\ngrad_norm\s+0\s+6/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { candidates: { results: Record<string, { ok: boolean; failure?: string; message?: string }> }[] };
    for (const c of report.candidates) expect(c.results.grad_norm).toMatchObject({ ok: false, failure: 'memory-limit', message: expect.stringMatching(/over the [\d.]+ GiB memory limit/) });
    const cached = readFileSync(join(cache, 'scores.jsonl'), 'utf8').trim().split('\n');
    expect(cached.filter((l) => l.includes('grad_norm'))).toHaveLength(0);
    expect(cached).toHaveLength(12);
  });

  it('reports tau, rho, top-10% and Pareto recovery per proxy (MACs always), writes JSON, markdown and SVG; a rerun uses the cache', () => {
    const cache = join(dir, 'cache');
    const out = join(dir, 'out');
    const args = ['bench-proxies', '--truth', small, '--proxies', 'nwot,params', '--batch', '4', '--workers', '2', '--cache', cache, '--out', out];
    const r = zcnas(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/proxy\s+scored\s+failed\s+Kendall tau\s+vs MACs/);
    expect(r.stdout).toMatch(/\nmacs\s+6\s+0\s+-?\d\.\d{3}/);
    expect(r.stdout).toMatch(/\nnwot\s+6\s+0/);
    expect(r.stderr).toMatch(/scored 6\/6 candidates, \d+\.\d\/min, ETA 0 min \(weighed by MACs\)/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { quality: { proxy: string; overall: { kendallTau: number } }[] };
    expect(report.quality.map((q) => q.proxy).sort()).toEqual(['macs', 'nwot', 'params']);
    const svg = readFileSync(join(out, 'scatter.svg'), 'utf8');
    expect(svg.match(/<circle/g)?.length).toBeGreaterThanOrEqual(18);
    const cached = readFileSync(join(cache, 'scores.jsonl'), 'utf8').trim().split('\n');
    expect(cached).toHaveLength(18);
    // Resume: nothing left to compute, same report, cache unchanged.
    const again = zcnas(args);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(r.stdout);
    expect(readFileSync(join(cache, 'scores.jsonl'), 'utf8').trim().split('\n')).toHaveLength(18);
    // --report-only computes nothing and reports on the complete rows.
    const partial = zcnas([...args, '--report-only', '--proxies', 'nwot,params,zen']);
    expect(partial.code).toBe(2);
    expect(partial.stderr).toMatch(/holds complete scores for 0 of 6 models: nothing to report yet/);
    const reported = zcnas([...args, '--report-only']);
    expect(reported.code).toBe(0);
    expect(reported.stdout).toMatch(/^partial report: 6 of 6 models have every proxy cached/);
  });

  const bad: [string, string[], RegExp][] = [
    ['a metric the table lacks', ['--metric', 'mAP_0.75'], /has no column 'mAP_0.75'; its columns are model_name, mAP_0.5, mAP_0.5:0.95, pi4_ort_latency_ms/],
    ['an unknown proxy', ['--proxies', 'zen,oracle'], /unknown proxy 'oracle'/],
  ];
  for (const [what, extra, message] of bad)
    it(`bad input: ${what}`, () => {
      const cache = join(dir, `cache-${what.replace(/\W/g, '')}`);
      const r = zcnas(['bench-proxies', '--truth', small, '--cache', cache, ...extra]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(cache)).toBe(false);
    });

  it('bad input: no --truth', () => {
    const r = zcnas(['bench-proxies', '--cache', join(dir, 'cache-none')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bench-proxies needs --truth FILE.csv/);
    expect(existsSync(join(dir, 'cache-none'))).toBe(false);
  });

  it('bad input: names the space cannot parse', () => {
    const broken = join(dir, 'broken.csv');
    writeFileSync(broken, 'model_name,mAP_0.5:0.95\nyolo8n_160,0.3\nresnet50_224,0.5\nyolo8n_170,0.2\n');
    const cache = join(dir, 'cache-broken');
    const r = zcnas(['bench-proxies', '--truth', broken, '--cache', cache]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/2 row\(s\) the tool cannot use, e.g. line 3: 'resnet50' is not a known architecture.*line 4: resolution 170 is not valid/);
    expect(existsSync(cache)).toBe(false);
  });

  it('bad input: a truth file that does not exist', () => {
    const r = zcnas(['bench-proxies', '--truth', join(dir, 'nope.csv')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read truth table .*nope.csv: no such file/);
    expect(readdirSync(dir)).not.toContain('.zcnas-cache');
  });
});

describe('bench-proxies interrupted with Ctrl-C', () => {
  it('stops after the candidates in flight, exits 130, keeps their scores; the same command resumes without recomputing', async () => {
    const { spawn } = await import('node:child_process');
    const { BIN } = await import('../helpers/cli.js');
    const lines = readFileSync(TRUTH_CSV, 'utf8').trim().split('\n');
    const table = join(dir, 'interrupt.csv');
    writeFileSync(table, [lines[0], ...lines.filter((l) => /^yolo8(n|s|d1w25|d33w75)_(160|192)[,]/.test(l))].join('\n') + '\n');
    const cache = join(dir, 'cache-interrupt');
    const args = [BIN, 'bench-proxies', '--truth', table, '--proxies', 'nwot', '--batch', '4', '--workers', '1', '--cache', cache, '--out', join(dir, 'out-interrupt')];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const file = join(cache, 'scores.jsonl');
    // Interrupt once the first candidate's scores are on disk.
    while (!existsSync(file) || readFileSync(file, 'utf8').trim() === '') await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted with \d+ of 8 candidates scored; run the same command again to resume/);
    const partial = readFileSync(file, 'utf8').trim().split('\n').length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(16);
    const r = zcnas(args.slice(1));
    expect(r.code).toBe(0);
    const keys = readFileSync(file, 'utf8').trim().split('\n').map((l) => { const o = JSON.parse(l) as { id: string; proxy: string }; return `${o.id}|${o.proxy}`; });
    expect(keys).toHaveLength(16); // 8 candidates x (nwot + macs), none twice
    expect(new Set(keys).size).toBe(16);
  });
});
