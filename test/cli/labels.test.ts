// Labelled datasets on the command line: score, search and bench-proxies take --labels DIR (and
// --surrogate for a dataset without labels); the gradient proxies then use the detection loss.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeBatchInput, DETECTION_LOSS, resolveBatchInput, SURROGATE_LOSS } from '../../proxies/index.js';
import { zcnas } from '../helpers/cli.js';
import { dataset } from '../helpers/datasets.js';

const work = mkdtempSync(join(tmpdir(), 'zcnas-labels-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IMAGES = { 'a.png': [40, 30, [8, 24, 6, 20]], 'b.png': [32, 48, [4, 20, 10, 40]] } as const;
const labelled = dataset({ 'a.txt': '0 0.4 0.43 0.4 0.47\n3 0.2 0.3 0.1 0.2\n', 'b.txt': '1 0.375 0.52 0.5 0.63\n' }, { ...IMAGES });
const unlabelled = dataset(undefined, { ...IMAGES });

interface Scored {
  readonly scores: Record<string, { ok: boolean; value?: number; input: string }>;
}
const scored = (stdout: string): Scored => JSON.parse(stdout.trim().split('\n')[0] ?? '') as Scored;
const score = (...args: string[]) => zcnas(['score', 'yolo8n_96', '--proxies', 'grad_norm,nwot', '--batch', '2', '--json', ...args]);

describe('--labels DIR', () => {
  it('score: the batch comes from the dataset and grad_norm uses the detection loss, not the surrogate', () => {
    const withLabels = score('--labels', labelled);
    expect(withLabels.code, withLabels.stderr).toBe(0);
    const a = scored(withLabels.stdout).scores;
    expect(a.grad_norm?.ok).toBe(true);
    expect(a.grad_norm?.input).toContain(`loss: ${DETECTION_LOSS}`);
    expect(a.nwot?.input).toMatch(/^labelled\(/);
    // The same images without their labels: the surrogate loss, another value.
    const imagesOnly = score('--images', join(labelled, 'images'));
    const b = scored(imagesOnly.stdout).scores;
    expect(b.grad_norm?.input).toContain(`loss: ${SURROGATE_LOSS}`);
    expect(b.grad_norm?.value).not.toBe(a.grad_norm?.value);
    // The forward proxies see the same pixels either way.
    expect(b.nwot?.value).toBe(a.nwot?.value);
  });

  it('a dataset without labels is refused unless --surrogate asks for the fallback', () => {
    const refused = score('--labels', unlabelled);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has no labels.*--surrogate/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const fallback = score('--labels', unlabelled, '--surrogate');
    expect(fallback.code, fallback.stderr).toBe(0);
    expect(scored(fallback.stdout).scores.grad_norm?.input).toContain(`loss: ${SURROGATE_LOSS}`);
  });

  it('a malformed label names its file and line; exit 2', () => {
    const bad = dataset({ 'a.txt': '0 0.5 0.5 0.2 0.2\n7 0.5 0.5 0.2\n' }, { 'a.png': [16, 16] });
    const r = score('--labels', bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(bad, 'labels', 'a.txt')}:2`);
  });

  it('--images with --labels, or --surrogate alone, is one clear message', () => {
    const both = score('--labels', labelled, '--images', join(labelled, 'images'));
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--images DIR .* or --labels DIR .*not both/);
    const alone = score('--surrogate');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/--surrogate goes with --labels DIR/);
  });

  it('search: worker threads score on the labelled batch; the config keeps the dataset; a dataset without labels is refused before the run exists', () => {
    const run = join(work, 'run');
    const args = ['search', '--objectives', 'max:grad_norm,min:macs', '--population', '2', '--generations', '1', '--workers', '1', '--batch', '2', '--families', 'v8', '--resolutions', '96', '--plain'];
    const r = zcnas([...args, '--labels', labelled, '--out', run]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).labels).toBe(labelled);
    const evals = readFileSync(join(run, 'journal.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"type":"eval"')).map((l) => JSON.parse(l) as Scored);
    expect(evals.length).toBe(2);
    for (const e of evals) expect(e.scores.grad_norm?.input).toContain(`loss: ${DETECTION_LOSS}`);
    const refused = zcnas([...args, '--labels', unlabelled, '--out', join(work, 'refused')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/has no labels/);
    expect(existsSync(join(work, 'refused'))).toBe(false);
  });

  it('the cache names a labelled dataset by its labels: editing one gives another key', () => {
    const dir = dataset({ 'a.txt': '0 0.5 0.5 0.2 0.2\n' }, { 'a.png': [16, 16] });
    const before = describeBatchInput(resolveBatchInput({ labels: dir }));
    expect(describeBatchInput(resolveBatchInput({ labels: dir }))).toBe(before);
    writeFileSync(join(dir, 'labels', 'a.txt'), '1 0.5 0.5 0.2 0.2\n');
    expect(describeBatchInput(resolveBatchInput({ labels: dir }))).not.toBe(before);
    expect(describeBatchInput(resolveBatchInput({ images: join(dir, 'images') }))).toBe(`images:${join(dir, 'images')}`);
  });
});
