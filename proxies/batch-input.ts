// What a user names as the proxies' input (Gaussian noise, an image folder, or a YOLO-format
// labelled dataset), as plain data that travels to worker threads, Redis workers and config files,
// and its resolution into batch sources.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { BatchSourceError, describeSource, gaussianSource, imageFolderSource, type BatchSource } from './batch.js';
import { describeLabelledSource, resolveLabelledSource, type LabelledSource } from './labels.js';

export interface BatchInputSpec {
  /** A folder of images: batches without labels (gradient proxies use the surrogate loss). */
  readonly images?: string | undefined;
  /** A YOLO-format dataset (images/ and labels/): labelled batches, and the detection loss. */
  readonly labels?: string | undefined;
  /** With `labels`: a dataset without labels falls back to its images and the surrogate loss. */
  readonly surrogate?: boolean | undefined;
}

/** The resolved input: where batches come from, and their labels when there are any. */
export interface BatchInput {
  readonly source: BatchSource;
  readonly labelled?: LabelledSource;
}

/** Checks that a spec names one input; the message says what would be right. */
export function checkBatchInputSpec(spec: BatchInputSpec): void {
  if (spec.images !== undefined && spec.labels !== undefined)
    throw new BatchSourceError('give --images DIR (a folder of images) or --labels DIR (a YOLO-format dataset with images/ and labels/), not both: a labelled dataset brings its own images');
  if (spec.surrogate && spec.labels === undefined)
    throw new BatchSourceError('--surrogate goes with --labels DIR: it lets a dataset without labels fall back to the label-free loss (Gaussian and image batches use that loss already)');
}

/** Resolves a spec, reading the folders it names (errors name the folder and what is wrong). */
export function resolveBatchInput(spec: BatchInputSpec): BatchInput {
  checkBatchInputSpec(spec);
  if (spec.labels !== undefined) {
    const r = resolveLabelledSource(spec.labels, { surrogateIfUnlabelled: spec.surrogate ?? false });
    return r.kind === 'labelled' ? { source: { kind: 'images', dir: r.source.imagesDir, files: r.source.files }, labelled: r.source } : { source: r.source };
  }
  return { source: spec.images === undefined ? gaussianSource() : imageFolderSource(spec.images) };
}

/** Resolved inputs by spec: a search resolves its input once per thread, not once per candidate. */
const resolved = new Map<string, BatchInput>();

/** resolveBatchInput, remembered for the life of the thread (the folders are listed once). */
export function batchInputFor(spec: BatchInputSpec): BatchInput {
  const key = JSON.stringify([spec.images, spec.labels, spec.surrogate ?? false]);
  let input = resolved.get(key);
  if (!input) resolved.set(key, (input = resolveBatchInput(spec)));
  return input;
}

/**
 * Names the input for cache keys. A labelled dataset is named by its folder and a digest of its
 * image names and label files, so editing a label does not serve stale scores.
 */
export function describeBatchInput(input: BatchInput): string {
  if (!input.labelled) return describeSource(input.source);
  const { labelsDir, files } = input.labelled;
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\n`);
  for (const f of readdirSync(labelsDir).filter((x) => extname(x).toLowerCase() === '.txt').sort()) h.update(`${f}\n`).update(readFileSync(`${labelsDir}/${f}`));
  return `${describeLabelledSource(input.labelled)}#${h.digest('hex').slice(0, 16)}`;
}
