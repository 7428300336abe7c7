// Labelled batches from YOLO-format datasets: a folder holding images/ (JPEG/PNG) and labels/
// (one `<image stem>.txt` per image, lines `class cx cy w h`, coordinates normalised to 0..1 of
// the image). Images are letterboxed as proxies/batch.ts does; boxes are moved with them into the
// letterboxed r x r frame (pixels).
//
// Rules: an image without a .txt (or with an empty one) has no objects, as in Ultralytics; blank
// lines are skipped; a line that does not hold exactly 5 numbers, a class that is not an integer
// in [0, classes), a centre outside [0, 1], or a width/height outside (0, 1] is a LabelError that
// names the file and the line. A dataset with no labels/ folder (or one without any .txt) is
// refused unless the caller asked for the label-free surrogate (`surrogateIfUnlabelled`).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { createRng } from '../nn/index.js';
import { BatchSourceError, decodeImage, imageFolderSource, letterbox, letterboxGeometry, type Batch, type BatchSource } from './batch.js';

/** A malformed or out-of-range label line (or an unusable labelled dataset). */
export class LabelError extends Error {
  override readonly name = 'LabelError';
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** One object in the letterboxed frame, pixels; `sample` is its index in the batch. */
export interface TargetBox {
  readonly sample: number;
  readonly cls: number;
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

export interface LabelledSource {
  readonly kind: 'labelled';
  readonly dir: string;
  readonly imagesDir: string;
  readonly labelsDir: string;
  /** Image file names in images/, sorted. */
  readonly files: readonly string[];
}

export interface LabelledBatch extends Batch {
  readonly boxes: readonly TargetBox[];
  readonly classes: number;
}

/** Parses one label file's text into normalised boxes, checking every line. */
export function parseLabels(text: string, file: string, classes: number): { cls: number; cx: number; cy: number; w: number; h: number }[] {
  const out: { cls: number; cx: number; cy: number; w: number; h: number }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const where = `${file}:${i + 1}`;
    const fields = line.split(/\s+/);
    if (fields.length !== 5) throw new LabelError(`${where}: expected 'class cx cy w h' (5 numbers), got ${fields.length} field(s): '${line}'`, file, i + 1);
    const v = fields.map(Number);
    if (v.some((x) => !Number.isFinite(x))) throw new LabelError(`${where}: not a number in '${line}'`, file, i + 1);
    const [cls = 0, cx = 0, cy = 0, w = 0, h = 0] = v;
    if (!Number.isInteger(cls) || cls < 0 || cls >= classes) throw new LabelError(`${where}: class ${fields[0]} is not an integer in [0, ${classes})`, file, i + 1);
    if (cx < 0 || cx > 1 || cy < 0 || cy > 1) throw new LabelError(`${where}: centre (${fields[1]}, ${fields[2]}) is outside [0, 1]`, file, i + 1);
    if (!(w > 0 && w <= 1 && h > 0 && h <= 1)) throw new LabelError(`${where}: size (${fields[3]}, ${fields[4]}) is outside (0, 1]`, file, i + 1);
    out.push({ cls, cx, cy, w, h });
  });
  return out;
}

function hasLabels(labelsDir: string): boolean {
  try {
    return statSync(labelsDir).isDirectory() && readdirSync(labelsDir).some((f) => extname(f).toLowerCase() === '.txt');
  } catch {
    return false;
  }
}

/** A YOLO-format dataset folder with images/ and labels/. */
export function labelledSource(dir: string): LabelledSource {
  const full = resolve(dir);
  const imagesDir = join(full, 'images');
  const labelsDir = join(full, 'labels');
  if (!existsSync(imagesDir)) throw new BatchSourceError(`${dir} has no images/ folder: a YOLO-format dataset holds images/ and labels/`);
  const images = imageFolderSource(imagesDir);
  const files = images.kind === 'images' ? images.files : [];
  if (!hasLabels(labelsDir)) throw new LabelError(`${dir} has no labels (no labels/ folder with .txt files): give a labelled dataset, or ask for the label-free surrogate loss explicitly (--surrogate; surrogate: true in a search config)`);
  return { kind: 'labelled', dir: full, imagesDir, labelsDir, files };
}

/**
 * The source a gradient proxy should use for `dir`: its labels when it has any; otherwise the
 * images alone with the surrogate loss, only when `surrogateIfUnlabelled` is set (else a LabelError).
 */
export function resolveLabelledSource(dir: string, opts: { surrogateIfUnlabelled: boolean }): { kind: 'labelled'; source: LabelledSource } | { kind: 'surrogate'; source: BatchSource } {
  const full = resolve(dir);
  if (hasLabels(join(full, 'labels'))) return { kind: 'labelled', source: labelledSource(dir) };
  if (!opts.surrogateIfUnlabelled) throw new LabelError(`${dir} has no labels (no labels/ folder with .txt files): give a labelled dataset, or ask for the label-free surrogate loss explicitly (--surrogate; surrogate: true in a search config)`);
  const images = existsSync(join(full, 'images')) ? join(full, 'images') : full;
  return { kind: 'surrogate', source: imageFolderSource(images) };
}

export function describeLabelledSource(source: LabelledSource): string {
  return `labelled:${source.dir}`;
}

/**
 * A batch of `size` letterboxed images with their boxes, drawn with `seed` (the same seeded
 * choice of files as makeBatch on the images folder).
 */
export function makeLabelledBatch(source: LabelledSource, size: number, resolution: number, seed: number, classes: number): LabelledBatch {
  const per = 3 * resolution * resolution;
  const data = new Float32Array(size * per);
  const rng = createRng(seed, 'images');
  const order = [...source.files];
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j] as string, order[i] as string];
  }
  const boxes: TargetBox[] = [];
  for (let b = 0; b < size; b++) {
    const name = order[b % order.length] as string;
    const img = decodeImage(join(source.imagesDir, name));
    letterbox(img, resolution, data, b * per);
    const labelFile = join(source.labelsDir, `${basename(name, extname(name))}.txt`);
    if (!existsSync(labelFile)) continue;
    const { scale, left, top } = letterboxGeometry(img.width, img.height, resolution);
    for (const l of parseLabels(readFileSync(labelFile, 'utf8'), labelFile, classes)) {
      const cx = l.cx * img.width * scale + left;
      const cy = l.cy * img.height * scale + top;
      const w = l.w * img.width * scale;
      const h = l.h * img.height * scale;
      boxes.push({ sample: b, cls: l.cls, x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2 });
    }
  }
  return { data, size, resolution, boxes, classes, description: `labelled(${source.dir}, ${Math.min(size, order.length)} of ${order.length}, seed=${seed})` };
}
