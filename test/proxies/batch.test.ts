import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { fillNormal } from '../../nn/index.js';
import { BatchSourceError, gaussianSource, imageFolderSource, makeBatch } from '../../proxies/index.js';

const dir = mkdtempSync(join(tmpdir(), 'zcnas-images-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A w x h image, solid colour. */
function rgba(w: number, h: number, [r, g, b]: [number, number, number]): Buffer {
  const data = Buffer.alloc(w * h * 4);
  for (let i = 0; i < w * h; i++) data.set([r, g, b, 255], i * 4);
  return data;
}

function writePng(path: string, w: number, h: number, colour: [number, number, number]): void {
  const png = new PNG({ width: w, height: h });
  rgba(w, h, colour).copy(png.data);
  writeFileSync(path, PNG.sync.write(png));
}

describe('image folder batches', () => {
  const images = join(dir, 'images');
  mkdirSync(images);
  writePng(join(images, 'a.png'), 40, 20, [255, 0, 0]); // wide: letterboxed top and bottom
  writeFileSync(join(images, 'b.jpg'), jpeg.encode({ data: rgba(16, 32, [0, 0, 255]), width: 16, height: 32 }, 95).data); // tall
  writeFileSync(join(images, 'notes.txt'), 'not an image');

  it('decodes PNG and JPEG, letterboxes to the resolution with grey 114 padding, scales to [0, 1] planar RGB', () => {
    const source = imageFolderSource(images);
    expect(source.kind === 'images' && source.files).toEqual(['a.png', 'b.jpg']);
    const r = 32;
    const batch = makeBatch(source, 2, r, 0);
    expect(batch.data.length).toBe(2 * 3 * r * r);
    expect(batch.description).toMatch(/images\(.*2 of 2, seed=0\)/);
    const plane = r * r;
    const at = (s: number, c: number, y: number, x: number): number => batch.data[s * 3 * plane + c * plane + y * r + x] ?? NaN;
    // Find the PNG (red) sample: its centre is red, its top row is padding.
    const red = [0, 1].find((s) => at(s, 0, 16, 16) > 0.99) as number;
    expect(red).toBeDefined();
    expect(at(red, 1, 16, 16)).toBeCloseTo(0, 5);
    expect(at(red, 0, 0, 16)).toBeCloseTo(114 / 255, 5); // 40x20 -> 32x16, rows 0-7 padded
    expect(at(red, 0, 8, 16)).toBeGreaterThan(0.99);
    const blue = 1 - red;
    expect(at(blue, 2, 16, 16)).toBeGreaterThan(0.95); // JPEG: nearly pure blue
    expect(at(blue, 2, 16, 0)).toBeCloseTo(114 / 255, 5); // 16x32 -> 16x32 centred, columns 0-7 padded
  });

  it('the seed alone decides which files are drawn', () => {
    const source = imageFolderSource(images);
    expect(makeBatch(source, 1, 32, 5).data).toEqual(makeBatch(source, 1, 32, 5).data);
  });

  it('an image edited between two batches is read again, not served from before', () => {
    const folder = join(dir, 'edited');
    mkdirSync(folder);
    writePng(join(folder, 'c.png'), 8, 8, [255, 0, 0]);
    const red = makeBatch(imageFolderSource(folder), 1, 8, 0).data[0];
    writePng(join(folder, 'c.png'), 8, 8, [0, 0, 0]);
    utimesSync(join(folder, 'c.png'), new Date(), new Date(Date.now() + 5000)); // a new mtime even on a coarse clock
    expect(red).toBeGreaterThan(0.99);
    expect(makeBatch(imageFolderSource(folder), 1, 8, 0).data[0]).toBeCloseTo(0, 5);
  });

  it('Gaussian batches are seeded', () => {
    expect(makeBatch(gaussianSource(), 2, 32, 1).data).toEqual(makeBatch(gaussianSource(), 2, 32, 1).data);
    expect(makeBatch(gaussianSource(), 2, 32, 1).data).not.toEqual(makeBatch(gaussianSource(), 2, 32, 2).data);
  });

  it('a batch made again (kept from before, or drawn anew once evicted) is the same and the caller’s own copy', () => {
    const fresh = fillNormal(new Float32Array(2 * 3 * 40 * 40), 3, 'batch');
    const first = makeBatch(gaussianSource(), 2, 40, 3);
    expect(first.data).toEqual(fresh);
    first.data.fill(0); // a caller writing to its batch does not change the next one
    expect(makeBatch(gaussianSource(), 2, 40, 3).data).toEqual(fresh);
    // 8 x 3 x 640 x 640 floats are 39 MiB: two of them push everything older out of a 64 MiB store.
    makeBatch(gaussianSource(), 8, 640, 1);
    makeBatch(gaussianSource(), 8, 640, 2);
    expect(makeBatch(gaussianSource(), 2, 40, 3).data).toEqual(fresh);
  });

  it('missing, empty, or image-less folders and files that do not decode give one clear error', () => {
    expect(() => imageFolderSource(join(dir, 'nope'))).toThrow(/cannot read image folder .*nope: it does not exist/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(() => imageFolderSource(empty)).toThrow(BatchSourceError);
    expect(() => imageFolderSource(empty)).toThrow(/holds no .jpg, .jpeg or .png files/);
    expect(() => imageFolderSource(join(images, 'a.png'))).toThrow(/is a file/);
    const broken = join(dir, 'broken');
    mkdirSync(broken);
    writeFileSync(join(broken, 'x.png'), 'garbage');
    expect(() => makeBatch(imageFolderSource(broken), 1, 32, 0)).toThrow(/cannot decode .*x.png/);
  });
});
