// Small YOLO-format datasets written to a temporary folder: PNG images and label files.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** A black width x height PNG with a white rectangle [x0, x1) x [y0, y1). */
export function png(path: string, width: number, height: number, rect?: [number, number, number, number]): void {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const inside = rect !== undefined && x >= rect[0] && x < rect[1] && y >= rect[2] && y < rect[3];
      const i = (y * width + x) * 4;
      img.data[i] = img.data[i + 1] = img.data[i + 2] = inside ? 255 : 0;
      img.data[i + 3] = 255;
    }
  writeFileSync(path, PNG.sync.write(img));
}

export function dataset(labels: Record<string, string> | undefined, images: Record<string, [number, number, [number, number, number, number]?]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'zcnas-labels-'));
  mkdirSync(join(dir, 'images'));
  for (const [name, [w, h, rect]] of Object.entries(images)) png(join(dir, 'images', name), w, h, rect);
  if (labels) {
    mkdirSync(join(dir, 'labels'));
    for (const [name, text] of Object.entries(labels)) writeFileSync(join(dir, 'labels', name), text);
  }
  return dir;
}
