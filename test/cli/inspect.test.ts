import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { zcnas } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zcnas inspect', () => {
  it('prints a per-layer table and totals', () => {
    const r = zcnas(['inspect', 'yolo8n_640']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/backbone\.9\s+SPPF\s+256x20x20\s+164,608/);
    expect(r.stdout).toMatch(/parameters\s+3,157,200/);
    expect(r.stdout).toMatch(/MACs \(batch 1\)\s+4\.37G/);
    expect(r.stdout).toMatch(/detections \[N, 84, 8400\]/);
  });

  it('--json gives the same figures as data; --classes changes the head', () => {
    const r = zcnas(['inspect', 'yolo8n_320', '--json', '--classes', '20']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { id: string; params: number; layers: { name: string; params: number }[]; outputs: { name: string; shape: number[] }[] };
    expect(report.id).toBe('yolo8n_320');
    expect(report.params).toBe(3_014_748); // 20 classes (deeplite-rule calculator, see test/fixtures)
    expect(report.layers.reduce((a, l) => a + l.params, 0)).toBe(report.params);
    expect(report.outputs.find((o) => o.name === 'detections')?.shape).toEqual([24, 2100]);
  });

  it('accepts a genome as JSON', () => {
    const r = zcnas(['inspect', '{"backbone":"v5","neck":"v8","depth":0.33,"width":0.25,"resolution":224}', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).id).toBe('yolo5n+n8_224');
  });

  it('--onnx writes a model onnxruntime runs, with the chosen batch', async () => {
    const file = join(dir, 'yolo7n.onnx');
    const r = zcnas(['inspect', 'yolo7n_160', '--onnx', file, '--batch', '2']);
    expect(r.code).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(file));
    const out = await session.run({ images: new ort.Tensor('float32', new Float32Array(2 * 3 * 160 * 160), [2, 3, 160, 160]) });
    expect(out.detections?.dims).toEqual([2, 84, 525]);
    await session.release();
  });

  it('--batch 0 writes a model with a dynamic batch dimension', async () => {
    const file = join(dir, 'dyn.onnx');
    expect(zcnas(['inspect', 'yolo5n_96', '--onnx', file, '--batch', '0']).code).toBe(0);
    const session = await ort.InferenceSession.create(readFileSync(file));
    for (const n of [1, 3]) {
      const out = await session.run({ images: new ort.Tensor('float32', new Float32Array(n * 3 * 96 * 96), [n, 3, 96, 96]) });
      expect(out.detections?.dims[0]).toBe(n);
    }
    await session.release();
  });
});

describe('bad input: one clear message, exit code 2, nothing written', () => {
  const cases: [string[], RegExp][] = [
    [['inspect', 'yolo9n_320'], /'yolo9n' is not a known architecture/],
    [['inspect', 'resnet50_224'], /not a known architecture/],
    [['inspect', 'yolo8n_300'], /resolution 300 is not valid: use a multiple of 32 from 96 to 1280/],
    [['inspect', 'yolo8n_2048'], /resolution 2048 is not valid/],
    [['inspect', 'yolo8d33w1234_320'], /width code '1234' is not valid: use 1 \(1.0\) or one or two decimals/],
    [['inspect', '{"backbone":"v8","depth":0.33,"width":1.2,"resolution":320}'], /width 1.2 is out of range: use a number from 0.1 to 1/],
    [['inspect', '{"backbone":"v8","depth":0,"width":0.25,"resolution":320}'], /depth 0 is out of range/],
    [['inspect', 'yolo5n+n7_320'], /illegal pairing: backbone v5 ends in an SPP block and neck v7 starts with one/],
    [['inspect', 'yolo8n_320', '--classes', '0'], /--classes 0 is not valid: give a whole number from 1/],
    [['inspect', 'yolo8n_320', '--classes', 'many'], /--classes many is not valid/],
    [['inspect', 'yolo8n_320', '--frobnicate'], /Unknown option '--frobnicate'; run with --help/],
    [['inspect'], /inspect takes one name or genome, got 0/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ];
  for (const [args, message] of cases) {
    it(args.join(' '), () => {
      const r = zcnas(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stdout).toBe('');
    });
  }

  it('an --onnx path in a missing folder fails before writing anything', () => {
    const r = zcnas(['inspect', 'yolo8n_320', '--onnx', join(dir, 'missing', 'm.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/folder .*missing does not exist/);
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('a bad genome never leaves a partial --onnx file', () => {
    const before = readdirSync(dir).length;
    expect(zcnas(['inspect', 'yolo8n_321', '--onnx', join(dir, 'bad.onnx')]).code).toBe(2);
    expect(readdirSync(dir).length).toBe(before);
  });
});

describe('help', () => {
  it('zcnas with no arguments and --help list the commands', () => {
    for (const args of [[], ['--help'], ['help']]) {
      const r = zcnas(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/inspect <name-or-genome>/);
    }
    expect(zcnas(['inspect', '--help']).stdout).toMatch(/--onnx FILE/);
  });
});
