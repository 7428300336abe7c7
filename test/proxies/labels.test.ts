// Labelled YOLO-format datasets: boxes follow the letterbox, bad lines name the file and line,
// a dataset without labels falls back to the surrogate only when asked.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabelError, labelledSource, makeLabelledBatch, parseLabels, resolveLabelledSource } from '../../proxies/index.js';
import { dataset } from '../helpers/datasets.js';

describe('labelled batches', () => {
  it('moves boxes with the letterbox (non-square image, centred with grey bars)', () => {
    // 40 x 20 image, object: x 10..30, y 6..14 -> cx 0.5, cy 0.5, w 0.5, h 0.4.
    const dir = dataset({ 'a.txt': '1 0.5 0.5 0.5 0.4\n\n' }, { 'a.png': [40, 20, [10, 30, 6, 14]] });
    const r = 32;
    const batch = makeLabelledBatch(labelledSource(dir), 1, r, 0, 2);
    // scale 0.8 -> 32 x 16 placed at top 8: box (8, 12.8)-(24, 19.2).
    expect(batch.boxes).toHaveLength(1);
    const b = batch.boxes[0]!;
    expect(b.sample).toBe(0);
    expect(b.cls).toBe(1);
    for (const [got, want] of [
      [b.x1, 8],
      [b.y1, 12.8],
      [b.x2, 24],
      [b.y2, 19.2],
    ] as const)
      expect(got).toBeCloseTo(want, 9);
    // The object's pixels are where the box says: white at its centre, black just outside, grey bars.
    const at = (x: number, y: number): number => batch.data[y * r + x] ?? NaN;
    expect(at(16, 16)).toBeCloseTo(1, 5);
    expect(at(4, 16)).toBeCloseTo(0, 5);
    expect(at(16, 2)).toBeCloseTo(114 / 255, 5);
    expect(batch.description).toContain('labelled(');
  });

  it('an image without a label file has no objects', () => {
    const dir = dataset({ 'a.txt': '0 0.5 0.5 0.2 0.2' }, { 'a.png': [8, 8], 'b.png': [8, 8] });
    const batch = makeLabelledBatch(labelledSource(dir), 2, 16, 1, 1);
    expect(batch.boxes).toHaveLength(1);
  });

  it('malformed or out-of-range lines name the file and line', () => {
    const bad = (text: string, classes = 3): LabelError => {
      try {
        parseLabels(text, '/data/labels/x.txt', classes);
      } catch (e) {
        if (e instanceof LabelError) return e;
        throw e;
      }
      throw new Error('no LabelError');
    };
    let e = bad('0 0.5 0.5 0.1 0.1\n1 0.5 0.5 0.1');
    expect(e.message).toContain('/data/labels/x.txt:2');
    expect([e.file, e.line]).toEqual(['/data/labels/x.txt', 2]);
    e = bad('0 0.5 0.5 0.1 0.1\n\n2 1.2 0.5 0.1 0.1');
    expect(e.message).toMatch(/x\.txt:3: centre .* outside/);
    expect(bad('3 0.5 0.5 0.1 0.1').message).toMatch(/x\.txt:1: class 3 is not an integer in \[0, 3\)/);
    expect(bad('1.5 0.5 0.5 0.1 0.1').message).toMatch(/x\.txt:1: class/);
    expect(bad('0 0.5 0.5 0 0.1').message).toMatch(/x\.txt:1: size/);
    expect(bad('0 0.5 zero 0.1 0.1').message).toMatch(/x\.txt:1: not a number/);
    // Through a batch: the real path of the file.
    const dir = dataset({ 'a.txt': '0 0.5 0.5 0.2 0.2\n0 0.5 0.5 0.2 1.5\n' }, { 'a.png': [8, 8] });
    expect(() => makeLabelledBatch(labelledSource(dir), 1, 16, 0, 1)).toThrow(new RegExp(`${join(dir, 'labels', 'a.txt')}:2`));
  });

  it('a dataset without labels is refused unless the surrogate was asked for', () => {
    const dir = dataset(undefined, { 'a.png': [8, 8] });
    expect(() => labelledSource(dir)).toThrow(LabelError);
    expect(() => resolveLabelledSource(dir, { surrogateIfUnlabelled: false })).toThrow(/no labels.*surrogate/);
    const r = resolveLabelledSource(dir, { surrogateIfUnlabelled: true });
    expect(r.kind).toBe('surrogate');
    expect(r.source.kind === 'images' && r.source.files).toEqual(['a.png']);
    const labelled = dataset({ 'a.txt': '' }, { 'a.png': [8, 8] });
    expect(resolveLabelledSource(labelled, { surrogateIfUnlabelled: true }).kind).toBe('labelled');
  });
});
