// All 88 YOLOBench architectures at 160, 320 and 480: build, export, load in onnxruntime-node,
// run a forward pass, check the head's output shapes and that every value is finite.
import { availableParallelism } from 'node:os';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { toOnnx } from '../../nn/index.js';
import { buildGraph, parseName } from '../../space/index.js';
import { yolobenchArchitectures } from '../helpers/yolobench.js';

const CLASSES = 80;
const RESOLUTIONS = [160, 320, 480];
// vitest runs the test files one at a time on a 2-core machine, so each forward pass may use every core.

function expectedShapes(r: number): Record<string, number[]> {
  const anchors = (r / 8) ** 2 + (r / 16) ** 2 + (r / 32) ** 2;
  return {
    detections: [1, 4 + CLASSES, anchors],
    p3: [1, 64 + CLASSES, r / 8, r / 8],
    p4: [1, 64 + CLASSES, r / 16, r / 16],
    p5: [1, 64 + CLASSES, r / 32, r / 32],
  };
}

describe.each(yolobenchArchitectures())('%s', (arch) => {
  it.each(RESOLUTIONS)('at %i builds, exports, loads and runs', async (r) => {
    const graph = buildGraph(parseName(`${arch}_${r}`), { classes: CLASSES });
    const session = await ort.InferenceSession.create(toOnnx(graph, { seed: 0 }), { intraOpNumThreads: availableParallelism(), graphOptimizationLevel: 'basic' });
    try {
      const input = new ort.Tensor('float32', new Float32Array(3 * r * r).map((_, i) => ((i * 7919) % 255) / 255), [1, 3, r, r]);
      const out = await session.run({ images: input });
      const want = expectedShapes(r);
      expect(Object.keys(out).sort()).toEqual(Object.keys(want).sort());
      for (const [name, shape] of Object.entries(want)) {
        const t = out[name] as ort.Tensor;
        expect(t.dims).toEqual(shape);
        expect((t.data as Float32Array).every(Number.isFinite)).toBe(true);
      }
    } finally {
      await session.release();
    }
  });
});
