// Parameter and MAC counts of the built graphs against numbers derived independently of zcnas.
import { describe, expect, it } from 'vitest';
import { costs, type Graph } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { DEEPLITE_COUNTS } from '../fixtures/deeplite-counts.js';
import { DEEPLITE_V6_COUNTS } from '../fixtures/deeplite-v6-counts.js';

/** MACs of convolutions without the fixed DFL conv (which thop-style counts leave out). */
function convMacs(graph: Graph): number {
  const c = costs(graph);
  return c.nodes.filter((n) => !n.name.includes('dfl')).reduce((a, n) => a + n.macs, 0);
}

describe('YOLOv8 against Ultralytics', () => {
  // Parameters: exact (ultralytics/cfg/models/v8/yolov8.yaml). MACs: docs/en/models/yolov8.md
  // gives 8.7 / 28.6 / 78.9 / 165.2 GFLOPs for the fused models = 2 x conv MACs.
  const published: [string, number, number][] = [
    ['yolo8n', 3_157_200, 4.35e9],
    ['yolo8s', 11_166_560, 14.3e9],
    ['yolo8m', 25_902_640, 39.45e9],
    ['yolo8l', 43_691_520, 82.6e9],
  ];
  for (const [arch, params, macs] of published) {
    it(`${arch}: ${params} parameters, MACs within 2% of ${macs / 1e9} G`, () => {
      const g = buildGraph(parseName(`${arch}_640`), { classes: 80 });
      expect(costs(g).params).toBe(params);
      expect(Math.abs(convMacs(g) - macs) / macs).toBeLessThan(0.02);
    });
  }
});

describe('YOLOv5 with the v8 head against Ultralytics yolov5nu..lu (docs/en/models/yolov5.md)', () => {
  const docs: [string, number, number][] = [
    ['yolo5n', 2.6, 7.7],
    ['yolo5s', 9.1, 24.0],
    ['yolo5m', 25.1, 64.2],
    ['yolo5l', 53.2, 135.0],
  ];
  for (const [arch, mparams, gflops] of docs) {
    it(`${arch}: ${mparams}M parameters, ${gflops} GFLOPs at 640`, () => {
      const g = buildGraph(parseName(`${arch}_640`), { classes: 80 });
      // The docs count the BatchNorm-fused model (yolov5n: 2,649,200), slightly fewer than the unfused graph.
      expect(Math.abs(costs(g).params / 1e6 - mparams)).toBeLessThan(0.1);
      expect(Number(((2 * convMacs(g)) / 1e9).toFixed(1))).toBe(gflops);
    });
  }
});

describe('every YOLOBench v3/v4/v5/v7/v8 architecture against the deeplite-rule calculator', () => {
  for (const [arch, want] of Object.entries(DEEPLITE_COUNTS)) {
    it(arch, () => {
      const g80 = buildGraph(parseName(`${arch}_640`), { classes: 80 });
      expect(costs(g80).params).toBe(want.params80);
      expect(costs(buildGraph(parseName(`${arch}_640`), { classes: 20 })).params).toBe(want.params20);
      // The table gives GMACs to 4 decimals.
      expect(Math.abs(convMacs(g80) / 1e9 - want.gmacs640)).toBeLessThan(6e-5);
    });
  }
});

describe('every YOLOBench v6 architecture against deeplite-torch-zoo run under PyTorch', () => {
  for (const [arch, want] of Object.entries(DEEPLITE_V6_COUNTS)) {
    it(arch, () => {
      const g = buildGraph(parseName(`${arch}_640`), { classes: 80 });
      expect(costs(g).params).toBe(want.params);
      expect(convMacs(g)).toBe(want.macs640);
    });
  }
});

describe('MACs scale with the square of the resolution', () => {
  it('for every family', () => {
    for (const arch of ['yolo3n', 'yolo4s', 'yolo5m', 'yolo6s-d33w25', 'yolo6m-d6w5', 'yolo6l-d1w25', 'yolo7n', 'yolo8l']) {
      const m640 = convMacs(buildGraph(parseName(`${arch}_640`)));
      const m320 = convMacs(buildGraph(parseName(`${arch}_320`)));
      expect(m640 / m320).toBeCloseTo(4, 9);
    }
  });
});
