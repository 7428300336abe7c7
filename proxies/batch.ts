// Input batches for proxies: seeded Gaussian noise, or real images from a folder (JPEG/PNG,
// letterboxed to the candidate's resolution and scaled to [0, 1] RGB as YOLO models expect).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createRng, fillNormal } from '../nn/index.js';

/** Where a batch comes from, as reported next to every score. */
export type BatchSource = { readonly kind: 'gaussian' } | { readonly kind: 'images'; readonly dir: string; readonly files: readonly string[] };

export interface Batch {
  /** [B, 3, r, r], row-major. */
  readonly data: Float32Array;
  readonly size: number;
  readonly resolution: number;
  /** e.g. `gaussian(seed=0)` or `images(/data/coco, 16 of 500)`. */
  readonly description: string;
}

/** A folder that cannot serve images: missing, unreadable, empty, or holding no JPEG/PNG. */
export class BatchSourceError extends Error {
  override readonly name = 'BatchSourceError';
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);
/** Ultralytics pads letterboxed images with grey 114. */
const PAD = 114 / 255;

export function gaussianSource(): BatchSource {
  return { kind: 'gaussian' };
}

/** Lists the JPEG/PNG files of `dir` (sorted, so the seed alone decides the sample). */
export function imageFolderSource(dir: string): BatchSource {
  const full = resolve(dir);
  let entries: string[];
  try {
    if (!statSync(full).isDirectory()) throw new BatchSourceError(`image folder ${dir} is a file: give a folder of .jpg/.png images`);
    entries = readdirSync(full);
  } catch (e) {
    if (e instanceof BatchSourceError) throw e;
    throw new BatchSourceError(`cannot read image folder ${dir}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (e as Error).message}`);
  }
  const files = entries.filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new BatchSourceError(`image folder ${dir} holds no .jpg, .jpeg or .png files`);
  return { kind: 'images', dir: full, files };
}

export function describeSource(source: BatchSource): string {
  return source.kind === 'gaussian' ? 'gaussian' : `images:${source.dir}`;
}

/** Decodes one image file to RGBA. */
function decode(path: string): { width: number; height: number; data: Uint8Array } {
  const bytes = readFileSync(path);
  try {
    if (extname(path).toLowerCase() === '.png') {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: png.data };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, data: img.data };
  } catch (e) {
    throw new BatchSourceError(`cannot decode ${path}: ${(e as Error).message}`);
  }
}

/**
 * Letterbox: scale to fit r x r keeping the aspect ratio (bilinear), centre, pad with grey; write
 * the planar RGB in [0, 1] to `out` at `offset`.
 */
export function letterbox(img: { width: number; height: number; data: Uint8Array }, r: number, out: Float32Array, offset: number): void {
  const scale = Math.min(r / img.width, r / img.height);
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const left = Math.floor((r - w) / 2);
  const top = Math.floor((r - h) / 2);
  const plane = r * r;
  out.fill(PAD, offset, offset + 3 * plane);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const y0 = Math.floor(sy);
    const y1 = Math.min(img.height - 1, y0 + 1);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const x0 = Math.floor(sx);
      const x1 = Math.min(img.width - 1, x0 + 1);
      const fx = sx - x0;
      for (let c = 0; c < 3; c++) {
        const p = (yy: number, xx: number): number => img.data[(yy * img.width + xx) * 4 + c] ?? 0;
        const v = (p(y0, x0) * (1 - fx) + p(y0, x1) * fx) * (1 - fy) + (p(y1, x0) * (1 - fx) + p(y1, x1) * fx) * fy;
        out[offset + c * plane + (top + y) * r + left + x] = v / 255;
      }
    }
  }
}

/**
 * Batches made recently, by source, size, resolution and seed. A search asks for the same few
 * batches for every candidate, and drawing one (Gaussian noise at 320 x 320 x 8: 2.4 M normals,
 * about 40 ms) or decoding its images cost more than many candidates' forward passes.
 */
const recent = new Map<string, Batch>();
const RECENT_BYTES = 64 * 2 ** 20;

/** Images are named with their size and modification time, so an edited file is read again. */
function batchKey(source: BatchSource, size: number, resolution: number, seed: number): string {
  if (source.kind === 'gaussian') return `${size}:${resolution}:${seed}:gaussian`;
  const files = drawnFiles(source, size, seed).map((f) => {
    const st = statSync(join(source.dir, f), { throwIfNoEntry: false });
    return `${f}:${st?.size}:${st?.mtimeMs}`;
  });
  return `${size}:${resolution}:${seed}:${source.dir}:${source.files.length}\0${files.join('\0')}`;
}

/**
 * A batch of `size` inputs at resolution r, drawn from `source` with `seed`. Each call returns its
 * own copy of the data, so a caller may write to it.
 */
export function makeBatch(source: BatchSource, size: number, resolution: number, seed: number): Batch {
  const key = batchKey(source, size, resolution, seed);
  const batch = recent.get(key) ?? drawBatch(source, size, resolution, seed);
  recent.delete(key); // (re-)inserted as the most recent
  if (batch.data.byteLength <= RECENT_BYTES) {
    recent.set(key, batch);
    let bytes = 0;
    for (const b of recent.values()) bytes += b.data.byteLength;
    // Oldest first; the batch just made fits alone, so the loop stops before it.
    for (const [k, b] of recent) {
      if (bytes <= RECENT_BYTES) break;
      recent.delete(k);
      bytes -= b.data.byteLength;
    }
  }
  return { ...batch, data: batch.data.slice() };
}

/** A seeded choice of `size` files of the folder (with repeats only when it has fewer). */
function drawnFiles(source: Extract<BatchSource, { kind: 'images' }>, size: number, seed: number): string[] {
  const rng = createRng(seed, 'images');
  const order = [...source.files];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  return Array.from({ length: size }, (_, b) => order[b % order.length] as string);
}

function drawBatch(source: BatchSource, size: number, resolution: number, seed: number): Batch {
  const per = 3 * resolution * resolution;
  const data = new Float32Array(size * per);
  if (source.kind === 'gaussian') {
    fillNormal(data, seed, 'batch');
    return { data, size, resolution, description: `gaussian(seed=${seed})` };
  }
  drawnFiles(source, size, seed).forEach((file, b) => letterbox(decode(join(source.dir, file)), resolution, data, b * per));
  return { data, size, resolution, description: `images(${source.dir}, ${Math.min(size, source.files.length)} of ${source.files.length}, seed=${seed})` };
}

/** Decodes one JPEG/PNG file to RGBA (a BatchSourceError names a file that does not decode). */
export function decodeImage(path: string): { width: number; height: number; data: Uint8Array } {
  return decode(path);
}

/**
 * Where `letterbox` puts a width x height image in the r x r square: a pixel coordinate u of the
 * image lands at u * scale + left (x) or u * scale + top (y).
 */
export function letterboxGeometry(width: number, height: number, r: number): { scale: number; left: number; top: number } {
  const scale = Math.min(r / width, r / height);
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return { scale, left: Math.floor((r - w) / 2), top: Math.floor((r - h) / 2) };
}
