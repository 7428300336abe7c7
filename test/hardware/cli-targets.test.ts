// The hardware targets through the zcnas binary: inspect on an mcu board (fits / does not fit, per
// layer), a search constrained by modelled RAM and flash, and the ssh target against a real OpenSSH
// server on loopback.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOARDS } from '../../hardware/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { zcnas } from '../helpers/cli.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-cli-targets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = 'yolo5d33w25+hv8lite+sw0.5x0.5x0.5x0.5_160';

describe('zcnas inspect --target mcu:<board>', () => {
  it('shows every layer and the totals of a model that fits', () => {
    const r = zcnas(['inspect', SMALL, '--classes', '20', '--target', 'mcu:nucleo-h743zi']);
    expect(r.code, r.stderr).toBe(0);
    const layers = buildGraph(parseName(SMALL), { classes: 20 }).layers.map((l) => l.scope);
    for (const l of layers) expect(r.stdout).toMatch(new RegExp(`^${l.replace(/\./g, '\\.')}\\s`, 'm'));
    expect(r.stdout).toMatch(/fits in internal memory/);
    const j = JSON.parse(zcnas(['inspect', SMALL, '--classes', '20', '--target', 'mcu:nucleo-h743zi', '--json']).stdout) as {
      mcu: { totals: { ramBytes: number; flashBytes: number; macs: number }; fit: { fits: boolean } };
      macs: number;
    };
    expect(j.mcu.fit.fits).toBe(true);
    expect(j.mcu.totals.macs).toBe(j.macs);
    expect(j.mcu.totals.ramBytes).toBeLessThanOrEqual(BOARDS.find((b) => b.id === 'nucleo-h743zi')!.ramBytes);
  });

  it('a model too large for the board: the table, then one message naming the limit, exit 2', () => {
    const r = zcnas(['inspect', 'yolo8n_320', '--target', 'mcu:nucleo-f401re']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^total/m);
    expect(r.stderr).toMatch(/^zcnas: yolo8n_320 does not fit NUCLEO-F401RE: .*(RAM|flash)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown board and a target that does not parse: exit 2, naming what is right', () => {
    const a = zcnas(['inspect', SMALL, '--target', 'mcu:nucleo-h999']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown board 'nucleo-h999': known boards are nucleo-h743zi, /);
    const b = zcnas(['inspect', SMALL, '--target', 'pi4']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/target 'pi4' does not parse/);
  });
});

describe('zcnas search with modelled RAM and flash', () => {
  const run = join(dir, 'mcu-run');
  beforeAll(() => {
    const r = zcnas([
      'search', '--target', 'mcu:nucleo-h743zi', '--objectives', 'min:ram,min:flash', '--constraints', 'ram<=400KB,flash<=2MB',
      '--population', '6', '--generations', '2', '--workers', '0', '--resolutions', '128,160', '--out', run,
    ]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('journals RAM, flash and latency for every candidate and keeps infeasible ones off the front', () => {
    const records = readFileSync(join(run, 'journal.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; ram?: number; flash?: number; latency?: number }).filter((r) => r.type === 'eval');
    for (const r of records) {
      expect(r.ram).toBeGreaterThan(0);
      expect(r.flash).toBeGreaterThan(0);
      expect(r.latency).toBeGreaterThan(0);
    }
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { ram: number; flash: number }[];
    for (const f of front) {
      expect(f.ram).toBeLessThanOrEqual(400 * 1024);
      expect(f.flash).toBeLessThanOrEqual(2 * 1024 * 1024);
    }
  });

  it('an unknown board is refused before the run directory exists', () => {
    const r = zcnas(['search', '--target', 'mcu:nope', '--objectives', 'min:ram', '--out', join(dir, 'never')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown board 'nope'/);
    expect(() => readFileSync(join(dir, 'never', 'config.json'))).toThrow();
  });
});

describe('zcnas inspect --target ssh:... against a real OpenSSH server on loopback', () => {
  let d: Sshd;
  beforeAll(async () => {
    d = await startSshd();
  });
  afterAll(async () => {
    await d?.stop();
  });

  it('measures the latency on the "board" with the key and known_hosts given as flags', () => {
    const kh = d.file('known_hosts', `${d.knownHostsLine}\n`);
    const r = zcnas(['inspect', 'yolo8n_160', '--target', d.target, '--identity', d.userKey, '--known-hosts', kh, '--repeats', '3', '--warmup', '1', '--threads', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = (JSON.parse(r.stdout) as { measurement: { source: string; target: string; latencyMs: { repeats: number; median: number }; environment: { threads: number } } }).measurement;
    expect(m.source).toBe('measured');
    expect(m.target).toBe(d.target);
    expect(m.latencyMs.repeats).toBe(3);
    expect(m.latencyMs.median).toBeGreaterThan(0);
    expect(m.environment.threads).toBe(1);
  });

  it('refuses an unknown host key with one message and exit 2, and records nothing', () => {
    const kh = d.file('empty_known_hosts', '');
    const r = zcnas(['inspect', 'yolo8n_160', '--target', d.target, '--identity', d.userKey, '--known-hosts', kh, '--repeats', '1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/host key of .* is not known/);
    expect(readFileSync(kh, 'utf8')).toBe('');
  });
});
