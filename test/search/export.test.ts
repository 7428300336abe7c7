// Export: Ultralytics YAML that states the same network (checked by counting its parameters with
// Ultralytics' module definitions, independently of nn/), and the export command end to end.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { costs } from '../../nn/index.js';
import { ultralyticsYaml } from '../../search/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { zcnas } from '../helpers/cli.js';

/** Parameters of an Ultralytics model YAML, per Ultralytics' Conv, C3, C2f, SPPF and (v8) Detect. */
function ultralyticsParams(yaml: string): number {
  const nc = Number(/^nc: (\d+)/m.exec(yaml)?.[1]);
  const layers = [...yaml.matchAll(/^  - \[(\[[^\]]*\]|-?\d+), (\d+), ([\w.]+), \[([^\]]*)\]\]/gm)].map((m) => ({
    from: (m[1] as string).startsWith('[') ? (JSON.parse(m[1] as string) as number[]) : [Number(m[1])],
    n: Number(m[2]),
    module: m[3] as string,
    args: (m[4] as string).split(',').map((a) => a.trim()),
  }));
  const ch: number[] = [];
  let total = 0;
  const conv = (c1: number, c2: number, k: number): number => c1 * c2 * k * k + 2 * c2;
  for (const [i, l] of layers.entries()) {
    const src = l.from.map((f) => (f < 0 ? (ch[i + f] ?? 3) : (ch[f] ?? 3)));
    const c1 = i === 0 ? 3 : (src[0] ?? 0);
    const c2 = Number(l.args[0]);
    switch (l.module) {
      case 'Conv':
        total += conv(c1, c2, Number(l.args[1]));
        ch.push(c2);
        break;
      case 'C3': {
        const c = Math.floor(c2 / 2);
        total += 2 * conv(c1, c, 1) + conv(2 * c, c2, 1) + l.n * (conv(c, c, 1) + conv(c, c, 3));
        ch.push(c2);
        break;
      }
      case 'C2f': {
        const c = Math.floor(c2 / 2);
        total += conv(c1, 2 * c, 1) + conv((2 + l.n) * c, c2, 1) + l.n * 2 * conv(c, c, 3);
        ch.push(c2);
        break;
      }
      case 'SPPF': {
        const c = Math.floor(c1 / 2);
        total += conv(c1, c, 1) + conv(4 * c, c2, 1);
        ch.push(c2);
        break;
      }
      case 'nn.Upsample':
        ch.push(c1);
        break;
      case 'Concat':
        ch.push(src.reduce((a, b) => a + b, 0));
        break;
      case 'Detect': {
        const b2 = Math.max(16, Math.floor((src[0] ?? 0) / 4), 64);
        const b3 = Math.max(src[0] ?? 0, Math.min(nc, 100));
        for (const c of src) total += conv(c, b2, 3) + conv(b2, b2, 3) + (b2 * 64 + 64) + conv(c, b3, 3) + conv(b3, b3, 3) + (b3 * nc + nc);
        total += 16;
        break;
      }
      default:
        throw new Error(`unexpected module ${l.module}`);
    }
  }
  return total;
}

describe('Ultralytics YAML', () => {
  for (const name of ['yolo8n_640', 'yolo5s_320', 'yolo8l_640', 'yolo5d67w25+n8+sw0.5x1x1.5x1+sd1x0.5x1x1.5_224', 'yolo8d33w5+n5+arelu_160']) {
    it(`${name}: the YAML's network has the graph's parameter count`, () => {
      const g = parseName(name);
      const y = ultralyticsYaml(g, 80, 'm');
      expect(y.ok).toBe(true);
      if (!y.ok) return;
      expect(ultralyticsParams(y.yaml)).toBe(costs(buildGraph(g)).params);
      if (g.activation !== 'family') expect(y.yaml).toMatch(/^activation: nn\.ReLU\(\)$/m);
    });
  }

  it('says why for the families Ultralytics cannot express', () => {
    expect(ultralyticsYaml(parseName('yolo7n_320'), 80, 'm')).toMatchObject({ ok: false, reason: expect.stringMatching(/ELAN/) });
    expect(ultralyticsYaml(parseName('yolo3n_320'), 80, 'm')).toMatchObject({ ok: false, reason: expect.stringMatching(/1x1 then 3x3/) });
    expect(ultralyticsYaml(parseName('yolo8n+hv8lite_320'), 80, 'm')).toMatchObject({ ok: false });
    expect(ultralyticsYaml(parseName('yolo8n+n6s_320'), 80, 'm')).toMatchObject({ ok: false, reason: expect.stringMatching(/v6s neck/) });
  });
});

describe('zcnas export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'zcnas-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = join(dir, 'run');

  it('writes the front as ONNX, JSON and (where possible) YAML; --id picks one; a missing id fails with exit 2 and the run untouched', async () => {
    const search = zcnas(['search', '--objectives', 'min:macs,min:memory', '--families', 'v5,v8,v7', '--population', '8', '--generations', '2', '--out', run]);
    expect(search.code).toBe(0);
    const front = JSON.parse(readFileSync(join(run, 'front.json'), 'utf8')) as { id: string }[];
    const r = zcnas(['export', run]);
    expect(r.code).toBe(0);
    const files = readdirSync(join(run, 'export'));
    for (const f of front) {
      expect(files).toContain(`${f.id}.onnx`);
      expect(files).toContain(`${f.id}.json`);
    }
    const first = front[0]?.id as string;
    const session = await ort.InferenceSession.create(readFileSync(join(run, 'export', `${first}.onnx`)));
    const res = parseName(first).resolution;
    const out = await session.run({ images: new ort.Tensor('float32', new Float32Array(2 * 3 * res * res), [2, 3, res, res]) });
    expect(out.detections?.dims[0]).toBe(2);
    await session.release();
    const meta = JSON.parse(readFileSync(join(run, 'export', `${first}.json`), 'utf8')) as { id: string; macs: number; genome: unknown };
    expect(meta.id).toBe(first);
    expect(meta.macs).toBe(costs(buildGraph(parseName(first))).macs);

    const one = zcnas(['export', run, '--id', first, '--format', 'json', '--out', join(dir, 'one')]);
    expect(one.code).toBe(0);
    expect(readdirSync(join(dir, 'one'))).toEqual([`${first}.json`]);

    const journal = readFileSync(join(run, 'journal.jsonl'), 'utf8');
    const bad = zcnas(['export', run, '--id', 'yolo9z_320', '--out', join(dir, 'none')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/no candidate yolo9z_320 in this run \(\d+ evaluated\); on the front: /);
    expect(existsSync(join(dir, 'none'))).toBe(false);
    expect(readFileSync(join(run, 'journal.jsonl'), 'utf8')).toBe(journal);
    expect(zcnas(['export', run, '--format', 'tflite']).stderr).toMatch(/unknown format 'tflite': use any of onnx, json, ultralytics/);
    expect(zcnas(['export', join(dir, 'nope')]).code).toBe(2);
  });
});
