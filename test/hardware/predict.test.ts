// The latency predictor: NNLS against brute force, the accuracy bar on YOLOBench's Pi 4 data
// with whole families held out, non-negativity, and the predictor file's validation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { costs, createRng } from '../../nn/index.js';
import {
  calibrateFromTruth,
  crossValidateByFamily,
  FEATURES,
  fitCoefficients,
  graphFeatures,
  HardwareError,
  nnls,
  predictLatency,
  readPredictor,
  spreadOf,
  spreadSample,
  writePredictor,
} from '../../hardware/index.js';
import { buildGraph, DEFAULT_SPACE, genomeId, parseName, sampleGenome } from '../../space/index.js';
import { TRUTH_CSV } from '../helpers/yolobench.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-predict-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Least squares on a column subset by normal equations (tiny, well-conditioned test problems). */
function lsSubset(a: number[][], b: number[], cols: number[]): number[] {
  const m = cols.map((i) => cols.map((j) => a.reduce((s, r) => s + (r[i] as number) * (r[j] as number), 0)));
  const v = cols.map((i) => a.reduce((s, r, k) => s + (r[i] as number) * (b[k] as number), 0));
  // Gauss-Jordan on the small system.
  const n = cols.length;
  const aug = m.map((row, i) => [...row, v[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(aug[r]![c]!) > Math.abs(aug[p]![c]!)) p = r;
    [aug[c], aug[p]] = [aug[p]!, aug[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = aug[r]![c]! / aug[c]![c]!;
      for (let k = c; k <= n; k++) aug[r]![k]! -= f * aug[c]![k]!;
    }
  }
  return aug.map((row, i) => row[n]! / row[i]!);
}

/** The exact NNLS optimum by trying every support set: the best feasible subset solution. */
function bruteForceNnls(a: number[][], b: number[]): number[] {
  const n = a[0]!.length;
  let best = { x: new Array<number>(n).fill(0), r: b.reduce((s, v) => s + v * v, 0) };
  for (let mask = 1; mask < 1 << n; mask++) {
    const cols = [...Array(n).keys()].filter((j) => mask & (1 << j));
    const z = lsSubset(a, b, cols);
    if (z.some((v) => v < 0)) continue;
    const x = new Array<number>(n).fill(0);
    cols.forEach((j, k) => (x[j] = z[k]!));
    const r = a.reduce((s, row, k) => s + (row.reduce((t, v, j) => t + v * x[j]!, 0) - b[k]!) ** 2, 0);
    if (r < best.r) best = { x, r };
  }
  return best.x;
}

describe('nnls', () => {
  it('recovers exact non-negative solutions', () => {
    const a = [
      [1, 2, 0],
      [0, 1, 1],
      [3, 0, 1],
      [1, 1, 1],
    ];
    const x = [0.5, 2, 1.5];
    const b = a.map((r) => r.reduce((s, v, j) => s + v * x[j]!, 0));
    nnls(a, b).forEach((v, j) => expect(v).toBeCloseTo(x[j]!, 9));
  });

  it('matches the brute-force optimum where unconstrained least squares would go negative', () => {
    const rng = createRng(7, 'nnls');
    for (let t = 0; t < 30; t++) {
      const a = Array.from({ length: 12 }, () => Array.from({ length: 4 }, () => rng.next()));
      const b = Array.from({ length: 12 }, () => rng.next() * 2 - 0.5);
      const got = nnls(a, b);
      const want = bruteForceNnls(a, b);
      expect(got.every((v) => v >= 0)).toBe(true);
      got.forEach((v, j) => expect(v).toBeCloseTo(want[j]!, 6));
    }
  });
});

describe('spreadOf', () => {
  it('gives the median and interpolated quartiles', () => {
    const s = spreadOf([5, 1, 4, 2, 3]);
    expect([s.median, s.q1, s.q3, s.iqr, s.min, s.max, s.repeats]).toEqual([3, 2, 4, 2, 1, 5, 5]);
    expect(spreadOf([1, 2, 3, 4]).median).toBe(2.5);
    expect(() => spreadOf([])).toThrow(RangeError);
  });
});

describe('latency predictor on YOLOBench Pi 4 ONNX Runtime latencies', () => {
  const calibration = calibrateFromTruth(TRUTH_CSV, 'pi4_ort_latency_ms', 20, 'rpi4', 'test');

  it('ranks held-out families with Spearman >= 0.95 and reports MAPE (target under 15%)', () => {
    const cv = calibration.predictor.crossValidation;
    expect(cv).toBeDefined();
    expect(cv!.overall.n).toBe(968);
    expect(cv!.perFamily.map((f) => f.family)).toEqual(['v3', 'v4', 'v5', 'v6', 'v7', 'v8']);
    expect(cv!.overall.spearman).toBeGreaterThanOrEqual(0.95);
    expect(cv!.overall.mape).toBeLessThan(15);
    for (const f of cv!.perFamily) expect(f.spearman, f.family).toBeGreaterThanOrEqual(0.95);
  });

  it('holds the family out for real: its samples are not in the fit that predicts them', () => {
    // Refit on the other families by hand and compare one held-out prediction.
    const samples = calibration.samples;
    const cv = crossValidateByFamily(samples);
    const v7 = samples.findIndex((s) => s.family === 'v7');
    const coef = fitCoefficients(samples.filter((s) => s.family !== 'v7'));
    const f = samples[v7]!.features;
    expect(cv.predictions[v7]).toBeCloseTo(FEATURES.reduce((s, k) => s + coef[k] * f[k], 0), 9);
    // And it differs from the in-sample fit, which has seen v7.
    const all = fitCoefficients(samples);
    expect(Math.abs(FEATURES.reduce((s, k) => s + all[k] * f[k], 0) - cv.predictions[v7]!)).toBeGreaterThan(1e-9);
  });

  it('cannot go negative: non-negative coefficients, positive predictions across the space', () => {
    const p = calibration.predictor;
    for (const k of FEATURES) expect(p.coefficients[k]).toBeGreaterThanOrEqual(0);
    const rng = createRng(3, 'predict');
    for (let i = 0; i < 40; i++) expect(predictLatency(p, buildGraph(sampleGenome(DEFAULT_SPACE, rng), { classes: 20 }))).toBeGreaterThan(0);
  });

  it('round-trips through its file, and a foreign or broken file gets one clear message', () => {
    const file = join(dir, 'pi4.json');
    writePredictor(file, calibration.predictor);
    const back = readPredictor(file);
    const g = buildGraph(parseName('yolo8n_320'), { classes: 20 });
    expect(predictLatency(back, g)).toBe(predictLatency(calibration.predictor, g));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...calibration.predictor, coefficients: { ...calibration.predictor.coefficients, ops: -1 } }));
    expect(() => readPredictor(join(dir, 'bad.json'))).toThrow(/not a zcnas latency predictor \(coefficients\.ops/);
    writeFileSync(join(dir, 'torn.json'), '{"format": "zcnas-lat');
    expect(() => readPredictor(join(dir, 'torn.json'))).toThrow(HardwareError);
    expect(() => readPredictor(join(dir, 'missing.json'))).toThrow(/no such file/);
  });
});

describe('features and the calibration sample', () => {
  it('count MACs by convolution kind to the total of costs()', () => {
    const g = buildGraph(parseName('yolo6s_320'), { classes: 80 });
    const f = graphFeatures(g);
    expect(f.macs_conv1x1 + f.macs_convkxk + f.macs_grouped + f.macs_convtranspose).toBe(costs(g).macs);
    expect(f.macs_convtranspose).toBeGreaterThan(0); // YOLOv6's neck upsamples by transposed convs
    expect(f.ops).toBe(g.nodes.filter((n) => n.op.kind !== 'batchNorm').length);
  });

  it('spreads over the MAC range, deterministically', () => {
    const a = spreadSample(DEFAULT_SPACE, 12, 5, 80);
    expect(a.map(genomeId)).toEqual(spreadSample(DEFAULT_SPACE, 12, 5, 80).map(genomeId));
    const macs = a.map((g) => costs(buildGraph(g, { classes: 80 })).macs);
    expect([...macs].sort((x, y) => x - y)).toEqual(macs);
    // The extremes of a larger uniform draw are covered: the sample spans at least 20x in MACs.
    expect(macs[macs.length - 1]! / macs[0]!).toBeGreaterThan(20);
    expect(new Set(a.map(genomeId)).size).toBe(12);
  });
});
