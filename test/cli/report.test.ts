// zcnas search --json, zcnas report in the terminal, and the HTML report rendered by headless
// Chromium: the screenshot must show the front's points in the plot.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRONT_COLOUR } from '../../cli/report-html.js';
import { zcnas } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = join(dir, 'run');
const SEARCH = ['search', '--objectives', 'min:macs,min:params', '--workers', '0', '--population', '6', '--generations', '3', '--seed', '7'];
// eslint-disable-next-line no-control-regex
const ESC = /\x1b\[/;

interface Event {
  type: string;
  t: number;
  [k: string]: unknown;
}

let events: Event[] = [];

beforeAll(() => {
  const r = zcnas([...SEARCH, '--out', run, '--json']);
  expect(r.code).toBe(0);
  events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Event);
});

describe('outside a terminal', () => {
  it('--json prints one event per line: started, candidates, generations, finished', () => {
    expect(events[0]?.type).toBe('started');
    expect(events[0]?.previous).toBe(0);
    expect(events[0]?.total).toBe(18);
    expect(events.filter((e) => e.type === 'candidate-evaluated')).toHaveLength(18);
    expect(events.filter((e) => e.type === 'generation-done')).toHaveLength(3);
    const last = events.at(-1);
    expect(last?.type).toBe('finished');
    expect(last?.completed).toBe(true);
    expect(last?.front).toEqual(JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')));
    expect(events.every((e, i) => i === 0 || e.t >= (events[i - 1]?.t ?? 0))).toBe(true);
  });

  it('without --json: the plain progress lines, as before', () => {
    const r = zcnas([...SEARCH, '--out', join(dir, 'plain')]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/generation 3\/3 done: 18 evaluated/);
    expect(r.stderr).not.toMatch(ESC);
    expect(r.stdout).toMatch(/front of \d+ \(18 evaluated\)/);
  });
});

describe('zcnas report', () => {
  it('shows the run as the live view does, without colour under NO_COLOR', () => {
    const r = zcnas(['report', run, '--width', '110', '--height', '36'], { env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b\[(3\d|4\d|9\d|10\d)m/);
    expect(r.stdout).toMatch(/COMPLETED/);
    expect(r.stdout).toMatch(/gen 3\/3 #+ 18\/18 100%/);
    expect(r.stdout).toMatch(/best candidates: the front \(\d+\), by macs/);
    expect(r.stdout).toContain('●');
    for (const l of r.stdout.split('\n')) expect([...l.replace(/\x1b\[[0-9;]*m/g, '')].length).toBeLessThanOrEqual(110);
  });

  it('a directory that is not a run: a clear message and exit code 2', () => {
    const r = zcnas(['report', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a zcnas run directory/);
  });

  it('--html writes a self-contained report that Chromium renders with the front plotted', () => {
    const html = join(dir, 'report.html');
    const r = zcnas(['report', run, '--html', html]);
    expect(r.code).toBe(0);
    const text = readFileSync(html, 'utf8');
    // Self-contained: nothing fetched from anywhere.
    expect(text).not.toMatch(/<(link|img|iframe)\b|\bsrc=|url\(|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { id: string }[];
    expect(text.match(/class="pt front"/g)).toHaveLength(front.length);
    expect(text.match(/<circle class="pt/g)).toHaveLength(18);
    expect(text).toContain('"strategy": "nsga2"');
    for (const f of front) expect(text).toContain(`id="row-${f.id}"`);

    const png = join(dir, 'shot.png');
    const profile = mkdtempSync(join(tmpdir(), 'zcnas-chromium-'));
    try {
      const c = spawnSync(
        '/usr/bin/chromium',
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, `--screenshot=${png}`, '--window-size=1200,900', `file://${html}`],
        { encoding: 'utf8', timeout: 90_000 },
      );
      expect(existsSync(png), `chromium wrote no screenshot: ${c.stderr}`).toBe(true);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
    const img = PNG.sync.read(readFileSync(png));
    const [fr, fg, fb] = [1, 3, 5].map((i) => parseInt(FRONT_COLOUR.slice(i, i + 2), 16)) as [number, number, number];
    let hits = 0;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4;
        if (Math.abs((img.data[i] ?? 0) - fr) < 12 && Math.abs((img.data[i + 1] ?? 0) - fg) < 12 && Math.abs((img.data[i + 2] ?? 0) - fb) < 12) {
          hits++;
          minY = Math.min(minY, y);
          maxY = Math.max(maxY, y);
        }
      }
    // Each front point is a disc of radius 6 (about 100 pixels); the legend's dot adds a few.
    expect(hits).toBeGreaterThan(front.length * 50);
    // In the plot: below the title and legend, within the 440-pixel-high SVG.
    expect(minY).toBeGreaterThan(40);
    expect(maxY).toBeLessThan(560);
  }, 120_000);
});
